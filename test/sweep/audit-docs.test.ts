/** docs/audit-records.md cannot drift from the records: every example line has exactly the fields the builders write. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  OUTCOMES,
  decisionRecord,
  intentRecord,
  isAuditRecord,
  isIntentRecord,
  isRunSummaryRecord,
  isSettledRecord,
  settledRecord,
} from '../../functions/audit/audit-records.ts';
import type { RunSummaryRecord } from '../../functions/audit/audit-records.ts';
import { decide } from '../../functions/engine/decide.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import { ACME, NOW, ORDERS, conn, policy, service } from '../engine/builders.ts';
import { FakePrivateLinkApi } from './fake-private-link-api.ts';
import { DOCUMENTED_OUTCOMES, recordSchemaProblems } from './record-schema.ts';

const doc = readFileSync('docs/audit-records.md', 'utf8');
const examples = [...doc.matchAll(/```json\n(.*?)```/gs)]
  .flatMap((m) => (m[1] ?? '').trim().split('\n'))
  .map((l): unknown => JSON.parse(l));

test('the documented decision examples have exactly the record fields', () => {
  const d = decide(
    policy(),
    { services: [{ service: service(), connections: [conn('ep-1', ACME, 'Connecting')] }] },
    NOW,
  ).decisions[0];
  assert.ok(d !== undefined);
  const built = decisionRecord(
    d,
    { runId: 'r', mode: 'enforce', policyRevision: { hash: 'h', commit: null } },
    { outcome: 'applied', time: NOW, decisionId: 'x' },
  );
  const decisions = examples.filter(isAuditRecord);
  assert.ok(decisions.length >= 4);
  for (const e of decisions) {
    assert.deepEqual(Object.keys(e).sort(), Object.keys(built).sort());
    assert.ok((OUTCOMES as readonly string[]).includes(e.outcome));
  }
  // Every record field has a row in the field table.
  const rows = new Set([...doc.matchAll(/^\| `([a-zA-Z]+)` \|/gm)].map((m) => m[1]));
  for (const field of Object.keys(built)) assert.ok(rows.has(field), `docs/audit-records.md documents ${field}`);
});

test('every documented example and every outcome conforms to the documented schema, and the check is not blind', () => {
  for (const e of examples.filter(isAuditRecord)) assert.deepEqual(recordSchemaProblems(e), [], JSON.stringify(e));
  assert.deepEqual([...DOCUMENTED_OUTCOMES].sort(), [...OUTCOMES].sort());
  const d = decide(
    policy(),
    { services: [{ service: service(), connections: [conn('ep-1', ACME, 'Connecting')] }] },
    NOW,
  ).decisions[0];
  assert.ok(d !== undefined);
  const good = decisionRecord(
    d,
    { runId: 'r', mode: 'enforce', policyRevision: { hash: 'h', commit: null } },
    { outcome: 'applied', time: NOW, decisionId: 'x' },
  );
  assert.deepEqual(recordSchemaProblems(good), []);
  assert.deepEqual(recordSchemaProblems({ ...good, outcome: 'done', bandwidthAfter: '1024', extra: 1 }), [
    'extra: not documented',
    'bandwidthAfter: "1024" is not number | null',
    'outcome: "done" is not see below',
  ]);
});

test('the documented summary example has exactly the summary fields', async () => {
  let summary: RunSummaryRecord | undefined;
  await runSweep({
    policy: policy(),
    api: new FakePrivateLinkApi([service({ serviceId: ORDERS })], []),
    mode: 'plan',
    now: () => NOW,
    sink: (r) => {
      if (isRunSummaryRecord(r)) summary = r;
    },
  });
  const e = examples.find(isRunSummaryRecord);
  assert.ok(e !== undefined && summary !== undefined);
  assert.deepEqual(Object.keys(e).sort(), Object.keys(summary).sort());
  assert.deepEqual(Object.keys(e.counts.byOutcome).sort(), [...OUTCOMES].sort());
});

test('the documented intent example has exactly the intent fields', () => {
  const d = decide(
    policy(),
    { services: [{ service: service(), connections: [conn('ep-1', ACME, 'Connecting')] }] },
    NOW,
  ).decisions[0];
  assert.ok(d !== undefined);
  const built = intentRecord(
    d,
    { runId: 'r', mode: 'enforce', policyRevision: { hash: 'h', commit: null } },
    { decisionId: 'x', time: NOW, action: 'EnableVpcEndpointConnection', modifiedTime: 't', clientToken: 'c' },
  );
  const intents = examples.filter(isIntentRecord);
  assert.equal(intents.length, 1);
  for (const e of intents) assert.deepEqual(Object.keys(e).sort(), Object.keys(built).sort());
});

test('the documented settled example has exactly the settled fields', () => {
  const d = decide(
    policy(),
    { services: [{ service: service(), connections: [conn('ep-1', ACME, 'Connected')] }] },
    NOW,
  ).decisions[0];
  assert.ok(d !== undefined);
  const built = settledRecord(
    d,
    { runId: 'r', mode: 'enforce', policyRevision: { hash: 'h', commit: null } },
    { time: NOW, modifiedTime: 't', settles: ['x'] },
  );
  const settled = examples.filter(isSettledRecord);
  assert.equal(settled.length, 1);
  for (const e of settled) assert.deepEqual(Object.keys(e).sort(), Object.keys(built).sort());
});
