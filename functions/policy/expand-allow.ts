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
  /** The fields in effect for this rule (group member's, overridden by a direct entry's). */
  entry: RawAccountEntry;
  /** Where the entry is written: `services[i].allow[j]` or `groups.NAME.accounts[k]`. */
  source: PolicyPath;
  /** The group member this entry comes from or overrides, when any. */
  member: { group: string; path: PolicyPath; via: PolicyPath } | undefined;
}

const FIELDS = ['name', 'bandwidth', 'maxBandwidth', 'maxConnections', 'vpcs', 'expires'] as const;

/** The allow entries of `policy.services[ruleIndex]`, each account once (the first occurrence wins). */
export function expandAllow(policy: RawPolicy, ruleIndex: number): ExpandedEntry[] {
  const allow = policy.services[ruleIndex]?.allow ?? [];
  const direct = new Set(allow.filter((item) => item.account !== undefined).map((item) => item.account));
  const members = new Map<string, { group: string; path: PolicyPath; via: PolicyPath; entry: RawAccountEntry }>();
  allow.forEach((item, j) => {
    if (item.group === undefined) return;
    (policy.groups?.[item.group]?.accounts ?? []).forEach((entry, k) => {
      if (!members.has(entry.account)) members.set(entry.account, { group: item.group ?? '', path: ['groups', item.group ?? '', 'accounts', k], via: ['services', ruleIndex, 'allow', j], entry });
    });
  });
  const out: ExpandedEntry[] = [];
  const emitted = new Set<string>();
  allow.forEach((item, j) => {
    if (item.group !== undefined) {
      (policy.groups?.[item.group]?.accounts ?? []).forEach((entry, k) => {
        if (direct.has(entry.account) || emitted.has(entry.account)) return;
        emitted.add(entry.account);
        out.push({ accountId: entry.account, entry, source: ['groups', item.group ?? '', 'accounts', k], member: { group: item.group ?? '', path: ['groups', item.group ?? '', 'accounts', k], via: ['services', ruleIndex, 'allow', j] } });
      });
    } else if (item.account !== undefined) {
      if (emitted.has(item.account)) return;
      emitted.add(item.account);
      const member = members.get(item.account);
      const entry: RawAccountEntry = { ...(member?.entry ?? {}), account: item.account };
      for (const field of FIELDS) if (item[field] !== undefined) (entry as unknown as Record<string, unknown>)[field] = item[field];
      out.push({ accountId: item.account, entry, source: ['services', ruleIndex, 'allow', j], member: member === undefined ? undefined : { group: member.group, path: member.path, via: member.via } });
    }
  });
  return out;
}
