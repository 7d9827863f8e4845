/**
 * What a connection's status means for the engine, under the policy's reading of the ambiguous pending
 * status (platform notes, "Pending status is ambiguous"). Pure.
 */
import type { ConnectionStatus } from './resources.ts';
import type { PendingStatusReading } from '../policy/policy.ts';

/**
 * - `awaiting`: a request awaiting a decision: accept, reject or hold.
 * - `maybe-awaiting`: `Disconnected` when it may be a new request *or* one rejected/disconnected
 *   earlier (the two are indistinguishable): accept if the policy allows it, otherwise leave it alone.
 * - `closed`: `Disconnected` read as "rejected or disconnected earlier", not a request.
 * - `accept-in-progress`: an accept being carried out (`Connecting` under the newer reading).
 * - `connected`: `Connected`: drift rules apply.
 * - `in-transition`: `Pending` (being modified), `Disconnecting`, `Deleting`, `ServiceDeleted`.
 * - `unrecognised`: a status outside the API's documented list: never act on it.
 */
export type ConnectionPhase =
  'awaiting' | 'maybe-awaiting' | 'closed' | 'accept-in-progress' | 'connected' | 'in-transition' | 'unrecognised';

/**
 * The phase of a connection in `status` under `reading`:
 *
 * | status       | `Connecting` reading | `Disconnected` reading | `auto`              |
 * |--------------|----------------------|------------------------|---------------------|
 * | Connecting   | awaiting             | accept-in-progress     | awaiting            |
 * | Disconnected | closed               | maybe-awaiting         | maybe-awaiting      |
 *
 * Why `auto` is right under both readings:
 * - `Connecting` as awaiting: if it really is an accept in progress, accepting it again is harmless
 *   (an unchanged connection gets the same ClientToken, so the API replays the first answer; one that
 *   moved on is refused with `EndpointConnectionOperationDenied` "being connected", and apply re-reads it
 *   and records `already-applied`);
 *   rejecting it fails the same way and the next run sees it `Connected`, where drift rules apply.
 * - `Disconnected` as maybe-awaiting: only an allowed account's connection is acted on (accepted:
 *   a disconnected connection can be enabled again, and the policy in git is the source of truth);
 *   anything else is left as it is, never connected and never rejected again.
 */
export function connectionPhase(status: ConnectionStatus, reading: PendingStatusReading): ConnectionPhase {
  switch (status) {
    case 'Connected':
      return 'connected';
    case 'Connecting':
      return reading === 'Disconnected' ? 'accept-in-progress' : 'awaiting';
    case 'Disconnected':
      return reading === 'Connecting' ? 'closed' : 'maybe-awaiting';
    case 'Pending':
    case 'Disconnecting':
    case 'Deleting':
    case 'ServiceDeleted':
      return 'in-transition';
    default:
      return 'unrecognised';
  }
}

/**
 * Whether a connection in `phase`/`status` counts against an account's `maxConnections`: Connected,
 * an accept in progress, and `Pending` (a connection being modified is a connection: counting it can
 * only hold a request back, never connect one too many).
 */
export function countsAsConnection(phase: ConnectionPhase, status: ConnectionStatus): boolean {
  return phase === 'connected' || phase === 'accept-in-progress' || status === 'Pending';
}
