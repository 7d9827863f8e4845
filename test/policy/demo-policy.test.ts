/** The resolved demo policy (what `npm start` applies to the emulator's demo fleet) is exactly this. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicyText, policyHash } from '../../functions/policy-file/load-policy-file.ts';
import type { AllowEntry, Policy } from '../../functions/policy/policy.ts';

const FILE = join(import.meta.dirname, '..', '..', 'policies', 'demo.yaml');

const acme: AllowEntry = {
  accountId: '2000000000000001',
  name: 'acme',
  bandwidth: undefined,
  maxBandwidth: undefined,
  maxConnections: undefined,
  vpcs: undefined,
  expires: undefined,
  source: 'groups.customers.accounts[0]',
};
const globex: AllowEntry = {
  accountId: '2000000000000002',
  name: 'globex',
  bandwidth: 2048,
  maxBandwidth: 2048,
  maxConnections: 2,
  vpcs: undefined,
  expires: undefined,
  source: 'groups.customers.accounts[1]',
};
const noDeny = { accounts: [], endpoints: [] };
const bandwidth = { default: 3072, max: 4096, defaultSource: 'defaults.bandwidth', maxSource: 'defaults.maxBandwidth' };

test('policies/demo.yaml resolves to the expected policy', () => {
  const text = readFileSync(FILE, 'utf8');
  const result = loadPolicyText(text, 'policies/demo.yaml', {
    commit: 'abc123',
    now: new Date('2026-11-25T00:00:00Z'),
  });
  assert.equal(result.ok, true);
  if (!result.ok) return;
  assert.deepEqual(result.warnings, []);
  const expected: Policy = {
    version: 1,
    mode: 'enforce',
    revision: { hash: policyHash(text), commit: 'abc123', file: 'policies/demo.yaml' },
    pendingStatus: 'auto',
    regions: ['cn-hangzhou', 'cn-shanghai'],
    expiryWarningDays: 14,
    deny: {
      accounts: [
        { id: '2000000000000003', reason: "initech's contract ended; ticket SEC-1234", source: 'deny.accounts[0]' },
      ],
      endpoints: [],
    },
    services: [
      {
        source: 'services[0]',
        name: 'orders-api (Hangzhou)',
        match: { kind: 'id', regionId: 'cn-hangzhou', serviceId: 'epsrv-bp1demoorders000001' },
        allow: [acme, globex],
        deny: noDeny,
        unknownAccounts: 'hold',
        unknownAccountsSource: 'services[0].unknownAccounts',
        bandwidth,
      },
      {
        source: 'services[1]',
        name: 'search-api (Hangzhou)',
        match: { kind: 'id', regionId: 'cn-hangzhou', serviceId: 'epsrv-bp1demosearch00002' },
        allow: [acme, globex],
        deny: noDeny,
        unknownAccounts: 'reject',
        unknownAccountsSource: 'services[1].unknownAccounts',
        bandwidth,
      },
      {
        source: 'services[2]',
        name: 'legacy-api (Shanghai)',
        match: { kind: 'id', regionId: 'cn-shanghai', serviceId: 'epsrv-uf6demolegacy000004' },
        allow: [acme, globex],
        deny: noDeny,
        unknownAccounts: 'reject',
        unknownAccountsSource: 'services[2].unknownAccounts',
        bandwidth,
      },
      {
        source: 'services[3]',
        name: 'every orders service in Shanghai',
        match: {
          kind: 'selector',
          regionId: 'cn-shanghai',
          name: undefined,
          description: undefined,
          tags: { team: 'orders' },
        },
        allow: [acme, globex],
        deny: noDeny,
        unknownAccounts: 'reject',
        unknownAccountsSource: 'services[3].unknownAccounts',
        bandwidth,
      },
    ],
    drift: { revoke: true, reduceBandwidth: true },
    limits: { maxDisconnects: 5, maxDisconnectsPercent: undefined, maxResizes: 10, maxResizesPercent: undefined },
  };
  assert.deepEqual(result.policy, expected);
});

test('the revision hash is sha256: + 16 hex digits of the file bytes', () => {
  assert.equal(policyHash('version: 1\n'), policyHash(Buffer.from('version: 1\n', 'utf8')));
  assert.match(policyHash(''), /^sha256:e3b0c44298fc1c14$/);
});
