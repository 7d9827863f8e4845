import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaultRule } from '../../../emulator/types.ts';
import { FaultInjector, describeFaults } from '../../../emulator/faults.ts';
import type { RunningEmulator } from '../helpers.ts';
import { accessKeyFor, clientFor, control, rawCall, rejection, startTestEmulator } from '../helpers.ts';

const call = (emu: RunningEmulator, account = 'provider', timeoutMs = 3000): Promise<unknown> =>
  clientFor(emu, account, { timeoutMs }).request('DescribeRegions', {}, { method: 'POST' });

/** The error code of a call, or 'ok'. */
const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => String(e.code),
  );

describe('fault injection on the RPC path', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startTestEmulator();
  });
  after(() => emu.close());
  const setRules = (rules: FaultRule[], seed = 1): void => {
    emu.settings.faults = { seed, rules };
  };

  test('latency delays the answer by the configured time', async () => {
    setRules([{ actions: ['DescribeRegions'], latencyMs: 150 }]);
    const started = performance.now();
    await codeOf(call(emu));
    assert.ok(performance.now() - started >= 140, 'answered too early');
    const entry = emu.requests().at(-1);
    assert.equal(entry?.fault, 'latency 150ms');
    assert.ok((entry?.durationMs ?? 0) >= 140);
  });

  test('a rule limited to other actions does not touch this one', async () => {
    setRules([{ actions: ['EnableVpcEndpointConnection'], internalError: 1 }]);
    assert.equal(await codeOf(call(emu)), 'ok');
    assert.equal(emu.requests().at(-1)?.fault, undefined);
  });

  test('internalError answers InternalError with HTTP 500', async () => {
    setRules([{ internalError: 1 }]);
    const error = await rejection(() => call(emu));
    assert.equal(error['code'], 'InternalError');
    assert.equal(emu.requests().at(-1)?.status, 500);
    assert.equal(emu.requests().at(-1)?.fault, 'internalError');
  });

  test('serviceUnavailable answers ServiceUnavailable with HTTP 503', async () => {
    setRules([{ serviceUnavailable: 1 }]);
    const error = await rejection(() => call(emu));
    assert.equal(error['code'], 'ServiceUnavailable');
    const raw = await rawCall(emu.url, accessKeyFor(emu, 'provider'), 'DescribeRegions');
    assert.equal(raw.status, 503);
  });

  test('badGateway answers 502 with an HTML body, which pop-core rejects with a non-Error', async () => {
    setRules([{ badGateway: 1 }]);
    const raw = await rawCall(emu.url, accessKeyFor(emu, 'provider'), 'DescribeRegions');
    assert.equal(raw.status, 502);
    assert.match(String(raw.headers['content-type']), /text\/html/);
    assert.match(raw.text, /<h1>502 Bad Gateway<\/h1>/);
    const error = await rejection(() => call(emu));
    assert.equal(error instanceof Error, false, 'pop-core rejects a non-JSON body with a plain object');
    assert.equal(error['name'], 'SyntaxError');
  });

  test('hang: no answer, so the client gives up at its timeout', async () => {
    setRules([{ hang: 1 }]);
    const started = performance.now();
    const error = await rejection(() => call(emu, 'provider', 200));
    const waited = performance.now() - started;
    assert.ok(error instanceof Error);
    assert.match(String(error['message']), /timeout/i);
    assert.ok(waited >= 190 && waited < 2000, `waited ${waited}ms`);
    const entry = emu.requests().at(-1);
    assert.equal(entry?.status, 0);
    assert.equal(entry?.fault, 'hang');
  });

  test('drop: the socket is destroyed without an answer', async () => {
    setRules([{ drop: 1 }]);
    const error = await rejection(() => call(emu));
    assert.ok(error instanceof Error);
    assert.match(`${String(error['code'])} ${String(error['message'])}`, /ECONNRESET|socket hang up/i);
    assert.equal(emu.requests().at(-1)?.fault, 'drop');
  });

  test('rate limit: Throttling.User past N requests a second, counted per AccessKey', async () => {
    setRules([{ rateLimitPerSecond: 3 }]);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(await codeOf(call(emu, 'acme')));
    assert.deepEqual(codes, ['ok', 'ok', 'ok', 'Throttling.User', 'Throttling.User']);
    const throttled = await rejection(() => call(emu, 'acme'));
    assert.equal(
      (throttled['data'] as Record<string, unknown>)['Message'],
      'Request was denied due to user flow control.',
    );
    assert.equal(await codeOf(call(emu, 'globex')), 'ok', 'another AccessKey has its own budget');
    assert.equal(emu.requests().at(-2)?.status, 400);
  });

  test('the control path is never faulted', async () => {
    setRules([{ hang: 1, latencyMs: 5000 }]);
    const health = await control(emu, 'GET', '/health');
    assert.equal(health.status, 200);
    assert.equal(health.body['ok'], true);
    setRules([]);
  });

  test('faults changed through the control path apply to the next request', async () => {
    const patched = await control(emu, 'PATCH', '/settings', {
      faults: { seed: 5, rules: [{ actions: ['DescribeRegions'], serviceUnavailable: 1 }] },
    });
    assert.equal(patched.status, 200);
    assert.equal(await codeOf(call(emu)), 'ServiceUnavailable');
    await control(emu, 'PATCH', '/settings', { faults: { rules: [] } });
    assert.equal(await codeOf(call(emu)), 'ok');
    assert.equal(emu.settings.faults.seed, 5, 'faults merge one level: the seed stays');
  });
});

describe('fault determinism', () => {
  const rules: FaultRule[] = [
    { internalError: 0.3, serviceUnavailable: 0.2 },
    { actions: ['DescribeRegions'], badGateway: 0.2 },
  ];

  async function sequence(seed: number): Promise<string[]> {
    const emu = await startTestEmulator({ settings: { faults: { seed, rules } } });
    try {
      const out: string[] = [];
      // A 502 HTML body rejects without a code: call it 'html'.
      for (let i = 0; i < 40; i++) out.push(await codeOf(call(emu)).then((c) => (c === 'undefined' ? 'html' : c)));
      return out;
    } finally {
      await emu.close();
    }
  }

  test('the same seed gives the same fault sequence; another seed another one', async () => {
    const a = await sequence(42);
    const b = await sequence(42);
    const c = await sequence(43);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    for (const kind of ['InternalError', 'ServiceUnavailable', 'html'])
      assert.ok(a.includes(kind), `${kind} in ${a.join(',')}`);
  });

  test('every fault kind, hang and drop included, follows from the seed alone', () => {
    const rule = {
      internalError: 0.15,
      serviceUnavailable: 0.15,
      badGateway: 0.15,
      hang: 0.15,
      drop: 0.15,
      latencyMs: 5,
    };
    const run = (seed: number): string[] => {
      const injector = new FaultInjector(() => ({ seed, rules: [rule] }));
      return Array.from(
        { length: 200 },
        () => describeFaults(injector.decide('ListVpcEndpointConnections', 'k', 0)) ?? 'none',
      );
    };
    const a = run(7);
    assert.deepEqual(run(7), a);
    assert.notDeepEqual(run(8), a);
    for (const kind of ['internalError', 'serviceUnavailable', 'badGateway', 'hang', 'drop']) {
      const share = a.filter((d) => d === `latency 5ms + ${kind}`).length / a.length;
      assert.ok(share > 0.05 && share < 0.3, `${kind}: share ${share} of 200 should be near 0.15`);
    }
    assert.ok(a.includes('latency 5ms'), 'a quarter of the requests meet latency only');
  });

  test('each rule advances its own generator once per matching request', () => {
    const settings = { seed: 9, rules: [{ internalError: 0.5 }, { actions: ['B'], internalError: 0.5 }] };
    const only = (actions: string[]): Array<string | undefined> => {
      const injector = new FaultInjector(() => settings);
      return actions.map((a) => injector.decide(a, 'k', 0).outcome);
    };
    // Rule 0 sees every request; interleaving B requests (which also draw from rule 1) must not change
    // what rule 0 decides for the n-th request.
    const plain = only(['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A']);
    const mixed = only(['A', 'B', 'A', 'B', 'A', 'B', 'A', 'B']);
    const rule0 = new FaultInjector(() => ({ seed: 9, rules: [{ internalError: 0.5 }] }));
    const alone = ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'].map((a) => rule0.decide(a, 'k', 0).outcome);
    assert.deepEqual(plain, alone);
    // For A requests in the mixed run, rule 0 decided alone; for B requests either rule may fire.
    mixed.forEach((o, i) => {
      if (i % 2 === 0) assert.equal(o, alone[i]);
    });
  });
});

test('a client that times out during injected latency loses the answer, not the effect', async () => {
  const emu = await startTestEmulator({
    settings: { faults: { seed: 1, rules: [{ actions: ['EnableVpcEndpointConnection'], latencyMs: 500 }] } },
  });
  try {
    const provider = clientFor(emu, 'provider', { timeoutMs: 150 });
    const params = {
      RegionId: 'cn-hangzhou',
      ServiceId: 'epsrv-bp1demoorders000001',
      EndpointId: 'ep-bp1demoacme0000001',
    };
    const error = await rejection(() =>
      provider.request('EnableVpcEndpointConnection', { ...params, Bandwidth: 1024 }, { method: 'POST' }),
    );
    assert.match(String(error['message']), /timeout/i);
    // The server finishes the call once its latency has passed.
    for (let i = 0; i < 100 && emu.requests().at(-1)?.action !== 'EnableVpcEndpointConnection'; i++)
      await new Promise((r) => setTimeout(r, 20));
    const entry = emu.requests().at(-1);
    assert.equal(entry?.action, 'EnableVpcEndpointConnection');
    assert.equal(entry?.status, 0, 'nothing was delivered');
    emu.clock.advance(emu.settings.enableDelayMs + 1);
    const page = await clientFor(emu, 'provider').request<{ Connections: Array<Record<string, unknown>> }>(
      'ListVpcEndpointConnections',
      params,
      { method: 'POST' },
    );
    assert.equal(page.Connections[0]?.['ConnectionStatus'], 'Connected');
    assert.equal(page.Connections[0]?.['Bandwidth'], 1024);
  } finally {
    await emu.close();
  }
});

test('latency holds the answer: a write takes effect halfway (its trip to the service), the answer after the latency', async () => {
  // One process serves every request: reads are worked on arrival so that concurrent ones never queue
  // behind each other's wait; a write's task starts when it reaches the service (emulator/README.md, "Faults").
  const emu = await startTestEmulator({
    settings: { faults: { seed: 1, rules: [{ actions: ['EnableVpcEndpointConnection'], latencyMs: 400 }] } },
  });
  try {
    const awaiting = (): boolean | undefined =>
      (emu.model.snapshot() as { endpoints: Array<{ endpointId: string; awaitingDecision: boolean }> }).endpoints.find(
        (e) => e.endpointId === 'ep-bp1demoacme0000001',
      )?.awaitingDecision;
    assert.equal(awaiting(), true);
    const started = performance.now();
    let answeredAt: number | undefined;
    const answered = clientFor(emu, 'provider')
      .request(
        'EnableVpcEndpointConnection',
        {
          RegionId: 'cn-hangzhou',
          ServiceId: 'epsrv-bp1demoorders000001',
          EndpointId: 'ep-bp1demoacme0000001',
          Bandwidth: 1024,
        },
        { method: 'POST' },
      )
      .then(() => (answeredAt = performance.now()));
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(awaiting(), true, 'not yet in effect a quarter of the way');
    for (let i = 0; i < 30 && awaiting() === true; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(awaiting(), false, 'the accept took effect halfway');
    assert.ok(performance.now() - started < 390, 'before its answer was due');
    assert.equal(answeredAt, undefined, 'while its answer waits out the latency');
    await answered;
    assert.ok((answeredAt ?? 0) - started >= 390, `answered after ${(answeredAt ?? 0) - started} ms`);
    assert.ok((emu.requests().at(-1)?.durationMs ?? 0) >= 390);
  } finally {
    await emu.close();
  }
});
