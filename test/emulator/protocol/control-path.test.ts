import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { isLoopback } from '../../../emulator/control-path.ts';
import type { RunningEmulator } from '../helpers.ts';
import { accessKeyFor, clientFor, control, rawCall, rejection, startTestEmulator } from '../helpers.ts';

describe('control path', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startTestEmulator();
  });
  after(() => emu.close());

  test('GET /health', async () => {
    const { status, body } = await control(emu, 'GET', '/health');
    assert.equal(status, 200);
    assert.equal(body['ok'], true);
    assert.equal((body['clock'] as Record<string, unknown>)['paused'], true);
  });

  test('GET /accounts lists the accounts with their keys and the regions', async () => {
    const { status, body } = await control(emu, 'GET', '/accounts');
    assert.equal(status, 200);
    const accounts = body['accounts'] as Array<{
      accountId: string;
      name: string;
      accessKeys: Array<{ accessKeyId: string }>;
    }>;
    assert.deepEqual(
      accounts.map((a) => a.name),
      ['provider', 'acme', 'globex', 'initech', 'umbrella'],
    );
    assert.equal(accounts[0]?.accountId, '1000000000000001');
    assert.equal(accounts[0]?.accessKeys[0]?.accessKeyId, 'LTAIdemoProvider0001');
    assert.ok((body['regions'] as string[]).includes('cn-hangzhou'));
  });

  test('GET /state answers the model snapshot', async () => {
    const { status, body } = await control(emu, 'GET', '/state');
    assert.equal(status, 200);
    assert.deepEqual(JSON.parse(JSON.stringify(emu.model.snapshot())), body);
  });

  test('GET /requests?since=N and DELETE /requests', async () => {
    await control(emu, 'DELETE', '/requests');
    const key = accessKeyFor(emu, 'acme');
    await rawCall(emu.url, key, 'DescribeRegions', { RegionId: 'cn-hangzhou' });
    const all = await control(emu, 'GET', '/requests');
    const requests = all.body['requests'] as Array<Record<string, unknown>>;
    assert.equal(requests.length, 1);
    const first = requests[0] as Record<string, unknown>;
    assert.equal(first['action'], 'DescribeRegions');
    assert.equal(first['accessKeyId'], key.accessKeyId);
    assert.equal(first['accountId'], '2000000000000001');
    assert.equal(first['method'], 'POST');
    assert.equal((first['params'] as Record<string, string>)['RegionId'], 'cn-hangzhou');
    assert.equal(typeof first['durationMs'], 'number');
    assert.equal(typeof first['status'], 'number');
    await rawCall(emu.url, key, 'DescribeRegions');
    const since = await control(emu, 'GET', `/requests?since=${String(first['seq'])}`);
    assert.deepEqual(
      (since.body['requests'] as Array<Record<string, unknown>>).map((r) => r['seq']),
      [Number(first['seq']) + 1],
    );
    assert.equal(since.body['last'], Number(first['seq']) + 1);
    const cleared = await control(emu, 'DELETE', '/requests');
    assert.equal(cleared.body['cleared'], 2);
    assert.deepEqual((await control(emu, 'GET', '/requests')).body['requests'], []);
    assert.equal((await control(emu, 'GET', '/requests?since=x')).status, 400);
  });

  test('POST /clock pauses, advances and resumes the emulator clock', async () => {
    const before = emu.clock.now();
    const advanced = await control(emu, 'POST', '/clock', { advanceMs: 60_000 });
    assert.equal(advanced.status, 200);
    assert.equal(advanced.body['now'], before + 60_000);
    assert.equal(advanced.body['paused'], true);
    assert.equal((await control(emu, 'POST', '/clock', { resume: true })).body['paused'], false);
    assert.equal(emu.clock.paused, false);
    assert.equal((await control(emu, 'POST', '/clock', { pause: true })).body['paused'], true);
    assert.equal(emu.clock.paused, true);
    for (const bad of [{ advanceMs: -1 }, { advanceMs: 'soon' }, { jump: 1 }, {}, { pause: true, resume: true }]) {
      const res = await control(emu, 'POST', '/clock', bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(typeof res.body['error'], 'string');
    }
    assert.equal((await control(emu, 'POST', '/clock', '{not json')).status, 400);
  });

  test('advancing the clock through POST /clock completes an Enable begun through pop-core', async () => {
    const provider = clientFor(emu, 'provider');
    const params = {
      RegionId: 'cn-hangzhou',
      ServiceId: 'epsrv-bp1demoorders000001',
      EndpointId: 'ep-bp1demoacme0000001',
    };
    const status = async (): Promise<unknown> => {
      const page = await provider.request<{ Connections: Array<Record<string, unknown>> }>(
        'ListVpcEndpointConnections',
        params,
        { method: 'POST' },
      );
      return page.Connections[0]?.['ConnectionStatus'];
    };
    await provider.request('EnableVpcEndpointConnection', { ...params, Bandwidth: 2048 }, { method: 'POST' });
    assert.equal(await status(), 'Connecting');
    await control(emu, 'POST', '/clock', { advanceMs: emu.settings.enableDelayMs - 1 });
    assert.equal(await status(), 'Connecting', 'not before the delay has passed');
    await control(emu, 'POST', '/clock', { advanceMs: 1 });
    assert.equal(await status(), 'Connected');
  });

  test('GET and PATCH /settings merge into the live settings', async () => {
    const patched = await control(emu, 'PATCH', '/settings', { pendingStatus: 'Disconnected', enableDelayMs: 10 });
    assert.equal(patched.status, 200);
    assert.equal(patched.body['pendingStatus'], 'Disconnected');
    assert.equal(emu.settings.pendingStatus, 'Disconnected');
    assert.equal(emu.settings.enableDelayMs, 10);
    assert.equal((await control(emu, 'GET', '/settings')).body['enableDelayMs'], 10);
    const bad = await control(emu, 'PATCH', '/settings', {
      pendingStatus: 'Waiting',
      colour: 'blue',
      faults: { rules: [{ hang: 2 }] },
    });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body['error']), /pendingStatus/);
    assert.match(String(bad.body['error']), /colour is not a known setting/);
    assert.match(String(bad.body['error']), /faults\.rules\[0\]\.hang/);
    assert.equal(emu.settings.pendingStatus, 'Disconnected', 'a rejected patch changes nothing');
    await control(emu, 'PATCH', '/settings', { pendingStatus: 'Connecting' });
  });

  test('PATCH /settings switches the write lock reading, its scope and the create delay', async () => {
    const patched = await control(emu, 'PATCH', '/settings', {
      writeLock: 'task',
      writeLockScope: 'region',
      createDelayMs: 0,
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(
      [emu.settings.writeLock, emu.settings.writeLockScope, emu.settings.createDelayMs],
      ['task', 'region', 0],
    );
    const bad = await control(emu, 'PATCH', '/settings', { writeLock: 'always', writeLockScope: 'planet' });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body['error']), /writeLock must be "request" or "task"/);
    assert.match(String(bad.body['error']), /writeLockScope must be "account" or "region"/);
    assert.equal(emu.settings.writeLock, 'task', 'a rejected patch changes nothing');
    await control(emu, 'PATCH', '/settings', { writeLock: 'request', writeLockScope: 'account', createDelayMs: 1000 });
  });

  test('unknown routes are 404 and wrong methods 405, both as {error}', async () => {
    const missing = await control(emu, 'GET', '/nothing');
    assert.equal(missing.status, 404);
    assert.match(String(missing.body['error']), /no such control route/);
    const wrong = await control(emu, 'POST', '/state');
    assert.equal(wrong.status, 405);
    assert.equal(typeof wrong.body['error'], 'string');
  });

  test('only loopback peers are served', () => {
    for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.2']) assert.equal(isLoopback(a), true, a);
    for (const a of ['10.0.0.1', '192.168.1.1', '::ffff:10.0.0.1', '0.0.0.0', undefined])
      assert.equal(isLoopback(a), false, String(a));
  });
});

describe('startEmulator and close()', () => {
  test('close() ends hanging and delayed requests and frees the port promptly', async () => {
    const emu = await startTestEmulator({
      settings: {
        faults: {
          seed: 1,
          rules: [
            { actions: ['DescribeRegions'], hang: 1 },
            { actions: ['ListVpcEndpointServices'], latencyMs: 60_000 },
          ],
        },
      },
    });
    const hanging = rejection(() =>
      clientFor(emu, 'provider', { timeoutMs: 30_000 }).request('DescribeRegions', {}, { method: 'POST' }),
    );
    const delayed = rejection(() =>
      clientFor(emu, 'acme', { timeoutMs: 30_000 }).request(
        'ListVpcEndpointServices',
        { RegionId: 'cn-hangzhou' },
        { method: 'POST' },
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await emu.close();
    const [a, b] = await Promise.all([hanging, delayed]);
    assert.ok(performance.now() - started < 1000, 'close() took too long');
    assert.ok(a instanceof Error && b instanceof Error);
    // The port is free again.
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(emu.port, '127.0.0.1', () => probe.close(() => resolve()));
    });
    await emu.close(); // idempotent
  });

  test('a scenario path that does not load rejects with the scenario error', async () => {
    await assert.rejects(startTestEmulator({ scenario: '/nonexistent/scenario.yaml' }), /cannot read: ENOENT/);
  });

  test('the url is http://127.0.0.1:PORT', async () => {
    const emu = await startTestEmulator();
    try {
      assert.equal(emu.url, `http://127.0.0.1:${emu.port}`);
      assert.ok(emu.port > 0);
    } finally {
      await emu.close();
    }
  });
});

test('an oversized RPC body is refused with 413 and the emulator keeps serving', async () => {
  const emu = await startTestEmulator();
  try {
    const res = await fetch(`${emu.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Action=DescribeRegions&Pad=${'x'.repeat(2 << 20)}`,
    });
    assert.equal(res.status, 413);
    const after = await rawCall(emu.url, accessKeyFor(emu, 'provider'), 'DescribeRegions');
    assert.equal(after.status, 200);
  } finally {
    await emu.close();
  }
});
