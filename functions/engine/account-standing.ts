/**
 * Where a connection's owner stands under one service rule: denied, allowed, or not allowed for a named
 * reason. Deny always wins over allow. Pure: `now` is a parameter.
 */
import type { EndpointConnection } from './resources.ts';
import type { AllowEntry, DenyEntry, DenyList, Policy, ServiceRule } from '../policy/policy.ts';

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
    const index = denyIndex(list);
    const byAccount = index.accounts.get(connection.endpointOwnerId)?.find((e) => isActive(e, now));
    if (byAccount) return { kind: 'denied', entry: byAccount, by: 'account' };
    const byEndpoint = index.endpoints.get(connection.endpointId)?.find((e) => isActive(e, now));
    if (byEndpoint) return { kind: 'denied', entry: byEndpoint, by: 'endpoint' };
  }
  const entry = allowIndex(rule).get(connection.endpointOwnerId);
  if (!entry) return { kind: 'unknown' };
  if (isExpired(entry, now)) return { kind: 'expired', entry };
  if (entry.vpcs !== undefined && !entry.vpcs.includes(connection.endpointVpcId)) {
    return { kind: 'vpc-not-allowed', entry };
  }
  return { kind: 'allowed', entry };
}

/**
 * Whether a deny entry applies at `now`: from its `from` instant on (an unreadable one counts as active:
 * doubt never keeps access open).
 */
export function isActive(entry: DenyEntry, now: number): boolean {
  if (entry.from === undefined) return true;
  const at = Date.parse(entry.from);
  return Number.isNaN(at) || now >= at;
}

/**
 * The deny entry not yet active that will deny `connection` soonest (global denies first, then the
 * rule's; accounts, then endpoints, at equal times), for the plan to show what it will revoke and when.
 */
export function scheduledDeny(
  policy: Policy,
  rule: ServiceRule,
  connection: EndpointConnection,
  now: number,
): { entry: DenyEntry; by: 'account' | 'endpoint' } | undefined {
  let soonest: { entry: DenyEntry; by: 'account' | 'endpoint'; at: number } | undefined;
  // Runs for every live connection: no list is built unless the policy has an entry for it.
  const consider = (entries: DenyEntry[] | undefined, by: 'account' | 'endpoint'): void => {
    for (const entry of entries ?? NONE) {
      if (isActive(entry, now)) continue;
      const at = Date.parse(entry.from ?? '');
      if (soonest === undefined || at < soonest.at) soonest = { entry, by, at };
    }
  };
  for (const list of [policy.deny, rule.deny]) {
    const index = denyIndex(list);
    consider(index.accounts.get(connection.endpointOwnerId), 'account');
    consider(index.endpoints.get(connection.endpointId), 'endpoint');
  }
  return soonest === undefined ? undefined : { entry: soonest.entry, by: soonest.by };
}

const NONE: DenyEntry[] = [];

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
  return allowIndex(rule).get(accountId)?.name ?? nameIndex(policy).get(accountId);
}

// Lookups by ID, built once per (immutable) policy object: a policy of 1,000 accounts over 20 rules and
// a fleet of 10,000 connections would otherwise scan lists millions of times. Each map keeps the first
// entry for an ID, as a scan in file order would find.
const allowIndexes = new WeakMap<ServiceRule, Map<string, AllowEntry>>();
const denyIndexes = new WeakMap<DenyList, DenyIndex>();
const nameIndexes = new WeakMap<Policy, Map<string, string>>();

function firstById<T>(entries: readonly T[], id: (entry: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const entry of entries) if (!map.has(id(entry))) map.set(id(entry), entry);
  return map;
}

function allowIndex(rule: ServiceRule): Map<string, AllowEntry> {
  let index = allowIndexes.get(rule);
  if (index === undefined) allowIndexes.set(rule, (index = firstById(rule.allow, (e) => e.accountId)));
  return index;
}

/** Deny entries by ID, in file order (the loader keeps one per ID; hand-built policies may list more). */
interface DenyIndex {
  accounts: Map<string, DenyEntry[]>;
  endpoints: Map<string, DenyEntry[]>;
}

function allById(entries: readonly DenyEntry[]): Map<string, DenyEntry[]> {
  const map = new Map<string, DenyEntry[]>();
  for (const entry of entries) {
    const same = map.get(entry.id);
    if (same === undefined) map.set(entry.id, [entry]);
    else same.push(entry);
  }
  return map;
}

function denyIndex(list: DenyList): DenyIndex {
  let index = denyIndexes.get(list);
  if (index === undefined) {
    index = { accounts: allById(list.accounts), endpoints: allById(list.endpoints) };
    denyIndexes.set(list, index);
  }
  return index;
}

/** Account ID -> the name of the first rule's entry (in file order) that names it. */
function nameIndex(policy: Policy): Map<string, string> {
  let index = nameIndexes.get(policy);
  if (index === undefined) {
    index = new Map();
    for (const rule of policy.services) {
      for (const [accountId, entry] of allowIndex(rule))
        if (entry.name !== undefined && !index.has(accountId)) index.set(accountId, entry.name);
    }
    nameIndexes.set(policy, index);
  }
  return index;
}
