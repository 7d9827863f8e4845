/**
 * The CLI's exit codes (README "Exit codes") and the code that a Function Compute result stands for
 * (`invoke`). The function itself knows nothing of exit codes: it returns records.
 */
import type { RunSummaryRecord } from '../functions/audit/audit-records.ts';
import type { HandlerResult, InvocationErrorCode } from '../functions/fc/invocation-result.ts';
import { isInvocationError } from '../functions/fc/invocation-result.ts';

/** Exit codes: one table, mirrored by README.md "Exit codes" (test/cli/exit-codes.test.ts checks they agree). */
export const EXIT = {
  ok: 0,
  internal: 1,
  changesPending: 2,
  usage: 64,
  policyInvalid: 65,
  noInput: 66,
  apiFailure: 69,
  partialFailure: 70,
  blocked: 71,
  cannotCreate: 73,
  ioError: 74,
  notConverged: 75,
} as const;

export type ExitName = keyof typeof EXIT;

/** What each code means, as README.md's "Exit codes" table words it (sysexits(3) names where they fit). */
export const EXIT_MEANINGS: Record<ExitName, string> = {
  ok: 'success; `plan`: nothing to change',
  internal: 'internal error (a bug: please report it with the message)',
  changesPending: '`plan`: changes are pending',
  usage: 'usage error: unknown command or flag, a bad value, a `--region` or `--service` the policy does not govern',
  policyInvalid: 'the policy does not validate; `audit --strict`: a malformed record',
  noInput: '`audit`: the input file cannot be read',
  apiFailure: 'credentials or API failures stopped the run; nothing more was changed',
  partialFailure:
    'some decisions failed to apply, a governed service could not be listed or found, or a listed item ' +
    'failed validation (`plan`: the plan is partial); the run went on and recorded them',
  blocked: 'a safety limit blocked part of the plan',
  cannotCreate: '`apply --records FILE` cannot be opened; nothing was read or changed',
  ioError: 'writing `--records FILE` failed during the run',
  notConverged: '`start`: the demo did not converge (its second run still had work to do)',
};

/** The CLI exit code for an invocation error (README "Exit codes"). */
export function invocationErrorExitCode(code: InvocationErrorCode): number {
  switch (code) {
    case 'ConfigInvalid':
    case 'PayloadRejected':
      return EXIT.usage;
    case 'PolicyInvalid':
      return EXIT.policyInvalid;
    case 'Internal':
      return EXIT.internal;
  }
}

/**
 * Whether a run is partial (exit 70): a decision failed to apply, a governed service could not be listed
 * or found, or a listed item failed validation and was never decided on (`outcome: invalid`).
 */
export function isPartial(summary: RunSummaryRecord): boolean {
  const { failed, invalid } = summary.counts.byOutcome;
  return failed > 0 || invalid > 0 || summary.servicesFailed.length > 0;
}

/** Why a run is partial, for a person: the counts behind {@link isPartial}. */
export function partialWhy(summary: RunSummaryRecord): string {
  const { failed, invalid } = summary.counts.byOutcome;
  const services = summary.servicesFailed.length;
  return [
    services > 0 ? `${services} governed service(s) could not be listed or found` : '',
    invalid > 0 ? `${invalid} listed item(s) failed validation and were not decided on` : '',
    // A service that could not be listed has an `outcome: failed` record too.
    failed > services ? `${failed - services} decision(s) failed to apply` : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
}

/**
 * The CLI exit code a run summary stands for (README "Exit codes"): 69 when credentials or permissions
 * stopped the run, 70 when the run was partial ({@link isPartial}), 71 when a safety limit blocked part of
 * the plan, else 0.
 */
export function summaryExitCode(summary: RunSummaryRecord): number {
  if (summary.aborted !== null) return EXIT.apiFailure;
  if (isPartial(summary)) return EXIT.partialFailure;
  if (summary.counts.byOutcome.blocked > 0) return EXIT.blocked;
  return EXIT.ok;
}

/** The exit code for whatever the handler returned. */
export function handlerResultExitCode(result: HandlerResult): number {
  return isInvocationError(result) ? invocationErrorExitCode(result.errorCode) : summaryExitCode(result);
}
