import type { ErrorKind } from './error-kinds.ts';
import { errorKind, isRetryableKind } from './error-kinds.ts';

/**
 * The one error type every PrivateLinkApi call rejects with. It never carries the signed URL, the
 * AccessKey secret or the security token: only what is safe to log.
 */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  /** The API's error code (`EndpointConnectionNotFound`, `Throttling.User`, ...), or a local one:
   *  `Timeout`, `NetworkError`, `BadResponse` (not a JSON object, or no RequestId), `MalformedResponse` (a
   *  listing whose shape is wrong), `ResponseTooLarge` (a body past the client's caps), `HttpError`
   *  (4xx/5xx JSON body without a code), `InvalidRegionId` and `InvalidId` (not sent), `ClientError`
   *  (failed before any answer for another reason), `CredentialsUnavailable` (`CredentialsError`). */
  readonly code: string;
  /** The action that failed. */
  readonly action: string;
  /** The API's RequestId, when the server sent one. */
  readonly requestId: string | undefined;
  /** The HTTP status, when a response arrived. */
  readonly httpStatus: number | undefined;
  /** Who can fix it (./error-kinds.ts): from the code and HTTP status unless given. */
  readonly kind: ErrorKind;
  /** True when the same request may succeed if sent again later: read from `kind`. */
  readonly retryable: boolean;

  constructor(init: {
    code: string;
    message: string;
    action: string;
    requestId?: string | undefined;
    httpStatus?: number | undefined;
    /** Only for a local error the code table cannot know; default `errorKind(code, httpStatus)`. */
    kind?: ErrorKind | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.action = init.action;
    this.requestId = init.requestId;
    this.httpStatus = init.httpStatus;
    this.kind = init.kind ?? errorKind(init.code, init.httpStatus);
    this.retryable = isRetryableKind(this.kind);
  }

  /** A plain object for JSON logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      action: this.action,
      requestId: this.requestId,
      httpStatus: this.httpStatus,
      kind: this.kind,
      retryable: this.retryable,
    };
  }
}

/** One credential source the default chain tried, and why it gave nothing (never a secret). */
export interface CredentialSourceAttempt {
  /** `env`, `oidc_role_arn`, `cli_profile`, `profile`, `ecs_ram_role`, `credentials_uri`, `fc_context`, ... */
  source: string;
  reason: string;
}

/**
 * No usable AccessKey could be obtained (code `CredentialsUnavailable`, not retryable: a configuration
 * problem that stops a run). An `ApiError` so that `PrivateLinkApi` calls still reject with `ApiError`
 * only; `action` is the call that needed the credentials ('' when obtained outside a call).
 * `sources` lists what was tried, without secrets.
 */
export class CredentialsError extends ApiError {
  override readonly name: string = 'CredentialsError';
  readonly sources: CredentialSourceAttempt[];

  constructor(init: { message: string; sources: CredentialSourceAttempt[]; action?: string | undefined }) {
    super({ code: 'CredentialsUnavailable', message: init.message, action: init.action ?? '' });
    this.sources = init.sources;
  }

  /** The same error, naming the action that needed the credentials. */
  forAction(action: string): CredentialsError {
    return new CredentialsError({ message: this.message, sources: this.sources, action });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), sources: this.sources };
  }
}
