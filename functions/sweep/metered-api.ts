/**
 * The sweep's view of the API: the same `PrivateLinkApi`, wrapped (as external-dns's Registry wraps its
 * Provider) so that retries, call counting, the run deadline and the stop after refused credentials live
 * here once, and collect and apply call the API like plain code.
 *
 * - Retries: what the error kinds call retryable (busy, throttled, transient: ../client/error-kinds.ts),
 *   exponential backoff with full jitter (../client/retry.ts); never a credentials failure.
 * - Deadline: no call starts when less than one call's timeout is left before it, and no retry waits past
 *   it; either way the call rejects with a {@link DeadlineError}, which callers record as `deferred`.
 * - Credentials: once refused, every later call rejects with the same error without being sent.
 */
import { ApiError } from '../client/api-error.ts';
import type {
  DisableVpcEndpointConnectionRequest,
  EnableVpcEndpointConnectionRequest,
  ListVpcEndpointConnectionsRequest,
  ListVpcEndpointServiceUsersRequest,
  ListVpcEndpointServicesRequest,
  Page,
  PrivateLinkApi,
  ServiceUser,
  UpdateVpcEndpointConnectionAttributeRequest,
  WhitelistWriteRequest,
  WriteResult,
} from '../client/private-link-api.ts';
import { answerLost, errorKind, isRetryableKind } from '../client/error-kinds.ts';
import { RetryError, withRetry } from '../client/retry.ts';
import type { EndpointConnection, EndpointService } from '../engine/resources.ts';
import { isCredentialsFailure } from './sweep-aborted-error.ts';
import { DEFAULT_THROTTLE_PAUSE, ThrottlePause } from './throttle-pause.ts';
import type { ThrottlePauseSettings } from './throttle-pause.ts';

export interface RetrySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected for tests; defaults to a real timer. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5000 };

/**
 * A call not started, or its retries cut short, because of the run deadline. `code` is the last attempt's
 * error code, or `DeadlineReached` when no attempt was made.
 */
export class DeadlineError extends ApiError {
  override readonly name: string = 'DeadlineError';
}

export interface MeteredApiOptions {
  retry: RetrySettings;
  now: () => number;
  /** Epoch ms; undefined: no deadline. */
  deadline: number | undefined;
  /** One call's timeout, ms: the margin kept before the deadline. */
  callTimeoutMs: number;
  /** The pause after a `Throttling` answer (./throttle-pause.ts); default {@link DEFAULT_THROTTLE_PAUSE}. */
  throttlePause?: ThrottlePauseSettings | undefined;
}

/** One write attempt sent: when (ms), and whether its answer was lost (it may have taken effect). */
export interface WriteAttempt {
  sentAt: number;
  answerLost: boolean;
}

/** Counters shared by a MeteredApi and its narrowed views. */
interface Meter {
  calls: number;
  writes: WriteAttempt[];
  retries: number;
  deadlineReached: boolean;
  credentialsFailure: ApiError | undefined;
  pause: ThrottlePause;
}

export class MeteredApi implements PrivateLinkApi {
  private constructor(
    private readonly inner: PrivateLinkApi,
    private readonly options: MeteredApiOptions,
    private readonly meter: Meter,
    private readonly neverRetry: ReadonlySet<string>,
  ) {}

  static wrap(inner: PrivateLinkApi, options: MeteredApiOptions): MeteredApi {
    const pause = new ThrottlePause(options.throttlePause ?? DEFAULT_THROTTLE_PAUSE, options.now);
    const meter: Meter = {
      calls: 0,
      writes: [],
      retries: 0,
      deadlineReached: false,
      credentialsFailure: undefined,
      pause,
    };
    return new MeteredApi(inner, options, meter, new Set());
  }

  /** The same API (same counters) that does not retry these codes either. */
  withoutRetryOn(codes: readonly string[]): MeteredApi {
    return new MeteredApi(this.inner, this.options, this.meter, new Set([...this.neverRetry, ...codes]));
  }

  /** Attempts sent so far, and how many of them were retries. */
  stats(): { calls: number; retries: number; throttled: number } {
    return { calls: this.meter.calls, retries: this.meter.retries, throttled: this.meter.pause.throttled };
  }

  /** Every write attempt sent so far, in order (a caller slices from the length it saw before its write). */
  writeAttempts(): readonly WriteAttempt[] {
    return this.meter.writes;
  }

  /** Counts an attempt that a caller sends again itself (the write pacer, ./pacer.ts) as a retry. */
  noteRetry(): void {
    this.meter.retries += 1;
  }

  /** Whether the deadline has stopped (or cut short) any call of this run. */
  get deadlineReached(): boolean {
    return this.meter.deadlineReached;
  }

  /** The credentials failure that stops the run, once one was seen. */
  get credentialsFailure(): ApiError | undefined {
    return this.meter.credentialsFailure;
  }

  /**
   * True while another call fits before the deadline (after waiting `afterMs` first: a caller about to
   * sleep asks before it sleeps); false (and noted) once it does not.
   */
  timeLeft(afterMs = 0): boolean {
    const { deadline, now, callTimeoutMs } = this.options;
    if (deadline === undefined || now() + afterMs + callTimeoutMs < deadline) return true;
    this.meter.deadlineReached = true;
    return false;
  }

  listVpcEndpointServices(req: ListVpcEndpointServicesRequest): Promise<Page<EndpointService>> {
    return this.call('ListVpcEndpointServices', () => this.inner.listVpcEndpointServices(req));
  }

  listVpcEndpointConnections(req: ListVpcEndpointConnectionsRequest): Promise<Page<EndpointConnection>> {
    return this.call('ListVpcEndpointConnections', () => this.inner.listVpcEndpointConnections(req));
  }

  enableVpcEndpointConnection(req: EnableVpcEndpointConnectionRequest): Promise<WriteResult> {
    return this.call('EnableVpcEndpointConnection', () => this.inner.enableVpcEndpointConnection(req));
  }

  disableVpcEndpointConnection(req: DisableVpcEndpointConnectionRequest): Promise<WriteResult> {
    return this.call('DisableVpcEndpointConnection', () => this.inner.disableVpcEndpointConnection(req));
  }

  updateVpcEndpointConnectionAttribute(req: UpdateVpcEndpointConnectionAttributeRequest): Promise<WriteResult> {
    return this.call('UpdateVpcEndpointConnectionAttribute', () =>
      this.inner.updateVpcEndpointConnectionAttribute(req),
    );
  }

  listVpcEndpointServiceUsers(req: ListVpcEndpointServiceUsersRequest): Promise<Page<ServiceUser>> {
    return this.call('ListVpcEndpointServiceUsers', () => this.inner.listVpcEndpointServiceUsers(req));
  }

  addUserToVpcEndpointService(req: WhitelistWriteRequest): Promise<WriteResult> {
    return this.call('AddUserToVpcEndpointService', () => this.inner.addUserToVpcEndpointService(req));
  }

  removeUserFromVpcEndpointService(req: WhitelistWriteRequest): Promise<WriteResult> {
    return this.call('RemoveUserFromVpcEndpointService', () => this.inner.removeUserFromVpcEndpointService(req));
  }

  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    const stopped = this.meter.credentialsFailure;
    if (stopped !== undefined) throw stopped;
    if (!this.timeLeft()) {
      const message = `the run deadline leaves no time for another ${action.startsWith('List') ? 'read' : 'write'}`;
      throw new DeadlineError({ code: 'DeadlineReached', message, action });
    }
    const { retry, deadline, callTimeoutMs, now } = this.options;
    try {
      const result = await withRetry(
        async () => {
          await this.throttlePause(action);
          this.meter.calls += 1;
          const write = action.startsWith('List') ? undefined : { sentAt: now(), answerLost: false };
          if (write !== undefined) this.meter.writes.push(write);
          return fn().then(
            (value) => (this.meter.pause.onAnswered(), value),
            (error: unknown) => {
              if (error instanceof ApiError && errorKind(error.code, error.httpStatus) === 'throttled')
                this.meter.pause.onThrottled();
              if (write !== undefined)
                write.answerLost = !(error instanceof ApiError) || answerLost(error.code, error.httpStatus);
              throw error;
            },
          );
        },
        {
          maxAttempts: retry.maxAttempts,
          baseDelayMs: retry.baseDelayMs,
          maxDelayMs: retry.maxDelayMs,
          deadline: deadline === undefined ? undefined : deadline - callTimeoutMs,
          now,
          sleep: retry.sleep,
          isRetryable: (error) => this.isRetryable(error),
          onRetry: () => {
            this.meter.retries += 1;
          },
        },
      );
      return result.value;
    } catch (error) {
      throw this.settle(error, action);
    }
  }

  /**
   * Waits out the pause after a throttled answer; a DeadlineError, without sleeping, when the run would have
   * no time left after it (as the pacer's waitFor).
   */
  private async throttlePause(action: string): Promise<void> {
    const wait = this.meter.pause.waitMs();
    if (wait === 0) return;
    if (!this.timeLeft(wait)) {
      throw new DeadlineError({ code: 'DeadlineReached', message: `no time left for ${action} after a pause`, action });
    }
    await (this.options.retry.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(wait);
  }

  private isRetryable(error: unknown): boolean {
    if (!(error instanceof ApiError) || isCredentialsFailure(error.code)) return false;
    if (this.neverRetry.has(error.code)) return false;
    return error.retryable || isRetryableKind(errorKind(error.code, error.httpStatus));
  }

  /** The error a failed call rejects with: the last attempt's ApiError, a DeadlineError when cut short. */
  private settle(error: unknown, action: string): ApiError {
    const last = error instanceof RetryError ? error.lastError : error;
    const apiError = toApiError(last, action);
    if (isCredentialsFailure(apiError.code)) this.meter.credentialsFailure ??= apiError;
    if (error instanceof RetryError && error.reason === 'deadline') {
      this.meter.deadlineReached = true;
      return new DeadlineError({ ...fields(apiError), cause: apiError });
    }
    return apiError;
  }
}

function fields(e: ApiError) {
  return {
    code: e.code,
    message: e.message,
    action: e.action,
    requestId: e.requestId,
    httpStatus: e.httpStatus,
    retryable: e.retryable,
  };
}

/** Anything a call rejected with, as an ApiError (an unexpected one keeps its message, code `Unexpected`). */
export function toApiError(error: unknown, action: string): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError({ code: 'Unexpected', message, action, cause: error });
}
