/**
 * The write pacer's single paths (functions/sweep/pacer.ts) on the in-memory fake with a fake clock: what
 * it learns from a refusal, and from which refusal it learns nothing; a wait the deadline cuts short. The
 * end-to-end proof under both lock readings is pacing.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision } from '../../functions/engine/decision.ts';
import type { ConnectionStatus, EndpointConnection } from '../../functions/engine/resources.ts';
import { silentLogger } from '../../functions/log/logger.ts';
import { DeadlineError, MeteredApi } from '../../functions/sweep/metered-api.ts';
import { WritePacer } from '../../functions/sweep/pacer.ts';
import { FakePrivateLinkApi, apiError } from './fake-private-link-api.ts';

const SERVICE = 'epsrv-test';

function conn(endpointId: string, connectionStatus: ConnectionStatus): EndpointConnection {
  return {
    regionId: 'cn-hangzhou',
    serviceId: SERVICE,
    endpointId,
    endpointOwnerId: '2000000000000001',
    endpointVpcId: 'vpc-test',
    connectionStatus,
    bandwidth: 1024,
    modifiedTime: '2026-12-01T00:00:00Z',
    zones: [],
  };
}

/** Only the connection's address matters to the pacer. */
const accept = (endpointId: string) =>
  ({ kind: 'accept', regionId: 'cn-hangzhou', serviceId: SERVICE, endpointId }) as Decision;

function setup(deadline?: number) {
  let t = 1_000_000;
  const now = () => t;
  const sleep = async (ms: number) => {
    t += ms;
  };
  const fake = new FakePrivateLinkApi([], [conn('ep-1', 'Connecting'), conn('ep-2', 'Connecting')]);
  const api = MeteredApi.wrap(fake, {
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep },
    now,
    deadline,
    callTimeoutMs: 10,
  });
  const pacer = new WritePacer({ api, now, logger: silentLogger, sleep });
  const enable = (endpointId: string) => () =>
    pacer.send(accept(endpointId), 'EnableVpcEndpointConnection', (a) =>
      a.enableVpcEndpointConnection({
        regionId: 'cn-hangzhou',
        serviceId: SERVICE,
        endpointId,
        bandwidth: 1024,
        clientToken: endpointId,
      }),
    );
  const reads = () => fake.calls.filter((c) => c.action === 'ListVpcEndpointConnections').length;
  return { fake, api, pacer, enable, reads, advance: (ms: number) => (t += ms) };
}

test('a refusal while the previous task still runs teaches a task-wide lock; later writes wait for a read', async () => {
  const { fake, pacer, enable, reads } = setup();
  await enable('ep-1')(); // the fake connects at once: show ep-1 in transition for two reads
  const ep1 = fake.connections[0];
  assert.ok(ep1 !== undefined);
  ep1.connectionStatus = 'Connecting';
  let listings = 0;
  fake.onCall = (c) => {
    if (c.action === 'ListVpcEndpointConnections' && ++listings === 2) ep1.connectionStatus = 'Connected';
  };
  fake.fail('EnableVpcEndpointConnection:ep-2', apiError('ConcurrentCallNotSupported'));
  await enable('ep-2')();
  assert.equal(pacer.stats().taskWide, true);
  assert.equal(reads(), 2);
  assert.ok((pacer.stats().observedMs['EnableVpcEndpointConnection'] ?? 0) > 0);
  // The next write waits for ep-2's task: one read at least, before the write is sent.
  assert.equal(await pacer.ready(), true);
  assert.ok(reads() >= 3);
});

test('a refusal when the previous task has ended came from elsewhere: nothing learnt, no read later', async () => {
  const { fake, pacer, enable, reads } = setup();
  await enable('ep-1')(); // the fake shows ep-1 Connected at once
  fake.fail('EnableVpcEndpointConnection:ep-2', apiError('ConcurrentCallNotSupported'));
  await enable('ep-2')();
  assert.equal(pacer.stats().taskWide, false);
  assert.equal(reads(), 1);
  assert.equal(await pacer.ready(), true);
  assert.equal(reads(), 1);
  assert.equal(fake.writes().length, 3);
});

test('a wait for a task that the deadline cuts short: the write is not sent, a DeadlineError says why', async () => {
  const { fake, pacer, enable, advance } = setup(1_000_000 + 2_000);
  await enable('ep-1')();
  const ep1 = fake.connections[0];
  assert.ok(ep1 !== undefined);
  ep1.connectionStatus = 'Connecting'; // and it stays so
  fake.onCall = () => advance(300);
  fake.fail('EnableVpcEndpointConnection:ep-2', apiError('ConcurrentCallNotSupported'));
  await assert.rejects(enable('ep-2')(), (e) => e instanceof DeadlineError && e.code === 'ConcurrentCallNotSupported');
  assert.equal(pacer.stats().taskWide, true);
  assert.equal(fake.writes().length, 2);
  assert.equal(await pacer.ready(), true); // nothing left to wait for
});

test("a read whose page lacks the connection but is incomplete or partly unreadable tells nothing: not 'settled'", async () => {
  for (const partial of [{ nextToken: 'more' }, { invalid: [{ field: 'EndpointId', problem: 'unreadable' }] }]) {
    const { fake, pacer, enable, advance } = setup();
    await enable('ep-1')();
    const ep1 = fake.connections[0];
    assert.ok(ep1 !== undefined);
    ep1.connectionStatus = 'Connecting';
    let listings = 0;
    fake.onCall = (c) => {
      if (c.action === 'ListVpcEndpointConnections' && ++listings === 2) ep1.connectionStatus = 'Connected';
    };
    advance(1000);
    fake.fail('EnableVpcEndpointConnection:ep-2', apiError('ConcurrentCallNotSupported'));
    await enable('ep-2')();
    const learnt = pacer.stats().observedMs['EnableVpcEndpointConnection'];
    assert.ok(learnt !== undefined && learnt > 0);
    // ep-2's task: the read answers a page without it that is not the whole answer.
    const list = fake.listVpcEndpointConnections.bind(fake);
    fake.listVpcEndpointConnections = async (req) =>
      req.endpointId === 'ep-2' ? { ...(await list(req)), items: [], ...partial } : list(req);
    assert.equal(await pacer.ready(), true);
    // Nothing observed: a task's end is taken only from a read that shows it.
    assert.equal(pacer.stats().observedMs['EnableVpcEndpointConnection'], learnt, JSON.stringify(partial));
  }
});
