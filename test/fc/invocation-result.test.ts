import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_SCHEMA, emptyCounts } from '../../functions/audit/audit-records.ts';
import type { RunSummaryRecord } from '../../functions/audit/audit-records.ts';
import { INVOCATION_ERROR_SCHEMA } from '../../functions/fc/invocation-result.ts';
import { handlerResultExitCode } from '../../cli/exit-codes.ts';
import type { InvocationErrorCode, InvocationErrorRecord } from '../../functions/fc/invocation-result.ts';

function summary(change: (s: RunSummaryRecord) => void): RunSummaryRecord & { fcRequestId: string } {
  const s: RunSummaryRecord = {
    schema: RUN_SCHEMA,
    runId: 'r',
    time: '2026-11-25T08:00:01Z',
    startedAt: '2026-11-25T08:00:00Z',
    mode: 'enforce',
    apply: true,
    policyRevision: { hash: 'sha256:0', commit: null },
    regions: ['cn-hangzhou'],
    counts: emptyCounts(),
    servicesScanned: 1,
    servicesFailed: [],
    connectionsSeen: 1,
    governedConnections: 1,
    apiCalls: 2,
    retries: 0,
    durationMs: 5,
    deadlineReached: false,
    aborted: null,
    warnings: [],
    scope: 'all',
    handler: null,
    timeToDecision: { decisions: 0, p50Ms: null, p95Ms: null },
  };
  change(s);
  return { ...s, fcRequestId: 'fc' };
}

describe('handlerResultExitCode (invoke exit code from what the function returned)', () => {
  const cases: Array<[string, Parameters<typeof handlerResultExitCode>[0], number]> = [
    ['a clean run', summary(() => undefined), 0],
    [
      'held and dry-run decisions only',
      summary((s) => ((s.counts.byOutcome.held = 2), (s.counts.byOutcome['dry-run'] = 3))),
      0,
    ],
    ['a blocked decision', summary((s) => (s.counts.byOutcome.blocked = 1)), 71],
    ['a failed write', summary((s) => ((s.counts.byOutcome.failed = 1), (s.counts.byOutcome.blocked = 1))), 70],
    [
      'a service that could not be listed',
      summary((s) =>
        s.servicesFailed.push({
          region: 'cn-hangzhou',
          serviceId: null,
          errorCode: 'InternalError',
          errorMessage: 'x',
        }),
      ),
      70,
    ],
    [
      'an aborted run',
      summary(
        (s) => ((s.aborted = { errorCode: 'Forbidden.RAM', errorMessage: 'x' }), (s.counts.byOutcome.failed = 1)),
      ),
      69,
    ],
  ];
  for (const [name, result, code] of cases)
    it(`${name} -> ${code}`, () => assert.equal(handlerResultExitCode(result), code));

  const errors: Array<[InvocationErrorCode, number]> = [
    ['PolicyInvalid', 65],
    ['PayloadRejected', 64],
    ['ConfigInvalid', 64],
    ['Internal', 1],
  ];
  for (const [errorCode, code] of errors) {
    it(`an invocation error ${errorCode} -> ${code}`, () => {
      const record: InvocationErrorRecord = {
        schema: INVOCATION_ERROR_SCHEMA,
        fcRequestId: 'fc',
        time: '',
        level: 'ERROR',
        errorCode,
        message: '',
        details: [],
        policyFile: null,
        nothingChanged: true,
      };
      assert.equal(handlerResultExitCode(record), code);
    });
  }
});
