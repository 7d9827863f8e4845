/**
 * How a run says that an earlier write in doubt took effect (issue 9, docs/audit-records.md "Intent
 * record"). A run cut off mid-write leaves an intent without an outcome; the next run cannot know that
 * (the function keeps no state), but it sees the connection: when a connection the policy leaves alone
 * (`skip`) changed recently and is now exactly where one of our writes would have put it, the run records
 * it as `settled`, naming the decision ids of those writes (`settles`). An intent whose `decisionId` a
 * later `settled` record names took effect. Pure.
 */
import type { Decision } from '../engine/decision.ts';
import { decisionKey } from '../engine/decision-id.ts';
import type { Sha256Hex } from '../engine/decision-id.ts';
import { connectionKey } from '../engine/resources.ts';
import type { EndpointConnection } from '../engine/resources.ts';

/** The reconcile handler's schedule (s.yaml, docs/cadences.md): the full sweep runs every 15 minutes. */
export const RECONCILE_EVERY_MS = 15 * 60_000;

/**
 * How recent a change must be to be reported as settled: one reconcile interval plus a margin for a
 * late or long run (a run cut off mid-write is followed by a full sweep within one interval; the
 * `requests` runs in between settle the connections they list). At least 20 minutes.
 */
export const SETTLE_WINDOW_MS = RECONCILE_EVERY_MS + 5 * 60_000;

/** A skip decision that settles earlier writes: the decision and the decision ids it settles. */
export interface Settlement {
  decision: Decision;
  modifiedTime: string;
  settles: string[];
}

/** Finds a listed connection by region, service and endpoint. */
export type ListedLookup = (
  d: Pick<Decision, 'regionId' | 'serviceId' | 'endpointId'>,
) => EndpointConnection | undefined;

/** A lookup over `listed` (the last copy of a connection listed twice). */
export function listedLookup(listed: readonly EndpointConnection[]): ListedLookup {
  const byKey = new Map(listed.map((c) => [connectionKey(c), c]));
  return (d) => byKey.get(connectionKey(d));
}

/**
 * The settlement one decision makes at `now`, if any: a skip on a steady connection whose ModifiedTime
 * is within the window.
 */
export function settlementOf(
  d: Decision,
  lookup: ListedLookup,
  now: number,
  policyRevisionHash: string,
  sha256: Sha256Hex,
): Settlement | undefined {
  const s = settlementCandidate(d, lookup, now, policyRevisionHash, sha256);
  return s !== undefined && inSettleWindow(s, now) ? s : undefined;
}

/** Whether a settlement's change lies within the window at `now` (not later than `now`, not older). */
export function inSettleWindow(s: Pick<Settlement, 'modifiedTime'>, now: number): boolean {
  const at = Date.parse(s.modifiedTime);
  return at <= now && now - at <= SETTLE_WINDOW_MS;
}

/**
 * The settlement a decision would make at `now` or at any later instant: the window's far end only is
 * checked, so the candidates at `now` include every settlement at a later time (./prepare.ts, which then
 * checks {@link inSettleWindow} at the time the records are written).
 */
export function settlementCandidate(
  d: Decision,
  lookup: ListedLookup,
  now: number,
  policyRevisionHash: string,
  sha256: Sha256Hex,
): Settlement | undefined {
  if (d.kind !== 'skip' || d.blocked !== undefined) return undefined;
  const c = lookup(d);
  if (c === undefined || !(now - Date.parse(c.modifiedTime) <= SETTLE_WINDOW_MS)) return undefined;
  const wrote = writesLeading(d, c);
  if (wrote.length === 0) return undefined;
  const { regionId, serviceId, endpointId } = d;
  const settles = wrote.map((w) => decisionKey({ regionId, serviceId, endpointId, ...w }, policyRevisionHash, sha256));
  return { decision: d, modifiedTime: c.modifiedTime, settles };
}

/** The writes of ours that leave a connection as it is now (their kind and bandwidth). */
function writesLeading(d: Decision, c: EndpointConnection): Pick<Decision, 'kind' | 'bandwidthAfter'>[] {
  if (c.connectionStatus === 'Connected') {
    return [
      { kind: 'accept', bandwidthAfter: c.bandwidth },
      { kind: 'resize', bandwidthAfter: c.bandwidth },
    ];
  }
  // Disconnected by a reject or a revoke of ours: under the Connecting reading the engine reads it
  // `closed`; under `auto` and Disconnected it is a skip because the account is not allowed.
  const notAllowed = d.rule === 'builtin.disconnected' || d.reasonCode === 'not-allowed-disconnected';
  if (c.connectionStatus === 'Disconnected' && notAllowed) {
    return [
      { kind: 'reject', bandwidthAfter: undefined },
      { kind: 'revoke', bandwidthAfter: undefined },
    ];
  }
  return [];
}
