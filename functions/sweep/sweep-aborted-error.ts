import { errorKind } from '../client/error-kinds.ts';
import type { RunSummaryRecord } from '../audit/audit-records.ts';

/**
 * A failure that stops a whole run: credentials missing or rejected, a permission the RAM policy lacks.
 * Nothing more is written after it. The run's summary (already given to the sink) is attached so the
 * caller can report what was done before.
 */
export class SweepAbortedError extends Error {
  override readonly name = 'SweepAbortedError';
  constructor(
    readonly code: string,
    message: string,
    readonly summary: RunSummaryRecord,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Error codes that mean "these credentials cannot do this": retrying or continuing cannot help. */
export function isCredentialsFailure(code: string): boolean {
  return errorKind(code) === 'credentials';
}
