/**
 * The write pacer never sleeps past the run's deadline (functions/sweep/pacer.ts): a wait for the previous
 * write's task that would end later than deadline - callTimeoutMs is the deadline now. Emulator with 30 s
 * tasks under the `task` write lock, a fake clock that the sweep's sleeps advance, a 45 s deadline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2e } from './e2e-harness.ts';

const ENDPOINTS = ['1', '2', '3'].map((n) => `ep-bp1testacme000000${n}`);
const FLEET = [
  'settings: { pendingStatus: Connecting, writeLock: task, enableDelayMs: 30000, disableDelayMs: 30000 }',
  'services:',
  '  - { id: epsrv-bp1testorders00001, region: cn-hangzhou, owner: provider, name: orders-api }',
  'endpoints:',
  ...ENDPOINTS.map(
    (id) =>
      `  - { id: ${id}, owner: acme, service: epsrv-bp1testorders00001, vpc: vpc-bp1testacme00001, ` +
      'connection: { status: Awaiting, bandwidth: 1024 } }',
  ),
].join('\n');
const POLICY = `
version: 1
mode: enforce
pendingStatus: Connecting
services:
  - region: cn-hangzhou
    serviceId: epsrv-bp1testorders00001
    unknownAccounts: reject
    allow:
      - account: "2000000000000001"
        bandwidth: 1024
`;

test('with 30 s tasks and a 45 s deadline the pacer stops waiting before deadline - callTimeoutMs', async () => {
  const h = await e2e(FLEET, POLICY);
  try {
    h.clock.advance(5000);
    const start = h.clock.now();
    const deadline = start + 45_000;
    const callTimeoutMs = 10_000;
    let latest = start;
    const sleep = async (ms: number): Promise<void> => {
      h.clock.advance(ms);
      latest = Math.max(latest, h.clock.now());
    };
    const run = await h.sweep({
      now: () => h.clock.now(),
      deadline,
      callTimeoutMs,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, sleep },
    });
    assert.ok(latest <= deadline - callTimeoutMs, `slept until ${latest - start} ms`);
    assert.ok(h.clock.now() <= deadline - callTimeoutMs, `the run ended at ${h.clock.now() - start} ms`);
    const outcomes = run.records.filter((r) => r.decision === 'accept').map((r) => r.outcome);
    assert.ok(outcomes.includes('applied') && outcomes.includes('deferred'), JSON.stringify(outcomes));
    assert.equal(run.summary.deadlineReached, true);
  } finally {
    await h.close();
  }
});
