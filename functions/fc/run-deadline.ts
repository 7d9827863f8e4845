/**
 * The run deadline of one invocation. FC kills the instance at `function.timeout`; a sweep must stop
 * starting writes early enough to write its decision records and the run summary before that. The
 * margin is 10% of the timeout, at most 30 s (a 300 s timeout stops new work at 270 s; a 60 s one at 54 s).
 */

/** Largest safety margin, ms. */
export const MAX_DEADLINE_MARGIN_MS = 30_000;
/** Share of the timeout kept as margin. */
export const DEADLINE_MARGIN_SHARE = 0.1;

/** The safety margin for a function timeout given in seconds, in ms. */
export function deadlineMarginMs(timeoutSeconds: number): number {
  return Math.min(MAX_DEADLINE_MARGIN_MS, Math.round(timeoutSeconds * 1000 * DEADLINE_MARGIN_SHARE));
}

/**
 * The epoch-ms deadline for a run that started at `startedAt` (epoch ms) in a function whose timeout is
 * `timeoutSeconds`: start + timeout - min(30 s, 10% of timeout).
 */
export function runDeadline(startedAt: number, timeoutSeconds: number): number {
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new RangeError(`function timeout must be a positive number of seconds, got ${String(timeoutSeconds)}`);
  }
  return startedAt + timeoutSeconds * 1000 - deadlineMarginMs(timeoutSeconds);
}
