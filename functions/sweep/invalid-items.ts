/**
 * Listed items that failed validation are never decided on (issue 9). One more consequence: such an item
 * may be a connection that counts against its owner's maxConnections, so while an owner has one on a
 * service, that owner's accepts on that service are held (never accept one over the limit on doubt). Pure.
 */
import type { Decision, Plan } from '../engine/decision.ts';
import type { InvalidListing } from './collect.ts';

/** The plan with the accepts of owners that have an invalid listed item on the same service turned to holds. */
export function holdOwnersOfInvalid(plan: Plan, invalid: InvalidListing[]): Plan {
  const doubted = new Map<string, InvalidListing>();
  for (const item of invalid) {
    if (item.ownerId !== undefined && item.serviceId !== null)
      doubted.set(key(item.region, item.serviceId, item.ownerId), item);
  }
  if (doubted.size === 0) return plan;
  const decisions = plan.decisions.map((d): Decision => {
    const item = d.kind === 'accept' ? doubted.get(key(d.regionId, d.serviceId, d.endpointOwnerId)) : undefined;
    if (item === undefined) return d;
    return {
      ...d,
      kind: 'hold',
      bandwidthAfter: undefined,
      rule: 'builtin.invalid-listing',
      reason:
        `account ${d.endpointOwnerId} has a listed connection on ${d.serviceId} whose ${item.field} failed ` +
        'validation: its accepts there are held so that maxConnections is never undercounted',
    };
  });
  return { ...plan, decisions };
}

function key(region: string, serviceId: string, ownerId: string): string {
  return `${region}\u0000${serviceId}\u0000${ownerId}`;
}
