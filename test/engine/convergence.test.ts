import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointConnection } from '../../functions/engine/resources.ts';
import type { Decision } from '../../functions/engine/decision.ts';
import type { AllowEntry, PendingStatusReading } from '../../functions/policy/policy.ts';
import { ACME, GLOBEX, INITECH, UMBRELLA, allow, conn, deny, plan, policy, rule } from './builders.ts';

/** What the platform ends in after each decision is carried out (asynchronous steps settled). */
function applyDecision(c: EndpointConnection, d: Decision): EndpointConnection {
  switch (d.kind) {
    case 'accept':
      return { ...c, connectionStatus: 'Connected', bandwidth: d.bandwidthAfter! };
    case 'resize':
      return { ...c, bandwidth: d.bandwidthAfter! };
    case 'reject':
    case 'revoke':
      return { ...c, connectionStatus: 'Disconnected' };
    default:
      return c;
  }
}

test('a run settles: after one applied plan, the next changes nothing (no flapping)', () => {
  const entries: Partial<AllowEntry>[] = [
    {},
    { bandwidth: 20000 },
    { bandwidth: 50 },
    { maxBandwidth: 1024 },
    { bandwidth: 5000, maxBandwidth: 2048, maxConnections: 2 },
    { maxBandwidth: 50 },
  ];
  const readings: PendingStatusReading[] = ['Connecting', 'Disconnected', 'auto'];
  let runs = 0;
  for (const reading of readings) {
    for (const entry of entries) {
      for (const unknownAccounts of ['reject', 'hold'] as const) {
        for (const ruleMax of [undefined, 4096]) {
          const p = policy({
            pendingStatus: reading,
            deny: { accounts: [deny(INITECH, 'deny.accounts[0]')], endpoints: [] },
            services: [
              rule({
                allow: [
                  allow(ACME, 'services[0].allow[0]', entry),
                  allow(GLOBEX, 'services[0].allow[1]', { expires: '2026-01-01T00:00:00Z' }),
                ],
                unknownAccounts,
                bandwidth: { default: undefined, max: ruleMax },
              }),
            ],
            drift: { revoke: true, reduceBandwidth: true },
          });
          const pending = reading === 'Disconnected' ? 'Disconnected' : 'Connecting';
          let fleet = [
            conn('ep-1', ACME, pending),
            conn('ep-2', ACME, pending),
            conn('ep-3', ACME, pending),
            conn('ep-4', ACME, 'Connected', { bandwidth: 9000 }),
            conn('ep-5', INITECH, pending),
            conn('ep-6', INITECH, 'Connected'),
            conn('ep-7', UMBRELLA, pending),
            conn('ep-8', UMBRELLA, 'Connected'),
            conn('ep-9', GLOBEX, 'Connected'),
          ];
          const first = plan(p, fleet);
          fleet = fleet.map((c, i) => applyDecision(c, first.decisions[i]!));
          const second = plan(p, fleet);
          const label = `${reading} ${JSON.stringify(entry)} ${unknownAccounts} cap ${ruleMax}`;
          const changes = second.decisions.filter((d) => d.kind !== 'skip' && d.kind !== 'hold');
          assert.deepEqual(
            changes.map((d) => `${d.endpointId}:${d.kind}: ${d.reason}`),
            [],
            label,
          );
          // Holds are stable too: the same ones, for the same reasons.
          const holds = (ds: Decision[]): string[] =>
            ds.filter((d) => d.kind === 'hold').map((d) => `${d.endpointId}:${d.rule}`);
          assert.deepEqual(holds(second.decisions), holds(first.decisions), label);
          runs += 1;
        }
      }
    }
  }
  assert.equal(runs, 3 * 6 * 2 * 2);
});
