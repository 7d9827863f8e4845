/**
 * Issue 9, failure 1, end to end (real client, emulator): an accept refused as busy on every attempt is
 * not "already-applied" when the re-read shows the request untouched; it is deferred with the code and
 * the next run accepts it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2e, statuses } from './e2e-harness.ts';

const FLEET = `
settings: { pendingStatus: Connecting, enableDelayMs: 1000, disableDelayMs: 1000 }
services:
  - { id: epsrv-bp1testorders00001, region: cn-hangzhou, owner: provider, name: orders-api, whitelist: [acme] }
  - { id: epsrv-bp1testother000001, region: cn-hangzhou, owner: provider, name: other-api, whitelist: [globex] }
endpoints:
  - { id: ep-bp1testacme0000001, owner: acme, service: epsrv-bp1testorders00001, vpc: vpc-bp1testacme00001, connection: { status: Awaiting, bandwidth: 1024 } }
  - { id: ep-bp1testacme0000002, owner: acme, service: epsrv-bp1testorders00001, vpc: vpc-bp1testacme00001, connection: { status: Awaiting, bandwidth: 1024 } }
  - { id: ep-bp1testglobex00001, owner: globex, service: epsrv-bp1testother000001, vpc: vpc-bp1testglobex0001, connection: { status: Connected, bandwidth: 1024 } }
`;
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
        bandwidth: 2048
`;

test('an account whose write lock stays held: two accepts refused as busy are deferred, not already-applied', async () => {
  const h = await e2e(FLEET, POLICY);
  try {
    h.clock.advance(5000);
    // Another task of the provider account holds its write lock for the whole run: a slow Disable on a
    // service this policy does not govern (the emulator keeps the lock during injected latency).
    h.emu.settings.faults = { seed: 1, rules: [{ actions: ['DisableVpcEndpointConnection'], latencyMs: 1500 }] };
    const holder = h.client().disableVpcEndpointConnection({
      regionId: 'cn-hangzhou',
      serviceId: 'epsrv-bp1testother000001',
      endpointId: 'ep-bp1testglobex00001',
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const first = await h.sweep();
    await holder;
    const accepts = first.records.filter((r) => r.decision === 'accept');
    assert.deepEqual(
      accepts.map((r) => [r.endpointId, r.outcome, r.errorCode]),
      [
        ['ep-bp1testacme0000001', 'deferred', 'ConcurrentCallNotSupported'],
        ['ep-bp1testacme0000002', 'deferred', 'ConcurrentCallNotSupported'],
      ],
    );
    const now = statuses(h.emu);
    assert.equal(now['ep-bp1testacme0000001'], 'Connecting (awaiting)');
    assert.equal(now['ep-bp1testacme0000002'], 'Connecting (awaiting)');
    // The lock is free again: the next run accepts both, and says applied.
    h.emu.settings.faults = { seed: 1, rules: [] };
    const second = await h.sweep();
    assert.deepEqual(
      second.records.filter((r) => r.decision === 'accept').map((r) => r.outcome),
      ['applied', 'applied'],
    );
  } finally {
    await h.close();
  }
});
