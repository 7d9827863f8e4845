import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointConnection } from '../../functions/engine/resources.ts';
import type { Policy, SafetyLimits } from '../../functions/policy/policy.ts';
import { ACME, GLOBEX, HANGZHOU, INITECH, allow, conn, deny, plan, policy, rule } from './builders.ts';

const NO_LIMITS: SafetyLimits = {
  maxDisconnects: undefined,
  maxDisconnectsPercent: undefined,
  maxResizes: undefined,
  maxResizesPercent: undefined,
};

function fleet(limits: Partial<SafetyLimits>): Policy {
  return policy({
    deny: { accounts: [deny(INITECH, 'deny.accounts[0]')], endpoints: [] },
    services: [
      rule({
        allow: [allow(ACME, 'services[0].allow[0]', { maxBandwidth: 2048 }), allow(GLOBEX, 'services[0].allow[1]')],
      }),
    ],
    drift: { revoke: true, reduceBandwidth: true },
    limits: { ...NO_LIMITS, ...limits },
  });
}

/** `revokes` denied Connected connections, `resizes` over-cap ones, `fine` Connected ones within policy, `requests` awaiting ones. */
function connections(revokes: number, resizes: number, fine: number, requests = 0): EndpointConnection[] {
  const out: EndpointConnection[] = [];
  for (let i = 0; i < revokes; i++) out.push(conn(`ep-rv${i}`, INITECH, 'Connected'));
  for (let i = 0; i < resizes; i++) out.push(conn(`ep-rs${i}`, ACME, 'Connected', { bandwidth: 8192 }));
  for (let i = 0; i < fine; i++) out.push(conn(`ep-ok${i}`, GLOBEX, 'Connected'));
  for (let i = 0; i < requests; i++) out.push(conn(`ep-rq${i}`, GLOBEX, 'Connecting'));
  out.push(conn('ep-new-acme', ACME, 'Connecting'), conn('ep-new-initech', INITECH, 'Connecting'));
  return out;
}

test('safety limits: blocked exactly when exceeded, never when equal', () => {
  const table: {
    name: string;
    limits: Partial<SafetyLimits>;
    revokes: number;
    resizes: number;
    fine: number;
    requests?: number;
    revokeBlocked?: string;
    resizeBlocked?: string;
  }[] = [
    { name: 'no limits', limits: {}, revokes: 9, resizes: 9, fine: 0 },
    { name: 'maxDisconnects equal', limits: { maxDisconnects: 2 }, revokes: 2, resizes: 0, fine: 0 },
    {
      name: 'maxDisconnects exceeded',
      limits: { maxDisconnects: 2 },
      revokes: 3,
      resizes: 0,
      fine: 0,
      revokeBlocked: 'plan would disconnect 3 connections, more than maxDisconnects 2: no disconnects applied',
    },
    {
      name: 'maxDisconnects 0 blocks any revoke',
      limits: { maxDisconnects: 0 },
      revokes: 1,
      resizes: 1,
      fine: 0,
      revokeBlocked: 'plan would disconnect 1 connection, more than maxDisconnects 0: no disconnects applied',
    },
    // 10 Connected connections: 2 revokes + 8 fine.
    {
      name: 'maxDisconnectsPercent equal (20% of 10)',
      limits: { maxDisconnectsPercent: 20 },
      revokes: 2,
      resizes: 0,
      fine: 8,
    },
    {
      name: 'maxDisconnectsPercent exceeded',
      limits: { maxDisconnectsPercent: 20 },
      revokes: 3,
      resizes: 0,
      fine: 7,
      revokeBlocked:
        'plan would disconnect 3 of 10 connected connections (30%), more than maxDisconnectsPercent 20%: no disconnects applied',
    },
    {
      name: 'the percentage is of Connected connections: a backlog of requests does not loosen it',
      limits: { maxDisconnectsPercent: 20 },
      revokes: 3,
      resizes: 0,
      fine: 7,
      requests: 100,
      revokeBlocked:
        'plan would disconnect 3 of 10 connected connections (30%), more than maxDisconnectsPercent 20%: no disconnects applied',
    },
    {
      name: 'absolute named first when both are exceeded',
      limits: { maxDisconnects: 1, maxDisconnectsPercent: 10 },
      revokes: 3,
      resizes: 0,
      fine: 7,
      revokeBlocked: 'plan would disconnect 3 connections, more than maxDisconnects 1: no disconnects applied',
    },
    {
      name: 'percent when the absolute limit holds',
      limits: { maxDisconnects: 5, maxDisconnectsPercent: 10 },
      revokes: 3,
      resizes: 0,
      fine: 7,
      revokeBlocked:
        'plan would disconnect 3 of 10 connected connections (30%), more than maxDisconnectsPercent 10%: no disconnects applied',
    },
    { name: 'maxResizes equal', limits: { maxResizes: 3 }, revokes: 0, resizes: 3, fine: 0 },
    {
      name: 'maxResizes exceeded; revokes unaffected',
      limits: { maxResizes: 3 },
      revokes: 5,
      resizes: 4,
      fine: 0,
      resizeBlocked: 'plan would resize 4 connections, more than maxResizes 3: no resizes applied',
    },
    { name: 'maxResizesPercent equal (50% of 4)', limits: { maxResizesPercent: 50 }, revokes: 0, resizes: 2, fine: 2 },
    {
      name: 'maxResizesPercent exceeded (fractional share)',
      limits: { maxResizesPercent: 50 },
      revokes: 0,
      resizes: 2,
      fine: 1,
      resizeBlocked:
        'plan would resize 2 of 3 connected connections (66.7%), more than maxResizesPercent 50%: no resizes applied',
    },
    {
      name: 'revokes blocked, resizes not',
      limits: { maxDisconnects: 0, maxResizes: 10 },
      revokes: 1,
      resizes: 2,
      fine: 0,
      revokeBlocked: 'plan would disconnect 1 connection, more than maxDisconnects 0: no disconnects applied',
    },
    {
      name: 'both blocked',
      limits: { maxDisconnects: 0, maxResizesPercent: 0 },
      revokes: 1,
      resizes: 1,
      fine: 0,
      revokeBlocked: 'plan would disconnect 1 connection, more than maxDisconnects 0: no disconnects applied',
      resizeBlocked:
        'plan would resize 1 of 2 connected connections (50%), more than maxResizesPercent 0%: no resizes applied',
    },
  ];
  for (const c of table) {
    const out = plan(fleet(c.limits), connections(c.revokes, c.resizes, c.fine, c.requests));
    const revokes = out.decisions.filter((d) => d.kind === 'revoke');
    const resizes = out.decisions.filter((d) => d.kind === 'resize');
    assert.equal(revokes.length, c.revokes, c.name);
    assert.equal(resizes.length, c.resizes, c.name);
    for (const [list, want, limitPrefix] of [
      [revokes, c.revokeBlocked, 'maxDisconnects'],
      [resizes, c.resizeBlocked, 'maxResizes'],
    ] as const) {
      for (const d of list) {
        assert.equal(d.blocked?.reason, want, c.name);
        if (want !== undefined) assert.ok(d.blocked!.limit.startsWith(limitPrefix), c.name);
      }
    }
    // Accepts, rejects, holds and skips are never blocked.
    for (const d of out.decisions)
      if (d.kind !== 'revoke' && d.kind !== 'resize') assert.equal(d.blocked, undefined, c.name);
    assert.ok(out.decisions.some((d) => d.kind === 'accept') && out.decisions.some((d) => d.kind === 'reject'), c.name);
    const limitWarnings = out.warnings.filter((w) => w.code === 'safety-limit').map((w) => w.message);
    assert.deepEqual(
      limitWarnings,
      [c.revokeBlocked, c.resizeBlocked].filter((m) => m !== undefined),
      c.name,
    );
  }
});

test('safety limits: the blocked limit is named, and a warning says where', () => {
  const out = plan(fleet({ maxDisconnectsPercent: 10 }), connections(2, 0, 0));
  assert.deepEqual(
    out.decisions.filter((d) => d.kind === 'revoke').map((d) => d.blocked?.limit),
    ['maxDisconnectsPercent', 'maxDisconnectsPercent'],
  );
  assert.deepEqual(
    out.warnings.map((w) => [w.code, w.regionId, w.serviceId]),
    [['safety-limit', HANGZHOU, undefined]],
  );
});

test('safety limits: drift that is turned off counts nothing', () => {
  const p = { ...fleet({ maxDisconnects: 0, maxResizes: 0 }), drift: { revoke: false, reduceBandwidth: false } };
  const out = plan(p, connections(3, 3, 0));
  assert.ok(out.decisions.every((d) => d.blocked === undefined));
  assert.deepEqual(out.warnings, []);
});
