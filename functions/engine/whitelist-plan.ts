/**
 * Keeping a service's whitelist in step with its rule (`whitelist: sync`, README "Keep the whitelist in
 * step"): the account IDs to add and to remove so that exactly the rule's allowed accounts (and the
 * provider's own account) may find the service and request connections. Pure: `now` and the provider's
 * account are parameters.
 *
 * The changes are a list of their own beside the plan's connection decisions, not `Decision`s: a
 * whitelist entry has no endpoint, VPC, status or bandwidth, and the connection decisions' counts, write
 * order and ClientTokens stay as they are. Each change still becomes a decision record (kind
 * `whitelist-add` or `whitelist-remove`, `endpointId` null), written by ../sweep/apply-whitelist.ts.
 */
import type { Policy, ServiceRule } from '../policy/policy.ts';
import { accountName, accountStanding } from './account-standing.ts';
import type { Decision, PlanWarning, WhitelistChange } from './decision.ts';
import { ordinal } from './decide-request.ts';
import { matchServiceRule } from './match-service.ts';
import type { EndpointConnection, EndpointService } from './resources.ts';
import { limitBreach } from './safety-limits.ts';

export type { WhitelistChange, WhitelistChangeKind } from './decision.ts';

/** One synced service's whitelist as listed (every page). */
export interface ListedWhitelist {
  service: EndpointService;
  users: string[];
}

export interface WhitelistPlan {
  changes: WhitelistChange[];
  warnings: PlanWarning[];
}

/** The rule governing `service` when it says `whitelist: sync`, else undefined. */
export function syncedRule(policy: Policy, service: EndpointService): ServiceRule | undefined {
  const rule = matchServiceRule(policy, service);
  return rule?.whitelist === 'sync' ? rule : undefined;
}

/**
 * The changes that converge each listed whitelist to its rule, sorted by region, service, kind (adds
 * first), account. Allowed: the rule's allow entries (groups expanded) that are not expired and whose
 * account no active deny names, whatever their `vpcs` (the whitelist is per account). The provider's own
 * account always stays: when it is not known (`providerAccountId` undefined) nothing is removed and a
 * `whitelist-owner-unknown` warning says so, since removing the owner is never wanted.
 *
 * Removals count against `limits.maxDisconnects` and `maxDisconnectsPercent` (of the entries listed on
 * the synced whitelists, the owner's left out), all or nothing, like revokes (./safety-limits.ts). A
 * service whose rejects or revokes a safety limit blocked in this run (`connections`: the run's connection
 * decisions) has its removals blocked too: a typo that drops allowed accounts must not remove them from
 * the whitelist either (policies/README.md "Safety limits").
 */
export function planWhitelists(
  policy: Policy,
  listed: readonly ListedWhitelist[],
  now: number,
  providerAccountId: string | undefined,
  connections: readonly Decision[] = [],
): WhitelistPlan {
  const changes: WhitelistChange[] = [];
  const warnings: PlanWarning[] = [];
  let entries = 0;
  for (const { service, users } of listed) {
    const rule = syncedRule(policy, service);
    if (rule === undefined) continue;
    const { regionId, serviceId } = service;
    const name = (accountId: string) => accountName(policy, rule, accountId);
    const wanted = allowedAccounts(policy, rule, now);
    const present = new Set(users);
    for (const [accountId, entry] of wanted) {
      if (present.has(accountId) || accountId === providerAccountId) continue;
      const reason = `${entry} allows account ${accountId}; whitelist: sync adds it to the whitelist`;
      changes.push({
        ...base(regionId, serviceId, accountId, name(accountId)),
        kind: 'whitelist-add',
        rule: entry,
        reason,
      });
    }
    entries += users.filter((u) => u !== providerAccountId).length;
    const extra = [...present].filter((u) => !wanted.has(u) && u !== providerAccountId);
    if (extra.length > 0 && providerAccountId === undefined) {
      const message =
        `${serviceId}: ${extra.length} whitelist entries the policy does not allow are left: ` +
        `the provider's own account is not known, and it must stay on the whitelist`;
      warnings.push({ code: 'whitelist-owner-unknown', regionId, serviceId, message });
      continue;
    }
    for (const accountId of extra) {
      const reason = `${rule.source} does not allow account ${accountId}; whitelist: sync removes it from the whitelist`;
      changes.push({
        ...base(regionId, serviceId, accountId, name(accountId)),
        kind: 'whitelist-remove',
        rule: `${rule.source}.whitelist`,
        reason,
      });
    }
  }
  changes.sort(
    (a, b) =>
      ordinal(a.regionId, b.regionId) ||
      ordinal(a.serviceId, b.serviceId) ||
      ordinal(a.kind, b.kind) ||
      ordinal(a.accountId, b.accountId),
  );
  return blockWithConnections(brakeRemovals(changes, warnings, policy, entries), connections);
}

/** Blocks the removals on services where a safety limit blocked a reject or revoke (see planWhitelists). */
function blockWithConnections(plan: WhitelistPlan, connections: readonly Decision[]): WhitelistPlan {
  const braked = new Map<string, NonNullable<Decision['blocked']>>();
  for (const d of connections) {
    if (d.blocked !== undefined && (d.kind === 'revoke' || d.kind === 'reject'))
      braked.set(`${d.regionId}\u0000${d.serviceId}`, d.blocked);
  }
  if (braked.size === 0) return plan;
  const changes = plan.changes.map((c): WhitelistChange => {
    const by = c.kind === 'whitelist-remove' ? braked.get(`${c.regionId}\u0000${c.serviceId}`) : undefined;
    if (by === undefined || c.blocked !== undefined) return c;
    const reason = `${by.limit} blocked this run's disconnects on ${c.serviceId}, so its whitelist removals wait too`;
    return { ...c, blocked: { limit: by.limit, reason } };
  });
  return { ...plan, changes };
}

function base(regionId: string, serviceId: string, accountId: string, accountName: string | undefined) {
  return { regionId, serviceId, accountId, accountName, blocked: undefined };
}

/** The accounts the rule allows at `now` (account level: VPCs do not matter), each with its allow entry's path. */
function allowedAccounts(policy: Policy, rule: ServiceRule, now: number): Map<string, string> {
  const allowed = new Map<string, string>();
  for (const entry of rule.allow) {
    if (allowed.has(entry.accountId)) continue;
    const standing = accountStanding(policy, rule, accountOnly(entry.accountId), now);
    if (standing.kind === 'allowed' || standing.kind === 'vpc-not-allowed') allowed.set(entry.accountId, entry.source);
  }
  return allowed;
}

/** A stand-in connection that carries only the account, to ask for the account's standing. */
function accountOnly(accountId: string): EndpointConnection {
  return {
    regionId: '',
    serviceId: '',
    endpointId: '',
    endpointOwnerId: accountId,
    endpointVpcId: '',
    connectionStatus: 'Connected',
    bandwidth: 0,
    modifiedTime: '',
    zones: [],
  };
}

/** Blocks every removal when their number exceeds the disconnect limits; one `safety-limit` warning. */
function brakeRemovals(
  changes: WhitelistChange[],
  warnings: PlanWarning[],
  policy: Policy,
  entries: number,
): WhitelistPlan {
  const removals = changes.filter((c) => c.kind === 'whitelist-remove');
  if (removals.length === 0) return { changes, warnings };
  const { limits } = policy;
  const brake = {
    absolute: { limit: 'maxDisconnects' as const, value: limits.maxDisconnects },
    percent: { limit: 'maxDisconnectsPercent' as const, value: limits.maxDisconnectsPercent },
    verb: 'remove',
    noun: 'whitelist removals',
  };
  const blocked = limitBreach(removals.length, entries, brake, { item: 'account', total: 'whitelisted account' });
  if (blocked === undefined) return { changes, warnings };
  const regions = [...new Set(removals.map((c) => c.regionId))].sort();
  warnings.push({ code: 'safety-limit', regionId: regions.join(','), serviceId: undefined, message: blocked.reason });
  return {
    changes: changes.map((c) => (c.kind === 'whitelist-remove' ? { ...c, blocked: { ...blocked } } : c)),
    warnings,
  };
}
