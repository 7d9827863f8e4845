/**
 * The CLI's exit codes (README "Exit codes") and the code that a Function Compute result stands for
 * (`invoke`). The function itself knows nothing of exit codes: it returns records.
 */
import type { RunSummaryRecord } from '../functions/audit/audit-records.ts';
import type { HandlerResult, InvocationErrorCode } from '../functions/fc/invocation-result.ts';
import { isInvocationError } from '../functions/fc/invocation-result.ts';

/** Exit codes, documented in README.md ("Exit codes"). */
export const EXIT = {
  ok: 0,
  /** plan: changes are pending. */
  changesPending: 2,
  /** A user error: bad flags, a policy that does not validate. */
  usage: 64,
  policyInvalid: 65,
  /** Credentials or API failures that stopped the run. */
  apiFailure: 69,
  /** Some decisions failed to apply (the run went on). */
  partialFailure: 70,
  /** A safety limit blocked part of the plan. */
  blocked: 71,
  /** sysexits(3) EX_CANTCREAT: an output file (apply --records) cannot be opened; nothing was read or changed. */
  cannotCreate: 73,
  /** sysexits(3) EX_IOERR: writing an output file failed during the run. */
  ioError: 74,
  internal: 1,
} as const;

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
 * The CLI exit code a run summary stands for (README "Exit codes"): 69 when credentials or permissions
 * stopped the run, 70 when a decision failed to apply or a service could not be listed, 71 when a safety
 * limit blocked part of the plan, else 0.
 */
export function summaryExitCode(summary: RunSummaryRecord): number {
  if (summary.aborted !== null) return EXIT.apiFailure;
  if (summary.counts.byOutcome.failed > 0 || summary.servicesFailed.length > 0) return EXIT.partialFailure;
  if (summary.counts.byOutcome.blocked > 0) return EXIT.blocked;
  return EXIT.ok;
}

/** The exit code for whatever the handler returned. */
export function handlerResultExitCode(result: HandlerResult): number {
  return isInvocationError(result) ? invocationErrorExitCode(result.errorCode) : summaryExitCode(result);
}
