/**
 * Stable keys for decisions: the audit record's decision id, and the basis of the write's `ClientToken`
 * (ASCII, at most 64 characters: "a retried request with the same token returns the first result
 * without a second effect", platform notes). The sweep hashes this key with the connection's
 * ModifiedTime as listed (`clientToken` in ../sweep/run-sweep.ts), so a retried Function Compute
 * invocation or two overlapping runs that saw the same connection in the same state and reached the
 * same decision under the same policy never act twice, while a connection changed since (by a person,
 * or by our own earlier write) gets a fresh token. Pure.
 */
import type { Decision } from './decision.ts';
import { sha256Hex } from './sha256.ts';

/** Bumped if the key's inputs ever change, so old and new keys can never collide by accident. */
const KEY_FORMAT = 'plk-decision-v1';

/**
 * The decision's stable key: SHA-256 (64 lower-case hex digits) of the connection (region, service,
 * endpoint), the decision kind, the bandwidth it sets, and the policy revision hash.
 *
 * - Same inputs, same key: a retried run on an unchanged connection sends the same ClientToken, and
 *   the API returns the first result instead of acting again.
 * - A different kind, bandwidth or policy revision gives a different key: it is a different action
 *   (reusing a token with different parameters would be `IdempotentParameterMismatch`).
 * - Reasons, names, `blocked`, the status and bandwidth before are deliberately left out: they describe
 *   the action, they do not change it.
 *
 * The payload is a JSON array, so no field value can run into the next (`a/b` + `c` vs `a` + `b/c`).
 */
export function decisionKey(d: Decision, policyRevisionHash: string): string {
  const payload = JSON.stringify([
    KEY_FORMAT,
    d.regionId,
    d.serviceId,
    d.endpointId,
    d.kind,
    d.bandwidthAfter ?? null,
    policyRevisionHash,
  ]);
  return sha256Hex(payload);
}
