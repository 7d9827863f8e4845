/**
 * Warnings before access ends (issue 13): an allow entry expiring within `expiryWarningDays` warns per
 * live connection (`access-expiring`); a deny entry with a `from` date denies nothing before it, and the
 * plan says what it will revoke and when (`revocation-scheduled`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DenyEntry } from '../../functions/policy/policy.ts';
import { ACME, GLOBEX, INITECH, NOW, allow, conn, decideOne, plan, policy, rule } from './builders.ts';

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

function expiring(inDays: number, over: { expiryWarningDays?: number; revoke?: boolean } = {}) {
  return policy({
    services: [
      rule({ allow: [allow(ACME, 'services[0].allow[0]', { name: 'acme', expires: iso(NOW + inDays * DAY) })] }),
    ],
    expiryWarningDays: over.expiryWarningDays ?? 14,
    drift: { revoke: over.revoke ?? true, reduceBandwidth: false },
  });
}

test('access-expiring: one warning per live connection whose entry expires within the window', () => {
  const out = plan(expiring(3), [
    conn('ep-live', ACME, 'Connected'),
    conn('ep-request', ACME, 'Connecting'),
    conn('ep-other', GLOBEX, 'Connected'),
  ]);
  const warnings = out.warnings.filter((w) => w.code === 'access-expiring');
  assert.equal(warnings.length, 1, JSON.stringify(out.warnings));
  assert.equal(
    warnings[0]?.message,
    `connection ep-live of account ${ACME} (acme): its entry services[0].allow[0] expires at ${iso(NOW + 3 * DAY)}, within 3 days: drift.revoke then disconnects it; tell the customer, or extend the date`,
  );
  assert.deepEqual([warnings[0]?.regionId, warnings[0]?.serviceId], ['cn-hangzhou', 'epsrv-bp1demoorders000001']);
  // Still allowed today: the live connection is left as it is, the request accepted.
  assert.deepEqual(
    out.decisions.map((d) => `${d.endpointId}:${d.kind}`),
    ['ep-live:skip', 'ep-other:revoke', 'ep-request:accept'],
  );
  const off = plan(expiring(3, { revoke: false }), [conn('ep-live', ACME, 'Connected')]);
  assert.match(off.warnings[0]?.message ?? '', /it is then flagged \(drift\.revoke is off\)/);
});

test('access-expiring: not beyond the window, not with a window of 0, not once expired', () => {
  const live = [conn('ep-live', ACME, 'Connected')];
  const codes = (p: ReturnType<typeof expiring>): string[] => plan(p, live).warnings.map((w) => w.code);
  assert.deepEqual(codes(expiring(14)), ['access-expiring'], 'at the edge of the window');
  assert.deepEqual(codes(expiring(15)), []);
  assert.deepEqual(codes(expiring(3, { expiryWarningDays: 0 })), []);
  assert.deepEqual(codes(expiring(30, { expiryWarningDays: 30 })), ['access-expiring']);
  assert.deepEqual(codes(expiring(0)), [], 'expired at now: revoked, no warning');
  assert.equal(decideOne(expiring(0), live[0]!).kind, 'revoke');
});

function scheduled(from: string, revoke = true) {
  const entry: DenyEntry = { id: INITECH, reason: 'contract ends', source: 'deny.accounts[0]', from };
  return policy({
    deny: { accounts: [entry], endpoints: [] },
    services: [rule({ allow: [allow(INITECH, 'services[0].allow[0]')] })],
    drift: { revoke, reduceBandwidth: false },
  });
}

test('a deny entry with a from date denies nothing before it, and the plan says what it will revoke and when', () => {
  const from = iso(NOW + 2 * DAY);
  const before = plan(scheduled(from), [conn('ep-live', INITECH, 'Connected'), conn('ep-new', INITECH, 'Connecting')]);
  assert.deepEqual(
    before.decisions.map((d) => `${d.endpointId}:${d.kind}`),
    ['ep-live:skip', 'ep-new:accept'],
  );
  assert.deepEqual(
    before.warnings.map((w) => [w.code, w.message]),
    [
      [
        'revocation-scheduled',
        `connection ep-live of account ${INITECH}: deny.accounts[0] denies account ${INITECH} from ${from}: it will be revoked then`,
      ],
    ],
  );
  // From the instant on, the deny applies: revoke and reject, and no warning any more.
  const after = plan(
    scheduled(from),
    [conn('ep-live', INITECH, 'Connected'), conn('ep-new', INITECH, 'Connecting')],
    undefined,
    NOW + 2 * DAY,
  );
  assert.deepEqual(
    after.decisions.map((d) => `${d.endpointId}:${d.kind}:${d.rule}`),
    ['ep-live:revoke:deny.accounts[0]', 'ep-new:reject:deny.accounts[0]'],
  );
  assert.deepEqual(after.warnings, []);
  const off = plan(scheduled(from, false), [conn('ep-live', INITECH, 'Connected')]);
  assert.match(off.warnings[0]?.message ?? '', /it will be flagged then \(drift\.revoke is off\)$/);
});

test('a from that cannot be read denies at once: doubt never keeps access open', () => {
  assert.equal(decideOne(scheduled('not a date'), conn('ep-live', INITECH, 'Connected')).kind, 'revoke');
});
