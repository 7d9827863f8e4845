/** `audit`: reading exported decision lines (plain, SLS-wrapped, noisy) and filtering them locally. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../functions/audit/audit-records.ts';
import { parseTimeBound, readRecords } from '../../functions/audit/read-records.ts';
import { main } from '../../cli/main.ts';
import { testIO } from './cli-io.ts';

const DAY = 86_400_000;
let dir: string;

function record(over: Partial<AuditRecord>): AuditRecord {
  return {
    schema: 'privatelink-approver/decision/v1',
    decisionId: 'a'.repeat(64),
    runId: 'run-1',
    time: new Date(Date.now() - DAY).toISOString(),
    mode: 'enforce',
    policyRevision: { hash: 'sha256:1111111111111111', commit: 'abc1234' },
    region: 'cn-hangzhou',
    serviceId: 'epsrv-bp1demoorders000001',
    endpointId: 'ep-bp1demoacme0000001',
    ownerAccountId: '2000000000000001',
    accountName: 'acme',
    vpcId: 'vpc-bp1demoacme000001',
    statusBefore: 'Connecting',
    bandwidthBefore: 3072,
    decision: 'accept',
    rule: 'services[0].allow[0]',
    reason: 'allowed',
    bandwidthAfter: 1024,
    outcome: 'applied',
    blockedBy: null,
    errorCode: null,
    errorMessage: null,
    requestId: 'req-1',
    attempts: 1,
    modifiedTime: null,
    clientToken: null,
    waitMs: null,
    ...over,
  };
}

const accepted = record({});
const rejected = record({
  endpointId: 'ep-bp1demoinitech0001',
  ownerAccountId: '2000000000000003',
  accountName: null,
  decision: 'reject',
  rule: 'deny.accounts[0]',
  reason: 'denied: contract ended',
  bandwidthAfter: null,
  time: new Date(Date.now() - 40 * DAY).toISOString(),
  policyRevision: { hash: 'sha256:2222222222222222', commit: null },
});
const held = record({
  endpointId: 'ep-bp1demoumbrella001',
  ownerAccountId: '2000000000000004',
  accountName: null,
  decision: 'hold',
  outcome: 'held',
  serviceId: 'epsrv-bp1demosearch00002',
});

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'plk-audit-'));
  const lines = [
    JSON.stringify(accepted),
    'plain text log line',
    JSON.stringify({ level: 'INFO', message: 'sweep started', timestamp: '2026-11-25T08:00:00Z' }),
    // An SLS export line: the record as a string in the log's `message` field.
    JSON.stringify({ __time__: 1764057600, __source__: 'fc', message: JSON.stringify(rejected) }),
    `2026-11-25T08:00:00Z req-9 ${JSON.stringify(held)}`,
    JSON.stringify({ schema: 'privatelink-approver/run/v1', runId: 'run-1' }),
    '{not json',
    '',
  ];
  writeFileSync(join(dir, 'export.jsonl'), lines.join('\n'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function audit(args: string[], stdin?: string) {
  const io = testIO({ cwd: dir, env: { NO_COLOR: '1' }, ...(stdin === undefined ? {} : { stdin }) });
  const code = await main(['audit', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

function ids(out: string): string[] {
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => String((JSON.parse(l) as AuditRecord).endpointId));
}

test('reads records from plain lines, SLS export wrappers and prefixed lines; skips everything else', () => {
  const { records, skipped } = readRecords(
    `${JSON.stringify(accepted)}\nnoise\n${JSON.stringify({ content: JSON.stringify(held) })}\n`,
  );
  assert.deepEqual(
    records.map((r) => r.endpointId),
    ['ep-bp1demoacme0000001', 'ep-bp1demoumbrella001'],
  );
  assert.equal(skipped, 1);
  const array = readRecords(JSON.stringify([{ message: JSON.stringify(rejected) }, { message: 'x' }]));
  assert.deepEqual(
    array.records.map((r) => r.endpointId),
    ['ep-bp1demoinitech0001'],
  );
});

test('filters by decision, outcome, account (ID or name), service and revision', async () => {
  assert.deepEqual(ids((await audit(['export.jsonl', '--format', 'json'])).out), [
    'ep-bp1demoacme0000001',
    'ep-bp1demoinitech0001',
    'ep-bp1demoumbrella001',
  ]);
  assert.deepEqual(ids((await audit(['export.jsonl', '--format', 'json', '--decision', 'reject'])).out), [
    'ep-bp1demoinitech0001',
  ]);
  assert.deepEqual(ids((await audit(['export.jsonl', '--format', 'json', '--outcome', 'held'])).out), [
    'ep-bp1demoumbrella001',
  ]);
  assert.deepEqual(ids((await audit(['export.jsonl', '--format', 'json', '--account', 'acme'])).out), [
    'ep-bp1demoacme0000001',
  ]);
  assert.deepEqual(ids((await audit(['export.jsonl', '--format', 'json', '--account', '2000000000000003'])).out), [
    'ep-bp1demoinitech0001',
  ]);
  assert.deepEqual(
    ids((await audit(['export.jsonl', '--format', 'json', '--service', 'epsrv-bp1demosearch00002'])).out),
    ['ep-bp1demoumbrella001'],
  );
  assert.deepEqual(ids((await audit(['export.jsonl', '--format', 'json', '--revision', '2222'])).out), [
    'ep-bp1demoinitech0001',
  ]);
  assert.deepEqual(ids((await audit(['export.jsonl', '--format', 'json', '--revision', 'abc12'])).out), [
    'ep-bp1demoacme0000001',
    'ep-bp1demoumbrella001',
  ]);
});

test('--since and --until take ISO dates and relative ages', async () => {
  assert.deepEqual(ids((await audit(['export.jsonl', '--format', 'json', '--since', '30d'])).out), [
    'ep-bp1demoacme0000001',
    'ep-bp1demoumbrella001',
  ]);
  assert.deepEqual(ids((await audit(['export.jsonl', '--format', 'json', '--until', '30d'])).out), [
    'ep-bp1demoinitech0001',
  ]);
  const iso = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10);
  assert.deepEqual(
    ids((await audit(['export.jsonl', '--format', 'json', '--decision', 'accept', '--since', iso])).out),
    ['ep-bp1demoacme0000001'],
  );
  assert.equal(parseTimeBound('12h', 1_000_000_000_000), 1_000_000_000_000 - 12 * 3_600_000);
  assert.equal(parseTimeBound('yesterday', 0), undefined);
});

test('the table shows matching records and a count; stdin works with -', async () => {
  const { code, out } = await audit(
    ['-', '--decision', 'accept'],
    JSON.stringify(accepted) + '\n' + JSON.stringify(rejected) + '\n',
  );
  assert.equal(code, 0);
  assert.match(out, /^TIME\s+DECISION\s+OUTCOME/m);
  assert.match(
    out,
    /accept\s+applied\s+enforce\s+acme \(2000000000000001\)\s+epsrv-bp1demoorders000001\s+ep-bp1demoacme0000001\s+3072->1024\s+services\[0\]\.allow\[0\]\s+allowed/,
  );
  assert.match(out, /^1 of 2 record\(s\) match$/m);
});

test('a replay (same decisionId and RequestId as an earlier applied record) is one change: left out unless --all', async () => {
  const later = (days: number, over: Partial<AuditRecord> = {}) =>
    record({ runId: `run-${days}`, time: new Date(Date.now() - days * DAY).toISOString(), ...over });
  // Listed newest first, as an SLS export may be: the oldest is the change, the other is the API's replay.
  const replay = later(1);
  const first = later(2);
  const again = later(0.5, { requestId: 'req-2' }); // a new request (the connection had changed): a second change
  const input = [replay, first, again].map((r) => JSON.stringify(r)).join('\n');
  const folded = await audit(['-', '--format', 'json', '--outcome', 'applied'], input);
  assert.deepEqual(
    folded.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as AuditRecord).runId),
    ['run-2', 'run-0.5'],
  );
  assert.match(
    folded.err,
    /left out 1 replayed record\(s\): the decisionId and RequestId of an earlier applied record/,
  );
  const all = await audit(['-', '--format', 'json', '--all'], input);
  assert.equal(all.out.trim().split('\n').length, 3);
  assert.equal(all.err, '');
  // A replay within --since whose first answer is older is still no new change.
  const recent = await audit(['-', '--format', 'json', '--since', '36h'], input);
  assert.deepEqual(
    recent.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as AuditRecord).runId),
    ['run-0.5'],
  );
});

test('bad filters exit 64, an unreadable file 66', async () => {
  const since = await audit(['export.jsonl', '--since', 'last week']);
  assert.equal(since.code, 64);
  assert.match(since.err, /--since must be an ISO 8601 date\/time or a relative age/);
  assert.equal((await audit(['export.jsonl', '--decision', 'approve'])).code, 64);
  assert.equal((await audit(['export.jsonl', '--outcome', 'done'])).code, 64);
  assert.equal((await audit(['export.jsonl', '--bogus'])).code, 64);
  const missing = await audit(['nope.jsonl']);
  assert.equal(missing.code, 66);
  assert.match(missing.err, /cannot read nope\.jsonl: ENOENT/);
});

test('a malformed record is reported with its line number and left out; the rest is read; never a stack trace', async () => {
  const { schema: _schema, ...noSchema } = accepted;
  void _schema;
  const lines = [
    JSON.stringify(accepted),
    JSON.stringify({ ...held, outcome: 42 }), // mistyped
    JSON.stringify({ ...rejected, reason: undefined }), // missing
    `{"schema":"privatelink-approver/decision/v1","runId":"cut-off`, // not JSON
    JSON.stringify(noSchema), // not a record: skipped silently
    JSON.stringify({ ...held, policyRevision: 'abc' }),
    JSON.stringify({ ...held, time: 'yesterday' }),
    JSON.stringify(held),
  ].join('\n');
  const { code, out, err } = await audit(['-', '--format', 'json'], lines);
  assert.equal(code, 0, err);
  assert.deepEqual(ids(out), ['ep-bp1demoacme0000001', 'ep-bp1demoumbrella001']);
  assert.equal(
    err,
    [
      'privatelink-approver audit: -:2: malformed record: outcome: expected a string, got number',
      'privatelink-approver audit: -:3: malformed record: reason: expected a string, got undefined',
      'privatelink-approver audit: -:4: malformed record: not valid JSON',
      'privatelink-approver audit: -:6: malformed record: policyRevision: expected an object with a string hash',
      'privatelink-approver audit: -:7: malformed record: time: not a date/time',
      '',
    ].join('\n'),
  );
  const strict = await audit(['-', '--strict'], lines);
  assert.equal(strict.code, 65);
  assert.equal(strict.out, '');
  assert.equal(
    strict.err,
    'privatelink-approver audit: -:2: malformed record: outcome: expected a string, got number\n',
  );
  const file = await audit(['export.jsonl', '--strict']);
  assert.equal(file.code, 0, 'the export fixture has no malformed record ({not json names no schema)');
});

test('audit with no FILE and a terminal on stdin says it reads standard input', async () => {
  const io = testIO({ cwd: dir, env: { NO_COLOR: '1' }, stdin: JSON.stringify(accepted) });
  (io.stdin as { isTTY?: boolean }).isTTY = true;
  assert.equal(await main(['audit'], io), 0);
  assert.match(io.err(), /^privatelink-approver audit: reading records from standard input \(give a FILE, or pipe/);
  assert.match(io.out(), /^1 of 1 record\(s\) match$/m);
  const piped = await audit([], JSON.stringify(accepted));
  assert.equal(piped.err, '', 'no such line when stdin is a pipe');
});

test('an intent with no decision record in its run is a write in doubt: counted, and listed with --in-doubt', async () => {
  const intent = (over: Record<string, unknown>) => ({
    schema: 'privatelink-approver/intent/v1',
    decisionId: accepted.decisionId,
    runId: accepted.runId,
    time: accepted.time,
    mode: 'enforce',
    policyRevision: accepted.policyRevision,
    region: 'cn-hangzhou',
    serviceId: 'epsrv-bp1demoorders000001',
    endpointId: 'ep-bp1demoacme0000001',
    ownerAccountId: '2000000000000001',
    decision: 'accept',
    action: 'EnableVpcEndpointConnection',
    bandwidthAfter: 1024,
    modifiedTime: '2026-11-25T08:00:00Z',
    clientToken: 'c'.repeat(64),
    ...over,
  });
  const cut = intent({ runId: 'run-2', endpointId: 'ep-bp1demoglobex00005', decisionId: 'b'.repeat(64) });
  const input = [intent({}), JSON.stringify(accepted), cut].map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
  const normal = await audit(['-', '--format', 'json'], input.join('\n'));
  assert.deepEqual(ids(normal.out), ['ep-bp1demoacme0000001'], 'intents are not decision records');
  assert.match(normal.err, /^privatelink-approver audit: 1 write\(s\) in doubt: an intent with no outcome in its run/m);
  const doubt = await audit(['-', '--in-doubt', '--format', 'json'], input.join('\n'));
  assert.equal(doubt.code, 0);
  assert.deepEqual(
    doubt.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { runId: string; endpointId: string }).endpointId),
    ['ep-bp1demoglobex00005'],
  );
  const table = await audit(['-', '--in-doubt', '--account', '2000000000000001'], input.join('\n'));
  assert.match(table.out, /^TIME\s+DECISION\s+ACTION\s+ACCOUNT/m);
  assert.match(
    table.out,
    /EnableVpcEndpointConnection\s+2000000000000001\s+epsrv-bp1demoorders000001\s+ep-bp1demoglobex00005/,
  );
  assert.match(table.out, /^1 write\(s\) in doubt$/m);
  const none = await audit(['-', '--in-doubt', '--account', 'acme'], input.join('\n'));
  assert.match(none.out, /^0 write\(s\) in doubt$/m, 'an intent carries no account name');
});

test('audit: a whitelist intent (endpointId null) is no malformed record; --in-doubt leaves out intents settled later', async () => {
  const base = {
    schema: 'privatelink-approver/intent/v1',
    runId: 'run-1',
    time: '2026-11-25T08:00:00.000Z',
    mode: 'enforce',
    policyRevision: accepted.policyRevision,
    region: 'cn-hangzhou',
    serviceId: 'epsrv-bp1demoorders000001',
    ownerAccountId: '2000000000000001',
    bandwidthAfter: null,
    modifiedTime: null,
    clientToken: 'c'.repeat(64),
  };
  const whitelist = {
    ...base,
    decisionId: 'a'.repeat(64),
    endpointId: null,
    decision: 'whitelist-add',
    action: 'AddUserToVpcEndpointService',
  };
  const revoke = {
    ...base,
    decisionId: 'd'.repeat(64),
    endpointId: 'ep-bp1demoinitech0002',
    decision: 'revoke',
    action: 'DisableVpcEndpointConnection',
    modifiedTime: '2026-11-25T07:00:00Z',
  };
  const settled = {
    schema: 'privatelink-approver/settled/v1',
    runId: 'run-2',
    time: '2026-11-25T08:05:00.000Z',
    mode: 'enforce',
    policyRevision: accepted.policyRevision,
    region: 'cn-hangzhou',
    serviceId: 'epsrv-bp1demoorders000001',
    endpointId: 'ep-bp1demoinitech0002',
    ownerAccountId: '2000000000000003',
    connectionStatus: 'Disconnected',
    bandwidth: 1024,
    modifiedTime: '2026-11-25T08:00:01Z',
    settles: ['e'.repeat(64), 'd'.repeat(64)],
  };
  const input = [whitelist, revoke, settled].map((r) => JSON.stringify(r)).join('\n');
  const doubt = await audit(['-', '--in-doubt', '--format', 'json'], input);
  assert.equal(doubt.code, 0);
  assert.doesNotMatch(doubt.err, /malformed/);
  assert.deepEqual(
    doubt.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { decision: string }).decision),
    ['whitelist-add'],
  );
  const table = await audit(['-', '--in-doubt'], input);
  assert.match(table.out, /whitelist-add\s+AddUserToVpcEndpointService\s+2000000000000001\s+epsrv-\S+\s+-\s/);
  const broken = await audit(['-', '--in-doubt'], JSON.stringify({ ...revoke, endpointId: null }));
  assert.match(broken.err, /malformed record: endpointId: expected a string, got null/);
});
