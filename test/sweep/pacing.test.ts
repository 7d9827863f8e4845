/**
 * Issue 11, writes paced to the API's lock (functions/sweep/pacer.ts, docs/pacing.md), end to end through
 * the real pop-core client and the emulator under both readings of the write lock: refused writes are
 * never effects, every pending request converges, under `task` at most 1.2 write calls per effect (the
 * sweep waits for each task by reading the connection), under `request` not one extra read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestLogEntry } from '../../emulator/index.ts';
import { e2e, statuses } from './e2e-harness.ts';
import type { E2e } from './e2e-harness.ts';

const WRITES = new Set(['EnableVpcEndpointConnection', 'DisableVpcEndpointConnection']);
const ACME = ['1', '2', '3', '4', '5', '6'].map((n) => `ep-bp1testacme000000${n}`);
const GLOBEX = ['1', '2'].map((n) => `ep-bp1testglobex0000${n}`);

function fleet(writeLock: 'request' | 'task', taskMs: number): string {
  const endpoint = (id: string, owner: string) =>
    `  - { id: ${id}, owner: ${owner}, service: epsrv-bp1testorders00001, vpc: vpc-bp1test${owner}00001, ` +
    `connection: { status: Awaiting, bandwidth: 1024 } }`;
  return [
    `settings: { pendingStatus: Connecting, writeLock: ${writeLock}, enableDelayMs: ${taskMs}, ` +
      `disableDelayMs: ${taskMs} }`,
    'services:',
    '  - { id: epsrv-bp1testorders00001, region: cn-hangzhou, owner: provider, name: orders-api }',
    'endpoints:',
    ...ACME.map((id) => endpoint(id, 'acme')),
    ...GLOBEX.map((id) => endpoint(id, 'globex')),
  ].join('\n');
}

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

/** The run's requests as the emulator answered them. */
function requests(h: E2e, since: number): RequestLogEntry[] {
  return h.emu.requests(since).filter((r) => r.accountId !== undefined);
}

/** Waits (real time) until no connection of the fleet is in transition any more. */
async function settled(h: E2e, taskMs: number): Promise<Record<string, string>> {
  await new Promise((resolve) => setTimeout(resolve, taskMs + 100));
  return statuses(h.emu);
}

async function sweepUnder(writeLock: 'request' | 'task', taskMs: number) {
  const h = await e2e(fleet(writeLock, taskMs), POLICY);
  h.clock.advance(5000);
  h.clock.resume();
  const since = h.emu.requests().at(-1)?.seq ?? 0;
  const run = await h.sweep({ retry: { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 200 } });
  const log = requests(h, since);
  const writes = log.filter((r) => r.action !== undefined && WRITES.has(r.action));
  const polls = log.filter((r) => r.action === 'ListVpcEndpointConnections' && r.params['EndpointId'] !== undefined);
  return { h, run, writes, polls };
}

for (const writeLock of ['task', 'request'] as const) {
  test(`under the ${writeLock} reading every request converges; refused writes are not counted as effects`, async () => {
    const { h, run, writes } = await sweepUnder(writeLock, 150);
    try {
      const effects = writes.filter((r) => r.status === 200);
      const refused = writes.filter((r) => r.code === 'ConcurrentCallNotSupported');
      assert.equal(effects.length + refused.length, writes.length, JSON.stringify(writes.map((w) => w.code)));
      const applied = run.records.filter((r) => r.outcome === 'applied');
      assert.equal(applied.length, ACME.length + GLOBEX.length);
      assert.equal(applied.length, effects.length);
      // Each applied record counts its own write attempts: the pacer's reads are not among them.
      assert.equal(
        applied.reduce((n, r) => n + (r.attempts ?? 0), 0),
        writes.length,
      );
      const now = await settled(h, 150);
      for (const id of ACME) assert.equal(now[id], 'Connected', id);
      for (const id of GLOBEX) assert.equal(now[id], 'Disconnected', id);
    } finally {
      await h.close();
    }
  });
}

test('under the task reading: at most 1.2 write calls per effect, the tasks awaited by reading the connection', async () => {
  const { h, writes, polls } = await sweepUnder('task', 150);
  try {
    const effects = writes.filter((r) => r.status === 200).length;
    assert.equal(effects, ACME.length + GLOBEX.length);
    assert.ok(writes.length <= 1.2 * effects, `${writes.length} write calls for ${effects} effects`);
    // Every write after the first waited for a task (the last write's is nobody's business this run).
    assert.ok(polls.length >= effects - 1, `${polls.length} polls`);
  } finally {
    await h.close();
  }
});

test('under the request reading: no refusal seen, so no polling read at all', async () => {
  const { h, writes, polls } = await sweepUnder('request', 150);
  try {
    assert.equal(writes.length, ACME.length + GLOBEX.length);
    assert.deepEqual(
      polls.map((r) => r.params['EndpointId']),
      [],
    );
  } finally {
    await h.close();
  }
});

test('a deadline under a slow task lock: the most urgent writes go first, the rest deferred; the next run ends it', async () => {
  const taskMs = 400;
  const h = await e2e(fleet('task', taskMs), POLICY);
  try {
    h.clock.advance(5000);
    h.clock.resume();
    const first = await h.sweep({ deadline: Date.now() + 1500, callTimeoutMs: 100 });
    const writes = first.records.filter((r) => r.decision === 'accept' || r.decision === 'reject');
    const outcomes = writes.map((r) => r.outcome);
    const done = outcomes.filter((o) => o === 'applied').length;
    assert.ok(done >= 1 && done < writes.length, outcomes.join(' '));
    // In order of urgency: both rejects (globex) before any accept (acme); records keep their own order.
    const applied = writes.filter((r) => r.outcome === 'applied');
    const rejects = Math.min(done, GLOBEX.length);
    assert.deepEqual(
      applied.filter((r) => r.decision === 'reject').map((r) => r.endpointId),
      GLOBEX.slice(0, rejects),
      JSON.stringify(writes.map((r) => [r.endpointId, r.outcome])),
    );
    assert.ok(writes.every((r) => r.outcome === 'applied' || r.outcome === 'deferred'));
    await new Promise((resolve) => setTimeout(resolve, taskMs + 100));
    await h.sweep();
    const now = await settled(h, taskMs);
    for (const id of ACME) assert.equal(now[id], 'Connected', id);
    for (const id of GLOBEX) assert.equal(now[id], 'Disconnected', id);
  } finally {
    await h.close();
  }
});
