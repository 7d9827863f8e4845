/**
 * Listed items that failed validation are never decided on (issue 9). One more consequence: such an item
 * may be a connection that counts against its owner's maxConnections, so while an owner has one on a
 * service, that owner's accepts on that service are held (never accept one over the limit on doubt). An
 * item whose owner cannot be read may count against any account's limit: every accept on its service is
 * held (the safe reading: maxConnections or not, the run cannot tell whose connection it is). Pure.
 */
import type { Decision, Plan } from '../engine/decision.ts';
import type { InvalidListing } from './collect.ts';

/** The plan with the accepts of owners that have an invalid listed item on the same service turned to holds. */
export function holdOwnersOfInvalid(plan: Plan, invalid: InvalidListing[]): Plan {
  const doubted = new Map<string, InvalidListing>();
  const ownerless = new Map<string, InvalidListing>();
  for (const item of invalid) {
    if (item.serviceId === null) continue;
    if (item.ownerId !== undefined) doubted.set(key(item.region, item.serviceId, item.ownerId), item);
    else ownerless.set(key(item.region, item.serviceId, ''), item);
  }
  if (doubted.size === 0 && ownerless.size === 0) return plan;
  const decisions = plan.decisions.map((d): Decision => {
    if (d.kind !== 'accept') return d;
    const owned = doubted.get(key(d.regionId, d.serviceId, d.endpointOwnerId));
    const item = owned ?? ownerless.get(key(d.regionId, d.serviceId, ''));
    if (item === undefined) return d;
    const reason =
      owned === undefined
        ? `${d.serviceId} has a listed connection whose ${item.field} failed validation and whose owner ` +
          'cannot be read: every accept there is held so that maxConnections is never undercounted'
        : `account ${d.endpointOwnerId} has a listed connection on ${d.serviceId} whose ${item.field} failed ` +
          'validation: its accepts there are held so that maxConnections is never undercounted';
    return { ...d, kind: 'hold', bandwidthAfter: undefined, rule: 'builtin.invalid-listing', reason };
  });
  return { ...plan, decisions };
}

function key(region: string, serviceId: string, ownerId: string): string {
  return `${region}\u0000${serviceId}\u0000${ownerId}`;
}
