/** The readable run summary `apply` prints on stderr. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyCounts } from '../../functions/audit/audit-records.ts';
import type { RunSummaryRecord } from '../../functions/audit/audit-records.ts';
import { renderSummary } from '../../cli/render-run.ts';
import { createStyle } from '../../cli/style.ts';

const plain = createStyle({ isTTY: false } as never, {});

function summary(over: Partial<RunSummaryRecord>): RunSummaryRecord {
  return {
    schema: 'privatelink-approver/run/v1',
    runId: 'run-1',
    time: '2026-11-25T08:00:05.000Z',
    startedAt: '2026-11-25T08:00:00.000Z',
    mode: 'enforce',
    apply: true,
    policyRevision: { hash: 'sha256:0123456789abcdef', commit: null },
    regions: ['cn-hangzhou'],
    counts: emptyCounts(),
    servicesScanned: 0,
    servicesFailed: [],
    connectionsSeen: 0,
    governedConnections: 0,
    apiCalls: 1,
    retries: 0,
    durationMs: 5000,
    deadlineReached: false,
    aborted: null,
    warnings: [],
    scope: 'all',
    handler: null,
    timeToDecision: { decisions: 0, p50Ms: null, p95Ms: null },
    ...over,
  };
}

test('a deadline that came before services were listed says so, apart from deferred writes', () => {
  const cut = renderSummary(
    summary({
      deadlineReached: true,
      servicesFailed: [
        {
          region: 'cn-hangzhou',
          serviceId: 'epsrv-1',
          errorCode: 'DeadlineReached',
          errorMessage: 'the run deadline leaves no time for another read',
        },
        {
          region: 'cn-hangzhou',
          serviceId: 'epsrv-2',
          errorCode: 'DeadlineReached',
          errorMessage: 'the run deadline leaves no time for another read',
        },
      ],
    }),
    plain,
  );
  assert.match(cut, /^ {2}deadline reached: the remaining decisions are deferred to the next run$/m);
  assert.match(
    cut,
    /^ {2}2 services could not be listed before the deadline: no decisions for them in this run \(a longer deadline gives them time\)$/m,
  );
  assert.match(cut, /^ {2}NOT COLLECTED cn-hangzhou epsrv-1: DeadlineReached: /m);
  const writesOnly = renderSummary(summary({ deadlineReached: true }), plain);
  assert.doesNotMatch(writesOnly, /could not be listed/);
  assert.doesNotMatch(renderSummary(summary({}), plain), /deadline/);
});
