import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../functions/engine/decide.ts';
import { loadPolicyText } from '../../functions/policy-file/load-policy-file.ts';
import type { Decision, Snapshot } from '../../functions/engine/decision.ts';
import type { AllowEntry, Policy, ServiceRule } from '../../functions/policy/policy.ts';
import {
  ACME,
  GLOBEX,
  HANGZHOU,
  INITECH,
  NOW,
  ORDERS,
  SEARCH,
  SHANGHAI,
  UMBRELLA,
  allow,
  conn,
  decideOne,
  deny,
  kinds,
  plan,
  policy,
  rule,
  service,
} from './builders.ts';

const acme = (over: Partial<AllowEntry> = {}): AllowEntry =>
  allow(ACME, 'services[0].allow[0]', { name: 'acme', ...over });

test('deny wins over allow: global before the rule, accounts before endpoints', () => {
  const allowed = [acme()];
  const cases: { name: string; p: Policy; endpoint?: string; rule: string; reason: RegExp }[] = [
    {
      name: 'global account deny',
      p: policy({
        deny: { accounts: [deny(ACME, 'deny.accounts[0]', 'unpaid')], endpoints: [] },
        services: [rule({ allow: allowed })],
      }),
      rule: 'deny.accounts[0]',
      reason: /account 2000000000000001 \(acme\) is denied by deny\.accounts\[0\] \(unpaid\): reject$/,
    },
    {
      name: 'global endpoint deny',
      p: policy({
        deny: { accounts: [], endpoints: [deny('ep-1', 'deny.endpoints[0]')] },
        services: [rule({ allow: allowed })],
      }),
      rule: 'deny.endpoints[0]',
      reason: /endpoint ep-1 of account 2000000000000001 \(acme\) is denied by deny\.endpoints\[0\]: reject$/,
    },
    {
      name: 'rule account deny',
      p: policy({
        services: [
          rule({ allow: allowed, deny: { accounts: [deny(ACME, 'services[0].deny.accounts[0]')], endpoints: [] } }),
        ],
      }),
      rule: 'services[0].deny.accounts[0]',
      reason: /denied by services\[0\]\.deny\.accounts\[0\]/,
    },
    {
      name: 'rule endpoint deny',
      p: policy({
        services: [
          rule({ allow: allowed, deny: { accounts: [], endpoints: [deny('ep-1', 'services[0].deny.endpoints[0]')] } }),
        ],
      }),
      rule: 'services[0].deny.endpoints[0]',
      reason: /endpoint ep-1 .* is denied by services\[0\]\.deny\.endpoints\[0\]/,
    },
    {
      name: 'global wins over the rule',
      p: policy({
        deny: { accounts: [], endpoints: [deny('ep-1', 'deny.endpoints[0]')] },
        services: [
          rule({ allow: allowed, deny: { accounts: [deny(ACME, 'services[0].deny.accounts[0]')], endpoints: [] } }),
        ],
      }),
      rule: 'deny.endpoints[0]',
      reason: /deny\.endpoints\[0\]/,
    },
    {
      name: 'account before endpoint within a list',
      p: policy({
        deny: { accounts: [deny(ACME, 'deny.accounts[3]')], endpoints: [deny('ep-1', 'deny.endpoints[0]')] },
        services: [rule({ allow: allowed })],
      }),
      rule: 'deny.accounts[3]',
      reason: /deny\.accounts\[3\]/,
    },
    {
      name: 'a denied account is rejected even when unknownAccounts is hold',
      p: policy({
        deny: { accounts: [deny(ACME, 'deny.accounts[0]')], endpoints: [] },
        services: [rule({ allow: allowed, unknownAccounts: 'hold' })],
      }),
      rule: 'deny.accounts[0]',
      reason: /reject$/,
    },
  ];
  for (const c of cases) {
    const d = decideOne(c.p, conn('ep-1', ACME, 'Connecting'));
    assert.equal(d.kind, 'reject', c.name);
    assert.equal(d.rule, c.rule, c.name);
    assert.match(d.reason, c.reason, c.name);
    assert.equal(d.bandwidthAfter, undefined);
  }
  // An endpoint deny touches only that endpoint.
  const p = cases[1]!.p;
  assert.equal(decideOne(p, conn('ep-2', ACME, 'Connecting')).kind, 'accept');
});

test('a rule deny applies only to its own rule', () => {
  const p = policy({
    services: [
      rule({
        source: 'services[0]',
        allow: [acme()],
        deny: { accounts: [deny(GLOBEX, 'services[0].deny.accounts[0]')], endpoints: [] },
      }),
      rule({
        source: 'services[1]',
        match: { kind: 'id', regionId: HANGZHOU, serviceId: SEARCH },
        allow: [allow(GLOBEX, 'services[1].allow[0]')],
      }),
    ],
  });
  assert.equal(decideOne(p, conn('ep-1', GLOBEX, 'Connecting')).rule, 'services[0].deny.accounts[0]');
  const onSearch = decideOne(
    p,
    conn('ep-2', GLOBEX, 'Connecting', { serviceId: SEARCH }),
    service({ serviceId: SEARCH }),
  );
  assert.equal(onSearch.kind, 'accept');
  assert.equal(onSearch.rule, 'services[1].allow[0]');
});

test('allow entries expanded from groups decide like any other (their source names the group)', () => {
  const p = policy({
    services: [rule({ allow: [allow(GLOBEX, 'groups.partners.accounts[1]', { name: 'globex', maxBandwidth: 2048 })] })],
  });
  const d = decideOne(p, conn('ep-1', GLOBEX, 'Connecting'));
  assert.equal(d.kind, 'accept');
  assert.equal(d.rule, 'groups.partners.accounts[1]');
  assert.equal(d.accountName, 'globex');
  assert.equal(d.bandwidthAfter, 2048);
  assert.match(
    d.reason,
    /account 2000000000000002 \(globex\) is allowed by groups\.partners\.accounts\[1\]: accept at 2048 Mbit\/s/,
  );
});

test('unknown accounts: reject or hold per the rule', () => {
  for (const mode of ['reject', 'hold'] as const) {
    const d = decideOne(
      policy({ services: [rule({ allow: [acme()], unknownAccounts: mode })] }),
      conn('ep-1', UMBRELLA, 'Connecting'),
    );
    assert.equal(d.kind, mode);
    assert.equal(d.rule, 'services[0].unknownAccounts');
    assert.equal(d.accountName, undefined);
    assert.match(d.reason, /account 2000000000000004 is not named by services\[0\]\.allow/);
    if (mode === 'hold') assert.match(d.reason, /hold for a person \(services\[0\]\.unknownAccounts is hold\)/);
  }
});

test('the display name comes from any rule naming the account', () => {
  const p = policy({
    services: [
      rule({ allow: [] }),
      rule({
        source: 'services[1]',
        match: { kind: 'id', regionId: HANGZHOU, serviceId: SEARCH },
        allow: [allow(UMBRELLA, 'services[1].allow[0]', { name: 'umbrella' })],
      }),
    ],
  });
  assert.equal(decideOne(p, conn('ep-1', UMBRELLA, 'Connecting')).accountName, 'umbrella');
  // The rule's own entry names it first; else the first rule in file order that gives a name.
  const named = policy({
    services: [
      rule({ allow: [allow(UMBRELLA, 'services[0].allow[0]', { name: 'umbrella-here' })] }),
      rule({
        source: 'services[1]',
        match: { kind: 'id', regionId: HANGZHOU, serviceId: SEARCH },
        allow: [allow(UMBRELLA, 'services[1].allow[0]'), allow(ACME, 'services[1].allow[1]', { name: 'acme-1' })],
      }),
      rule({
        source: 'services[2]',
        match: { kind: 'id', regionId: SHANGHAI, serviceId: SEARCH },
        allow: [allow(ACME, 'services[2].allow[0]', { name: 'acme-2' })],
      }),
    ],
  });
  assert.equal(decideOne(named, conn('ep-1', UMBRELLA, 'Connecting')).accountName, 'umbrella-here');
  assert.equal(
    decideOne(named, conn('ep-1', UMBRELLA, 'Connecting', { serviceId: SEARCH }), service({ serviceId: SEARCH }))
      .accountName,
    'umbrella-here',
  );
  assert.equal(decideOne(named, conn('ep-1', ACME, 'Connecting')).accountName, 'acme-1');
});

test('expiry: allowed until the instant, not allowed from it on (unknownAccounts decides reject or hold)', () => {
  const expires = '2026-11-25T12:00:00Z';
  const at = Date.parse(expires);
  for (const mode of ['reject', 'hold'] as const) {
    const p = policy({ services: [rule({ allow: [acme({ expires })], unknownAccounts: mode })] });
    assert.equal(decideOne(p, conn('ep-1', ACME, 'Connecting'), undefined, at - 1).kind, 'accept');
    for (const now of [at, at + 1]) {
      const d = decideOne(p, conn('ep-1', ACME, 'Connecting'), undefined, now);
      assert.equal(d.kind, mode, `now = expires + ${now - at}`);
      assert.equal(d.rule, 'services[0].allow[0]');
      assert.match(
        d.reason,
        /account 2000000000000001 \(acme\) is no longer allowed: its entry services\[0\]\.allow\[0\] expired at 2026-11-25T12:00:00Z/,
      );
    }
  }
  // An expiry that does not parse is treated as expired: doubt never connects.
  const bad = policy({ services: [rule({ allow: [acme({ expires: 'next tuesday' })] })] });
  assert.equal(decideOne(bad, conn('ep-1', ACME, 'Connecting')).kind, 'reject');
});

test('VPC allow list', () => {
  const p = policy({ services: [rule({ allow: [acme({ vpcs: ['vpc-a', 'vpc-b'] })], unknownAccounts: 'hold' })] });
  assert.equal(decideOne(p, conn('ep-1', ACME, 'Connecting', { endpointVpcId: 'vpc-b' })).kind, 'accept');
  const d = decideOne(p, conn('ep-1', ACME, 'Connecting', { endpointVpcId: 'vpc-x' }));
  assert.equal(d.kind, 'hold');
  assert.equal(d.rule, 'services[0].allow[0]');
  assert.match(
    d.reason,
    /VPC vpc-x of account 2000000000000001 \(acme\) is not among the VPCs services\[0\]\.allow\[0\] allows \(vpc-a, vpc-b\)/,
  );
  const rejecting = policy({ services: [rule({ allow: [acme({ vpcs: ['vpc-a'] })], unknownAccounts: 'reject' })] });
  assert.equal(decideOne(rejecting, conn('ep-1', ACME, 'Connecting', { endpointVpcId: 'vpc-x' })).kind, 'reject');
  // An empty list allows no VPC.
  const none = policy({ services: [rule({ allow: [acme({ vpcs: [] })] })] });
  assert.equal(decideOne(none, conn('ep-1', ACME, 'Connecting')).kind, 'reject');
});

test('accept bandwidth: entry, rule default, service default; capped; clamped into the service range', () => {
  type Case = {
    name: string;
    entry?: Partial<AllowEntry>;
    bw?: ServiceRule['bandwidth'];
    svc?: { minBandwidth?: number; maxBandwidth?: number; connectBandwidth?: number };
    kind: 'accept' | 'hold';
    after?: number;
    reason: RegExp;
  };
  const cases: Case[] = [
    {
      name: 'service ConnectBandwidth',
      kind: 'accept',
      after: 3072,
      reason: /accept at 3072 Mbit\/s \(3072 Mbit\/s from the service's ConnectBandwidth\)/,
    },
    {
      name: 'rule default',
      bw: { default: 1024, max: undefined },
      kind: 'accept',
      after: 1024,
      reason: /1024 Mbit\/s from services\[0\]\.bandwidth\)/,
    },
    {
      name: 'entry wins over rule default',
      entry: { bandwidth: 512 },
      bw: { default: 1024, max: undefined },
      kind: 'accept',
      after: 512,
      reason: /512 Mbit\/s from services\[0\]\.allow\[0\] bandwidth/,
    },
    {
      name: 'capped by the rule max',
      bw: { default: undefined, max: 2048 },
      kind: 'accept',
      after: 2048,
      reason:
        /3072 Mbit\/s from the service's ConnectBandwidth, lowered to the cap 2048 Mbit\/s \(services\[0\]\.maxBandwidth\)/,
    },
    {
      name: 'capped by the entry max',
      entry: { maxBandwidth: 1000 },
      kind: 'accept',
      after: 1000,
      reason: /lowered to the cap 1000 Mbit\/s \(services\[0\]\.allow\[0\] maxBandwidth\)/,
    },
    {
      name: 'entry max overrides a lower rule max',
      entry: { maxBandwidth: 4096 },
      bw: { default: 4000, max: 1000 },
      kind: 'accept',
      after: 4000,
      reason: /4000 Mbit\/s from services\[0\]\.bandwidth\)/,
    },
    {
      name: 'raised to the service minimum (no cap)',
      entry: { bandwidth: 50 },
      kind: 'accept',
      after: 100,
      reason: /50 Mbit\/s from services\[0\]\.allow\[0\] bandwidth, raised to the service minimum 100 Mbit\/s/,
    },
    {
      name: 'raised to the minimum when the cap allows it',
      entry: { bandwidth: 50, maxBandwidth: 200 },
      kind: 'accept',
      after: 100,
      reason: /raised to the service minimum 100/,
    },
    {
      name: 'cap exactly the minimum',
      entry: { maxBandwidth: 100 },
      kind: 'accept',
      after: 100,
      reason: /lowered to the cap 100 Mbit\/s/,
    },
    {
      name: 'lowered to the service maximum',
      entry: { bandwidth: 20000 },
      kind: 'accept',
      after: 10240,
      reason: /lowered to the service maximum 10240 Mbit\/s/,
    },
    {
      name: 'service maximum below the cap',
      entry: { bandwidth: 20000, maxBandwidth: 15000 },
      svc: { maxBandwidth: 10240 },
      kind: 'accept',
      after: 10240,
      reason: /lowered to the cap 15000 Mbit\/s .*, lowered to the service maximum 10240/,
    },
    {
      name: 'cap below the service minimum: hold',
      entry: { maxBandwidth: 50 },
      kind: 'hold',
      reason:
        /allowed by services\[0\]\.allow\[0\], but the cap 50 Mbit\/s \(services\[0\]\.allow\[0\] maxBandwidth\) is below the service minimum 100 Mbit\/s: raise the cap to at least 100 or accept by hand/,
    },
    {
      name: 'rule cap below a raised service minimum: hold',
      bw: { default: undefined, max: 1000 },
      svc: { minBandwidth: 2000 },
      kind: 'hold',
      reason: /the cap 1000 Mbit\/s \(services\[0\]\.maxBandwidth\) is below the service minimum 2000/,
    },
    {
      name: 'service range unreadable: hold',
      svc: { minBandwidth: 500, maxBandwidth: 100 },
      kind: 'hold',
      reason: /cannot choose a bandwidth/,
    },
  ];
  for (const c of cases) {
    const p = policy({
      services: [rule({ allow: [acme(c.entry)], bandwidth: c.bw ?? { default: undefined, max: undefined } })],
    });
    const d = decideOne(p, conn('ep-1', ACME, 'Connecting'), service(c.svc));
    assert.equal(d.kind, c.kind, `${c.name}: ${d.reason}`);
    assert.equal(d.bandwidthAfter, c.after, c.name);
    assert.match(d.reason, c.reason, c.name);
  }
});

test('maxConnections counts Connected, accepts in progress, Pending, and earlier accepts in this plan', () => {
  const limited = (reading: Policy['pendingStatus'] = 'auto'): Policy =>
    policy({
      pendingStatus: reading,
      services: [
        rule({ allow: [allow(GLOBEX, 'services[0].allow[1]', { name: 'globex', maxConnections: 2 }), acme()] }),
      ],
    });
  const t = (minute: number): string => `2026-11-25T10:${String(minute).padStart(2, '0')}:00Z`;

  // Three requests, no connection yet: the two oldest are accepted, whatever the endpoint IDs say.
  let out = plan(limited(), [
    conn('ep-a', GLOBEX, 'Connecting', { modifiedTime: t(30) }),
    conn('ep-b', GLOBEX, 'Connecting', { modifiedTime: t(10) }),
    conn('ep-c', GLOBEX, 'Connecting', { modifiedTime: t(20) }),
  ]);
  assert.deepEqual(kinds(out), ['ep-a:hold', 'ep-b:accept', 'ep-c:accept']);
  const held = out.decisions[0]!;
  assert.equal(held.rule, 'services[0].allow[1]');
  assert.match(
    held.reason,
    /limit of 2 connections reached \(services\[0\]\.allow\[1\] maxConnections\): it already has 0 connected or being connected \+ 2 accepted earlier in this run/,
  );

  // Same ModifiedTime: endpoint ID breaks the tie.
  out = plan(limited(), [
    conn('ep-z', GLOBEX, 'Connecting', { modifiedTime: t(10) }),
    conn('ep-y', GLOBEX, 'Connecting', { modifiedTime: t(10) }),
    conn('ep-x', GLOBEX, 'Connecting', { modifiedTime: t(10) }),
  ]);
  assert.deepEqual(kinds(out), ['ep-x:accept', 'ep-y:accept', 'ep-z:hold']);

  // One Connected already: one more fits.
  out = plan(limited(), [
    conn('ep-1', GLOBEX, 'Connected', { bandwidth: 2048 }),
    conn('ep-2', GLOBEX, 'Connecting', { modifiedTime: t(1) }),
    conn('ep-3', GLOBEX, 'Connecting', { modifiedTime: t(2) }),
  ]);
  assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:accept', 'ep-3:hold']);
  assert.match(out.decisions[2]!.reason, /1 connected or being connected \+ 1 accepted earlier in this run/);

  // Pending (being modified) counts; Disconnecting/Disconnected/Deleting do not.
  out = plan(limited(), [
    conn('ep-1', GLOBEX, 'Pending'),
    conn('ep-2', GLOBEX, 'Disconnecting'),
    conn('ep-3', GLOBEX, 'Deleting'),
    conn('ep-4', GLOBEX, 'Connecting', { modifiedTime: t(1) }),
    conn('ep-5', GLOBEX, 'Connecting', { modifiedTime: t(2) }),
  ]);
  assert.deepEqual(kinds(out).slice(3), ['ep-4:accept', 'ep-5:hold']);

  // Under the Disconnected reading, Connecting is an accept in progress and counts.
  out = plan(limited('Disconnected'), [
    conn('ep-1', GLOBEX, 'Connecting'),
    conn('ep-2', GLOBEX, 'Connected'),
    conn('ep-3', GLOBEX, 'Disconnected', { modifiedTime: t(1) }),
  ]);
  assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:skip', 'ep-3:hold']);
  assert.match(
    out.decisions[2]!.reason,
    /limit of 2 connections reached .*: it already has 2 connected or being connected on epsrv-bp1demoorders000001/,
  );

  // Other accounts, and the same account on another service, do not count.
  const p = limited();
  const snap: Snapshot = {
    services: [
      {
        service: service(),
        connections: [
          conn('ep-1', ACME, 'Connected'),
          conn('ep-2', ACME, 'Connected'),
          conn('ep-3', GLOBEX, 'Connecting'),
          conn('ep-4', GLOBEX, 'Connecting'),
        ],
      },
    ],
  };
  assert.deepEqual(kinds(decide(p, snap, NOW)), ['ep-1:skip', 'ep-2:skip', 'ep-3:accept', 'ep-4:accept']);
  const twoServices = policy({
    services: [
      rule({
        match: { kind: 'selector', regionId: HANGZHOU, name: undefined, description: undefined, tags: {} },
        allow: [allow(GLOBEX, 'services[0].allow[0]', { maxConnections: 1 })],
      }),
    ],
  });
  const both = decide(
    twoServices,
    {
      services: [
        { service: service(), connections: [conn('ep-1', GLOBEX, 'Connected')] },
        {
          service: service({ serviceId: SEARCH, serviceName: 'search-api' }),
          connections: [conn('ep-2', GLOBEX, 'Connecting', { serviceId: SEARCH })],
        },
      ],
    },
    NOW,
  );
  assert.deepEqual(kinds(both), ['ep-1:skip', 'ep-2:accept']);

  // A request held for bandwidth, or rejected, does not use up the limit.
  const capped = policy({
    services: [rule({ allow: [allow(GLOBEX, 'services[0].allow[0]', { maxConnections: 1, vpcs: ['vpc-ok'] })] })],
  });
  out = plan(capped, [
    conn('ep-1', GLOBEX, 'Connecting', { modifiedTime: t(1), endpointVpcId: 'vpc-bad' }),
    conn('ep-2', GLOBEX, 'Connecting', { modifiedTime: t(2), endpointVpcId: 'vpc-ok' }),
  ]);
  assert.deepEqual(kinds(out), ['ep-1:reject', 'ep-2:accept']);
});

test('maxConnections of 0 holds every request', () => {
  const p = policy({ services: [rule({ allow: [acme({ maxConnections: 0 })] })] });
  const d = decideOne(p, conn('ep-1', ACME, 'Connecting'));
  assert.equal(d.kind, 'hold');
  assert.match(d.reason, /limit of 0 connections reached/);
});

test('drift revoke: only Connected connections positively not allowed, and only when turned on', () => {
  const base = {
    deny: { accounts: [deny(INITECH, 'deny.accounts[0]')], endpoints: [deny('ep-denied', 'deny.endpoints[0]')] },
    services: [
      rule({
        allow: [
          acme({ expires: '2026-12-31T00:00:00Z', vpcs: ['vpc-bp1demo0001'] }),
          allow(GLOBEX, 'services[0].allow[1]', { expires: '2026-01-01T00:00:00Z' }),
        ],
      }),
    ],
  };
  const cases: { name: string; c: ReturnType<typeof conn>; rule: string; why: RegExp; unknown?: 'hold' }[] = [
    {
      name: 'denied account',
      c: conn('ep-1', INITECH, 'Connected'),
      rule: 'deny.accounts[0]',
      why: /account 2000000000000003 is denied by deny\.accounts\[0\]/,
    },
    {
      name: 'denied endpoint',
      c: conn('ep-denied', ACME, 'Connected'),
      rule: 'deny.endpoints[0]',
      why: /endpoint ep-denied of account 2000000000000001 \(acme\) is denied/,
    },
    {
      name: 'expired',
      c: conn('ep-1', GLOBEX, 'Connected'),
      rule: 'services[0].allow[1]',
      why: /expired at 2026-01-01T00:00:00Z/,
    },
    {
      name: 'expired, even under unknownAccounts hold',
      c: conn('ep-1', GLOBEX, 'Connected'),
      rule: 'services[0].allow[1]',
      why: /expired/,
      unknown: 'hold',
    },
    {
      name: 'VPC not allowed',
      c: conn('ep-1', ACME, 'Connected', { endpointVpcId: 'vpc-other' }),
      rule: 'services[0].allow[0]',
      why: /VPC vpc-other/,
    },
    {
      name: 'unknown under reject',
      c: conn('ep-1', UMBRELLA, 'Connected'),
      rule: 'services[0].unknownAccounts',
      why: /not named by services\[0\]\.allow/,
    },
  ];
  for (const c of cases) {
    for (const on of [true, false]) {
      const services =
        c.unknown === 'hold' ? [{ ...base.services[0]!, unknownAccounts: 'hold' as const }] : base.services;
      const p = policy({ ...base, services, drift: { revoke: on, reduceBandwidth: false } });
      const d = decideOne(p, c.c);
      assert.equal(d.kind, on ? 'revoke' : 'flag', `${c.name}, drift ${on}`);
      assert.equal(d.rule, c.rule, c.name);
      assert.match(d.reason, c.why, c.name);
      assert.match(
        d.reason,
        on ? /: revoke \(drift\.revoke is on\)$/ : /drift\.revoke is off \(it would revoke\)$/,
        c.name,
      );
      assert.equal(d.bandwidthAfter, undefined);
    }
  }
  // Unknown under hold: a person may have accepted it by hand; never revoked.
  const held = policy({
    ...base,
    services: [{ ...base.services[0]!, unknownAccounts: 'hold' }],
    drift: { revoke: true, reduceBandwidth: true },
  });
  const d = decideOne(held, conn('ep-1', UMBRELLA, 'Connected', { bandwidth: 9000 }));
  assert.equal(d.kind, 'skip');
  assert.equal(d.rule, 'services[0].unknownAccounts');
  assert.match(d.reason, /a person may have accepted it by hand; left as it is/);
  // Allowed: left alone.
  const ok = decideOne(
    policy({ ...base, drift: { revoke: true, reduceBandwidth: true } }),
    conn('ep-1', ACME, 'Connected'),
  );
  assert.equal(ok.kind, 'skip');
  assert.equal(ok.rule, 'services[0].allow[0]');
  assert.match(ok.reason, /is allowed by services\[0\]\.allow\[0\] and no bandwidth cap applies; nothing to do/);
});

test('drift reduceBandwidth: down to the cap, never below the service minimum, never up', () => {
  const DRIFT = 'drift.reduceBandwidth';
  const ENTRY = 'services[0].allow[0]';
  const cases: {
    name: string;
    entry: Partial<AllowEntry>;
    bw: number;
    on: boolean;
    kind: 'resize' | 'flag' | 'skip';
    after?: number;
    rule: string;
    reason: RegExp;
  }[] = [
    {
      name: 'above the entry cap',
      entry: { maxBandwidth: 2048 },
      bw: 8192,
      on: true,
      kind: 'resize',
      after: 2048,
      rule: DRIFT,
      reason:
        /8192 Mbit\/s is above the cap 2048 Mbit\/s \(services\[0\]\.allow\[0\] maxBandwidth\): resize to 2048 Mbit\/s/,
    },
    {
      name: 'drift off says what it would do',
      entry: { maxBandwidth: 2048 },
      bw: 8192,
      on: false,
      kind: 'flag',
      rule: DRIFT,
      reason: /drift\.reduceBandwidth is off \(it would resize to 2048 Mbit\/s\)/,
    },
    {
      name: 'exactly at the cap',
      entry: { maxBandwidth: 2048 },
      bw: 2048,
      on: true,
      kind: 'skip',
      rule: ENTRY,
      reason: /2048 Mbit\/s is within the cap 2048/,
    },
    {
      name: 'below the cap is never raised',
      entry: { maxBandwidth: 2048 },
      bw: 500,
      on: true,
      kind: 'skip',
      rule: ENTRY,
      reason: /within the cap/,
    },
    {
      name: 'cap below the service minimum: to the minimum',
      entry: { maxBandwidth: 50 },
      bw: 3072,
      on: true,
      kind: 'resize',
      after: 100,
      rule: DRIFT,
      reason: /below the service minimum 100 Mbit\/s: reduce to the minimum: resize to 100 Mbit\/s/,
    },
    {
      name: 'cap below the minimum, already at the minimum',
      entry: { maxBandwidth: 50 },
      bw: 100,
      on: true,
      kind: 'skip',
      rule: ENTRY,
      reason:
        /100 Mbit\/s is above the cap 50 Mbit\/s .*, but that cap is below the service minimum 100 Mbit\/s, which it does not exceed; nothing to do/,
    },
    { name: 'no cap', entry: {}, bw: 10240, on: true, kind: 'skip', rule: ENTRY, reason: /no bandwidth cap applies/ },
  ];
  for (const c of cases) {
    const p = policy({ services: [rule({ allow: [acme(c.entry)] })], drift: { revoke: true, reduceBandwidth: c.on } });
    const d = decideOne(p, conn('ep-1', ACME, 'Connected', { bandwidth: c.bw }));
    assert.equal(d.kind, c.kind, `${c.name}: ${d.reason}`);
    assert.equal(d.bandwidthAfter, c.after, c.name);
    assert.equal(d.bandwidthBefore, c.bw);
    assert.equal(d.rule, c.rule, c.name);
    assert.match(d.reason, c.reason, c.name);
  }
  // The rule's cap applies when the entry has none.
  const p = policy({
    services: [rule({ allow: [acme()], bandwidth: { default: undefined, max: 4096 } })],
    drift: { revoke: false, reduceBandwidth: true },
  });
  const d = decideOne(p, conn('ep-1', ACME, 'Connected', { bandwidth: 8192 }));
  assert.deepEqual([d.kind, d.bandwidthAfter, d.rule], ['resize', 4096, 'drift.reduceBandwidth']);
  assert.match(d.reason, /\(services\[0\]\.maxBandwidth\)/);
});

test('auto-accept services: a warning, and their connections are still decided', () => {
  const p = policy({
    services: [rule({ allow: [acme()] })],
    deny: { accounts: [deny(INITECH, 'deny.accounts[0]')], endpoints: [] },
    drift: { revoke: true, reduceBandwidth: false },
  });
  const out = plan(
    p,
    [conn('ep-1', ACME, 'Connected'), conn('ep-2', INITECH, 'Connected')],
    service({ autoAcceptEnabled: true }),
  );
  assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:revoke']);
  assert.deepEqual(
    out.warnings.map((w) => [w.code, w.regionId, w.serviceId]),
    [['auto-accept', HANGZHOU, ORDERS]],
  );
  assert.match(
    out.warnings[0]!.message,
    /AutoAcceptEnabled: every connection request is accepted without review, bypassing services\[0\]/,
  );
  assert.equal(plan(p, [], service()).warnings.length, 0);
  // Unknown accounts there: accepted by the service itself, not revoked under hold.
  const held = policy({
    services: [rule({ unknownAccounts: 'hold' })],
    drift: { revoke: true, reduceBandwidth: true },
  });
  assert.match(
    decideOne(held, conn('ep-1', UMBRELLA, 'Connected'), service({ autoAcceptEnabled: true })).reason,
    /accepted it automatically \(AutoAcceptEnabled\)/,
  );
});

test('only governed services are decided; services elsewhere are ignored', () => {
  const p = policy({ services: [rule({ allow: [acme()] })] });
  const snap: Snapshot = {
    services: [
      {
        service: service({ serviceId: SEARCH }),
        connections: [conn('ep-s', ACME, 'Connecting', { serviceId: SEARCH })],
      },
      {
        service: service({ regionId: SHANGHAI }),
        connections: [conn('ep-sh', ACME, 'Connecting', { regionId: SHANGHAI })],
      },
      { service: service(), connections: [conn('ep-o', ACME, 'Connecting')] },
    ],
  };
  const out = decide(p, snap, NOW);
  assert.deepEqual(kinds(out), ['ep-o:accept']);
  assert.equal(out.governedConnections, 1);
  assert.deepEqual(out.warnings, []);
});

test('no-services: the policy governs services but the snapshot holds none; never a revocation', () => {
  const p = policy({
    services: [
      rule(),
      rule({
        source: 'services[1]',
        match: { kind: 'id', regionId: SHANGHAI, serviceId: 'epsrv-uf6demoorders000003' },
      }),
    ],
    drift: { revoke: true, reduceBandwidth: true },
  });
  const out = decide(p, { services: [] }, NOW);
  assert.deepEqual(out.decisions, []);
  assert.equal(out.governedConnections, 0);
  assert.deepEqual(
    out.warnings.map((w) => [w.code, w.regionId, w.serviceId]),
    [
      ['no-services', HANGZHOU, undefined],
      ['no-services', SHANGHAI, undefined],
    ],
  );
  // A governed service with no connections is normal: no warning, no decisions.
  const empty = plan(p, []);
  assert.deepEqual([empty.decisions, empty.warnings], [[], []]);
});

test('a listing that looks wrong: exact duplicates decided once, conflicting copies only skipped', () => {
  const p = policy({
    services: [rule({ allow: [acme()] })],
    deny: { accounts: [deny(INITECH, 'deny.accounts[0]')], endpoints: [] },
    drift: { revoke: true, reduceBandwidth: true },
  });
  const c = conn('ep-1', ACME, 'Connecting');
  let out = plan(p, [c, { ...c }]);
  assert.deepEqual(kinds(out), ['ep-1:accept']);
  assert.deepEqual(
    out.warnings.map((w) => w.code),
    ['duplicate-connection'],
  );
  const x = conn('ep-2', INITECH, 'Connected');
  out = plan(p, [x, { ...x, connectionStatus: 'Disconnecting' }]);
  assert.deepEqual(kinds(out), ['ep-2:skip']);
  assert.equal(out.decisions[0]!.rule, 'builtin.inconsistent-listing');
  assert.deepEqual(
    out.warnings.map((w) => w.code),
    ['inconsistent-listing'],
  );
  out = plan(p, [conn('ep-3', INITECH, 'Connected', { serviceId: SEARCH })]);
  assert.deepEqual(kinds(out), ['ep-3:skip']);
  assert.equal(out.decisions[0]!.serviceId, ORDERS);
  // The same service listed twice: connections merged, decided once, warned.
  const svc = service();
  out = decide(
    p,
    {
      services: [
        { service: svc, connections: [c] },
        { service: svc, connections: [c, conn('ep-4', ACME, 'Connecting')] },
      ],
    },
    NOW,
  );
  assert.deepEqual(kinds(out), ['ep-1:accept', 'ep-4:accept']);
  assert.deepEqual(
    out.warnings.map((w) => w.code),
    ['duplicate-service', 'duplicate-connection'],
  );
});

test('stable order: region, service, endpoint, whatever the input order', () => {
  const p = policy({
    services: [
      rule({
        match: { kind: 'selector', regionId: HANGZHOU, name: undefined, description: undefined, tags: {} },
        allow: [acme()],
      }),
      rule({
        source: 'services[1]',
        match: { kind: 'selector', regionId: SHANGHAI, name: undefined, description: undefined, tags: {} },
        allow: [acme()],
      }),
    ],
  });
  const sh = service({ regionId: SHANGHAI, serviceId: 'epsrv-uf6demoorders000003' });
  const search = service({ serviceId: SEARCH });
  const mk = (svc: ReturnType<typeof service>, ep: string): ReturnType<typeof conn> =>
    conn(ep, ACME, 'Connecting', { regionId: svc.regionId, serviceId: svc.serviceId });
  const parts = [
    { service: sh, connections: [mk(sh, 'ep-b'), mk(sh, 'ep-a')] },
    { service: search, connections: [mk(search, 'ep-c'), mk(search, 'ep-B')] },
    { service: service(), connections: [mk(service(), 'ep-z'), mk(service(), 'ep-a')] },
  ];
  const want = [
    `${HANGZHOU}/${ORDERS}/ep-a`,
    `${HANGZHOU}/${ORDERS}/ep-z`,
    `${HANGZHOU}/${SEARCH}/ep-B`,
    `${HANGZHOU}/${SEARCH}/ep-c`,
    `${SHANGHAI}/epsrv-uf6demoorders000003/ep-a`,
    `${SHANGHAI}/epsrv-uf6demoorders000003/ep-b`,
  ];
  const key = (d: Decision): string => `${d.regionId}/${d.serviceId}/${d.endpointId}`;
  const first = decide(p, { services: parts }, NOW);
  assert.deepEqual(first.decisions.map(key), want);
  const reversed = decide(
    p,
    { services: [...parts].reverse().map((s) => ({ ...s, connections: [...s.connections].reverse() })) },
    NOW,
  );
  assert.deepEqual(reversed, first);
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

test('decide does not modify its inputs', () => {
  const p = policy({
    deny: { accounts: [deny(INITECH, 'deny.accounts[0]')], endpoints: [] },
    services: [rule({ allow: [acme({ maxBandwidth: 2048, maxConnections: 1 })], unknownAccounts: 'hold' })],
    drift: { revoke: true, reduceBandwidth: true },
    limits: { maxDisconnects: 0, maxDisconnectsPercent: undefined, maxResizes: 0, maxResizesPercent: undefined },
  });
  const snap: Snapshot = {
    services: [
      {
        service: service({ autoAcceptEnabled: true }),
        connections: [
          conn('ep-3', ACME, 'Connecting'),
          conn('ep-1', ACME, 'Connected', { bandwidth: 8192 }),
          conn('ep-2', INITECH, 'Connected'),
          conn('ep-4', UMBRELLA, 'Connecting'),
          conn('ep-4', UMBRELLA, 'Connecting', { modifiedTime: 'x' }),
        ],
      },
    ],
  };
  const before = structuredClone({ p, snap });
  // Frozen: any write throws in strict mode (ES modules are strict).
  const out = decide(deepFreeze(p), deepFreeze(snap), NOW);
  assert.deepEqual({ p, snap }, before);
  assert.deepEqual(kinds(out), ['ep-1:resize', 'ep-2:revoke', 'ep-3:hold', 'ep-4:skip']);
});

test('bandwidth reasons name the key as written in the file: defaults or the rule', () => {
  const text = [
    'version: 1',
    'mode: enforce',
    'defaults:',
    '  unknownAccounts: reject',
    '  bandwidth: 1024',
    '  maxBandwidth: 4096',
    'services:',
    '  - region: cn-hangzhou',
    `    serviceId: ${ORDERS}`,
    '    allow:',
    `      - account: "${ACME}"`,
    '  - region: cn-hangzhou',
    `    serviceId: ${SEARCH}`,
    '    bandwidth: 512',
    '    maxBandwidth: 2048',
    '    allow:',
    `      - account: "${ACME}"`,
    '',
  ].join('\n');
  const loaded = loadPolicyText(text, 'p.yaml');
  assert.ok(loaded.ok);
  const p = { ...loaded.policy, drift: { revoke: false, reduceBandwidth: true } };
  assert.match(
    decideOne(p, conn('ep-1', ACME, 'Connecting')).reason,
    /accept at 1024 Mbit\/s \(1024 Mbit\/s from defaults\.bandwidth\)$/,
  );
  assert.match(
    decideOne(p, conn('ep-1', ACME, 'Connected', { bandwidth: 8192 })).reason,
    /above the cap 4096 Mbit\/s \(defaults\.maxBandwidth\)/,
  );
  const onSearch = (c: ReturnType<typeof conn>): string =>
    decideOne(p, { ...c, serviceId: SEARCH }, service({ serviceId: SEARCH })).reason;
  assert.match(
    onSearch(conn('ep-2', ACME, 'Connecting')),
    /accept at 512 Mbit\/s \(512 Mbit\/s from services\[1\]\.bandwidth\)$/,
  );
  assert.match(
    onSearch(conn('ep-2', ACME, 'Connected', { bandwidth: 8192 })),
    /above the cap 2048 Mbit\/s \(services\[1\]\.maxBandwidth\)/,
  );
});

test('unknownAccounts set once in defaults: decisions name defaults.unknownAccounts, not a key the rule lacks', () => {
  const text = `version: 1\nmode: enforce\ndefaults:\n  unknownAccounts: hold\nservices:\n  - region: cn-hangzhou\n    serviceId: ${ORDERS}\n  - region: cn-hangzhou\n    serviceId: ${SEARCH}\n    unknownAccounts: reject\n`;
  const loaded = loadPolicyText(text, 'p.yaml');
  assert.ok(loaded.ok);
  const held = decideOne(loaded.policy, conn('ep-1', UMBRELLA, 'Connecting'));
  assert.deepEqual([held.kind, held.rule], ['hold', 'defaults.unknownAccounts']);
  assert.match(held.reason, /hold for a person \(defaults\.unknownAccounts is hold\)$/);
  const live = decideOne(loaded.policy, conn('ep-1', UMBRELLA, 'Connected'));
  assert.match(live.reason, /and defaults\.unknownAccounts is hold: a person may have accepted it by hand/);
  const rejected = decideOne(
    loaded.policy,
    conn('ep-2', UMBRELLA, 'Connecting', { serviceId: SEARCH }),
    service({ serviceId: SEARCH }),
  );
  assert.deepEqual([rejected.kind, rejected.rule], ['reject', 'services[1].unknownAccounts']);
});

test('a lowered maxConnections never revokes live connections, even with drift on; new requests wait', () => {
  const p = policy({
    services: [rule({ allow: [acme({ maxConnections: 1 })] })],
    drift: { revoke: true, reduceBandwidth: true },
  });
  const out = plan(p, [
    conn('ep-1', ACME, 'Connected'),
    conn('ep-2', ACME, 'Connected'),
    conn('ep-3', ACME, 'Connecting'),
  ]);
  assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:skip', 'ep-3:hold']);
  assert.match(
    out.decisions[2]!.reason,
    /limit of 1 connection reached .*: it already has 2 connected or being connected/,
  );
});

test('a connection listed with conflicting copies still counts against maxConnections when any copy would: doubt never connects one too many', () => {
  const p = policy({
    pendingStatus: 'Connecting',
    services: [rule({ allow: [allow(ACME, 'services[0].allow[0]', { maxConnections: 1 })] })],
  });
  // ep-a moved Connecting -> Connected while the pages were read (a page boundary shifted): two different copies.
  const a = conn('ep-a', ACME, 'Connected');
  const out = plan(p, [a, { ...a, connectionStatus: 'Pending' }, conn('ep-b', ACME, 'Connecting')]);
  assert.deepEqual(kinds(out), ['ep-a:skip', 'ep-b:hold']);
  assert.equal(out.decisions[0]!.rule, 'builtin.inconsistent-listing');
  assert.match(out.decisions[1]!.reason, /limit of 1 connection reached/);
});
