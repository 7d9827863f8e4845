/**
 * Expands one service rule's allow list: `{group: NAME}` items become the group's accounts, and an
 * account listed directly in the same allow list overrides that member's fields for this rule (field by
 * field; the direct entry's source is used). Shared by the semantic rules and the resolver so both see
 * the same entries.
 */
import type { RawAccountEntry, RawPolicy } from './raw-policy.ts';
import type { PolicyPath } from './policy-path.ts';

export interface ExpandedEntry {
  accountId: string;
  /** The fields in effect for this rule (a group member's, overridden by a direct entry's). */
  readonly entry: RawAccountEntry;
  /** Where the entry is written: `services[i].allow[j]` or `groups.NAME.accounts[k]`. */
  readonly source: PolicyPath;
}

const FIELDS = ['name', 'bandwidth', 'maxBandwidth', 'maxConnections', 'vpcs', 'expires'] as const;

const memo = new WeakMap<RawPolicy, Map<number, readonly ExpandedEntry[]>>();
/** One ExpandedEntry per group member, shared by every rule that uses the group. */
const memberEntries = new WeakMap<RawAccountEntry, ExpandedEntry>();

/**
 * The allow entries of `policy.services[ruleIndex]`, each account once (the first occurrence wins).
 * Memoised per policy object: the rules and the resolver expand the same lists (1,000 accounts times
 * dozens of rules adds up). Callers must not mutate the result.
 */
export function expandAllow(policy: RawPolicy, ruleIndex: number): readonly ExpandedEntry[] {
  let perRule = memo.get(policy);
  if (perRule === undefined) memo.set(policy, (perRule = new Map()));
  const cached = perRule.get(ruleIndex);
  if (cached !== undefined) return cached;
  const expanded = expand(policy, ruleIndex);
  perRule.set(ruleIndex, expanded);
  return expanded;
}

function expand(policy: RawPolicy, ruleIndex: number): ExpandedEntry[] {
  const allow = policy.services[ruleIndex]?.allow ?? [];
  const direct = new Set<string>();
  const groups: string[] = [];
  for (const item of allow) {
    if (item.account !== undefined) direct.add(item.account);
    else if (item.group !== undefined) groups.push(item.group);
  }
  const out: ExpandedEntry[] = [];
  const emitted = new Set<string>();
  allow.forEach((item, j) => {
    if (item.group !== undefined) {
      const name = item.group;
      (policy.groups?.[name]?.accounts ?? []).forEach((entry, k) => {
        if (direct.has(entry.account) || emitted.has(entry.account)) return;
        emitted.add(entry.account);
        let shared = memberEntries.get(entry);
        if (shared === undefined)
          memberEntries.set(
            entry,
            (shared = { accountId: entry.account, entry, source: ['groups', name, 'accounts', k] }),
          );
        out.push(shared);
      });
    } else if (item.account !== undefined) {
      if (emitted.has(item.account)) return;
      emitted.add(item.account);
      const member = findMember(policy, groups, item.account);
      const entry: RawAccountEntry = { ...(member ?? {}), account: item.account };
      for (const field of FIELDS)
        if (item[field] !== undefined) (entry as unknown as Record<string, unknown>)[field] = item[field];
      out.push({ accountId: item.account, entry, source: ['services', ruleIndex, 'allow', j] });
    }
  });
  return out;
}

/** The first member entry for `account` among the groups this allow list uses. */
function findMember(policy: RawPolicy, groups: readonly string[], account: string): RawAccountEntry | undefined {
  for (const name of groups) {
    const found = policy.groups?.[name]?.accounts.find((entry) => entry.account === account);
    if (found !== undefined) return found;
  }
  return undefined;
}
