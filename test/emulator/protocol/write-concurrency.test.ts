import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoScenario } from '../../../emulator/model/scenario.ts';
import type { RunningEmulator } from '../helpers.ts';
import { clientFor, startTestEmulator } from '../helpers.ts';

const ORDERS = 'epsrv-bp1demoorders000001';
const SEARCH = 'epsrv-bp1demosearch00002';

/** The error code of a call, or 'ok'. */
const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => String(e.code),
  );

describe('connection writes of one account may not overlap', () => {
  let emu: RunningEmulator;
  before(async () => {
    // acme owns search-api here, so two accounts can each accept a connection on their own service.
    const scenario = demoScenario();
    const search = scenario.services.find((s) => s.serviceId === SEARCH);
    assert.ok(search);
    search.ownerId = '2000000000000001';
    emu = await startTestEmulator({
      scenario,
      settings: { faults: { seed: 1, rules: [{ actions: ['EnableVpcEndpointConnection'], latencyMs: 300 }] } },
    });
  });
  after(() => emu.close());

  const enable = (account: string, serviceId: string, endpointId: string): Promise<unknown> =>
    clientFor(emu, account).request(
      'EnableVpcEndpointConnection',
      { RegionId: 'cn-hangzhou', ServiceId: serviceId, EndpointId: endpointId, Bandwidth: 1024 },
      { method: 'POST' },
    );

  test('two overlapping Enable calls of one account: one succeeds, the other is ConcurrentCallNotSupported', async () => {
    const codes = await Promise.all([
      codeOf(enable('provider', ORDERS, 'ep-bp1demoacme0000001')),
      codeOf(enable('provider', ORDERS, 'ep-bp1demoglobex00001')),
    ]);
    assert.deepEqual(codes.slice().sort(), ['ConcurrentCallNotSupported', 'ok']);
    const refused = emu.requests().find((r) => r.code === 'ConcurrentCallNotSupported');
    assert.equal(refused?.status, 400);
    // Once the first call is answered, the lock is free again: the refused one can be retried.
    const loser = codes[0] === 'ok' ? 'ep-bp1demoglobex00001' : 'ep-bp1demoacme0000001';
    assert.equal(await codeOf(enable('provider', ORDERS, loser)), 'ok');
  });

  test('different accounts do not block each other', async () => {
    emu.clock.advance(emu.settings.enableDelayMs + 1);
    const codes = await Promise.all([
      codeOf(enable('provider', ORDERS, 'ep-bp1demoinitech0001')),
      codeOf(enable('acme', SEARCH, 'ep-bp1demoglobex00002')),
    ]);
    assert.deepEqual(codes, ['ok', 'ok']);
  });

  test('reads do not take the lock', async () => {
    emu.settings.faults = {
      seed: 1,
      rules: [{ actions: ['EnableVpcEndpointConnection', 'UpdateVpcEndpointConnectionAttribute'], latencyMs: 300 }],
    };
    emu.clock.advance(emu.settings.enableDelayMs + 1);
    const list = clientFor(emu, 'provider').request(
      'ListVpcEndpointConnections',
      { RegionId: 'cn-hangzhou', ServiceId: ORDERS },
      { method: 'POST' },
    );
    const resize = clientFor(emu, 'provider').request(
      'UpdateVpcEndpointConnectionAttribute',
      { RegionId: 'cn-hangzhou', ServiceId: ORDERS, EndpointId: 'ep-bp1demoacme0000002', Bandwidth: 4096 },
      { method: 'POST' },
    );
    await new Promise((r) => setTimeout(r, 20));
    // While the resize is in flight: a read passes, another write of the account does not.
    const during = await Promise.all([
      codeOf(
        clientFor(emu, 'provider').request('ListVpcEndpointServices', { RegionId: 'cn-hangzhou' }, { method: 'POST' }),
      ),
      codeOf(enable('provider', ORDERS, 'ep-bp1demoacme0000001')),
    ]);
    assert.deepEqual(during, ['ok', 'ConcurrentCallNotSupported']);
    assert.deepEqual(await Promise.all([codeOf(resize), codeOf(list)]), ['ok', 'ok']);
  });
});

describe('the task reading through pop-core', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startTestEmulator({ settings: { writeLock: 'task', enableDelayMs: 400 } });
  });
  after(() => emu.close());

  const call = (action: string, params: Record<string, unknown>): Promise<string> =>
    codeOf(clientFor(emu, 'provider').request(action, { RegionId: 'cn-hangzhou', ...params }, { method: 'POST' }));

  test('after an accept, the next connection write of the account is refused until the accept completes', async () => {
    emu.clock.pause();
    const accept = { ServiceId: ORDERS, EndpointId: 'ep-bp1demoacme0000001', Bandwidth: 1024 };
    assert.equal(await call('EnableVpcEndpointConnection', accept), 'ok');
    const reject = { ServiceId: ORDERS, EndpointId: 'ep-bp1demoinitech0001' };
    assert.equal(await call('DisableVpcEndpointConnection', reject), 'ConcurrentCallNotSupported');
    assert.equal(emu.requests().at(-1)?.status, 400);
    emu.clock.advance(400);
    assert.equal(await call('DisableVpcEndpointConnection', reject), 'ok');
  });
});
