import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord, IntentRecord, SweepRecord } from '../../functions/audit/audit-records.ts';
import {
  isAuditRecord,
  isIntentRecord,
  isRunSummaryRecord,
  isSettledRecord,
} from '../../functions/audit/audit-records.ts';
import { clientToken, decisionKey } from '../../functions/engine/decision-id.ts';
import type { Policy } from '../../functions/policy/policy.ts';
import type { Page } from '../../functions/client/private-link-api.ts';
import type { EndpointConnection } from '../../functions/engine/resources.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import { sha256Hex } from '../../functions/sweep/sha256.ts';
import { SETTLE_WINDOW_MS } from '../../functions/sweep/settled.ts';
import type { SweepOptions } from '../../functions/sweep/run-sweep.ts';
import { SweepAbortedError } from '../../functions/sweep/sweep-aborted-error.ts';
import {
  ACME,
  INITECH,
  NOW,
  ORDERS,
  SEARCH,
  UMBRELLA,
  allow,
  conn,
  deny,
  policy,
  rule,
  service,
} from '../engine/builders.ts';
import { FakePrivateLinkApi, apiError } from './fake-private-link-api.ts';
import { recordSchemaProblems } from './record-schema.ts';
import { summaryExitCode } from '../../cli/exit-codes.ts';

function demoPolicy(over: Partial<Policy> = {}): Policy {
  return policy({
    pendingStatus: 'Connecting',
    deny: { accounts: [deny(INITECH, 'deny.accounts[0]', 'denied')], endpoints: [] },
    services: [
      rule({ allow: [allow(ACME, 'services[0].allow[0]', { name: 'acme' })], unknownAccounts: 'hold' }),
      rule({
        source: 'services[1]',
        match: { kind: 'id', regionId: 'cn-hangzhou', serviceId: SEARCH },
        allow: [allow(ACME, 'services[1].allow[0]')],
        unknownAccounts: 'reject',
      }),
    ],
    ...over,
  });
}

function fleet(): FakePrivateLinkApi {
  return new FakePrivateLinkApi(
    [service(), service({ serviceId: SEARCH, serviceName: 'search-api' })],
    [
      conn('ep-acme', ACME, 'Connecting'),
      conn('ep-initech', INITECH, 'Connecting'),
      conn('ep-ok', ACME, 'Connected'),
      conn('ep-umbrella', UMBRELLA, 'Connecting'),
      conn('ep-search-acme', ACME, 'Connecting', { serviceId: SEARCH }),
    ],
  );
}

async function sweep(api: FakePrivateLinkApi, over: Partial<SweepOptions> = {}) {
  const sunk: SweepRecord[] = [];
  const result = await runSweep({
    policy: demoPolicy(),
    api,
    mode: 'enforce',
    now: () => NOW,
    runId: 'run-1',
    retry: { sleep: async () => undefined },
    sink: (r) => sunk.push(r),
    ...over,
  });
  return { ...result, sunk };
}

function outcomes(records: AuditRecord[]): string[] {
  return records.map((r) => `${r.endpointId ?? r.serviceId}:${r.decision}:${r.outcome}`);
}

test('plan (mode plan) decides and records "planned", and writes nothing', async () => {
  const api = fleet();
  const { records, summary, sunk } = await sweep(api, { mode: 'plan' });
  assert.deepEqual(api.writes(), []);
  assert.deepEqual(outcomes(records), [
    'ep-acme:accept:planned',
    'ep-initech:reject:planned',
    'ep-umbrella:hold:held',
    'ep-search-acme:accept:planned',
  ]);
  assert.equal(summary.counts.byDecision.skip, 1);
  assert.equal(summary.connectionsSeen, 5);
  assert.equal(summary.servicesScanned, 2);
  // Two ID rules in one region: one page of the region's service listing, one connection page per service.
  assert.equal(summary.apiCalls, 3);
  assert.deepEqual(
    api.calls.filter((c) => c.action === 'ListVpcEndpointServices').map((c) => c.params['serviceId']),
    [undefined],
  );
  assert.ok(isRunSummaryRecord(sunk.at(-1)));
  assert.equal(sunk.filter(isAuditRecord).length, 4);
});

test('apply writes one at a time with a ClientToken from the decision key and the connection state, and records the outcome', async () => {
  const api = fleet();
  const { records, plan, summary } = await sweep(api);
  assert.deepEqual(
    api.writes().map((c) => `${c.action}:${String(c.params['endpointId'])}`),
    // Most urgent first (engine/write-order.ts): the reject, then the accepts, oldest request first.
    [
      'DisableVpcEndpointConnection:ep-initech',
      'EnableVpcEndpointConnection:ep-acme',
      'EnableVpcEndpointConnection:ep-search-acme',
    ],
  );
  const accept = plan.decisions.find((d) => d.endpointId === 'ep-acme');
  assert.ok(accept !== undefined);
  const listed = api.connections.find((c) => c.endpointId === 'ep-acme');
  assert.ok(listed !== undefined);
  assert.equal(
    api.writes()[1]?.params['clientToken'],
    clientToken(decisionKey(accept, 'sha256:0123456789abcdef', sha256Hex), listed.modifiedTime, sha256Hex),
  );
  assert.match(String(api.writes()[1]?.params['clientToken']), /^[0-9a-f]{64}$/);
  assert.equal(api.writes()[1]?.params['bandwidth'], 3072);
  assert.deepEqual(outcomes(records), [
    'ep-acme:accept:applied',
    'ep-initech:reject:applied',
    'ep-umbrella:hold:held',
    'ep-search-acme:accept:applied',
  ]);
  const rec = records[0];
  assert.equal(rec?.schema, 'privatelink-approver/decision/v1');
  assert.equal(rec?.decisionId, decisionKey(accept, 'sha256:0123456789abcdef', sha256Hex));
  assert.equal(rec?.accountName, 'acme');
  assert.equal(rec?.rule, 'services[0].allow[0]');
  assert.equal(rec?.mode, 'enforce');
  assert.equal(rec?.attempts, 1);
  assert.match(rec?.requestId ?? '', /^req-/);
  assert.equal(api.connections.find((c) => c.endpointId === 'ep-initech')?.connectionStatus, 'Disconnected');
  assert.equal(summary.counts.byOutcome.applied, 3);
  assert.equal(summary.counts.byOutcome.held, 1);
  assert.equal(summary.apiCalls, 6);
});

test('dry-run narrows: --dry-run over an enforce policy, and an enforce run cannot widen a dry-run policy', async () => {
  for (const [over, policyMode] of [
    [{ mode: 'dry-run' }, 'enforce'],
    [{ mode: 'enforce' }, 'dry-run'],
  ] as const) {
    const api = fleet();
    const { records, summary } = await sweep(api, { ...over, policy: demoPolicy({ mode: policyMode }) });
    assert.deepEqual(api.writes(), []);
    assert.equal(summary.mode, 'dry-run');
    assert.deepEqual(outcomes(records), [
      'ep-acme:accept:dry-run',
      'ep-initech:reject:dry-run',
      'ep-umbrella:hold:held',
      'ep-search-acme:accept:dry-run',
    ]);
    assert.ok(records.every((r) => r.mode === 'dry-run'));
  }
});

test('a service whose connection listing fails gets no decisions, a failure record, and the run goes on', async () => {
  const api = fleet();
  api.fail(`ListVpcEndpointConnections:${SEARCH}`, apiError('InvalidParameter'));
  const { records, plan, summary } = await sweep(api);
  assert.ok(plan.decisions.every((d) => d.serviceId === ORDERS));
  assert.deepEqual(summary.servicesFailed, [
    {
      region: 'cn-hangzhou',
      serviceId: SEARCH,
      errorCode: 'InvalidParameter',
      errorMessage: 'InvalidParameter (scripted)',
    },
  ]);
  assert.deepEqual(outcomes(records), [
    `${SEARCH}:skip:failed`,
    'ep-acme:accept:applied',
    'ep-initech:reject:applied',
    'ep-umbrella:hold:held',
  ]);
  assert.equal(api.connections.find((c) => c.endpointId === 'ep-search-acme')?.connectionStatus, 'Connecting');
});

test('a failure on a later page drops the whole service (never decide on a partial view)', async () => {
  const many = Array.from({ length: 120 }, (_, i) => conn(`ep-${String(i).padStart(3, '0')}`, INITECH, 'Connecting'));
  const api = new FakePrivateLinkApi([service()], many);
  let lists = 0;
  api.onCall = (c) => {
    if (c.action === 'ListVpcEndpointConnections' && ++lists === 3) throw apiError('InternalError');
  };
  const { plan, summary } = await sweep(api, {
    policy: policy({ pendingStatus: 'Connecting' }),
    retry: { maxAttempts: 1 },
  });
  assert.equal(plan.decisions.length, 0);
  assert.equal(summary.servicesFailed.length, 1);
  assert.deepEqual(api.writes(), []);
});

test('a listing that hands back an earlier NextToken is not paged forever: that service is not collected', async () => {
  const api = fleet();
  const list = api.listVpcEndpointConnections.bind(api);
  api.listVpcEndpointConnections = async (req) =>
    req.serviceId === SEARCH ? { ...(await list({ ...req, nextToken: undefined })), nextToken: 'page-2' } : list(req);
  const { records, summary } = await sweep(api);
  assert.deepEqual(outcomes(records), [
    `${SEARCH}:skip:failed`,
    'ep-acme:accept:applied',
    'ep-initech:reject:applied',
    'ep-umbrella:hold:held',
  ]);
  assert.equal(records[0]?.errorCode, 'InconsistentPaging');
  assert.deepEqual(
    summary.servicesFailed.map((f) => f.serviceId),
    [SEARCH],
  );
});

test('connections are read in pages of 50', async () => {
  const many = Array.from({ length: 120 }, (_, i) => conn(`ep-${String(i).padStart(3, '0')}`, INITECH, 'Connected'));
  const api = new FakePrivateLinkApi([service()], many);
  const { summary } = await sweep(api, { policy: policy({ pendingStatus: 'Connecting' }), mode: 'plan' });
  const lists = api.calls.filter((c) => c.action === 'ListVpcEndpointConnections');
  assert.deepEqual(
    lists.map((c) => c.params['maxResults']),
    [50, 50, 50],
  );
  assert.equal(summary.connectionsSeen, 120);
});

test('a credentials failure stops the run before any write, with the summary sunk', async () => {
  const api = fleet();
  api.fail(`ListVpcEndpointConnections:${SEARCH}`, apiError('InvalidAccessKeyId.NotFound'));
  const sunk: SweepRecord[] = [];
  await assert.rejects(
    runSweep({ policy: demoPolicy(), api, mode: 'enforce', now: () => NOW, sink: (r) => sunk.push(r) }),
    (error: unknown) =>
      error instanceof SweepAbortedError &&
      error.code === 'InvalidAccessKeyId.NotFound' &&
      error.summary.aborted?.errorCode === 'InvalidAccessKeyId.NotFound',
  );
  assert.deepEqual(api.writes(), []);
  const last = sunk.at(-1);
  assert.ok(isRunSummaryRecord(last));
  assert.equal(last.aborted?.errorCode, 'InvalidAccessKeyId.NotFound');
});

test('a permission failure on a write stops the run: later writes are deferred, not attempted', async () => {
  const api = fleet();
  api.fail('DisableVpcEndpointConnection:ep-initech', apiError('Forbidden.RAM'));
  const sunk: SweepRecord[] = [];
  await assert.rejects(
    runSweep({ policy: demoPolicy(), api, mode: 'enforce', now: () => NOW, sink: (r) => sunk.push(r) }),
    SweepAbortedError,
  );
  assert.equal(api.writes().length, 1);
  // As they happened: the reject went first (most urgent), the hold writes nothing and comes last.
  assert.deepEqual(outcomes(sunk.filter(isAuditRecord)), [
    'ep-initech:reject:failed',
    'ep-acme:accept:deferred',
    'ep-search-acme:accept:deferred',
    'ep-umbrella:hold:held',
  ]);
  const failed = sunk.filter(isAuditRecord)[0];
  assert.equal(failed?.errorCode, 'Forbidden.RAM');
  const summary = sunk.at(-1);
  assert.ok(isRunSummaryRecord(summary));
  assert.equal(summary.aborted?.errorCode, 'Forbidden.RAM');
  assert.deepEqual(
    Object.entries(summary.counts.byOutcome).filter(([, n]) => n > 0),
    [
      ['failed', 1],
      ['deferred', 2],
      ['held', 1],
    ],
  );
});

test('retryable errors are retried with the same ClientToken; attempts and retries are counted', async () => {
  const api = fleet();
  api.fail(
    'EnableVpcEndpointConnection:ep-acme',
    apiError('Throttling.User', true),
    apiError('ConcurrentCallNotSupported'),
  );
  const { records, summary } = await sweep(api);
  const enables = api.writes().filter((c) => c.params['endpointId'] === 'ep-acme');
  assert.equal(enables.length, 3);
  assert.equal(new Set(enables.map((c) => c.params['clientToken'])).size, 1);
  assert.equal(records[0]?.outcome, 'applied');
  assert.equal(records[0]?.attempts, 3);
  assert.equal(summary.retries, 2);
});

test('the same decision on a connection that changed since (a person undid it) is sent with a new ClientToken', async () => {
  // With the decision key alone as token, the API would replay the first answer: no effect, yet "applied".
  const api = fleet();
  await sweep(api);
  const first = api.writes().find((c) => c.params['endpointId'] === 'ep-initech');
  const target = api.connections.find((c) => c.endpointId === 'ep-initech');
  assert.ok(first !== undefined && target !== undefined);
  // A person accepts the rejected request by hand: the connection's ModifiedTime moves.
  Object.assign(target, { connectionStatus: 'Connecting', modifiedTime: '2026-11-25T09:00:00.000Z' });
  await sweep(api);
  const rejects = api.writes().filter((c) => c.params['endpointId'] === 'ep-initech');
  assert.equal(rejects.length, 2);
  assert.notEqual(rejects[1]?.params['clientToken'], first.params['clientToken']);
});

test('EndpointConnectionNotFound on a write is recorded "gone", not fatal', async () => {
  const api = fleet();
  api.fail('DisableVpcEndpointConnection:ep-initech', apiError('EndpointConnectionNotFound'));
  const { records } = await sweep(api);
  assert.deepEqual(outcomes(records), [
    'ep-acme:accept:applied',
    'ep-initech:reject:gone',
    'ep-umbrella:hold:held',
    'ep-search-acme:accept:applied',
  ]);
  assert.equal(records[1]?.errorCode, 'EndpointConnectionNotFound');
});

test('OperationDenied on an accept that another run already made is "already-applied" at once, without waiting', async () => {
  const api = fleet();
  const denied = Array.from({ length: 5 }, () => apiError('EndpointConnectionOperationDenied', true));
  api.fail('EnableVpcEndpointConnection:ep-acme', ...denied);
  // Another run's accept lands while this run's Enable is refused (the connection is in transition).
  api.onCall = (c) => {
    if (c.action === 'EnableVpcEndpointConnection') {
      const target = api.connections.find((x) => x.endpointId === 'ep-acme');
      if (target !== undefined) target.connectionStatus = 'Connected';
    }
  };
  const { records, summary } = await sweep(api, { mode: 'enforce' });
  assert.equal(records[0]?.outcome, 'already-applied');
  // Listed Connecting and refused as busy: it is being connected; retrying could not change that.
  assert.equal(records[0]?.attempts, 1);
  assert.equal(summary.retries, 0);
  const reread = api.calls.filter(
    (c) => c.action === 'ListVpcEndpointConnections' && c.params['endpointId'] === 'ep-acme',
  );
  assert.equal(reread.length, 1);
});

test('an accept whose answers were lost but which moved the connection (Connecting, ModifiedTime changed) is "already-applied"', async () => {
  const api = fleet();
  api.fail('EnableVpcEndpointConnection:ep-acme', ...Array.from({ length: 5 }, () => apiError('Timeout', true)));
  const listed = api.connections.find((c) => c.endpointId === 'ep-acme');
  assert.ok(listed !== undefined);
  api.onCall = (c) => {
    // The first Enable reached the API, which began the accept; its answer never came back.
    if (c.action === 'EnableVpcEndpointConnection') listed.modifiedTime = '2026-11-25T12:00:01.000Z';
  };
  const { records } = await sweep(api);
  assert.equal(records[0]?.outcome, 'already-applied');
  assert.equal(records[0]?.errorCode, 'Timeout');
  // Untouched (the ModifiedTime as listed), a Connecting request after a timeout is still a failure.
  const quiet = fleet();
  quiet.fail('EnableVpcEndpointConnection:ep-acme', ...Array.from({ length: 5 }, () => apiError('Timeout', true)));
  assert.equal((await sweep(quiet)).records[0]?.outcome, 'failed');
});

test('an accept refused as busy on every attempt is never "already-applied", though the consumer moved the connection', async () => {
  const busy = () => Array.from({ length: 50 }, () => apiError('ConcurrentCallNotSupported', true));
  const api = fleet();
  api.fail('EnableVpcEndpointConnection:ep-acme', ...busy());
  const listed = api.connections.find((c) => c.endpointId === 'ep-acme');
  assert.ok(listed !== undefined);
  // The consumer changes its endpoint while every Enable is refused with an answer: nothing was accepted.
  api.onCall = (c) => {
    if (c.action === 'EnableVpcEndpointConnection') listed.modifiedTime = '2026-11-25T12:00:01.000Z';
  };
  const { records } = await sweep(api);
  assert.deepEqual([records[0]?.outcome, records[0]?.errorCode], ['deferred', 'ConcurrentCallNotSupported']);
  assert.equal(listed.connectionStatus, 'Connecting');
  // A lost answer, but the change is older than the first attempt: the consumer's, not ours.
  const early = fleet();
  early.fail('EnableVpcEndpointConnection:ep-acme', ...Array.from({ length: 5 }, () => apiError('Timeout', true)));
  const target = early.connections.find((c) => c.endpointId === 'ep-acme');
  assert.ok(target !== undefined);
  early.onCall = (c) => {
    if (c.action === 'EnableVpcEndpointConnection') target.modifiedTime = '2026-11-25T11:59:00.000Z';
  };
  assert.equal((await sweep(early)).records[0]?.outcome, 'failed');
});

test('a failed write whose connection is not in the wanted state is "failed" and the run goes on', async () => {
  const api = fleet();
  api.fail('EnableVpcEndpointConnection:ep-acme', apiError('InvalidParameter.Bandwidth'));
  const { records } = await sweep(api);
  assert.deepEqual(outcomes(records), [
    'ep-acme:accept:failed',
    'ep-initech:reject:applied',
    'ep-umbrella:hold:held',
    'ep-search-acme:accept:applied',
  ]);
  assert.equal(records[0]?.errorCode, 'InvalidParameter.Bandwidth');
  assert.equal(records[0]?.requestId, 'req-InvalidParameter.Bandwidth');
});

test('the deadline stops new writes: the rest is "deferred" and the summary says so', async () => {
  const api = fleet();
  let clock = NOW;
  api.onCall = () => {
    clock += 1000;
  };
  // Reads take 3 s of fake time; one write fits before the deadline's margin (3 s for a call).
  const { records, summary } = await sweep(api, { now: () => clock, deadline: NOW + 6500, callTimeoutMs: 3000 });
  // The one write that fits is the most urgent: the reject.
  assert.deepEqual(outcomes(records), [
    'ep-acme:accept:deferred',
    'ep-initech:reject:applied',
    'ep-umbrella:hold:held',
    'ep-search-acme:accept:deferred',
  ]);
  assert.equal(summary.deadlineReached, true);
  assert.equal(api.writes().length, 1);
});

test('narrowing by service and region never widens', async () => {
  const api = fleet();
  const { plan } = await sweep(api, { mode: 'plan', services: [SEARCH] });
  assert.deepEqual([...new Set(plan.decisions.map((d) => d.serviceId))], [SEARCH]);
  // One service asked for: the listing is filtered by its ID.
  assert.deepEqual(
    api.calls.filter((c) => c.action === 'ListVpcEndpointServices').map((c) => c.params['serviceId']),
    [SEARCH],
  );
  const api3 = fleet();
  const { summary: unknown } = await sweep(api3, { mode: 'plan', services: ['epsrv-bp1nosuchservice01'] });
  assert.deepEqual(
    unknown.warnings.map((w) => [w.code, w.serviceId]),
    [
      ['service-not-governed', 'epsrv-bp1nosuchservice01'],
      ['no-services', null],
    ],
  );
  const api2 = fleet();
  const { plan: none, summary } = await sweep(api2, { mode: 'plan', regions: ['cn-beijing'] });
  assert.equal(none.decisions.length, 0);
  assert.deepEqual(summary.regions, []);
  assert.equal(api2.calls.length, 0);
});

test('an auto-accept service is reported loudly in the summary warnings', async () => {
  const api = new FakePrivateLinkApi([service({ autoAcceptEnabled: true })], [conn('ep-acme', ACME, 'Connected')]);
  const { summary } = await sweep(api, { mode: 'plan' });
  assert.ok(
    summary.warnings.some((w) => /auto/i.test(w.code) && w.serviceId === ORDERS),
    JSON.stringify(summary.warnings),
  );
});

test('operational logs: JSON lines with the run id; auto-accept at error level', async () => {
  const { createLogger } = await import('../../functions/log/logger.ts');
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>), now: () => NOW });
  const api = new FakePrivateLinkApi([service({ autoAcceptEnabled: true })], [conn('ep-acme', ACME, 'Connected')]);
  await sweep(api, { mode: 'plan', logger, runId: 'run-42' });
  assert.ok(lines.every((l) => l['runId'] === 'run-42' && typeof l['timestamp'] === 'string'));
  assert.equal(lines[0]?.['message'], 'sweep started');
  assert.equal(lines.at(-1)?.['message'], 'sweep finished');
  const warnings = lines
    .filter((l) => l['code'] !== undefined)
    .map((l) => `${String(l['level'])} ${String(l['code'])}`);
  assert.ok(warnings.includes('ERROR auto-accept'), JSON.stringify(warnings));
  assert.ok(
    warnings.every((w) => w === 'ERROR auto-accept' || w.startsWith('WARN ')),
    JSON.stringify(warnings),
  );
});

const partials: [string, Partial<Page<EndpointConnection>>][] = [
  ['an unreadable item', { invalid: [{ field: 'EndpointId', problem: 'not an endpoint ID' }] }],
  ['a next page', { nextToken: 'more' }],
];
for (const [what, partial] of partials) {
  test(`a failed write whose re-read lacks the endpoint but has ${what} stays failed, not gone`, async () => {
    const api = fleet();
    api.fail('DisableVpcEndpointConnection:ep-initech', apiError('InvalidParameter.Bandwidth'));
    const list = api.listVpcEndpointConnections.bind(api);
    api.listVpcEndpointConnections = async (req) =>
      req.endpointId === 'ep-initech' ? { ...(await list(req)), items: [], ...partial } : list(req);
    const { records } = await sweep(api);
    const reject = records.find((r) => r.endpointId === 'ep-initech');
    assert.equal(reject?.outcome, 'failed');
    assert.equal(reject?.errorCode, 'InvalidParameter.Bandwidth');
  });
}

test('a credentials failure on the re-read after a failed write stops the run: no later write is sent', async () => {
  const api = fleet();
  api.fail('DisableVpcEndpointConnection:ep-initech', apiError('InvalidParameter.Bandwidth'));
  // The STS token expires between the write and its re-read.
  api.onCall = (call) => {
    if (call.action === 'DisableVpcEndpointConnection')
      api.fail(`ListVpcEndpointConnections:${ORDERS}`, apiError('InvalidSecurityToken.Expired'));
  };
  const sunk: SweepRecord[] = [];
  await assert.rejects(
    runSweep({
      policy: demoPolicy(),
      api,
      mode: 'enforce',
      now: () => NOW,
      retry: { sleep: async () => undefined },
      sink: (r) => sunk.push(r),
    }),
    (error: unknown) => error instanceof SweepAbortedError && error.code === 'InvalidSecurityToken.Expired',
  );
  assert.equal(api.writes().length, 1);
  assert.deepEqual(outcomes(sunk.filter(isAuditRecord)), [
    'ep-initech:reject:failed',
    'ep-acme:accept:deferred',
    'ep-search-acme:accept:deferred',
    'ep-umbrella:hold:held',
  ]);
  assert.equal(sunk.filter(isAuditRecord)[0]?.errorCode, 'InvalidParameter.Bandwidth');
  const summary = sunk.at(-1);
  assert.ok(isRunSummaryRecord(summary));
  assert.equal(summary.aborted?.errorCode, 'InvalidSecurityToken.Expired');
});

test('intent before effect: every write is preceded by an intent record, sunk (and awaited) before it is sent', async () => {
  const api = fleet();
  const order: string[] = [];
  api.onCall = (c) => {
    if (c.action !== 'ListVpcEndpointConnections' && c.action !== 'ListVpcEndpointServices')
      order.push(`write:${String(c.params['endpointId'])}:${String(c.params['clientToken'])}`);
  };
  const { records } = await sweep(api, {
    sink: async (r) => {
      // A slow sink (a file being flushed): the write must wait for it.
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (isIntentRecord(r)) order.push(`intent:${r.endpointId}:${r.clientToken}`);
    },
  });
  assert.equal(records.filter((r) => r.clientToken !== null).length, 3);
  assert.deepEqual(
    order,
    api.writes().flatMap((w) => {
      const id = `${String(w.params['endpointId'])}:${String(w.params['clientToken'])}`;
      return [`intent:${id}`, `write:${id}`];
    }),
  );
  const listed = api.connections.find((c) => c.endpointId === 'ep-acme');
  assert.equal(records[0]?.modifiedTime, listed?.modifiedTime);
  assert.equal(
    records[0]?.clientToken,
    clientToken(records[0]?.decisionId ?? '', listed?.modifiedTime ?? '', sha256Hex),
  );
  // A hold has no write, so no token, but the ModifiedTime as listed.
  const held = records.find((r) => r.outcome === 'held');
  assert.equal(held?.clientToken, null);
  assert.equal(typeof held?.modifiedTime, 'string');
});

test("a listed item that failed validation gets a skip record naming the field, and holds its owner's accepts on that service", async () => {
  const api = fleet();
  // The client refused a connection of acme on ORDERS (a Bandwidth of 1e308) and one whose owner is unreadable.
  api.invalid.set(ORDERS, [
    { field: 'Bandwidth', problem: 'not an integer within 0..10240', endpointId: 'ep-acme-bad', ownerId: ACME },
    { field: 'EndpointOwnerId', problem: 'missing', endpointId: 'ep-nobody' },
  ]);
  const { records, summary } = await sweep(api);
  assert.deepEqual(outcomes(records), [
    'ep-acme-bad:skip:invalid',
    'ep-nobody:skip:invalid',
    'ep-acme:hold:held',
    'ep-initech:reject:applied',
    'ep-umbrella:hold:held',
    'ep-search-acme:accept:applied',
  ]);
  assert.equal(records[0]?.errorMessage, 'Bandwidth: not an integer within 0..10240');
  assert.equal(records[0]?.ownerAccountId, ACME);
  assert.equal(records[2]?.rule, 'builtin.invalid-listing');
  assert.equal(summary.counts.byOutcome.invalid, 2);
  // The summary names them (an invoke of this run exits 70, partial).
  assert.deepEqual(
    summary.warnings.filter((w) => w.code === 'listing-invalid').map((w) => [w.serviceId, w.message]),
    [[ORDERS, `2 listed item(s) of ${ORDERS} failed validation and were never decided on`]],
  );
  assert.equal(summaryExitCode(summary), 70);
  // Never a write for the invalid items, and acme's accept on ORDERS waits.
  assert.deepEqual(
    api.writes().map((c) => String(c.params['endpointId'])),
    ['ep-initech', 'ep-search-acme'],
  );
  for (const r of records) assert.deepEqual(recordSchemaProblems(r), [], JSON.stringify(r));
});

test('a listed connection whose owner cannot be read holds every accept on its service', async () => {
  const api = fleet();
  api.invalid.set(SEARCH, [{ field: 'EndpointOwnerId', problem: 'missing', endpointId: 'ep-nobody' }]);
  const { records } = await sweep(api);
  const held = records.find((r) => r.endpointId === 'ep-search-acme');
  assert.equal(held?.outcome, 'held');
  assert.equal(held?.rule, 'builtin.invalid-listing');
  assert.match(held?.reason ?? '', /owner cannot be read: every accept there is held/);
  assert.equal(records.find((r) => r.endpointId === 'ep-acme')?.outcome, 'applied');
  assert.ok(!api.writes().some((c) => c.params['endpointId'] === 'ep-search-acme'));
});

test('a serviceId rule whose service is not listed fails closed: a failure naming the rule, in servicesFailed', async () => {
  const api = new FakePrivateLinkApi([service()], [conn('ep-acme', ACME, 'Connecting')]);
  const { records, summary } = await sweep(api);
  const failure = summary.servicesFailed.find((f) => f.serviceId === SEARCH);
  assert.equal(failure?.errorCode, 'ServiceNotFound');
  assert.equal(failure?.rule, 'services[1]');
  assert.match(failure?.errorMessage ?? '', /wrong account, wrong region, a deleted service/);
  const record = records.find((r) => r.serviceId === SEARCH);
  assert.equal(record?.outcome, 'failed');
  assert.equal(record?.rule, 'services[1]');
  assert.equal(records.find((r) => r.endpointId === 'ep-acme')?.outcome, 'applied');
});

test('a listing that never ends (a fresh NextToken on every page) stops at the page bound: not collected, with a record', async () => {
  const api = fleet();
  const list = api.listVpcEndpointConnections.bind(api);
  let n = 0;
  api.listVpcEndpointConnections = async (req) =>
    req.serviceId === SEARCH ? { ...(await list({ ...req, nextToken: undefined })), nextToken: `t-${++n}` } : list(req);
  const { records, summary } = await sweep(api, { pageBounds: { perListing: 7 } });
  assert.equal(n, 7);
  assert.equal(records[0]?.serviceId, SEARCH);
  assert.equal(records[0]?.errorCode, 'ListingTooLong');
  assert.deepEqual(
    summary.servicesFailed.map((f) => [f.serviceId, f.errorCode]),
    [[SEARCH, 'ListingTooLong']],
  );
  // The default bound follows from the page size and the documented ceiling (10,000 items).
  const { pageBounds } = await import('../../functions/sweep/listing-bounds.ts');
  assert.equal(pageBounds(50).maxPagesPerListing, 201);
});

test('the run reads at most its page budget in all: past it, services are not collected', async () => {
  const api = fleet();
  const { summary } = await sweep(api, { mode: 'plan', pageBounds: { perRun: 2 }, readConcurrency: 1 });
  // One page of the region's services, one service's connections; the other service is over budget.
  assert.deepEqual(
    summary.servicesFailed.map((f) => f.errorCode),
    ['PageBudgetSpent'],
  );
  assert.equal(summary.apiCalls, 2);
});

test('every run has a deadline, plan included: 15 minutes when none is given', async () => {
  const many = Array.from({ length: 120 }, (_, i) => conn(`ep-${String(i).padStart(3, '0')}`, INITECH, 'Connected'));
  const api = new FakePrivateLinkApi([service()], many);
  let clock = NOW;
  api.onCall = () => {
    clock += 6 * 60_000; // a very slow API: six minutes a call
  };
  const { summary } = await sweep(api, {
    policy: policy({ pendingStatus: 'Connecting' }),
    mode: 'plan',
    pageSize: 10,
    now: () => clock,
  });
  assert.equal(summary.deadlineReached, true);
  assert.equal(summary.servicesFailed[0]?.errorCode, 'DeadlineReached');
  assert.ok(summary.apiCalls <= 3, String(summary.apiCalls));
});

for (const reading of ['Connecting', 'Disconnected', 'auto'] as const) {
  test(`under the ${reading} reading, a revoke left in doubt is settled by the next run`, async () => {
    const api = new FakePrivateLinkApi([service()], [conn('ep-initech', INITECH, 'Connected')]);
    const policy = demoPolicy({ pendingStatus: reading, drift: { revoke: true, reduceBandwidth: false } });
    // Run 1 sank its intent to revoke ep-initech and the revoke took effect; its record was lost.
    const intents: IntentRecord[] = [];
    await sweep(api, {
      policy,
      sink: (r) => {
        if (isIntentRecord(r)) intents.push(r);
        if (isAuditRecord(r) && r.endpointId === 'ep-initech') throw new Error('killed');
      },
    });
    assert.deepEqual(
      intents.map((i) => [i.endpointId, i.decision]),
      [['ep-initech', 'revoke']],
    );
    const revoked = api.connections[0];
    assert.equal(revoked?.connectionStatus, 'Disconnected');
    if (revoked !== undefined) revoked.modifiedTime = new Date(NOW - 60_000).toISOString();
    const settled = (await sweep(api, { policy })).sunk.filter(isSettledRecord);
    assert.deepEqual(
      settled.map((s) => s.endpointId),
      ['ep-initech'],
    );
    assert.ok(settled[0]?.settles.includes(intents[0]?.decisionId ?? ''), JSON.stringify(settled));
  });
}

test('a run cut off mid-write is settled by the next: a recent change that a write of ours explains is reported', async () => {
  const api = fleet();
  // Run 1 sank its intent to accept ep-acme, and the accept took effect, but the run died before its record.
  // (A sink that fails no longer crashes the run: it stops the writes, which is all this test needs.)
  const intents: IntentRecord[] = [];
  let lost = false;
  await sweep(api, {
    sink: (r) => {
      if (isIntentRecord(r) && !lost) intents.push(r);
      if (isAuditRecord(r) && r.endpointId === 'ep-acme') lost = true;
      if (lost) throw new Error('killed');
    },
  });
  assert.equal(intents.filter((i) => i.endpointId !== 'ep-acme').length + 1, intents.length);
  const intent = intents.find((i) => i.endpointId === 'ep-acme');
  assert.ok(intent !== undefined);
  const accepted = api.connections.find((c) => c.endpointId === 'ep-acme');
  assert.ok(accepted !== undefined);
  accepted.modifiedTime = new Date(NOW - 60_000).toISOString();
  // Run 2: ep-acme is Connected, nothing to do; its settled record names the intent's decision id.
  const { sunk } = await sweep(api);
  const settled = sunk.filter(isSettledRecord);
  assert.deepEqual(
    settled.map((s) => s.endpointId),
    ['ep-acme'],
  );
  assert.ok(settled[0]?.settles.includes(intent.decisionId), JSON.stringify(settled));
  // The window spans a reconcile interval (15 minutes) plus a margin: a change 16 minutes old is
  // reported, by a full sweep and by a requests-only run that lists the connection.
  accepted.modifiedTime = new Date(NOW - 16 * 60_000).toISOString();
  assert.deepEqual(
    (await sweep(api)).sunk.filter(isSettledRecord).map((s) => s.endpointId),
    ['ep-acme'],
  );
  const requests = (await sweep(api, { scope: 'requests' })).sunk.filter(isSettledRecord);
  assert.deepEqual(
    requests.map((s) => s.endpointId),
    ['ep-acme'],
  );
  assert.ok(requests[0]?.settles.includes(intent.decisionId), JSON.stringify(requests));
  // A change older than the window (20 minutes) reports nothing.
  assert.equal(SETTLE_WINDOW_MS, 20 * 60_000);
  accepted.modifiedTime = new Date(NOW - SETTLE_WINDOW_MS - 60_000).toISOString();
  assert.deepEqual((await sweep(api)).sunk.filter(isSettledRecord), []);
});

test('the requests scope reports no safety-limit, access-expiring or revocation-scheduled warning of a partial view', async () => {
  const fleetWithDrift = () =>
    new FakePrivateLinkApi(
      [service()],
      [
        conn('ep-acme', ACME, 'Connecting'),
        conn('ep-ok', ACME, 'Connected'),
        conn('ep-initech-live', INITECH, 'Connected'),
        conn('ep-umbrella-live', UMBRELLA, 'Connected'),
      ],
    );
  const expires = new Date(NOW + 3 * 86_400_000).toISOString();
  const drifty = policy({
    pendingStatus: 'Connecting',
    drift: { revoke: true, reduceBandwidth: false },
    deny: {
      accounts: [
        deny(INITECH, 'deny.accounts[0]', 'denied'),
        { ...deny(UMBRELLA, 'deny.accounts[1]', 'later'), from: new Date(NOW + 86_400_000).toISOString() },
      ],
      endpoints: [],
    },
    limits: {
      maxDisconnects: 0,
      maxDisconnectsPercent: undefined,
      maxResizes: undefined,
      maxResizesPercent: undefined,
    },
    services: [rule({ allow: [allow(ACME, 'services[0].allow[0]', { expires })], unknownAccounts: 'hold' })],
  });
  const codes = (s: { warnings: { code: string }[] }) => s.warnings.map((w) => w.code).sort();
  // The full sweep sees them all.
  const full = await sweep(fleetWithDrift(), { policy: drifty, mode: 'plan', scope: 'all' });
  assert.deepEqual(
    codes(full.summary).filter((c) => c !== 'auto-accept'),
    ['access-expiring', 'revocation-scheduled', 'safety-limit'],
  );
  // The requests scope decides only the request (an accept): none of them is its to report.
  const requests = await sweep(fleetWithDrift(), { policy: drifty, mode: 'plan', scope: 'requests' });
  assert.deepEqual(
    requests.records.filter((r) => r.endpointId !== null).map((r) => `${r.endpointId}:${r.decision}`),
    ['ep-acme:accept'],
  );
  assert.deepEqual(codes(requests.summary), []);
});

test("every service is decided at the run's one decision time, however late its listing arrives", async () => {
  // A deny that takes effect one second after the run starts, while the clock moves a second per read:
  // deciding each service at its arrival would accept on one service and reject on the other.
  const from = new Date(NOW + 1_000).toISOString();
  const p = demoPolicy({ deny: { accounts: [{ ...deny(ACME, 'deny.accounts[0]', 'denied'), from }], endpoints: [] } });
  let clock = NOW;
  const api = fleet();
  const list = api.listVpcEndpointConnections.bind(api);
  api.listVpcEndpointConnections = (req) => ((clock += 1_000), list(req));
  const { plan } = await sweep(api, { policy: p, mode: 'plan', now: () => clock });
  const acme = plan.decisions.filter((d) => d.endpointOwnerId === ACME && d.statusBefore === 'Connecting');
  assert.deepEqual(
    acme.map((d) => `${d.endpointId}:${d.kind}`),
    ['ep-acme:accept', 'ep-search-acme:accept'],
  );
  assert.ok(clock >= NOW + 2_000, 'the clock passed the deny while the run listed');
});
