/**
 * What an invocation that did not run a sweep returns (and logs): the payload was refused, the
 * configuration or the policy did not load, or something unexpected failed. A run that did sweep returns
 * its run summary record (../audit/records.ts) instead. Both carry the FC request id as `fcRequestId`
 * (records keep `requestId` for the PrivateLink API's RequestId).
 */
import { EXIT } from '../cli/command.ts';
import type { RunSummaryRecord } from '../audit/records.ts';

export const INVOCATION_ERROR_SCHEMA = 'privatelink-approver/invocation-error/v1';

/** Why an invocation ran no sweep. */
export type InvocationErrorCode = 'ConfigInvalid' | 'PayloadRejected' | 'PolicyInvalid' | 'Internal';

export interface InvocationErrorRecord {
  schema: typeof INVOCATION_ERROR_SCHEMA;
  /** The FC request id of the invocation. */
  fcRequestId: string;
  /** ISO 8601. */
  time: string;
  level: 'ERROR';
  errorCode: InvocationErrorCode;
  message: string;
  /** One line per problem (policy diagnostics `file:line:col path: message`, bad variables, ...). */
  details: string[];
  /** The policy file involved, when the error is about one. */
  policyFile: string | null;
  /** Always true: nothing was read from or written to PrivateLink. */
  nothingChanged: true;
}

/**
 * The error record of an invocation that ran no sweep (`nothingChanged: true`). The caller writes it as
 * one stdout line and returns it as the invocation's result.
 */
export function invocationErrorRecord(init: {
  fcRequestId: string;
  /** Epoch ms. */
  time: number;
  errorCode: InvocationErrorCode;
  message: string;
  details?: string[];
  policyFile?: string | null;
}): InvocationErrorRecord {
  return {
    schema: INVOCATION_ERROR_SCHEMA,
    fcRequestId: init.fcRequestId,
    time: new Date(init.time).toISOString(),
    level: 'ERROR',
    errorCode: init.errorCode,
    message: init.message,
    details: init.details ?? [],
    policyFile: init.policyFile ?? null,
    nothingChanged: true,
  };
}

/** A run summary as the handler returns it: the record plus the FC request id. */
export type HandlerSummary = RunSummaryRecord & { fcRequestId: string };

export type HandlerResult = HandlerSummary | InvocationErrorRecord;

/** True when the handler's result is an error record rather than a run summary. */
export function isInvocationError(value: unknown): value is InvocationErrorRecord {
  return typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === INVOCATION_ERROR_SCHEMA;
}

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
