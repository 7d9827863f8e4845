/**
 * Whatever pop-core rejects with, as an `ApiError` that is safe to log. pop-core's errors carry `url`
 * and `entry` (the signed request): they are never kept; messages are rebuilt and scrubbed.
 */
import { AnswerNotJson } from './answer-json.ts';
import { ApiError, CredentialsError } from './api-error.ts';
import { errorKind, isRetryableKind } from './error-kinds.ts';
import type { CallRecord } from './pop-core-call.ts';
import { isRecord, str } from './response-fields.ts';
import { scrubSecrets } from './secret-scrubber.ts';

/** Whether a failed call may succeed if sent again later: the kind table (./error-kinds.ts) decides. */
export function isRetryableCode(code: string, httpStatus?: number): boolean {
  return isRetryableKind(errorKind(code, httpStatus));
}

/**
 * The secrets a call's errors and answers are scrubbed of: every AccessKey secret and token the client
 * has signed with (credentials rotate; an answer may echo an earlier one), and the request's signature.
 */
export function callSecrets(call: CallRecord): (string | undefined)[] {
  return [...call.secrets, call.signature];
}

/** `text` scrubbed of `secrets`, then cut to `max` characters (a hostile server may echo megabytes). */
function safe(text: string, secrets: (string | undefined)[], max: number): string {
  const scrubbed = scrubSecrets(text, secrets);
  return scrubbed.length > max ? `${scrubbed.slice(0, max)}...` : scrubbed;
}

/**
 * An ApiError whose every string the server could have echoed into (code, request ID, message) is
 * scrubbed of `secrets` and bounded in length. The kind is read from the scrubbed code.
 */
export function apiError(init: {
  code: string;
  message: string;
  action: string;
  requestId?: string | undefined;
  httpStatus?: number | undefined;
  secrets: (string | undefined)[];
}): ApiError {
  const requestId = init.requestId === undefined ? '' : safe(init.requestId, init.secrets, 128);
  return new ApiError({
    code: safe(init.code, init.secrets, 128),
    message: safe(init.message, init.secrets, 2000),
    action: init.action,
    requestId: requestId === '' ? undefined : requestId,
    httpStatus: init.httpStatus,
  });
}

/** pop-core's Error for an error body (code + data, the parsed body). */
function errorBodyError(r: Record<string, unknown>, base: ErrorBase): ApiError | undefined {
  if (!isRecord(r.data) || (typeof r.code !== 'string' && typeof r.code !== 'number')) return undefined;
  const code = String(r.code);
  const apiMessage = typeof r.data.Message === 'string' ? r.data.Message : '';
  return apiError({
    ...base,
    code,
    message: apiMessage === '' ? code : `${code}: ${apiMessage}`,
    requestId: str(r.data.RequestId),
  });
}

interface ErrorBase {
  action: string;
  httpStatus: number | undefined;
  secrets: (string | undefined)[];
}

/**
 * A response arrived but could not be used: not JSON (./answer-json.ts's `AnswerNotJson`), or JSON that is
 * not an object. Its text is not kept (it may be a proxy's page). Retryable when a gateway answered
 * 5xx/429 (the kind table's status rule), final otherwise.
 */
function notAnAnswer(base: ErrorBase): ApiError {
  const answered = base.httpStatus === undefined ? 'answered' : `answered HTTP ${base.httpStatus}`;
  const message = `BadResponse: ${base.action} ${answered} with a body that is not a JSON object`;
  return apiError({ ...base, code: 'BadResponse', message });
}

/**
 * Maps whatever pop-core rejected with to an `ApiError`. The original is never attached as `cause`:
 * pop-core's errors carry `url` and `entry`, Node's socket errors carry nothing worth the risk.
 */
export function toApiError(raw: unknown, action: string, call: CallRecord): ApiError {
  if (raw instanceof CredentialsError) return raw.forAction(action);
  if (raw instanceof ApiError) return raw;
  const r = isRecord(raw) ? raw : {};
  // The agent hook sees every status; pop-core's own `entry` (error bodies only) is a fallback.
  const entryStatus = isRecord(r.entry) && isRecord(r.entry.response) ? r.entry.response.statusCode : undefined;
  const status = call.httpStatus ?? (typeof entryStatus === 'number' ? entryStatus : undefined);
  const base: ErrorBase = { action, httpStatus: status, secrets: callSecrets(call) };
  // The agent cut the response off (./pop-core-call.ts): whatever httpx then said, this is why.
  if (call.refusal !== undefined) return apiError({ ...base, ...call.refusal });
  if (raw instanceof AnswerNotJson) return notAnAnswer(base);
  const name = typeof r.name === 'string' ? r.name : '';
  // httpx appends `POST <url> failed.` to a socket error's message with no space ("127.0.0.1:1POST"): part it.
  const rawMessage = (typeof r.message === 'string' ? r.message : String(raw)).replace(
    /(\S)((?:GET|POST) \S+ failed\.)$/,
    '$1; $2',
  );

  const fromBody = errorBodyError(r, base);
  if (fromBody !== undefined) return fromBody;
  // httpx: connect timeout, read timeout before the headers, or body read timeout.
  if (name.startsWith('RequestTimeout')) {
    return apiError({ ...base, code: 'Timeout', message: `Timeout: no complete answer to ${action} in time` });
  }
  // Node socket errors (ECONNRESET, ECONNREFUSED, socket hang up, EPIPE, ENOTFOUND, ...).
  if (typeof r.code === 'string' && /^E[A-Z0-9_]+$/.test(r.code)) {
    const message = `NetworkError: ${r.code} calling ${action}: ${rawMessage}`;
    return apiError({ ...base, code: 'NetworkError', message });
  }
  // A response arrived but pop-core tripped over it (a JSON body that is not an object, say).
  if (status !== undefined) return notAnAnswer(base);
  const message = `ClientError: ${action} failed before an answer: ${name || 'error'}: ${rawMessage}`;
  return apiError({ ...base, code: 'ClientError', message });
}
