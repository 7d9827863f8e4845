import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderWrites, writeUrgency } from '../../functions/engine/write-order.ts';
import type { Decision } from '../../functions/engine/decision.ts';
import { ACME, GLOBEX, INITECH, UMBRELLA, allow, conn, deny, plan, policy, rule } from './builders.ts';

/** One plan with every kind of decision, by endpoint: its decisions by endpoint ID. */
function fleet(): Map<string, Decision> {
  const p = policy({
    pendingStatus: 'Connecting',
    deny: { accounts: [deny(INITECH, 'deny.accounts[0]', 'contract ended')], endpoints: [] },
    services: [
      rule({
        allow: [
          allow(ACME, 'services[0].allow[0]', { maxBandwidth: 1024 }),
          allow(GLOBEX, 'services[0].allow[1]', { expires: '2026-01-01T00:00:00.000Z' }),
        ],
        deny: { accounts: [], endpoints: [deny('ep-denied-endpoint', 'services[0].deny.endpoints[0]')] },
        unknownAccounts: 'reject',
      }),
    ],
    drift: { revoke: true, reduceBandwidth: true },
  });
  const at = (t: string): { modifiedTime: string } => ({ modifiedTime: t });
  const out = plan(p, [
    conn('ep-skip-transition', ACME, 'Pending'),
    conn('ep-accept-new', ACME, 'Connecting', at('2026-11-25T11:00:00Z')),
    conn('ep-resize', ACME, 'Connected'),
    conn('ep-revoke-expired', GLOBEX, 'Connected'),
    conn('ep-reject', UMBRELLA, 'Connecting'),
    conn('ep-accept-old', ACME, 'Connecting', at('2026-11-25T09:00:00Z')),
    conn('ep-revoke-denied', INITECH, 'Connected'),
    conn('ep-accept-unreadable', ACME, 'Connecting', at('not a time')),
    conn('ep-denied-endpoint', ACME, 'Connected'),
    conn('ep-revoke-unknown', UMBRELLA, 'Connected'),
  ]);
  return new Map(out.decisions.map((d) => [d.endpointId, d]));
}

test('writeUrgency: the class of each kind of decision', () => {
  const byId = fleet();
  const table: [string, string, ReturnType<typeof writeUrgency>][] = [
    ['ep-revoke-denied', 'revoke', 'stop-access'],
    ['ep-denied-endpoint', 'revoke', 'stop-access'],
    ['ep-reject', 'reject', 'reject'],
    ['ep-accept-old', 'accept', 'accept'],
    ['ep-resize', 'resize', 'reduce-bandwidth'],
    ['ep-revoke-expired', 'revoke', 'revoke'],
    ['ep-revoke-unknown', 'revoke', 'revoke'],
    ['ep-skip-transition', 'skip', 'no-write'],
  ];
  for (const [endpointId, kind, urgency] of table) {
    const d = byId.get(endpointId);
    assert.equal(d?.kind, kind, endpointId);
    assert.equal(d === undefined ? undefined : writeUrgency(d), urgency, endpointId);
  }
  const denied = byId.get('ep-revoke-denied');
  assert.ok(denied);
  assert.equal(writeUrgency({ ...denied, blocked: { limit: 'maxDisconnects', reason: 'x' } }), 'no-write');
});

test('orderWrites: stop access, reject, accept oldest first, reduce bandwidth, other revokes, then the rest', () => {
  const decisions = [...fleet().values()];
  assert.deepEqual(
    orderWrites(decisions).map((d) => d.endpointId),
    [
      'ep-denied-endpoint',
      'ep-revoke-denied',
      'ep-reject',
      'ep-accept-old',
      'ep-accept-new',
      'ep-accept-unreadable',
      'ep-resize',
      'ep-revoke-expired',
      'ep-revoke-unknown',
      'ep-skip-transition',
    ],
  );
  assert.equal(decisions[0]?.endpointId, 'ep-accept-new', 'the input is not reordered in place');
});

test('orderWrites is stable: equal urgency keeps the input order, whatever it is', () => {
  const decisions = [...fleet().values()];
  const reversed = orderWrites([...decisions].reverse()).map((d) => d.endpointId);
  assert.deepEqual(reversed.slice(0, 2), ['ep-revoke-denied', 'ep-denied-endpoint']);
  assert.deepEqual(reversed.slice(-3), ['ep-revoke-unknown', 'ep-revoke-expired', 'ep-skip-transition']);
  assert.deepEqual(orderWrites([]), []);
});
