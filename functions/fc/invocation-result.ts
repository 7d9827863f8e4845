/**
 * What an invocation that did not run a sweep returns (and logs): the payload was refused, the
 * configuration or the policy did not load, or something unexpected failed. A run that did sweep returns
 * its run summary record (../audit/audit-records.ts) instead. Both carry the FC request id as `fcRequestId`
 * (records keep `requestId` for the PrivateLink API's RequestId).
 */
import type { RunSummaryRecord } from '../audit/audit-records.ts';

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
  /**
   * True: nothing was read from or written to PrivateLink. False only for an `Internal` error after the
   * sweep had started: writes may have been made, and the records already written stand.
   */
  nothingChanged: boolean;
}

/**
 * The error record of an invocation that ran no sweep (`nothingChanged: true`) or whose sweep stopped on
 * an internal error (`nothingChanged: false`). The caller writes it as
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
  /** Default true; false when the sweep had started (docs/audit-records.md "Invocation errors"). */
  nothingChanged?: boolean;
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
    nothingChanged: init.nothingChanged ?? true,
  };
}

/** A run summary as the handler returns it: the record plus the FC request id. */
export type HandlerSummary = RunSummaryRecord & { fcRequestId: string };

export type HandlerResult = HandlerSummary | InvocationErrorRecord;

/** True when the handler's result is an error record rather than a run summary. */
export function isInvocationError(value: unknown): value is InvocationErrorRecord {
  return (
    typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === INVOCATION_ERROR_SCHEMA
  );
}
