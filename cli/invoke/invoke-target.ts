/**
 * What `invoke` sends where, and how a failed invocation is told, the same for both FC APIs: each
 * transport (./fc3-client.ts, ./fc2-client.ts) answers an {@link InvokeAnswer} or throws
 * {@link InvokeFailed} with a {@link InvokeFailure}; {@link describeInvokeFailure} turns that into one
 * sentence naming what answered and what to do.
 */
import type { AccessKeyCredentials } from '../../functions/client/credentials.ts';
import { scrubberFor } from '../../functions/client/secret-scrubber.ts';
import type { Scrub } from '../../functions/client/secret-scrubber.ts';

/** FC 3.0's API (functions deployed by s.yaml) and FC 2.0's (functions in a service). */
export const FC_APIS = ['2023-03-30', '2016-08-15'] as const;
export type FcApi = (typeof FC_APIS)[number];

export interface InvokeTarget {
  api: FcApi;
  /** Origin, e.g. `https://<account-id>.<region>.fc.aliyuncs.com`. */
  endpoint: string;
  region: string;
  accountId: string;
  functionName: string;
  /** The FC 2.0 service (API 2016-08-15 only). */
  fcService: string | undefined;
  timeoutSeconds: number;
}

export interface InvokeAnswer {
  /** FC's x-fc-request-id. */
  requestId: string | undefined;
  /** x-fc-error-type: set when the function itself failed (e.g. UnhandledInvocationError). */
  errorType: string | undefined;
  /** The function's answer: parsed when FC sent it as JSON, else the body as text. */
  data: unknown;
  /** The request's signature, when the transport computed it (FC 3.0): never printed. */
  signature?: string | undefined;
}

export type InvokeFailure =
  /** FC (or something in its place) answered with a non-2xx status. */
  | { kind: 'http'; status: number; code?: string; message?: string; requestId?: string }
  | { kind: 'timeout' }
  /** No answer at all: a socket error such as ECONNREFUSED. */
  | { kind: 'network'; code: string; message: string }
  /** A JSON content type with a body that is not JSON. */
  | { kind: 'bad-json'; message: string }
  /** The credentials cannot sign a request (e.g. an STS key without its token). */
  | { kind: 'credentials'; message: string }
  | { kind: 'other'; message: string };

export class InvokeFailed extends Error {
  /** The request's signature, when one was computed (FC 3.0): never printed. */
  signature: string | undefined;

  constructor(readonly failure: InvokeFailure) {
    super(
      failure.kind === 'timeout' ? 'timeout' : failure.kind === 'http' ? `HTTP ${failure.status}` : failure.message,
    );
    this.name = 'InvokeFailed';
  }
}

export type Invoker = (target: InvokeTarget, body: string, key: AccessKeyCredentials) => Promise<InvokeAnswer>;

/** Where the invocation went, as every error names it. */
export function describeTarget(target: InvokeTarget): string {
  const where = `function "${target.functionName}" at ${target.endpoint}`;
  return target.api === '2016-08-15'
    ? `FC 2.0 API ${target.api}: service "${target.fcService ?? ''}", ${where}`
    : `FC 3.0 API ${target.api}: ${where}`;
}

const NOT_FOUND_HINT: Record<FcApi, string> = {
  '2023-03-30':
    'Check --function, --region and --account-id. ' +
    'A function deployed the FC 2.0 way (in a service) is invoked with --api 2016-08-15 --fc-service NAME.',
  '2016-08-15':
    'Check --function, --fc-service, --region and --account-id. ' +
    'A function deployed by s.yaml (FC 3.0, no service) is invoked without --api.',
};

const CREDENTIALS_HINT =
  "The caller's AccessKey (the standard credential chain) must be valid and allowed fc:InvokeFunction on the function.";
const BUSY_HINT =
  'Probably a run is in progress: s.yaml reserves one instance (reservedConcurrency 1), so an invocation waits ' +
  "for none. Invoke again once it ends (at most the function's timeout).";

const CREDENTIALS_CODE =
  /^(InvalidAccessKeyId|SignatureDoesNotMatch|SignatureNotMatch|IncompleteSignature|InvalidSecurityToken)/;

function describeHttp(failure: Extract<InvokeFailure, { kind: 'http' }>, target: InvokeTarget): string {
  const { status, code, message, requestId } = failure;
  const said = `HTTP ${status}${requestId === undefined ? '' : `, FC request ${requestId}`}`;
  if (code === undefined) {
    // No FC error body: a proxy's or gateway's page, or not an FC endpoint at all.
    return (
      `${target.endpoint} answered ${said} without an FC error body: ` +
      'is --endpoint (or --region/--account-id) an FC endpoint? The function may not have run.'
    );
  }
  const saidMessage = message === undefined || message === '' ? '' : `: ${message}`;
  const head = `${code}${saidMessage} (${said}; ${describeTarget(target)})`;
  // Some refusals of the key come with 400 or 404 (InvalidAccessKeyId.NotFound): the code says who can fix it.
  if (status === 401 || status === 403 || CREDENTIALS_CODE.test(code)) {
    return `${head}. ${CREDENTIALS_HINT}`;
  }
  if (status === 404) return `${head}. ${NOT_FOUND_HINT[target.api]}`;
  if (status === 429) {
    return `${head}. ${BUSY_HINT}`;
  }
  return head;
}

/** A failed invocation as one sentence: what answered, and what to do about it. */
export function describeInvokeFailure(failure: InvokeFailure, target: InvokeTarget): string {
  switch (failure.kind) {
    case 'http':
      return describeHttp(failure, target);
    case 'timeout':
      return (
        `no answer within --timeout ${target.timeoutSeconds} s (${describeTarget(target)}): the run may still be ` +
        "going on; its records will be in the logstore. Raise --timeout above the function's timeout (s.yaml) to " +
        'wait for it.'
      );
    case 'network':
      return `cannot reach ${target.endpoint}: ${failure.code} (${failure.message}). The function did not run.`;
    case 'bad-json':
      return `${target.endpoint} answered a JSON content type with a body that is not JSON (${failure.message}).`;
    case 'credentials':
      return failure.message;
    case 'other':
      return `${failure.message} (${describeTarget(target)})`;
  }
}

/**
 * The scrubber for everything `invoke` prints (an FC error may echo the request it refused, a V3
 * canonical request holds the security token, and any header may echo anything): the caller's secret,
 * security token and the request's signature, literal or percent-encoded, and signed query pairs
 * (../../functions/client/secret-scrubber.ts).
 */
export function invokeScrubber(key: AccessKeyCredentials | undefined, signature?: string): Scrub {
  return scrubberFor([key?.accessKeySecret, key?.securityToken, signature]);
}
