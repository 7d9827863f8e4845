/**
 * Table-driven tests of the semantic rules and the YAML/structure layer: each case is a policy text and
 * the exact diagnostics (line:column path: message (hint)) it must produce. The broken/ corpus covers
 * more errors; this table covers every warning, the resolved effect of overrides, and edge cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicyText } from '../../functions/policy-file/load-policy-file.ts';
import type { Diagnostic } from '../../functions/policy/diagnostic.ts';
import { formatDiagnostic } from '../../functions/policy/diagnostic.ts';
import { didYouMean, editDistance } from '../../functions/policy/did-you-mean.ts';
import { parseExpiry } from '../../functions/policy/policy-rules.ts';

const NOW = new Date('2026-11-25T00:00:00Z');
const show = (d: Diagnostic): string =>
  `${d.line}:${d.column} ${d.path === '' ? '' : `${d.path}: `}${d.message}${d.hint === undefined ? '' : ` (${d.hint})`}`;
const HEAD = 'version: 1\nmode: enforce\n';
const RULE =
  'services:\n  - region: cn-hangzhou\n    serviceId: epsrv-bp1demoorders000001\n    unknownAccounts: reject\n';

interface Case {
  name: string;
  text: string;
  errors?: string[];
  warnings?: string[];
}

const CASES: Case[] = [
  {
    name: 'a minimal policy is valid without warnings',
    text: `${HEAD}${RULE}    allow:\n      - account: "2000000000000001"\n`,
  },
  {
    name: 'an allow entry for a globally denied account is dead: warning naming the deny',
    text: `${HEAD}deny:\n  accounts:\n    - account: "2000000000000003"\n${RULE}    allow:\n      - account: "2000000000000003"\n`,
    warnings: [
      '11:18 services[0].allow[0].account: account "2000000000000003" is denied by deny.accounts[0]; deny wins, so this allow entry never applies (remove the allow entry or the deny)',
    ],
  },
  {
    name: 'an allow entry denied in the same rule: warning',
    text: `${HEAD}${RULE}    allow:\n      - account: "2000000000000003"\n    deny:\n      accounts:\n        - account: "2000000000000003"\n`,
    warnings: [
      '8:18 services[0].allow[0].account: account "2000000000000003" is denied by services[0].deny.accounts[0]; deny wins, so this allow entry never applies (remove the allow entry or the deny)',
    ],
  },
  {
    name: 'a group member denied globally: warning at the group',
    text: `${HEAD}groups:\n  g:\n    accounts:\n      - account: "2000000000000003"\ndeny:\n  accounts:\n    - account: "2000000000000003"\n${RULE}    allow:\n      - group: g\n`,
    warnings: [
      '6:18 groups.g.accounts[0].account: account "2000000000000003" is denied everywhere by deny.accounts[0]; deny wins, so this entry never applies (remove the entry or the deny)',
    ],
  },
  {
    name: 'a group member denied in one rule is the way to exclude it there: no warning',
    text: `${HEAD}groups:\n  g:\n    accounts:\n      - account: "2000000000000003"\n${RULE}    allow:\n      - group: g\n    deny:\n      accounts:\n        - account: "2000000000000003"\n`,
  },
  {
    name: 'an expired entry: warning with the date',
    text: `${HEAD}${RULE}    allow:\n      - account: "2000000000000001"\n        expires: 2026-01-01\n`,
    warnings: [
      '9:18 services[0].allow[0].expires: expired on 2026-01-01T00:00:00.000Z: this entry no longer allows anything (remove the entry, or extend the date if the contract was renewed)',
    ],
  },
  {
    name: 'an expiry instant with an offset in the future: valid (and within the warning window)',
    text: `${HEAD}${RULE}    allow:\n      - account: "2000000000000001"\n        expires: 2026-11-25T09:00:00+08:00\n`,
    warnings: [
      '9:18 services[0].allow[0].expires: expires on 2026-11-25T01:00:00.000Z, within 14 days (defaults.expiryWarningDays): its connections lose access then (tell the customer, or extend the date if the contract was renewed)',
    ],
  },
  {
    name: 'an expiry beyond the warning window: no warning; the window is defaults.expiryWarningDays',
    text: `${HEAD}${RULE}    allow:\n      - account: "2000000000000001"\n        expires: 2026-12-09T00:00:01Z\n      - account: "2000000000000002"\n        expires: 2026-12-09\n`,
    warnings: [
      '11:18 services[0].allow[1].expires: expires on 2026-12-09T00:00:00.000Z, within 14 days (defaults.expiryWarningDays): its connections lose access then (tell the customer, or extend the date if the contract was renewed)',
    ],
  },
  {
    name: 'expiryWarningDays 0 turns the expiry warning off; 30 widens it',
    text: `${HEAD}defaults:\n  expiryWarningDays: 0\n${RULE}    allow:\n      - account: "2000000000000001"\n        expires: 2026-11-26\n`,
  },
  {
    name: 'a deny entry from a date: valid; a from that is not a real date: error',
    text: `${HEAD}deny:\n  accounts:\n    - account: "2000000000000001"\n      from: 2027-01-01\n  endpoints:\n    - endpoint: ep-bp1x\n      from: 2027-02-30\n${RULE}`,
    errors: [
      '9:13 deny.endpoints[0].from: "2027-02-30" is not a real date or time (check the month, day and time fields)',
    ],
  },
  {
    name: 'whitelist: sync with unknownAccounts hold: error, saying why; with reject: valid',
    text: `${HEAD}defaults:\n  unknownAccounts: hold\nservices:\n  - region: cn-hangzhou\n    serviceId: epsrv-bp1a\n    whitelist: sync\n  - region: cn-hangzhou\n    serviceId: epsrv-bp1b\n    unknownAccounts: reject\n    whitelist: sync\n`,
    errors: [
      '8:16 services[0].whitelist: whitelist: sync cannot go with unknownAccounts: hold (from defaults): a synced whitelist lets only the allowed accounts find the service, so the requests hold keeps for a person to review could never be made (set unknownAccounts: reject on this rule, or leave the whitelist manual)',
    ],
  },
  {
    name: 'an unused group: warning at its name',
    text: `${HEAD}groups:\n  spare:\n    accounts:\n      - account: "2000000000000001"\n${RULE}`,
    warnings: [
      '4:3 groups.spare: group "spare" is not used by any service rule (reference it with {group: spare} or remove it)',
    ],
  },
  {
    name: 'an account ID that is not 16 digits: warning',
    text: `${HEAD}${RULE}    allow:\n      - account: "12345"\n`,
    warnings: [
      '8:18 services[0].allow[0].account: account ID "12345" has 5 digits; Alibaba Cloud account IDs have 16 (check it against the customer\'s account)',
    ],
  },
  {
    name: 'a region not in the known list: warning with a suggestion',
    text: `${HEAD}services:\n  - region: cn-hangzou\n    serviceId: epsrv-bp1demoorders000001\n    unknownAccounts: reject\n`,
    warnings: [
      '4:13 services[0].region: "cn-hangzou" is not a known Alibaba Cloud region (did you mean "cn-hangzhou"?)',
    ],
  },
  {
    name: 'a serviceId rule after a selector in the same region: warning',
    text: `${HEAD}defaults:\n  unknownAccounts: reject\nservices:\n  - region: cn-shanghai\n    match: {tags: {team: orders}}\n  - region: cn-shanghai\n    serviceId: epsrv-uf6demoorders000003\n`,
    warnings: [
      '9:16 services[1].serviceId: services[0], a selector in cn-shanghai, comes first and governs this service if it matches it (put rules by serviceId before selectors in the same region)',
    ],
  },
  {
    name: 'a selector after a broader one in the same region never applies: error at its match',
    text: `${HEAD}defaults:\n  unknownAccounts: reject\nservices:\n  - region: cn-shanghai\n    match: {tags: {team: orders}}\n  - region: cn-shanghai\n    match:\n      tags: {team: orders, tier: gold}\n`,
    errors: [
      '10:7 services[1].match: every service this selector matches in cn-shanghai is also matched by services[0], an earlier and broader selector; the first matching rule governs, so this rule never applies (put the narrower selector first, or merge the two rules)',
    ],
  },
  {
    name: 'a literal name after a glob that matches it, even with more conditions: error',
    text: `${HEAD}defaults:\n  unknownAccounts: reject\nservices:\n  - region: cn-shanghai\n    match: {name: "orders-*"}\n  - region: cn-shanghai\n    match: {name: orders-eu, description: "*public*"}\n`,
    errors: [
      '9:12 services[1].match: every service this selector matches in cn-shanghai is also matched by services[0], an earlier and broader selector; the first matching rule governs, so this rule never applies (put the narrower selector first, or merge the two rules)',
    ],
  },
  {
    name: 'a serviceId rule after a selector that matches every service: error',
    text: `${HEAD}defaults:\n  unknownAccounts: reject\nservices:\n  - region: cn-shanghai\n    match: {name: "*"}\n  - region: cn-shanghai\n    serviceId: epsrv-uf6demoorders000003\n`,
    errors: [
      '9:16 services[1].serviceId: services[0], a selector that matches every service in cn-shanghai, comes first; the first matching rule governs, so this rule never applies (put rules by serviceId before selectors in the same region)',
    ],
  },
  {
    name: 'selectors that may overlap, a narrower one first, another region: no finding; a catch-all with a condition added: error',
    text: `${HEAD}defaults:\n  unknownAccounts: reject\nservices:\n  - region: cn-shanghai\n    match: {tags: {team: orders, tier: gold}}\n  - region: cn-shanghai\n    match: {tags: {team: orders}}\n  - region: cn-shanghai\n    match: {name: "orders-*"}\n  - region: cn-shanghai\n    match: {name: "orders-eu-*"}\n  - region: cn-hangzhou\n    match: {name: "*"}\n  - region: cn-hangzhou\n    match: {tags: {team: orders}, name: "*"}\n`,
    errors: [
      '17:12 services[5].match: every service this selector matches in cn-hangzhou is also matched by services[4], an earlier and broader selector; the first matching rule governs, so this rule never applies (put the narrower selector first, or merge the two rules)',
    ],
  },
  {
    name: 'the same account denied twice: warning',
    text: `${HEAD}deny:\n  accounts:\n    - account: "2000000000000003"\n      reason: first\n    - account: "2000000000000003"\n${RULE}`,
    warnings: [
      '7:16 deny.accounts[1].account: "2000000000000003" is denied twice in this list (also at deny.accounts[0]); the first reason is used (keep one entry)',
    ],
  },
  {
    name: 'the same endpoint denied twice in a rule: warning',
    text: `${HEAD}${RULE}    deny:\n      endpoints:\n        - endpoint: ep-bp1dup0001\n        - endpoint: ep-bp1dup0001\n`,
    warnings: [
      '10:21 services[0].deny.endpoints[1].endpoint: "ep-bp1dup0001" is denied twice in this list (also at services[0].deny.endpoints[0]); the first reason is used (keep one entry)',
    ],
  },
  {
    name: 'a VPC listed twice: warning',
    text: `${HEAD}${RULE}    allow:\n      - account: "2000000000000001"\n        vpcs: [vpc-a1, vpc-a1]\n`,
    warnings: [
      '9:24 services[0].allow[0].vpcs[1]: "vpc-a1" is listed twice (also at services[0].allow[0].vpcs[0]) (keep one)',
    ],
  },
  {
    name: 'drift without limits: two warnings',
    text: `${HEAD}${RULE}drift:\n  revoke: true\n  reduceBandwidth: true\n`,
    warnings: [
      '8:11 drift.revoke: revoke is on with no limit on disconnects: one bad edit could disconnect every customer in one run (set limits.maxDisconnects or limits.maxDisconnectsPercent)',
      '9:20 drift.reduceBandwidth: reduceBandwidth is on with no limit on resizes (set limits.maxResizes or limits.maxResizesPercent)',
    ],
  },
  {
    name: 'drift with percentage limits only: no warning',
    text: `${HEAD}${RULE}drift:\n  revoke: true\n  reduceBandwidth: true\nlimits:\n  maxDisconnectsPercent: 10\n  maxResizesPercent: 10\n`,
  },
  {
    name: 'a zero limit on what drift does: warning',
    text: `${HEAD}${RULE}drift:\n  revoke: true\nlimits:\n  maxDisconnects: 0\n  maxResizes: 0\n`,
    warnings: [
      '10:19 limits.maxDisconnects: is 0 while drift.revoke is on: every revocation will be blocked (raise the limit, or turn drift.revoke off)',
    ],
  },
  {
    name: 'defaults bandwidth above defaults cap: error',
    text: `${HEAD}defaults:\n  bandwidth: 2048\n  maxBandwidth: 1024\n${RULE}`,
    errors: [
      '4:14 defaults.bandwidth: bandwidth on accept (2048 Mbit/s) is above the cap (1024 Mbit/s, defaults.maxBandwidth) (lower the bandwidth or raise the cap)',
    ],
  },
  {
    name: 'a rule cap below the default bandwidth: error at the rule cap',
    text: `${HEAD}defaults:\n  bandwidth: 2048\n${RULE}    maxBandwidth: 1024\n`,
    errors: [
      '9:19 services[0].maxBandwidth: bandwidth on accept (2048 Mbit/s) is above the cap (1024 Mbit/s, maxBandwidth) (lower the bandwidth or raise the cap)',
    ],
  },
  {
    name: 'a direct entry overriding a group member lowers the cap without tripping the group bandwidth',
    text: `${HEAD}groups:\n  g:\n    accounts:\n      - account: "2000000000000001"\n        bandwidth: 2048\n${RULE}    allow:\n      - group: g\n      - account: "2000000000000001"\n        maxBandwidth: 1024\n`,
    errors: [
      '15:23 services[0].allow[1].maxBandwidth: bandwidth on accept (2048 Mbit/s) is above the cap (1024 Mbit/s, maxBandwidth) (set a bandwidth at or below the cap on this entry)',
    ],
  },
  {
    name: 'a group member above its cap in several rules: one error per place and cap, naming the rules',
    text: `${HEAD}defaults:\n  unknownAccounts: reject\n  maxBandwidth: 2048\ngroups:\n  g:\n    accounts:\n      - account: "2000000000000001"\n        bandwidth: 3072\n      - account: "2000000000000002"\n        bandwidth: 3072\n        maxBandwidth: 1024\nservices:\n${[1, 2, 3, 4, 5, 6, 7].map((n) => `  - region: cn-hangzhou\n    serviceId: epsrv-a${n}\n${n === 7 ? '    maxBandwidth: 1024\n' : ''}    allow:\n      - group: g\n`).join('')}`,
    errors: [
      '10:20 groups.g.accounts[0].bandwidth: bandwidth on accept (3072 Mbit/s) is above the cap (2048 Mbit/s, defaults.maxBandwidth) in services[0], services[1], services[2], services[3] and 2 more (lower the bandwidth or raise the cap)',
      "10:20 groups.g.accounts[0].bandwidth: bandwidth on accept (3072 Mbit/s) is above the cap (1024 Mbit/s, the rule's maxBandwidth) in services[6] (lower the bandwidth or raise the cap)",
      '12:20 groups.g.accounts[1].bandwidth: bandwidth on accept (3072 Mbit/s) is above the cap (1024 Mbit/s, maxBandwidth) (lower the bandwidth or raise the cap)',
    ],
  },
  {
    name: 'a hint echoing a long value cuts it, so the message stays one readable line',
    text: `${HEAD}services: ${'a'.repeat(5000)}\n`,
    errors: [`3:11 services: must be a list (write it as a list: [${'a'.repeat(50)}... (5000 characters)])`],
  },
  {
    name: 'absurd nesting: an error, not a stack overflow',
    text: `${HEAD}services: ${'['.repeat(100000)}${']'.repeat(100000)}\n`,
    errors: ['3:1 the YAML nests too deeply to be read (a policy needs only a few levels)'],
  },
  {
    name: 'an empty file: error',
    text: '',
    errors: ['1:1 the policy is empty (start from policies/examples/small-saas.yaml)'],
  },
  {
    name: 'a file over 1 MiB: error before parsing',
    text: `${HEAD}${RULE}# ${'x'.repeat(1024 * 1024)}\n`,
    errors: [
      `1:1 the file is ${Buffer.byteLength(`${HEAD}${RULE}# ${'x'.repeat(1024 * 1024)}\n`)} bytes; a policy may be at most 1048576 bytes (1 MiB) (split the customer list into groups or check that this is the right file)`,
    ],
  },
  {
    name: 'an unresolved alias: error, not a stack trace',
    text: `${HEAD}${RULE}    allow: *nothing\n`,
    errors: ['7:12 the YAML cannot be read: Unresolved alias (the anchor must be set before the alias): nothing'],
  },
  {
    name: 'a leading "---" and a stray trailing "---" are fine',
    text: `---\n${HEAD}${RULE}---\n`,
  },
  {
    name: 'a second document with content is an error at its start',
    text: `${HEAD}${RULE}---\nmode: dry-run\n`,
    errors: [
      '7:1 the file holds 2 YAML documents; a policy file holds exactly one (remove the "---" separator, or split the documents into separate files)',
    ],
  },
  {
    name: 'a tab inside a block scalar or before a comment is not indentation: valid',
    text: `${HEAD}\t# a tabbed comment\n${RULE}    allow:\n      - account: "2000000000000001"\n        name: |\n          acme\n          \tcorp\n`,
  },
  {
    name: "a tab-indented list item: one error, not the parser's echoes of it",
    text: `${HEAD}${RULE}    allow:\n      - account: "2000000000000001"\n\t- account: "2000000000000002"\n`,
    errors: ['9:1 tab used for indentation: YAML indents with spaces only'],
  },
  {
    name: 'a small anchor and alias reuse is fine',
    text: `${HEAD}services:\n  - region: cn-hangzhou\n    serviceId: epsrv-a1\n    unknownAccounts: reject\n    allow: &customers\n      - account: "2000000000000001"\n  - region: cn-hangzhou\n    serviceId: epsrv-a2\n    unknownAccounts: reject\n    allow: *customers\n`,
  },
  {
    name: 'a required key with no value: the choices',
    text: `version: 1\nmode:\n${RULE}`,
    errors: ['2:1 mode: must be one of: enforce, dry-run'],
  },
  {
    name: 'a value left empty: error pointing at it',
    text: `${HEAD}${RULE}drift:\n`,
    errors: ['7:1 drift: is empty: give it a value (a mapping) or remove the key'],
  },
];

for (const c of CASES) {
  test(c.name, () => {
    const result = loadPolicyText(c.text, 'case.yaml', { now: NOW });
    const errors = result.ok ? [] : result.errors.map(show);
    assert.deepEqual(errors, c.errors ?? []);
    assert.deepEqual(result.warnings.map(show), c.warnings ?? []);
    assert.equal(result.ok, (c.errors ?? []).length === 0);
  });
}

test('a direct entry overrides a group member field by field, with its own source', () => {
  const text = `${HEAD}groups:\n  g:\n    accounts:\n      - account: "2000000000000001"\n        name: acme\n        maxConnections: 3\n      - account: "2000000000000002"\n${RULE}    allow:\n      - group: g\n      - account: "2000000000000001"\n        maxBandwidth: 1024\n`;
  const result = loadPolicyText(text, 'o.yaml', { now: NOW });
  assert.ok(result.ok);
  assert.deepEqual(
    result.policy.services[0]?.allow.map((a) => [a.accountId, a.name, a.maxConnections, a.maxBandwidth, a.source]),
    [
      ['2000000000000002', undefined, undefined, undefined, 'groups.g.accounts[1]'],
      ['2000000000000001', 'acme', 3, 1024, 'services[0].allow[1]'],
    ],
  );
});

test('a 16-digit account ID is never rounded: the message shows the digits as written', () => {
  const result = loadPolicyText(`${HEAD}${RULE}    allow:\n      - account: 9007199254740993\n`, 'p.yaml');
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.errors[0]?.hint === 'write "9007199254740993"');
});

test('expiry parsing: dates are 00:00 UTC, impossible dates and times are rejected', () => {
  assert.equal(parseExpiry('2027-01-31')?.toISOString(), '2027-01-31T00:00:00.000Z');
  assert.equal(parseExpiry('2027-01-31T12:00:00+08:00')?.toISOString(), '2027-01-31T04:00:00.000Z');
  assert.equal(parseExpiry('2028-02-29')?.toISOString(), '2028-02-29T00:00:00.000Z');
  assert.equal(parseExpiry('2027-02-29'), undefined);
  assert.equal(parseExpiry('2027-01-31T24:00Z'), undefined);
  assert.equal(parseExpiry('tomorrow'), undefined);
});

test('did you mean: typos and swapped letters, not unrelated words', () => {
  assert.equal(editDistance('glod', 'gold'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(didYouMean('maxbandwidth', ['bandwidth', 'maxBandwidth']), 'maxBandwidth');
  assert.equal(didYouMean('servcies', ['services', 'version']), 'services');
  assert.equal(didYouMean('colour', ['services', 'version']), undefined);
});

test('formatDiagnostic: errors, warnings, hints, whole-file messages', () => {
  const base = {
    file: 'policies/prod.yaml',
    line: 12,
    column: 23,
    path: 'services[1].allow[0].maxBandwidth',
    message: 'must be an integer from 100 to 25600 (Mbit/s)',
  };
  assert.equal(
    formatDiagnostic({ ...base, severity: 'error' }),
    'policies/prod.yaml:12:23 services[1].allow[0].maxBandwidth: must be an integer from 100 to 25600 (Mbit/s)',
  );
  assert.equal(
    formatDiagnostic({ ...base, severity: 'warning', hint: 'fix it' }),
    'policies/prod.yaml:12:23 services[1].allow[0].maxBandwidth: warning: must be an integer from 100 to 25600 (Mbit/s) (fix it)',
  );
  assert.equal(
    formatDiagnostic({ ...base, severity: 'error', path: '' }),
    'policies/prod.yaml:12:23 must be an integer from 100 to 25600 (Mbit/s)',
  );
});

test('a failure inside a check becomes an error diagnostic, never an exception (fail closed)', () => {
  const brokenClock = {
    getTime: () => {
      throw new Error('clock unavailable');
    },
  } as unknown as Date;
  const result = loadPolicyText(
    `${HEAD}${RULE}    allow:\n      - account: "2000000000000001"\n        expires: 2030-01-01\n`,
    'c.yaml',
    { now: brokenClock },
  );
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? [] : result.errors.map(formatDiagnostic), [
    'c.yaml:1:1 internal error while checking the policy (clock unavailable); it is not used (please report this with the policy file)',
  ]);
});
