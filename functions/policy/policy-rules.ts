/**
 * Phase two of validation: meaning. Each rule is a small function over a schema-valid policy that
 * reports errors (the policy would be misread or cannot work) and warnings (dead or risky configuration
 * that still has one clear reading). Paths are resolved to line:column by the caller.
 */
import { globMatch } from './glob-match.ts';
import { didYouMean } from './did-you-mean.ts';
import { expandAllow } from './expand-allow.ts';
import type { ExpandedEntry } from './expand-allow.ts';
import type { PolicyPath } from './policy-path.ts';
import { formatPath } from './policy-path.ts';
import type { RawDenyList, RawPolicy, RawSelector } from './raw-policy.ts';
import { KNOWN_REGIONS } from './regions.ts';
import { DEFAULT_EXPIRY_WARNING_DAYS } from './policy.ts';

export interface Finding {
  severity: 'error' | 'warning';
  path: PolicyPath;
  message: string;
  hint?: string;
  /** Point at the key rather than the value (e.g. for a whole entry). */
  at?: 'key' | 'value';
}

export interface RuleContext {
  policy: RawPolicy;
  now: Date;
  report(finding: Finding): void;
}

export type PolicyRule = (context: RuleContext) => void;

/** Alibaba Cloud account IDs (UIDs) have this many digits. */
export const ACCOUNT_ID_DIGITS = 16;

const error = (path: PolicyPath, message: string, hint?: string, at?: 'key' | 'value'): Finding => ({
  severity: 'error',
  path,
  message,
  ...(hint === undefined ? {} : { hint }),
  ...(at === undefined ? {} : { at }),
});
const warning = (path: PolicyPath, message: string, hint?: string, at?: 'key' | 'value'): Finding => ({
  severity: 'warning',
  path,
  message,
  ...(hint === undefined ? {} : { hint }),
  ...(at === undefined ? {} : { at }),
});

/** Every service rule says what happens to unknown accounts, itself or through defaults: no silent default. */
export const unknownAccountsStated: PolicyRule = ({ policy, report }) => {
  if (policy.defaults?.unknownAccounts !== undefined) return;
  policy.services.forEach((rule, i) => {
    if (rule.unknownAccounts === undefined) {
      report(
        error(
          ['services', i],
          'unknownAccounts is not set: say what happens to a request from an account this rule does not allow',
          'add "unknownAccounts: reject" or "unknownAccounts: hold" to this rule, or set it once in defaults',
        ),
      );
    }
  });
};

/** Group references resolve; unused groups are dead configuration; a group reference has no other keys. */
export const groupReferences: PolicyRule = ({ policy, report }) => {
  const names = Object.keys(policy.groups ?? {});
  const used = new Set<string>();
  policy.services.forEach((rule, i) =>
    (rule.allow ?? []).forEach((item, j) => {
      if (item.group === undefined) return;
      used.add(item.group);
      if (!names.includes(item.group)) {
        const suggestion = didYouMean(item.group, names);
        report(
          error(
            ['services', i, 'allow', j, 'group'],
            `unknown group "${item.group}"`,
            suggestion !== undefined
              ? `did you mean "${suggestion}"?`
              : names.length > 0
                ? `groups defined: ${names.join(', ')}`
                : 'define it under groups',
          ),
        );
      }
      if (item.account === undefined) {
        for (const key of Object.keys(item)) {
          if (key !== 'group')
            report(
              error(
                ['services', i, 'allow', j, key],
                `a group reference takes no other keys: "${key}" would be ambiguous`,
                `to change a member's fields for this service, add a separate entry {account: "...", ${key}: ...}` +
                  `; to change them everywhere, edit the group`,
                'key',
              ),
            );
        }
      }
    }),
  );
  for (const name of names) {
    if (!used.has(name))
      report(
        warning(
          ['groups', name],
          `group "${name}" is not used by any service rule`,
          'reference it with {group: ' + name + '} or remove it',
          'key',
        ),
      );
  }
};

/** An account appears once per group, once directly per allow list, and in at most one group per allow list. */
export const duplicateAllowEntries: PolicyRule = ({ policy, report }) => {
  for (const [name, group] of Object.entries(policy.groups ?? {})) {
    const first = new Map<string, number>();
    group.accounts.forEach((entry, k) => {
      const earlier = first.get(entry.account);
      if (earlier === undefined) first.set(entry.account, k);
      else
        report(
          error(
            ['groups', name, 'accounts', k, 'account'],
            `account "${entry.account}" is listed twice in group "${name}"` +
              ` (also at ${formatPath(['groups', name, 'accounts', earlier])})`,
            'keep one entry',
          ),
        );
    });
  }
  policy.services.forEach((rule, i) => {
    const direct = new Map<string, number>();
    const groups = new Map<string, number>();
    const viaGroup = new Map<string, string>();
    (rule.allow ?? []).forEach((item, j) => {
      if (item.account !== undefined) {
        const earlier = direct.get(item.account);
        if (earlier === undefined) direct.set(item.account, j);
        else
          report(
            error(
              ['services', i, 'allow', j, 'account'],
              `account "${item.account}" is listed twice in this allow list` +
                ` (also at ${formatPath(['services', i, 'allow', earlier])})`,
              'keep one entry',
            ),
          );
      } else if (item.group !== undefined) {
        const earlier = groups.get(item.group);
        if (earlier !== undefined) {
          report(
            error(
              ['services', i, 'allow', j, 'group'],
              `group "${item.group}" is referenced twice in this allow list` +
                ` (also at ${formatPath(['services', i, 'allow', earlier])})`,
              'keep one reference',
            ),
          );
          return;
        }
        groups.set(item.group, j);
        for (const entry of policy.groups?.[item.group]?.accounts ?? []) {
          const other = viaGroup.get(entry.account);
          if (other !== undefined && other !== item.group) {
            report(
              error(
                ['services', i, 'allow', j, 'group'],
                `account "${entry.account}" is in both groups "${other}" and "${item.group}"` +
                  `, both allowed here, so its fields would be ambiguous`,
                `remove it from one of the groups`,
              ),
            );
          } else viaGroup.set(entry.account, item.group);
        }
      }
    });
  });
};

/** The same account or endpoint denied twice in one list: harmless, but the second reason is never shown. */
export const duplicateDenyEntries: PolicyRule = ({ policy, report }) => {
  const check = (deny: RawDenyList | undefined, base: PolicyPath): void => {
    for (const [list, key] of [
      ['accounts', 'account'],
      ['endpoints', 'endpoint'],
    ] as const) {
      const first = new Map<string, number>();
      (deny?.[list] ?? []).forEach((entry, k) => {
        const id = (entry as Record<string, string>)[key] ?? '';
        const earlier = first.get(id);
        if (earlier === undefined) first.set(id, k);
        else
          report(
            warning(
              [...base, list, k, key],
              `"${id}" is denied twice in this list (also at ${formatPath([...base, list, earlier])})` +
                `; the first reason is used`,
              'keep one entry',
            ),
          );
      });
    }
  };
  check(policy.deny, ['deny']);
  policy.services.forEach((rule, i) => check(rule.deny, ['services', i, 'deny']));
};

/** Deny wins over allow, so an allow entry for a denied account never applies. */
export const allowedButDenied: PolicyRule = ({ policy, report }) => {
  const globalDeny = new Map(
    (policy.deny?.accounts ?? []).map((d, k) => [d.account, ['deny', 'accounts', k] as PolicyPath]),
  );
  for (const [name, group] of Object.entries(policy.groups ?? {})) {
    group.accounts.forEach((entry, k) => {
      const denied = globalDeny.get(entry.account);
      if (denied !== undefined)
        report(
          warning(
            ['groups', name, 'accounts', k, 'account'],
            `account "${entry.account}" is denied everywhere by ${formatPath(denied)}` +
              `; deny wins, so this entry never applies`,
            'remove the entry or the deny',
          ),
        );
    });
  }
  policy.services.forEach((rule, i) => {
    const localDeny = new Map(
      (rule.deny?.accounts ?? []).map((d, k) => [d.account, ['services', i, 'deny', 'accounts', k] as PolicyPath]),
    );
    (rule.allow ?? []).forEach((item, j) => {
      if (item.account === undefined) return;
      // A group member denied in one service is the intended way to exclude it there: no warning.
      const denied = globalDeny.get(item.account) ?? localDeny.get(item.account);
      if (denied !== undefined)
        report(
          warning(
            ['services', i, 'allow', j, 'account'],
            `account "${item.account}" is denied by ${formatPath(denied)}` +
              `; deny wins, so this allow entry never applies`,
            'remove the allow entry or the deny',
          ),
        );
    });
  });
};

/**
 * The first rule that matches a service governs it, so a rule every one of whose services an earlier
 * rule in the same region already matches never applies: an error. That is the same service ID twice,
 * the same selector twice, a selector after a broader one (`name: "orders-*"` before `name: "orders-eu"`,
 * `tags: {team: orders}` before `tags: {team: orders, tier: gold}`), or a serviceId rule after a selector
 * that matches every service. A serviceId rule after any other selector in its region is a warning: the
 * selector governs that service if it happens to match it, which the policy alone cannot tell.
 */
export const shadowedServiceRules: PolicyRule = ({ policy, report }) => {
  const regions = new Map<string, RegionRules>();
  const budget = { left: MAX_SELECTOR_COMPARISONS, exhausted: new Set<string>() };
  policy.services.forEach((rule, i) => {
    let earlier = regions.get(rule.region);
    if (earlier === undefined) {
      earlier = { byId: new Map(), selectors: [], byKey: new Map(), catchAll: undefined };
      regions.set(rule.region, earlier);
    }
    const finding =
      rule.serviceId !== undefined
        ? shadowedById(earlier, rule.region, rule.serviceId, i)
        : shadowedSelector(earlier, rule.region, rule.match ?? {}, i, budget);
    if (finding !== undefined) report(finding);
  });
  for (const region of budget.exhausted) {
    report(
      warning(
        ['services'],
        `too many selector rules in ${region} to compare every pair ` +
          `(more than ${MAX_SELECTOR_COMPARISONS} comparisons): ` +
          'only identical selectors were checked for shadowing beyond that',
        'split the policy, or use fewer, broader selectors',
        'key',
      ),
    );
  }
};

/** Selector pairs compared for shadowing, at most, per policy: each comparison is cheap, their number quadratic. */
export const MAX_SELECTOR_COMPARISONS = 200_000;

/** The earlier rules of one region, indexed. */
interface RegionRules {
  /** service ID -> the first rule governing it by ID */
  byId: Map<string, number>;
  /** selectors in file order */
  selectors: { k: number; match: RawSelector }[];
  /** selectorKey -> the first rule with that selector */
  byKey: Map<string, number>;
  /** the first selector that matches every service */
  catchAll: number | undefined;
}

const NEVER = 'the first matching rule governs, so this rule never applies';

function shadowedById(earlier: RegionRules, region: string, serviceId: string, i: number): Finding | undefined {
  const at: PolicyPath = ['services', i, 'serviceId'];
  const sameId = earlier.byId.get(serviceId);
  if (sameId !== undefined) {
    const by = formatPath(['services', sameId]);
    return error(at, `service ${serviceId} in ${region} is already governed by ${by}; ${NEVER}`, 'merge the two rules');
  }
  earlier.byId.set(serviceId, i);
  const hint = 'put rules by serviceId before selectors in the same region';
  if (earlier.catchAll !== undefined) {
    const by = formatPath(['services', earlier.catchAll]);
    return error(at, `${by}, a selector that matches every service in ${region}, comes first; ${NEVER}`, hint);
  }
  const first = earlier.selectors[0];
  if (first === undefined) return undefined;
  const by = formatPath(['services', first.k]);
  return warning(at, `${by}, a selector in ${region}, comes first and governs this service if it matches it`, hint);
}

function shadowedSelector(
  earlier: RegionRules,
  region: string,
  match: RawSelector,
  i: number,
  budget: { left: number; exhausted: Set<string> },
): Finding | undefined {
  const key = selectorKey(match);
  let broader: number | undefined;
  for (const other of earlier.selectors) {
    if (budget.left <= 0) {
      budget.exhausted.add(region);
      broader = earlier.byKey.get(key);
      break;
    }
    budget.left -= 1;
    if (selectorCovers(other.match, match)) {
      broader = other.k;
      break;
    }
  }
  earlier.selectors.push({ k: i, match });
  if (!earlier.byKey.has(key)) earlier.byKey.set(key, i);
  if (earlier.catchAll === undefined && selectorCovers(match, {})) earlier.catchAll = i;
  if (broader === undefined) return undefined;
  const at: PolicyPath = ['services', i, 'match'];
  const other = formatPath(['services', broader]);
  if (earlier.byKey.get(key) === broader)
    return error(at, `the same selector in ${region} is already governed by ${other}; ${NEVER}`, 'merge the two rules');
  return error(
    at,
    `every service this selector matches in ${region} is also matched by ${other}` +
      `, an earlier and broader selector; ${NEVER}`,
    'put the narrower selector first, or merge the two rules',
  );
}

/**
 * Whether every service `inner` matches is certainly also matched by `outer` (same region assumed).
 * Conservative: false when it cannot tell (two different globs with wildcards), so only a rule that
 * surely never applies is an error. `inner` = `{}` asks whether `outer` matches every service.
 */
export function selectorCovers(outer: RawSelector, inner: RawSelector): boolean {
  const tagsCovered = Object.entries(outer.tags ?? {}).every(
    ([key, value]) => Object.prototype.hasOwnProperty.call(inner.tags ?? {}, key) && inner.tags?.[key] === value,
  );
  return tagsCovered && globCovers(outer.name, inner.name) && globCovers(outer.description, inner.description);
}

function selectorKey(selector: RawSelector): string {
  return JSON.stringify([selector.name, selector.description, Object.entries(selector.tags ?? {}).sort()]);
}

/** Whether glob `outer` matches every text glob `inner` matches (undefined: no condition, matches all). */
function globCovers(outer: string | undefined, inner: string | undefined): boolean {
  if (outer === undefined || /^\*+$/.test(outer)) return true;
  if (inner === undefined) return false;
  if (outer === inner) return true;
  // A glob without wildcards matches exactly one text: covered when `outer` matches that text.
  return !/[*?]/.test(inner) && globMatch(outer, inner);
}

/**
 * The bandwidth given on accept must not exceed the cap it would immediately be reduced to. A group
 * member is checked in every rule that uses its group, but reported once per place and cap: one
 * message naming the rules, not one per rule at the same line.
 */
export const bandwidthWithinCap: PolicyRule = ({ policy, report }) => {
  const defaults = policy.defaults ?? {};
  if (
    defaults.bandwidth !== undefined &&
    defaults.maxBandwidth !== undefined &&
    defaults.bandwidth > defaults.maxBandwidth
  ) {
    const message = overCap(defaults.bandwidth, defaults.maxBandwidth, 'defaults.maxBandwidth');
    report(error(['defaults', 'bandwidth'], message, 'lower the bandwidth or raise the cap'));
  }
  // Group members' findings, merged across rules: key -> where, what, and the rules it happens in.
  const members = new Map<string, EntryOverCap & { rules: number[] }>();
  policy.services.forEach((_rule, i) => {
    const ruleFinding = ruleOverCap(policy, i);
    if (ruleFinding !== undefined) report(ruleFinding);
    for (const expanded of expandAllow(policy, i)) {
      const found = entryOverCap(policy, i, expanded);
      if (found === undefined) continue;
      if (!found.member) {
        report(error(found.path, found.message, found.hint));
        continue;
      }
      const key = `${formatPath(found.path)}\u0000${found.message}`;
      const seen = members.get(key);
      if (seen !== undefined) seen.rules.push(i);
      else members.set(key, { ...found, rules: [i] });
    }
  });
  for (const { path, message, hint, rules, everywhere } of members.values()) {
    // Both values the entry's own: wrong in every rule that uses the group, so no rule is named.
    report(error(path, everywhere ? message : `${message} in ${listRules(rules)}`, hint));
  }
};

function overCap(bandwidth: number, cap: number, capAt: string): string {
  return `bandwidth on accept (${bandwidth} Mbit/s) is above the cap (${cap} Mbit/s, ${capAt})`;
}

/** The rule's own bandwidth (or the default it falls back to) above its own cap (or the default's). */
function ruleOverCap(policy: RawPolicy, i: number): Finding | undefined {
  const rule = policy.services[i];
  if (rule === undefined || (rule.bandwidth === undefined && rule.maxBandwidth === undefined)) return undefined;
  const ruleBandwidth = rule.bandwidth ?? policy.defaults?.bandwidth;
  const ruleCap = rule.maxBandwidth ?? policy.defaults?.maxBandwidth;
  if (ruleBandwidth === undefined || ruleCap === undefined || ruleBandwidth <= ruleCap) return undefined;
  const capAt =
    rule.bandwidth === undefined
      ? 'maxBandwidth'
      : rule.maxBandwidth !== undefined
        ? formatPath(['services', i, 'maxBandwidth'])
        : 'defaults.maxBandwidth';
  return error(
    ['services', i, rule.bandwidth !== undefined ? 'bandwidth' : 'maxBandwidth'],
    overCap(ruleBandwidth, ruleCap, capAt),
    'lower the bandwidth or raise the cap',
  );
}

interface EntryOverCap {
  path: PolicyPath;
  message: string;
  hint: string;
  /** a group member (reported once per place, naming the rules) */
  member: boolean;
  /** both values are the entry's own: wrong in every rule */
  everywhere: boolean;
}

/** An allow entry whose bandwidth on accept is above the cap that applies to it in rule `i`. */
function entryOverCap(policy: RawPolicy, i: number, expanded: ExpandedEntry): EntryOverCap | undefined {
  const rule = policy.services[i];
  const { entry } = expanded;
  if (rule === undefined || (entry.bandwidth === undefined && entry.maxBandwidth === undefined)) return undefined;
  const bandwidth = entry.bandwidth ?? rule.bandwidth ?? policy.defaults?.bandwidth;
  const cap = entry.maxBandwidth ?? rule.maxBandwidth ?? policy.defaults?.maxBandwidth;
  if (bandwidth === undefined || cap === undefined || bandwidth <= cap) return undefined;
  const member = expanded.source[0] === 'groups';
  // Point at what this entry itself writes (a direct entry may override only the cap of a group member).
  const written = member ? entry : (rule.allow?.[Number(expanded.source[3])] ?? entry);
  const field =
    written.bandwidth !== undefined ? ['bandwidth'] : written.maxBandwidth !== undefined ? ['maxBandwidth'] : [];
  const hint =
    written.bandwidth === undefined
      ? 'set a bandwidth at or below the cap on this entry'
      : 'lower the bandwidth or raise the cap';
  const ruleCapAt =
    rule.maxBandwidth !== undefined
      ? member
        ? "the rule's maxBandwidth"
        : formatPath(['services', i, 'maxBandwidth'])
      : 'defaults.maxBandwidth';
  const message = overCap(bandwidth, cap, entry.maxBandwidth !== undefined ? 'maxBandwidth' : ruleCapAt);
  const everywhere = entry.bandwidth !== undefined && entry.maxBandwidth !== undefined;
  return { path: [...expanded.source, ...field], message, hint, member, everywhere };
}

/**
 * `services[0]`, `services[0] and services[2]`; up to five named, beyond that four:
 * `services[0], ..., services[3] and 6 more`.
 */
function listRules(rules: readonly number[]): string {
  const named = rules.slice(0, rules.length > 5 ? 4 : 5).map((i) => formatPath(['services', i]));
  const rest = rules.length - named.length;
  if (rest > 0) return `${named.join(', ')} and ${rest} more`;
  return named.length === 1
    ? (named[0] ?? '')
    : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1] ?? ''}`;
}

/**
 * Expiry and `from` dates are real dates; an entry that has expired allows nothing any more; one expiring
 * within `defaults.expiryWarningDays` (default 14) is about to cut its customer off.
 */
export const expiries: PolicyRule = ({ policy, now, report }) => {
  const days = policy.defaults?.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
  const soon = now.getTime() + days * 86_400_000;
  const check = (expires: string | undefined, path: PolicyPath): void => {
    if (expires === undefined) return;
    const instant = parseExpiry(expires);
    if (instant === undefined) {
      report(error(path, `"${expires}" is not a real date or time`, 'check the month, day and time fields'));
    } else if (instant.getTime() <= now.getTime()) {
      report(
        warning(
          path,
          `expired on ${instant.toISOString()}: this entry no longer allows anything`,
          'remove the entry, or extend the date if the contract was renewed',
        ),
      );
    } else if (instant.getTime() <= soon) {
      report(
        warning(
          path,
          `expires on ${instant.toISOString()}, within ${days} days (defaults.expiryWarningDays): ` +
            'its connections lose access then',
          'tell the customer, or extend the date if the contract was renewed',
        ),
      );
    }
  };
  for (const [name, group] of Object.entries(policy.groups ?? {}))
    group.accounts.forEach((entry, k) => check(entry.expires, ['groups', name, 'accounts', k, 'expires']));
  policy.services.forEach((rule, i) =>
    (rule.allow ?? []).forEach((item, j) => check(item.expires, ['services', i, 'allow', j, 'expires'])),
  );
  const checkFrom = (deny: RawDenyList | undefined, base: PolicyPath): void => {
    for (const list of ['accounts', 'endpoints'] as const)
      (deny?.[list] ?? []).forEach((entry, k) => {
        if (entry.from !== undefined && parseExpiry(entry.from) === undefined)
          report(
            error(
              [...base, list, k, 'from'],
              `"${entry.from}" is not a real date or time`,
              'check the month, day and time fields',
            ),
          );
      });
  };
  checkFrom(policy.deny, ['deny']);
  policy.services.forEach((rule, i) => checkFrom(rule.deny, ['services', i, 'deny']));
};

/**
 * `whitelist: sync` keeps the service's whitelist to the allowed accounts, so no other account can even
 * request a connection: under `unknownAccounts: hold` the requests a person is meant to review never come.
 */
export const whitelistSyncNotWithHold: PolicyRule = ({ policy, report }) => {
  policy.services.forEach((rule, i) => {
    if (rule.whitelist !== 'sync') return;
    const unknown = rule.unknownAccounts ?? policy.defaults?.unknownAccounts;
    if (unknown !== 'hold') return;
    const where = rule.unknownAccounts !== undefined ? 'this rule' : 'defaults';
    report(
      error(
        ['services', i, 'whitelist'],
        `whitelist: sync cannot go with unknownAccounts: hold (from ${where}): a synced whitelist lets only the ` +
          'allowed accounts find the service, so the requests hold keeps for a person to review could never be made',
        'set unknownAccounts: reject on this rule, or leave the whitelist manual',
      ),
    );
  });
};

/** Every account ID written in the policy, with its path. */
function eachAccountId(policy: RawPolicy, visit: (id: string, path: PolicyPath) => void): void {
  for (const [name, group] of Object.entries(policy.groups ?? {}))
    group.accounts.forEach((entry, k) => visit(entry.account, ['groups', name, 'accounts', k, 'account']));
  (policy.deny?.accounts ?? []).forEach((entry, k) => visit(entry.account, ['deny', 'accounts', k, 'account']));
  policy.services.forEach((rule, i) => {
    (rule.allow ?? []).forEach(
      (item, j) => item.account !== undefined && visit(item.account, ['services', i, 'allow', j, 'account']),
    );
    (rule.deny?.accounts ?? []).forEach((entry, k) =>
      visit(entry.account, ['services', i, 'deny', 'accounts', k, 'account']),
    );
  });
}

/** The largest owner ID the API can carry: EndpointOwnerId is a signed 64-bit integer (Long). */
export const MAX_ACCOUNT_ID = '9223372036854775807';

/** Whether a digit string (no leading zero) is above {@link MAX_ACCOUNT_ID}: same length compares as text. */
function aboveMaxAccountId(id: string): boolean {
  return id.length > MAX_ACCOUNT_ID.length || (id.length === MAX_ACCOUNT_ID.length && id > MAX_ACCOUNT_ID);
}

/** An account ID above 2^63-1 can never be an owner the API reports: a typo that would match nothing. */
export const accountIdInRange: PolicyRule = ({ policy, report }) => {
  eachAccountId(policy, (id, path) => {
    if (aboveMaxAccountId(id))
      report(
        error(
          path,
          `account ID "${id}" is above ${MAX_ACCOUNT_ID} (2^63-1), the largest owner ID the API can report`,
          "check it against the customer's account: Alibaba Cloud account IDs have 16 digits",
        ),
      );
  });
};

/** Real Alibaba Cloud account IDs have 16 digits: anything else is probably a typo. */
export const accountIdLength: PolicyRule = ({ policy, report }) => {
  eachAccountId(policy, (id, path) => {
    if (id.length !== ACCOUNT_ID_DIGITS && !aboveMaxAccountId(id))
      report(
        warning(
          path,
          `account ID "${id}" has ${id.length} digits; Alibaba Cloud account IDs have ${ACCOUNT_ID_DIGITS}`,
          "check it against the customer's account",
        ),
      );
  });
};

/** A region not in the known list is probably a typo (new regions do open, so only a warning). */
export const knownRegions: PolicyRule = ({ policy, report }) => {
  policy.services.forEach((rule, i) => {
    if (KNOWN_REGIONS.includes(rule.region)) return;
    const suggestion = didYouMean(rule.region, KNOWN_REGIONS);
    report(
      warning(
        ['services', i, 'region'],
        `"${rule.region}" is not a known Alibaba Cloud region`,
        suggestion !== undefined ? `did you mean "${suggestion}"?` : 'check the region ID',
      ),
    );
  });
};

/** Drift correction without a safety limit can disconnect every customer in one run. */
export const driftHasLimits: PolicyRule = ({ policy, report }) => {
  const limits = policy.limits ?? {};
  if (
    policy.drift?.revoke === true &&
    limits.maxDisconnects === undefined &&
    limits.maxDisconnectsPercent === undefined
  ) {
    report(
      warning(
        ['drift', 'revoke'],
        'revoke is on with no limit on disconnects: one bad edit could disconnect every customer in one run',
        'set limits.maxDisconnects or limits.maxDisconnectsPercent',
      ),
    );
  }
  if (
    policy.drift?.reduceBandwidth === true &&
    limits.maxResizes === undefined &&
    limits.maxResizesPercent === undefined
  ) {
    report(
      warning(
        ['drift', 'reduceBandwidth'],
        'reduceBandwidth is on with no limit on resizes',
        'set limits.maxResizes or limits.maxResizesPercent',
      ),
    );
  }
};

/** A limit of 0 on what drift correction does blocks every such change: drift is on in name only. */
export const driftNotBlockedByZeroLimits: PolicyRule = ({ policy, report }) => {
  const limits = policy.limits ?? {};
  if (policy.drift?.revoke === true) {
    for (const key of ['maxDisconnects', 'maxDisconnectsPercent'] as const) {
      if (limits[key] === 0)
        report(
          warning(
            ['limits', key],
            'is 0 while drift.revoke is on: every revocation will be blocked',
            'raise the limit, or turn drift.revoke off',
          ),
        );
    }
  }
  if (policy.drift?.reduceBandwidth === true) {
    for (const key of ['maxResizes', 'maxResizesPercent'] as const) {
      if (limits[key] === 0)
        report(
          warning(
            ['limits', key],
            'is 0 while drift.reduceBandwidth is on: every resize will be blocked',
            'raise the limit, or turn drift.reduceBandwidth off',
          ),
        );
    }
  }
};

/** A VPC listed twice in one entry. */
export const duplicateVpcs: PolicyRule = ({ policy, report }) => {
  const check = (vpcs: string[] | undefined, base: PolicyPath): void => {
    const first = new Map<string, number>();
    (vpcs ?? []).forEach((vpc, k) => {
      const earlier = first.get(vpc) ?? k;
      if (earlier === k) first.set(vpc, k);
      else
        report(
          warning(
            [...base, 'vpcs', k],
            `"${vpc}" is listed twice (also at ${formatPath([...base, 'vpcs', earlier])})`,
            'keep one',
          ),
        );
    });
  };
  for (const [name, group] of Object.entries(policy.groups ?? {}))
    group.accounts.forEach((entry, k) => check(entry.vpcs, ['groups', name, 'accounts', k]));
  policy.services.forEach((rule, i) =>
    (rule.allow ?? []).forEach((item, j) => check(item.vpcs, ['services', i, 'allow', j])),
  );
};

/** Every semantic rule, in the order they run. */
export const POLICY_RULES: Readonly<Record<string, PolicyRule>> = {
  unknownAccountsStated,
  groupReferences,
  duplicateAllowEntries,
  duplicateDenyEntries,
  allowedButDenied,
  shadowedServiceRules,
  bandwidthWithinCap,
  expiries,
  whitelistSyncNotWithHold,
  accountIdInRange,
  accountIdLength,
  knownRegions,
  driftHasLimits,
  driftNotBlockedByZeroLimits,
  duplicateVpcs,
};

/**
 * Parses an `expires` value (already matching the schema's pattern): a date means 00:00 UTC that day.
 * Undefined when the fields do not form a real date or time (2027-02-30, 25:00).
 */
export function parseExpiry(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day)
    return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const instant = new Date(match[4] === undefined ? `${y}-${mo}-${d}T00:00:00Z` : value);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}
