/**
 * maxConnections while an accept may still be in progress (decide.ts, `holdUnsettledContention`): under
 * the Connecting and auto readings an accept in progress shows Connecting like a request, with the
 * ModifiedTime of our Enable. When an account's requests contend for its slots and a Connecting one the
 * limit would hold changed recently and after an accepted competitor, every contested request is held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCEPT_SETTLE_WINDOW_MS, decide } from '../../functions/engine/decide.ts';
import type { Plan } from '../../functions/engine/decision.ts';
import type { EndpointConnection } from '../../functions/engine/resources.ts';
import type { PendingStatusReading, Policy } from '../../functions/policy/policy.ts';
import { ACME, GLOBEX, NOW, SEARCH, allow, conn, kinds, plan, policy, rule, service } from './builders.ts';

/** An ISO ModifiedTime `ms` before NOW (2026-11-25T12:00:00Z). */
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;

/** globex may have `max` connections on the service; acme has no limit. */
function limited(reading: PendingStatusReading, max = 2): Policy {
  return policy({
    pendingStatus: reading,
    services: [
      rule({
        allow: [
          allow(GLOBEX, 'services[0].allow[0]', { name: 'globex', maxConnections: max }),
          allow(ACME, 'services[0].allow[1]', { name: 'acme' }),
        ],
      }),
    ],
  });
}

/** The race: ep-1 live, ep-2 held earlier (old), ep-3 accepted by the previous run and still Connecting. */
function race(ours: string = ago(30_000)): EndpointConnection[] {
  return [
    conn('ep-1', GLOBEX, 'Connected', { modifiedTime: ago(5 * HOUR) }),
    conn('ep-2', GLOBEX, 'Connecting', { modifiedTime: ago(2 * HOUR) }),
    conn('ep-3', GLOBEX, 'Connecting', { modifiedTime: ours }),
  ];
}

const LIMIT_REASON = /but the limit of 2 connections reached \(services\[0\]\.allow\[0\] maxConnections\)/;

function settleReason(n: number, slots: string, endpoint: string, at: string, reading: PendingStatusReading): string {
  return (
    `but ${n} requests compete for ${slots} of maxConnections 2 and ${endpoint} changed at ${at}, less than 10 minutes ago: ` +
    `it may be an accept still in progress, which looks the same under pendingStatus ${reading}; accepting none of them in this run, deciding in a later run`
  );
}

test('the settle window is 10 minutes: two schedule intervals', () => {
  assert.equal(ACCEPT_SETTLE_WINDOW_MS, 10 * MIN);
});

test('contention and a recent change under Connecting and auto: every contested request is held, the reason says why', () => {
  for (const reading of ['Connecting', 'auto'] as const) {
    const fleet = race();
    const out = plan(limited(reading), fleet);
    assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:hold', 'ep-3:hold'], reading);
    for (const d of out.decisions.slice(1)) {
      assert.equal(d.rule, 'services[0].allow[0]', reading);
      assert.equal(d.bandwidthAfter, undefined, reading);
      assert.equal(
        d.reason,
        `request awaiting a decision (Connecting): account 2000000000000002 (globex) is allowed by services[0].allow[0], ${settleReason(2, '1 slot', 'ep-3', fleet[2]!.modifiedTime, reading)}`,
        reading,
      );
    }
  }
});

test('under auto a Disconnected competitor counts too: our accept of it is the one in progress', () => {
  // Run 1 accepted ep-3 (Disconnected -> Connecting, ModifiedTime moved); ep-2 is an older Disconnected request.
  const fleet = [
    conn('ep-1', GLOBEX, 'Connected', { modifiedTime: ago(5 * HOUR) }),
    conn('ep-2', GLOBEX, 'Disconnected', { modifiedTime: ago(2 * HOUR) }),
    conn('ep-3', GLOBEX, 'Connecting', { modifiedTime: ago(MIN) }),
  ];
  const out = plan(limited('auto'), fleet);
  assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:hold', 'ep-3:hold']);
  assert.ok(
    out.decisions[1]!.reason.startsWith(
      'Disconnected (a new request, or one rejected or disconnected earlier: indistinguishable under pendingStatus auto): ',
    ),
  );
  assert.ok(out.decisions[1]!.reason.endsWith(settleReason(2, '1 slot', 'ep-3', fleet[2]!.modifiedTime, 'auto')));
});

test('several accepts in progress: all contested requests held, the newest change named', () => {
  // The previous run accepted ep-3 and ep-4 (no connection yet); ep-2 was held then.
  const fleet = [
    conn('ep-2', GLOBEX, 'Connecting', { modifiedTime: ago(HOUR) }),
    conn('ep-3', GLOBEX, 'Connecting', { modifiedTime: ago(40_000) }),
    conn('ep-4', GLOBEX, 'Connecting', { modifiedTime: ago(39_000) }),
  ];
  const out = plan(limited('Connecting'), fleet);
  assert.deepEqual(kinds(out), ['ep-2:hold', 'ep-3:hold', 'ep-4:hold']);
  for (const d of out.decisions)
    assert.ok(d.reason.endsWith(settleReason(3, '2 slots', 'ep-4', fleet[2]!.modifiedTime, 'Connecting')), d.reason);
});

test('contention with nothing recent: oldest first gets the slots, as always', () => {
  for (const reading of ['Connecting', 'auto'] as const) {
    const out = plan(limited(reading), race(ago(HOUR)));
    assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:accept', 'ep-3:hold'], reading);
    assert.match(out.decisions[2]!.reason, LIMIT_REASON);
    assert.match(
      out.decisions[2]!.reason,
      /it already has 1 connected or being connected \+ 1 accepted earlier in this run/,
    );
  }
});

test('no contention: recent requests are accepted (an accept in progress is accepted again, harmlessly)', () => {
  for (const reading of ['Connecting', 'auto'] as const) {
    const out = plan(limited(reading, 3), race(ago(1000)));
    assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:accept', 'ep-3:accept'], reading);
    // No limit at all: the same.
    const free = plan(limited(reading, 3), [
      ...race(ago(1000)),
      conn('ep-4', ACME, 'Connecting', { modifiedTime: ago(1000) }),
    ]);
    assert.deepEqual(kinds(free), ['ep-1:skip', 'ep-2:accept', 'ep-3:accept', 'ep-4:accept'], reading);
  }
});

test('the Disconnected reading is unaffected: an accept in progress counts, requests go oldest first', () => {
  const p = limited('Disconnected');
  // The accept in progress (Connecting) is counted: with ep-1, the limit is reached.
  let out = plan(p, [...race(ago(30_000)), conn('ep-4', GLOBEX, 'Disconnected', { modifiedTime: ago(3 * HOUR) })]);
  assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:skip', 'ep-3:skip', 'ep-4:hold']);
  assert.match(out.decisions[3]!.reason, /it already has 3 connected or being connected/);
  // Recent requests in contention: oldest first, at once.
  out = plan(p, [
    conn('ep-1', GLOBEX, 'Connected', { modifiedTime: ago(5 * HOUR) }),
    conn('ep-2', GLOBEX, 'Disconnected', { modifiedTime: ago(2 * MIN) }),
    conn('ep-3', GLOBEX, 'Disconnected', { modifiedTime: ago(MIN) }),
  ]);
  assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:accept', 'ep-3:hold']);
  assert.match(out.decisions[2]!.reason, LIMIT_REASON);
});

test('the window boundary: a change exactly 10 minutes old has settled, 1 ms less has not', () => {
  for (const reading of ['Connecting', 'auto'] as const) {
    const inside = plan(limited(reading), race(ago(ACCEPT_SETTLE_WINDOW_MS - 1)));
    assert.deepEqual(kinds(inside), ['ep-1:skip', 'ep-2:hold', 'ep-3:hold'], reading);
    assert.ok(
      inside.decisions[1]!.reason.endsWith(settleReason(2, '1 slot', 'ep-3', '2026-11-25T11:50:00.001Z', reading)),
      inside.decisions[1]!.reason,
    );
    const edge = plan(limited(reading), race(ago(ACCEPT_SETTLE_WINDOW_MS)));
    assert.deepEqual(kinds(edge), ['ep-1:skip', 'ep-2:accept', 'ep-3:hold'], reading);
    assert.match(edge.decisions[2]!.reason, LIMIT_REASON);
    // The same seen from the other side: the engine's `now` moves, the listing does not.
    const fleet = race('2026-11-25T11:59:00Z');
    assert.deepEqual(
      kinds(plan(limited(reading), fleet, undefined, Date.parse('2026-11-25T12:08:59.999Z'))),
      ['ep-1:skip', 'ep-2:hold', 'ep-3:hold'],
      reading,
    );
    assert.deepEqual(
      kinds(plan(limited(reading), fleet, undefined, Date.parse('2026-11-25T12:09:00Z'))),
      ['ep-1:skip', 'ep-2:accept', 'ep-3:hold'],
      reading,
    );
  }
});

test('requests that tie on ModifiedTime arrived together: decided at once, by endpoint ID (the demo fleet)', () => {
  // An accept moves its connection's ModifiedTime past every competitor held with it, so a tie is not
  // the signature of an accept in progress: the demo's first run accepts ep-2 and holds ep-3.
  for (const reading of ['Connecting', 'auto'] as const) {
    const at = ago(2000);
    const out = plan(limited(reading), [
      conn('ep-1', GLOBEX, 'Connected', { modifiedTime: at }),
      conn('ep-3', GLOBEX, 'Connecting', { modifiedTime: at }),
      conn('ep-2', GLOBEX, 'Connecting', { modifiedTime: at }),
    ]);
    assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:accept', 'ep-3:hold'], reading);
    assert.match(out.decisions[2]!.reason, LIMIT_REASON);
  }
});

test('only a Connecting request can be an accept in progress: a recent Disconnected one held by the limit changes nothing (auto)', () => {
  const out = plan(limited('auto'), [
    conn('ep-1', GLOBEX, 'Connected', { modifiedTime: ago(5 * HOUR) }),
    conn('ep-2', GLOBEX, 'Connecting', { modifiedTime: ago(2 * HOUR) }),
    conn('ep-3', GLOBEX, 'Disconnected', { modifiedTime: ago(MIN) }),
  ]);
  assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:accept', 'ep-3:hold']);
  assert.match(out.decisions[2]!.reason, LIMIT_REASON);
});

test('at the limit already, nothing would be accepted: the limit is the reason, not the window', () => {
  const out = plan(limited('Connecting'), [
    conn('ep-1', GLOBEX, 'Connected', { modifiedTime: ago(5 * HOUR) }),
    conn('ep-2', GLOBEX, 'Connected', { modifiedTime: ago(4 * HOUR) }),
    conn('ep-3', GLOBEX, 'Connecting', { modifiedTime: ago(2 * HOUR) }),
    conn('ep-4', GLOBEX, 'Connecting', { modifiedTime: ago(MIN) }),
  ]);
  assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:skip', 'ep-3:hold', 'ep-4:hold']);
  for (const d of out.decisions.slice(2))
    assert.match(d.reason, /limit of 2 connections reached .*: it already has 2 connected or being connected on /);
});

test('doubt holds: an unreadable ModifiedTime, or one in the future (clock skew), counts as a recent change', () => {
  const unreadable = plan(limited('Connecting'), race('yesterday'));
  assert.deepEqual(kinds(unreadable), ['ep-1:skip', 'ep-2:hold', 'ep-3:hold']);
  assert.match(
    unreadable.decisions[1]!.reason,
    /and ep-3 changed at an unreadable time \("yesterday"\): it may be an accept still in progress/,
  );
  // Every time unreadable: no order to trust at all.
  const none = plan(
    limited('Connecting'),
    race('yesterday').map((c) => ({ ...c, modifiedTime: 'soon' })),
  );
  assert.deepEqual(kinds(none), ['ep-1:skip', 'ep-2:hold', 'ep-3:hold']);
  assert.match(none.decisions[2]!.reason, /and ep-3 changed at an unreadable time \("soon"\)/);
  const future = plan(limited('auto'), race(new Date(NOW + 90_000).toISOString()));
  assert.deepEqual(kinds(future), ['ep-1:skip', 'ep-2:hold', 'ep-3:hold']);
});

test('only the contested account on that service waits: other accounts, other services, other kinds of hold are untouched', () => {
  const p = policy({
    pendingStatus: 'auto',
    services: [
      rule({
        match: { kind: 'selector', regionId: 'cn-hangzhou', name: undefined, description: undefined, tags: {} },
        unknownAccounts: 'hold',
        allow: [
          allow(GLOBEX, 'services[0].allow[0]', { name: 'globex', maxConnections: 2, vpcs: ['vpc-bp1demo0001'] }),
          allow(ACME, 'services[0].allow[1]', { name: 'acme', maxConnections: 1 }),
        ],
      }),
    ],
  });
  const snap = {
    services: [
      {
        service: service(),
        connections: [
          ...race(),
          // Another VPC: not allowed, held for a person; it does not compete for the slots.
          conn('ep-5', GLOBEX, 'Connecting', { modifiedTime: ago(3 * HOUR), endpointVpcId: 'vpc-other' }),
          // acme: one slot, one recent request: accepted.
          conn('ep-6', ACME, 'Connecting', { modifiedTime: ago(MIN) }),
        ],
      },
      // globex on another service: one old request, room for it.
      {
        service: service({ serviceId: SEARCH, serviceName: 'search-api' }),
        connections: [conn('ep-7', GLOBEX, 'Connecting', { serviceId: SEARCH, modifiedTime: ago(MIN) })],
      },
    ],
  };
  const out: Plan = decide(p, snap, NOW);
  assert.deepEqual(kinds(out), ['ep-1:skip', 'ep-2:hold', 'ep-3:hold', 'ep-5:hold', 'ep-6:accept', 'ep-7:accept']);
  assert.ok(
    out.decisions[1]!.reason.endsWith(
      settleReason(2, '1 slot', 'ep-3', snap.services[0]!.connections[2]!.modifiedTime, 'auto'),
    ),
  );
  assert.match(out.decisions[3]!.reason, /VPC vpc-other .* is not among the VPCs services\[0\]\.allow\[0\] allows/);
  // Deterministic: the same plan whatever the listing order.
  const reversed = decide(
    p,
    { services: [...snap.services].reverse().map((s) => ({ ...s, connections: [...s.connections].reverse() })) },
    NOW,
  );
  assert.deepEqual(reversed, out);
});
