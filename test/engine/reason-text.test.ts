/**
 * Reasons are data rendered in one place: every decision's `reason` is exactly the text of its
 * `reasonCode` and `reasonParams`, and the parameters are plain data (they survive JSON).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONNECTION_STATUSES } from '../../functions/engine/resources.ts';
import type { ConnectionStatus } from '../../functions/engine/resources.ts';
import { reasonText } from '../../functions/engine/reason-text.ts';
import type { Reason, ReasonCode } from '../../functions/engine/reason-text.ts';
import type { PendingStatusReading } from '../../functions/policy/policy.ts';
import { ACME, GLOBEX, INITECH, UMBRELLA, allow, conn, deny, plan, policy, rule, service } from './builders.ts';

test('every decision reason is rendered from its code and parameters, which are plain data', () => {
  const seen = new Set<ReasonCode>();
  const readings: PendingStatusReading[] = ['Connecting', 'Disconnected', 'auto'];
  const statuses: ConnectionStatus[] = [...CONNECTION_STATUSES, 'Bogus' as ConnectionStatus];
  for (const reading of readings) {
    for (const driftOn of [false, true]) {
      for (const unknownAccounts of ['reject', 'hold'] as const) {
        const p = policy({
          pendingStatus: reading,
          deny: { accounts: [deny(INITECH, 'deny.accounts[0]', 'contract ended')], endpoints: [] },
          services: [
            rule({
              allow: [
                allow(ACME, 'services[0].allow[0]', { name: 'acme', maxBandwidth: 1024, maxConnections: 3 }),
                allow(GLOBEX, 'services[0].allow[1]', { expires: '2026-01-01T00:00:00.000Z' }),
              ],
              unknownAccounts,
            }),
          ],
          drift: { revoke: driftOn, reduceBandwidth: driftOn },
        });
        const connections = statuses.flatMap((status, i) =>
          [ACME, GLOBEX, INITECH, UMBRELLA].map((owner, k) => conn(`ep-${i}x${k}`, owner, status)),
        );
        for (const d of plan(p, connections, service({ autoAcceptEnabled: driftOn })).decisions) {
          const data = JSON.parse(JSON.stringify({ code: d.reasonCode, params: d.reasonParams })) as Reason;
          assert.equal(reasonText(data), d.reason, d.endpointId);
          seen.add(d.reasonCode);
        }
      }
    }
  }
  // The table above reaches most codes; the rest have their own tests in decide.test.ts.
  for (const code of ['accept', 'not-allowed', 'not-allowed-disconnected', 'connection-limit', 'revoke'] as const)
    assert.ok(seen.has(code), code);
});
