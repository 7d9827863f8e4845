/**
 * Decision identity, in one place: the audit record's decision id and the write's `ClientToken` (ASCII,
 * at most 64 characters: "a retried request with the same token returns the first result without a
 * second effect", platform notes). Pure: the one SHA-256 is injected by the shell (node:crypto), so a
 * retried Function Compute invocation or two overlapping runs that saw the same connection in the same
 * state and reached the same decision under the same policy never act twice, while a connection changed
 * since (by a person, or by our own earlier write) gets a fresh token. docs/audit-records.md shows how
 * to recompute both from a record.
 */
import type { Decision } from './decision.ts';

/** A SHA-256 of the UTF-8 bytes of `text`, as 64 lower-case hex digits. */
export type Sha256Hex = (text: string) => string;

/** Bumped if the key's inputs ever change, so old and new keys can never collide by accident. */
const KEY_FORMAT = 'plk-decision-v1';
const TOKEN_FORMAT = 'plk-token-v1';

/**
 * The decision's stable key: SHA-256 (64 lower-case hex digits) of the connection (region, service,
 * endpoint), the decision kind, the bandwidth it sets, and the policy revision hash.
 *
 * - Same inputs, same key: the same decision on the same connection under the same policy.
 * - A different kind, bandwidth or policy revision gives a different key: it is a different action
 *   (reusing a token with different parameters would be `IdempotentParameterMismatch`).
 * - Reasons, names, `blocked`, the status and bandwidth before are deliberately left out: they describe
 *   the action, they do not change it.
 *
 * The payload is a JSON array, so no field value can run into the next (`a/b` + `c` vs `a` + `b/c`).
 */
export function decisionKey(
  d: Pick<Decision, 'regionId' | 'serviceId' | 'endpointId' | 'kind' | 'bandwidthAfter'>,
  policyRevisionHash: string,
  sha256: Sha256Hex,
): string {
  return sha256(
    JSON.stringify([
      KEY_FORMAT,
      d.regionId,
      d.serviceId,
      d.endpointId,
      d.kind,
      d.bandwidthAfter ?? null,
      policyRevisionHash,
    ]),
  );
}

/**
 * The write's ClientToken: the decision's key and the connection's `ModifiedTime` as listed (SHA-256, 64
 * hex digits; the API allows 64 ASCII characters).
 *
 * - Two runs (or a retried invocation) that saw the connection in the same state send the same token:
 *   the API returns the first result and acts once.
 * - Once the connection has changed (our own write moves its ModifiedTime, and so does a person who
 *   disconnects, re-enables or resizes it by hand), the same decision gets a new token. With the key
 *   alone, a connection that a person disconnected after our accept would be "accepted" again by a
 *   replay of the first answer on every later run, with no effect at all, while its record said `applied`.
 */
export function clientToken(decisionId: string, modifiedTime: string, sha256: Sha256Hex): string {
  return sha256(JSON.stringify([TOKEN_FORMAT, decisionId, modifiedTime]));
}
