/**
 * The order in which a run carries out its writes, most urgent first, so that a run cut short (deadline,
 * slow locks) has done what matters most and leaves the rest `deferred` for the next one. Pure. The
 * order is documented in policies/README.md ("Which writes go first").
 */
import type { Decision } from './decision.ts';

/** Urgency classes, most urgent first. */
export const WRITE_URGENCY = [
  /** revoke of a denied account or endpoint: stops access that must not exist */
  'stop-access',
  /** reject a request */
  'reject',
  /** accept a request: a customer is waiting, the oldest request first */
  'accept',
  /** resize (always a reduction: drift never raises bandwidth) */
  'reduce-bandwidth',
  /** revoke for another reason: expired, no longer named, VPC not allowed */
  'revoke',
  /** everything that writes nothing: hold, skip, flag, and anything blocked by a safety limit */
  'no-write',
] as const;

export type WriteUrgency = (typeof WRITE_URGENCY)[number];

/** The urgency class of one decision. */
export function writeUrgency(d: Decision): WriteUrgency {
  if (d.blocked !== undefined) return 'no-write';
  switch (d.kind) {
    case 'revoke':
      return d.reasonCode === 'revoke' && d.reasonParams.notAllowed.standing === 'denied' ? 'stop-access' : 'revoke';
    case 'reject':
      return 'reject';
    case 'accept':
      return 'accept';
    case 'resize':
      return 'reduce-bandwidth';
    default:
      return 'no-write';
  }
}

/**
 * `decisions` ordered by urgency (see {@link WRITE_URGENCY}); accepts oldest `ModifiedTime` first (an
 * unreadable time last). Stable: within a class (and between accepts of the same time) the input order
 * is kept. Returns a new array; the decisions are not modified.
 */
export function orderWrites<T extends Decision>(decisions: readonly T[]): T[] {
  const rank = (d: T): number => WRITE_URGENCY.indexOf(writeUrgency(d));
  const at = (d: T): number => {
    const t = Date.parse(d.modifiedTime);
    return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
  };
  // Most decisions write nothing: they keep their order at the end, unsorted.
  const noWrite: T[] = [];
  const writes: { d: T; i: number; rank: number; at: number }[] = [];
  decisions.forEach((d, i) => {
    const urgency = writeUrgency(d);
    if (urgency === 'no-write') noWrite.push(d);
    else writes.push({ d, i, rank: rank(d), at: urgency === 'accept' ? at(d) : 0 });
  });
  writes.sort((a, b) => a.rank - b.rank || compareTimes(a.at, b.at) || a.i - b.i);
  return [...writes.map(({ d }) => d), ...noWrite];
}

/** Ascending, with infinities equal to each other (Infinity - Infinity is NaN). */
function compareTimes(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
