/**
 * Strings from the API or a policy are made safe where they are shown (issue 10): ESC, BEL, CR/LF, C1,
 * U+2028/2029 and bidi controls escaped in `plan --format table|markdown`, the `audit` table and
 * `start`'s tables; Markdown syntax escaped in `plan --format markdown`; JSON lines escape U+2028/2029.
 * The assertions are on the exact printed bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord, RunSummaryRecord } from '../../functions/audit/audit-records.ts';
import { emptyCounts } from '../../functions/audit/audit-records.ts';
import { jsonLine } from '../../functions/audit/json-line.ts';
import type { Decision, Plan } from '../../functions/engine/decision.ts';
import { main } from '../../cli/main.ts';
import { renderPlanMarkdown, renderPlanTable } from '../../cli/render-plan.ts';
import { renderRecords, renderSummary } from '../../cli/render-run.ts';
import { markdownText, safeText } from '../../cli/safe-text.ts';
import { createStyle } from '../../cli/style.ts';
import { testIO } from './cli-io.ts';

const plain = createStyle({ isTTY: false } as never, {});
/** Clear screen, bell, a forged line, a right-to-left override, a C1 CSI, a line separator. */
const EVIL = 'evil\u001b[2J\u0007\r\nFAKE | `x` *b* _i_ [l](u) <img> #h \u202egnp.exe\u009b31m\u2028end';
const EVIL_SAFE = 'evil\\u001b[2J\\u0007\\r\\nFAKE | `x` *b* _i_ [l](u) <img> #h \\u202egnp.exe\\u009b31m\\u2028end';
const EVIL_MD =
  'evil\\\\u001b\\[2J\\\\u0007\\\\r\\\\nFAKE \\| \\`x\\` \\*b\\* \\_i\\_ \\[l\\](u) \\<img\\> \\#h ' +
  '\\\\u202egnp.exe\\\\u009b31m\\\\u2028end';

/** No control character at all, apart from the line feeds that end lines. */
function assertNoControls(text: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.exec(text);
  assert.equal(bad, null, `${what}: raw control U+${bad?.[0].charCodeAt(0).toString(16)} in ${JSON.stringify(text)}`);
}

const decision = {
  kind: 'accept',
  regionId: 'cn-hangzhou',
  serviceId: `epsrv-${EVIL}`,
  endpointId: `ep-${EVIL}`,
  endpointOwnerId: '2000000000000001',
  endpointVpcId: 'vpc-1',
  accountName: EVIL,
  statusBefore: 'Connecting',
  bandwidthBefore: 1024,
  bandwidthAfter: 1024,
  rule: `services[0].allow[0]`,
  blocked: undefined,
  reason: `because ${EVIL}`,
} as unknown as Decision;
const plan: Plan = {
  decisions: [decision],
  warnings: [],
  governedConnections: 1,
} as unknown as Plan;
const warning = { code: 'auto-accept', region: 'cn-hangzhou', serviceId: `epsrv-${EVIL}`, message: `svc ${EVIL}` };
const failure = { region: 'cn-hangzhou', serviceId: null, errorCode: `Bad${EVIL}`, errorMessage: `msg ${EVIL}` };

test('safeText and markdownText: the exact escapes', () => {
  assert.equal(safeText(EVIL), EVIL_SAFE);
  assert.equal(markdownText(EVIL), EVIL_MD);
  assert.equal(
    safeText('\u0000\u001f\u007f\u0085\u061c\u200e\u200f\u2029\u2066\u2069'),
    '\\u0000\\u001f\\u007f\\u0085\\u061c\\u200e\\u200f\\u2029\\u2066\\u2069',
  );
});

test('plan --format table prints hostile names, IDs, reasons, warnings and failures escaped', () => {
  const out = renderPlanTable(plan, [warning], [failure], plain);
  assertNoControls(out, 'table');
  assert.ok(out.includes(`\ncn-hangzhou epsrv-${EVIL_SAFE}\n`), out);
  assert.match(
    out,
    new RegExp(`^ {2}ACCEPT +ep-${escapeRe(EVIL_SAFE)} +${escapeRe(EVIL_SAFE)} \\(2000000000000001\\) `, 'm'),
  );
  assert.ok(out.includes(`because ${EVIL_SAFE}\n`));
  assert.ok(out.includes(`WARNING auto-accept cn-hangzhou epsrv-${EVIL_SAFE}: svc ${EVIL_SAFE}\n`));
  assert.ok(
    out.startsWith(`NOT COLLECTED cn-hangzhou (whole region): Bad${EVIL_SAFE}: msg ${EVIL_SAFE} (no decisions`),
  );
});

test('plan --format markdown escapes controls and Markdown syntax in every cell and line', () => {
  const out = renderPlanMarkdown(plan, [warning], [failure]);
  assertNoControls(out, 'markdown');
  const row = out.split('\n').find((l) => l.startsWith('| accept |')) ?? '';
  assert.equal(
    row,
    `| accept | cn-hangzhou | epsrv-${EVIL_MD} | ep-${EVIL_MD} | ${EVIL_MD} (2000000000000001) | Connecting | 1024 | ` +
      `services\\[0\\].allow\\[0\\] | because ${EVIL_MD} |`,
  );
  // A row has exactly the table's 10 unescaped pipes: no cell was ended by a name.
  assert.equal(row.match(/(?<!\\)\|/g)?.length, 10);
  assert.ok(out.includes(`> **Warning** auto-accept: svc ${EVIL_MD}\n`), out);
  assert.ok(out.includes(`> **Not collected** cn-hangzhou (whole region): Bad${EVIL_MD}: msg ${EVIL_MD}\n`), out);
});

function record(over: Partial<AuditRecord>): AuditRecord {
  return {
    schema: 'privatelink-approver/decision/v1',
    decisionId: 'd',
    runId: 'r',
    time: '2026-11-25T08:00:00.000Z',
    mode: 'enforce',
    policyRevision: { hash: 'sha256:1', commit: null },
    region: 'cn-hangzhou',
    serviceId: `epsrv-${EVIL}`,
    endpointId: `ep-${EVIL}`,
    ownerAccountId: '2000000000000001',
    accountName: EVIL,
    vpcId: null,
    statusBefore: 'Connecting',
    bandwidthBefore: 1024,
    decision: 'accept',
    rule: `rule ${EVIL}`,
    reason: `because ${EVIL}`,
    bandwidthAfter: 1024,
    outcome: 'failed',
    blockedBy: null,
    errorCode: `Code${EVIL}`,
    errorMessage: `message ${EVIL}`,
    requestId: null,
    attempts: 1,
    ...over,
  } as AuditRecord;
}

test("start's record tables and run summary print hostile strings escaped, in both layouts", () => {
  for (const width of [Infinity, 60]) {
    const out = renderRecords([record({})], plain, width);
    assertNoControls(out, `records at ${width}`);
    assert.ok(out.includes(`  cn-hangzhou epsrv-${EVIL_SAFE}\n`), out);
    assert.ok(out.includes(`ep-${EVIL_SAFE}`), out);
  }
  const summary = {
    schema: 'privatelink-approver/run/v1',
    runId: 'r',
    time: '2026-11-25T08:00:05.000Z',
    startedAt: '2026-11-25T08:00:00.000Z',
    mode: 'enforce',
    apply: true,
    policyRevision: { hash: 'sha256:1', commit: null },
    regions: ['cn-hangzhou'],
    counts: emptyCounts(),
    servicesScanned: 0,
    servicesFailed: [failure],
    connectionsSeen: 0,
    governedConnections: 0,
    apiCalls: 1,
    retries: 0,
    durationMs: 1,
    deadlineReached: false,
    aborted: { errorCode: `Stop${EVIL}`, errorMessage: `Stop${EVIL}: why ${EVIL}` },
    warnings: [warning],
  } as unknown as RunSummaryRecord;
  const text = renderSummary(summary, plain);
  assertNoControls(text, 'summary');
  assert.ok(text.includes(`  STOPPED: Stop${EVIL_SAFE}: why ${EVIL_SAFE}\n`), text);
  assert.ok(text.includes(`  NOT COLLECTED cn-hangzhou (whole region): Bad${EVIL_SAFE}: msg ${EVIL_SAFE}\n`), text);
});

test('the audit table escapes hostile strings; --format json lines escape U+2028/U+2029 and parse back', async () => {
  const input = `${jsonLine(record({}))}\n`;
  assert.ok(!input.includes('\u2028') && input.includes('\\u2028'));
  const table = testIO({ stdin: input, env: { NO_COLOR: '1' } });
  assert.equal(await main(['audit', '-'], table), 0, table.err());
  assertNoControls(table.out(), 'audit table');
  assert.ok(table.out().includes(`ep-${EVIL_SAFE}`), table.out());
  assert.ok(table.out().includes(`because ${EVIL_SAFE} [Code${EVIL_SAFE}]`), table.out());
  const json = testIO({ stdin: input });
  assert.equal(await main(['audit', '-', '--format', 'json'], json), 0);
  assert.equal(json.out().trim().split('\n').length, 1, 'one record, one line');
  assertNoControls(json.out(), 'audit json');
  assert.deepEqual(JSON.parse(json.out()), record({}));
});

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('plan --format json escapes U+2028/U+2029 and bidi controls too, and parses back', async () => {
  const { jsonDocument } = await import('../../functions/audit/json-line.ts');
  const text = jsonDocument({ reason: EVIL });
  assertNoControls(text, 'json document');
  assert.deepEqual(JSON.parse(text), { reason: EVIL });
});
