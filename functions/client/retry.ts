/**
 * Retrying a call with exponential backoff and full jitter, bounded by an attempt count and an optional
 * deadline (the Function Compute timeout). Everything that touches time is injectable so tests run
 * without real sleeps.
 *
 * Why full jitter: several runs (or a run and an operator) hitting the same provider account should not
 * retry in lockstep; Alibaba's own Terraform provider retries the same busy codes
 * (`EndpointConnectionOperationDenied`, throttling, 5xx) with waits of a few seconds.
 */

export interface RetryOptions {
  /** Attempts in total, the first one included (>= 1). */
  maxAttempts: number;
  /** Backoff cap before jitter for the first retry, ms; doubles on every further retry. */
  baseDelayMs: number;
  /** Upper bound of a single wait, ms. */
  maxDelayMs: number;
  /** Absolute time (same scale as `now()`, ms) after which no further wait may end. */
  deadline?: number | undefined;
  now?: (() => number) | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** A number in [0, 1). */
  random?: (() => number) | undefined;
  /** Default: `error.retryable === true` (what `ApiError` carries). */
  isRetryable?: ((error: unknown) => boolean) | undefined;
  /** Called before each wait: the error just seen, the attempt that failed (1-based), the wait in ms. */
  onRetry?: ((error: unknown, attempt: number, delayMs: number) => void) | undefined;
}

/**
 * Why `withRetry` stopped: the error was not retryable, every attempt was used, or the next wait would
 * have ended past the deadline.
 */
export type RetryStopReason = 'not-retryable' | 'attempts-exhausted' | 'deadline';

/**
 * The one error `withRetry` rejects with. `lastError` is the error of the last attempt, unchanged (an
 * `ApiError` for client calls); `attempts` is how many attempts were made.
 */
export class RetryError extends Error {
  override readonly name = 'RetryError';
  readonly lastError: unknown;
  readonly attempts: number;
  readonly reason: RetryStopReason;

  constructor(lastError: unknown, attempts: number, reason: RetryStopReason) {
    super(`${describe(lastError)} (${reasonText(reason, attempts)})`, { cause: lastError });
    this.lastError = lastError;
    this.attempts = attempts;
    this.reason = reason;
  }

  /** A plain object for JSON logs; the last error is serialised by its own `toJSON` when it has one. */
  toJSON(): Record<string, unknown> {
    const last = this.lastError as { toJSON?: () => unknown } | null | undefined;
    return {
      name: this.name,
      message: this.message,
      reason: this.reason,
      attempts: this.attempts,
      lastError: typeof last?.toJSON === 'function' ? last.toJSON() : describe(this.lastError),
    };
  }
}

function reasonText(reason: RetryStopReason, attempts: number): string {
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  switch (reason) {
    case 'not-retryable':
      return `not retryable, ${tries}`;
    case 'attempts-exhausted':
      return `gave up after ${tries}`;
    case 'deadline':
      return `gave up after ${tries}: deadline reached`;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Default retryability: the error says so itself (`ApiError.retryable`). */
export function isRetryableError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/**
 * The wait before retry number `retry` (1 = the first retry): a uniformly random share of
 * `min(maxDelayMs, baseDelayMs * 2^(retry-1))` ("full jitter").
 */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * cap);
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn` until it resolves, an error is not retryable, `maxAttempts` are used, or the next wait
 * would end past `deadline`. Resolves with the value and the number of attempts; rejects only with a
 * `RetryError` whose `lastError` is the last attempt's error and whose `reason` says why it stopped
 * (so a caller can record "deadline" rather than a bare error code). The first attempt always runs;
 * the deadline only bounds waiting.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<{ value: T; attempts: number }> {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts));
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const isRetryable = options.isRetryable ?? isRetryableError;

  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (error) {
      if (!isRetryable(error)) throw new RetryError(error, attempt, 'not-retryable');
      if (attempt >= maxAttempts) throw new RetryError(error, attempt, 'attempts-exhausted');
      const delayMs = backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, random);
      if (options.deadline !== undefined && now() + delayMs >= options.deadline) {
        throw new RetryError(error, attempt, 'deadline');
      }
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
