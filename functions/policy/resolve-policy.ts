/**
 * Turns a valid policy file (schema and semantic rules passed) into the resolved model of ./policy.ts:
 * groups expanded into allow entries with their `source` paths, defaults applied, expiry dates as
 * instants.
 */
import { expandAllow } from './expand-allow.ts';
import { DEFAULT_EXPIRY_WARNING_DAYS } from './policy.ts';
import type { AllowEntry, DenyList, Policy, PolicyRevision, ServiceMatch, ServiceRule } from './policy.ts';
import { parseExpiry } from './policy-rules.ts';
import type { PolicyPath } from './policy-path.ts';
import { formatPath } from './policy-path.ts';
import type { RawAccountEntry, RawDenyList, RawPolicy, RawServiceRule } from './raw-policy.ts';

/** Resolves `raw`; `revision` identifies the file it came from. Reads every key the schema allows. */
export function resolvePolicy(raw: RawPolicy, revision: PolicyRevision): Policy {
  const defaults = raw.defaults ?? {};
  const members = new Map<RawAccountEntry, AllowEntry>();
  const services = raw.services.map((rule, i): ServiceRule => ({
    source: formatPath(['services', i]),
    name: rule.name,
    match: resolveMatch(rule),
    allow: expandAllow(raw, i).map((expanded) => {
      // A group member resolves the same way in every rule that uses its group: resolve it once.
      const shared = expanded.source[0] === 'groups';
      const cached = shared ? members.get(expanded.entry) : undefined;
      if (cached !== undefined) return cached;
      const { accountId, entry, source } = expanded;
      const resolved: AllowEntry = {
        accountId,
        name: entry.name,
        bandwidth: entry.bandwidth,
        maxBandwidth: entry.maxBandwidth,
        maxConnections: entry.maxConnections,
        vpcs: entry.vpcs === undefined ? undefined : [...new Set(entry.vpcs)],
        expires: entry.expires === undefined ? undefined : parseExpiry(entry.expires)?.toISOString(),
        source: formatPath(source),
      };
      if (shared) members.set(entry, resolved);
      return resolved;
    }),
    deny: resolveDeny(rule.deny, ['services', i, 'deny']),
    // The semantic rule unknownAccountsStated guarantees one of the two is set.
    unknownAccounts: rule.unknownAccounts ?? defaults.unknownAccounts ?? 'hold',
    // Optional keys are only set when the file writes them, so a resolved policy without them is unchanged.
    ...(rule.whitelist === undefined ? {} : { whitelist: rule.whitelist }),
    unknownAccountsSource:
      rule.unknownAccounts === undefined && defaults.unknownAccounts !== undefined
        ? 'defaults.unknownAccounts'
        : formatPath(['services', i, 'unknownAccounts']),
    bandwidth: {
      default: rule.bandwidth ?? defaults.bandwidth,
      max: rule.maxBandwidth ?? defaults.maxBandwidth,
      defaultSource:
        rule.bandwidth !== undefined
          ? formatPath(['services', i, 'bandwidth'])
          : defaults.bandwidth !== undefined
            ? 'defaults.bandwidth'
            : undefined,
      maxSource:
        rule.maxBandwidth !== undefined
          ? formatPath(['services', i, 'maxBandwidth'])
          : defaults.maxBandwidth !== undefined
            ? 'defaults.maxBandwidth'
            : undefined,
    },
  }));
  return {
    version: raw.version,
    mode: raw.mode,
    revision,
    pendingStatus: raw.pendingStatus ?? 'auto',
    regions: [...new Set(raw.services.map((rule) => rule.region))],
    deny: resolveDeny(raw.deny, ['deny']),
    services,
    drift: {
      revoke: raw.drift?.revoke ?? false,
      reduceBandwidth: raw.drift?.reduceBandwidth ?? false,
    },
    expiryWarningDays: defaults.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS,
    limits: {
      maxDisconnects: raw.limits?.maxDisconnects,
      maxDisconnectsPercent: raw.limits?.maxDisconnectsPercent,
      maxResizes: raw.limits?.maxResizes,
      maxResizesPercent: raw.limits?.maxResizesPercent,
    },
  };
}

function resolveMatch(rule: RawServiceRule): ServiceMatch {
  if (rule.match === undefined) return { kind: 'id', regionId: rule.region, serviceId: rule.serviceId ?? '' };
  return {
    kind: 'selector',
    regionId: rule.region,
    name: rule.match.name,
    description: rule.match.description,
    tags: { ...(rule.match.tags ?? {}) },
  };
}

function resolveDeny(deny: RawDenyList | undefined, base: PolicyPath): DenyList {
  // Duplicates keep the first entry (and its reason); the semantic rules warned about the rest.
  const accounts = new Map<string, DenyList['accounts'][number]>();
  (deny?.accounts ?? []).forEach((entry, k) => {
    if (!accounts.has(entry.account))
      accounts.set(entry.account, {
        id: entry.account,
        reason: entry.reason,
        ...(entry.from === undefined ? {} : { from: parseExpiry(entry.from)?.toISOString() }),
        source: formatPath([...base, 'accounts', k]),
      });
  });
  const endpoints = new Map<string, DenyList['endpoints'][number]>();
  (deny?.endpoints ?? []).forEach((entry, k) => {
    if (!endpoints.has(entry.endpoint))
      endpoints.set(entry.endpoint, {
        id: entry.endpoint,
        reason: entry.reason,
        ...(entry.from === undefined ? {} : { from: parseExpiry(entry.from)?.toISOString() }),
        source: formatPath([...base, 'endpoints', k]),
      });
  });
  return { accounts: [...accounts.values()], endpoints: [...endpoints.values()] };
}
