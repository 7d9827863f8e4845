/**
 * The one table of API error kinds, sorted by who can fix them (README "Errors"). Every API error code
 * maps once to a kind; retries, the sweep's abort and the CLI's hints all read this table.
 *
 * - `credentials`: the AccessKey, token or RAM policy is wrong: stop the run, a person must fix it.
 * - `busy`: the connection or the account is processing another task: the same write may work later.
 * - `throttled`: the API's rate limit: slow down and send again.
 * - `transient`: 5xx, timeouts, dropped connections, and a listing answer that is malformed
 *   (`MalformedResponse`) or too large (`ResponseTooLarge`): a proxy glitch may pass, so send again within
 *   the caller's bounded attempts; when they are used up the listing fails and nothing is decided on it.
 * - `gone`: the resource no longer exists: nothing to do.
 * - `invalid`: we sent something the API refuses (a bug of ours or a bad policy value): never resend.
 * - `final`: anything else the API refuses for good.
 */
export type ErrorKind = 'credentials' | 'busy' | 'throttled' | 'transient' | 'gone' | 'invalid' | 'final';

/** Patterns in order; the first that matches decides. Codes from the API reference and Alibaba's error center. */
const TABLE: readonly (readonly [RegExp, ErrorKind])[] = [
  [
    /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidSecurityToken|MissingSecurityToken)/,
    'credentials',
  ],
  [/^(InvalidTimeStamp|Forbidden|NoPermission|CredentialsUnavailable|InvalidSignatureMethod)/, 'credentials'],
  [/^(IdempotentParameterMismatch|DryRunOperation)$/, 'final'],
  [/^(InvalidParameter|MissingParameter|InvalidRegionId)/, 'invalid'],
  [/^InvalidId$/, 'invalid'],
  [/NotFound$|\.NotFound/, 'gone'],
  [/^Throttling/, 'throttled'],
  [/^(EndpointConnectionOperationDenied|EndpointLocked|ConcurrentCallNotSupported)$/, 'busy'],
  [/^(IncorrectStatus|OperationFailed\.Conflict|LastTokenProcessing)/, 'busy'],
  [/^(OperationConflict|SystemBusy|ServiceBusy|TaskConflict)$/, 'busy'],
  [/^(ServiceUnavailable|InternalError)/, 'transient'],
  [/^(Timeout|NetworkError|SignatureNonceUsed|MalformedResponse|ResponseTooLarge)$/, 'transient'],
];

/** The kind of an API error code; an unknown code is `transient` on a 5xx or 429, else `final`. */
export function errorKind(code: string, httpStatus?: number): ErrorKind {
  for (const [pattern, kind] of TABLE) if (pattern.test(code)) return kind;
  return httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429) ? 'transient' : 'final';
}

/**
 * Whether a failed call's answer was lost, so the request may have reached the API and taken effect:
 * a timeout, a dropped connection, a 5xx or an unreadable answer. A refusal with an answer (busy,
 * throttled, invalid, ...) proves the request was not carried out (issue 9).
 */
export function answerLost(code: string, httpStatus?: number): boolean {
  if (
    /^(Timeout|NetworkError|MalformedResponse|ResponseTooLarge|Unexpected|ServiceUnavailable|InternalError)/.test(code)
  )
    return true;
  return httpStatus !== undefined && httpStatus >= 500;
}

/** Whether a call that failed with this kind may succeed if sent again later. */
export function isRetryableKind(kind: ErrorKind): boolean {
  return kind === 'busy' || kind === 'throttled' || kind === 'transient';
}

/** What a person can do about a code that stopped a run, or undefined when there is nothing to add. */
export function errorHint(code: string): string | undefined {
  if (code === 'CredentialsUnavailable') {
    return 'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or configure an aliyun CLI profile';
  }
  if (code.startsWith('Forbidden') || code === 'NoPermission') {
    return 'the RAM policy of these credentials lacks a PrivateLink permission (see infra/)';
  }
  if (code.startsWith('InvalidAccessKeyId') || code === 'SignatureDoesNotMatch') {
    return 'the AccessKey is wrong, disabled or deleted';
  }
  return undefined;
}
