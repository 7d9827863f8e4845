/**
 * Where a connection's owner stands under one service rule: denied, allowed, or not allowed for a named
 * reason. Deny always wins over allow. Pure: `now` is a parameter.
 */
import type { EndpointConnection } from '../core/records.ts';
import type { AllowEntry, DenyEntry, Policy, ServiceRule } from '../policy/policy.ts';

export type AccountStanding =
  /** A deny entry names the account or the endpoint (global denies first, then the rule's). */
  | { kind: 'denied'; entry: DenyEntry; by: 'account' | 'endpoint' }
  /** The rule's allow list does not name the account. */
  | { kind: 'unknown' }
  /** The allow entry's `expires` instant is at or before `now` (or unreadable: fail closed). */
  | { kind: 'expired'; entry: AllowEntry }
  /** The allow entry lists VPCs and the endpoint's VPC is not one of them. */
  | { kind: 'vpc-not-allowed'; entry: AllowEntry }
  | { kind: 'allowed'; entry: AllowEntry };

/**
 * The standing of `connection`'s owner account (and endpoint) under `rule`, at `now` (ms since epoch).
 *
 * Order: global deny accounts, global deny endpoints, the rule's deny accounts, the rule's deny
 * endpoints; then the rule's allow entry for the account: expired, then VPC. An entry is expired from
 * its `expires` instant on ("from then on the account is no longer allowed", policy.ts): `now >=
 * expires`. An `expires` that does not parse counts as expired: doubt never connects anything (the
 * loader rejects such files, so this only guards hand-built policies).
 */
export function accountStanding(
  policy: Policy,
  rule: ServiceRule,
  connection: EndpointConnection,
  now: number,
): AccountStanding {
  for (const list of [policy.deny, rule.deny]) {
    const byAccount = list.accounts.find((e) => e.id === connection.endpointOwnerId);
    if (byAccount) return { kind: 'denied', entry: byAccount, by: 'account' };
    const byEndpoint = list.endpoints.find((e) => e.id === connection.endpointId);
    if (byEndpoint) return { kind: 'denied', entry: byEndpoint, by: 'endpoint' };
  }
  const entry = rule.allow.find((e) => e.accountId === connection.endpointOwnerId);
  if (!entry) return { kind: 'unknown' };
  if (isExpired(entry, now)) return { kind: 'expired', entry };
  if (entry.vpcs !== undefined && !entry.vpcs.includes(connection.endpointVpcId)) {
    return { kind: 'vpc-not-allowed', entry };
  }
  return { kind: 'allowed', entry };
}

/** Whether an allow entry has expired at `now`: at the `expires` instant itself it already has. */
export function isExpired(entry: AllowEntry, now: number): boolean {
  if (entry.expires === undefined) return false;
  const at = Date.parse(entry.expires);
  return Number.isNaN(at) || now >= at;
}

/**
 * The account's display name: from the rule's allow entry, else from any rule's entry for it (a
 * denied account is often named elsewhere in the file). Undefined when the policy names it nowhere.
 */
export function accountName(policy: Policy, rule: ServiceRule, accountId: string): string | undefined {
  const own = rule.allow.find((e) => e.accountId === accountId)?.name;
  if (own !== undefined) return own;
  for (const other of policy.services) {
    const name = other.allow.find((e) => e.accountId === accountId)?.name;
    if (name !== undefined) return name;
  }
  return undefined;
}
