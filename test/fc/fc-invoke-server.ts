/**
 * A local Function Compute invocation endpoint for `privatelink-approver invoke --endpoint`. It serves
 * InvokeFunction of both FC APIs, checks each one's signature scheme as documented, and runs the
 * invocation through the local FC harness (./fc-harness.ts) on the built bundle.
 *
 * FC 3.0, API 2023-03-30: `POST /2023-03-30/functions/{name}/invocations`, signature V3
 * (`ACS3-HMAC-SHA256`, Alibaba Cloud's "Request syntax and signature method V3"), checked from the request
 * as received, independently of the CLI's signer:
 *   Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<a;b;...>,Signature=<hex>
 *   x-acs-action InvokeFunction, x-acs-version 2023-03-30, x-acs-date (ISO 8601 UTC, at most 15 minutes
 *   off), x-acs-signature-nonce (never twice), x-acs-content-sha256 = hex SHA-256 of the body; host and
 *   every x-acs-* header must be signed; x-acs-security-token for STS keys.
 *   Signature = hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonical request)))).
 *   A refused signature echoes the canonical request, as Alibaba's APIs do (it holds the security token).
 *
 * FC 2.0, API 2016-08-15 (what @alicloud/fc2 2.6 sends; lib/client.js getSignature, lib/helper.js
 * composeStringToSign): `POST /2016-08-15/services/{service}/functions/{name}/invocations`,
 *   Authorization: FC <AccessKeyId>:<base64(HMAC-SHA256(secret, stringToSign))>
 *   stringToSign = METHOD \n content-md5 \n content-type \n date \n
 *                  (for each x-fc-* header, lower-cased and sorted: "name:value\n") + path
 * where content-md5 is base64 of the *hex* MD5 of the body (fc2's choice); STS keys send x-fc-security-token.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FcCredentials } from '../../functions/fc/fc-context.ts';
import { runInFc } from './fc-harness.ts';
import type { FcRun } from './fc-harness.ts';

export interface FcKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface FcInvokeServerOptions {
  /** The directory of the built bundle. */
  bundleDir: string;
  /** The function's environment. */
  env: Record<string, string>;
  /** Keys the endpoint accepts (the caller's, not the function's). */
  keys: FcKey[];
  /** The function name, under both APIs; under 2016-08-15 inside this service. */
  functionName: string;
  serviceName: string;
  /** The function's timeout, seconds. */
  timeout: number;
  /** The function role's credentials handed to the handler through the context. */
  functionCredentials: FcCredentials[];
}

export interface FcInvocationSeen {
  requestId: string;
  api: '2023-03-30' | '2016-08-15' | undefined;
  path: string;
  accessKeyId: string | undefined;
  /** The headers the V3 signature covered (2023-03-30). */
  signedHeaders: string[] | undefined;
  status: number;
  errorCode: string | undefined;
  /** The function's run, when it was invoked. */
  run: FcRun | undefined;
}

/**
 * An answer the endpoint gives instead of checking and running anything: what a proxy, a gateway or a
 * busy FC sends (`'hang'`: accept the request and never answer).
 */
export type FcFault = { status: number; headers?: Record<string, string>; body: string } | 'hang';

export interface FcInvokeServer {
  url: string;
  invocations: FcInvocationSeen[];
  /** Set to make every following request get this answer; `undefined` (the default) serves normally. */
  fault: FcFault | undefined;
  close(): Promise<void>;
}

/** A refusal: status, FC error code and message. */
type Refusal = [number, string, string];

const header = (headers: IncomingHttpHeaders, name: string): string => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
};

/** fc2's string to sign (see the module comment). */
export function fcStringToSign(
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
): string {
  const lower: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase().trim()] = v;
  const fcHeaders = Object.keys(lower)
    .filter((k) => k.startsWith('x-fc-'))
    .sort()
    .map((k) => `${k}:${header(lower, k)}\n`)
    .join('');
  const h = (name: string): string => header(lower, name);
  return `${method}\n${h('content-md5')}\n${h('content-type')}\n${h('date')}\n${fcHeaders}${path}`;
}

/** The Authorization value fc2 would send. */
export function fcAuthorization(
  key: FcKey,
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
): string {
  const signature = createHmac('sha256', key.accessKeySecret)
    .update(fcStringToSign(method, path, headers), 'utf8')
    .digest('base64');
  return `FC ${key.accessKeyId}:${signature}`;
}

/** RFC 3986 encoding of one path segment or query part, as the V3 canonical request wants it. */
const rfc3986 = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The V3 canonical request of a request as received, over the headers it says it signed. */
export function v3CanonicalRequest(
  method: string,
  rawUrl: string,
  headers: IncomingHttpHeaders,
  signedHeaders: string[],
): string {
  const url = new URL(rawUrl, 'http://fc');
  const uri = url.pathname
    .split('/')
    .map((segment) => rfc3986(decodeURIComponent(segment)))
    .join('/');
  const query = [...url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${header(headers, name).trim()}\n`).join('');
  return [method, uri, query, canonicalHeaders, signedHeaders.join(';'), header(headers, 'x-acs-content-sha256')].join(
    '\n',
  );
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const sameText = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const MAX_SKEW_MS = 15 * 60 * 1000;
const V3_AUTH = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/;

/** Checks a 2023-03-30 request's V3 signature; the key, or why it is refused. */
function checkV3(req: IncomingMessage, body: Buffer, keys: FcKey[], nonces: Set<string>, seen: FcInvocationSeen) {
  const auth = V3_AUTH.exec(header(req.headers, 'authorization'));
  if (auth === null) return [400, 'IncompleteSignature', 'Authorization is not ACS3-HMAC-SHA256 ...'] as Refusal;
  const [, accessKeyId, signedList, signature] = auth as unknown as [string, string, string, string];
  const signed = signedList.split(';');
  [seen.accessKeyId, seen.signedHeaders] = [accessKeyId, signed];
  const unsigned = Object.keys(req.headers).filter(
    (h) => (h === 'host' || h.startsWith('x-acs-')) && !signed.includes(h),
  );
  if (unsigned.length > 0 || [...signed].sort().join(';') !== signedList)
    return [400, 'IncompleteSignature', `SignedHeaders must list host and every x-acs-* header, sorted`] as Refusal;
  const h = (name: string): string => header(req.headers, name);
  if (h('x-acs-action') !== 'InvokeFunction' || h('x-acs-version') !== '2023-03-30')
    return [400, 'InvalidAction.NotFound', `x-acs-action/x-acs-version must be InvokeFunction/2023-03-30`] as Refusal;
  const date = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(h('x-acs-date')) ? Date.parse(h('x-acs-date')) : NaN;
  if (!Number.isFinite(date) || Math.abs(Date.now() - date) > MAX_SKEW_MS)
    return [400, 'InvalidTimeStamp.Expired', 'x-acs-date is missing, malformed or more than 15 minutes off'] as Refusal;
  if (h('x-acs-signature-nonce') === '' || nonces.has(h('x-acs-signature-nonce')))
    return [400, 'SignatureNonceUsed', 'x-acs-signature-nonce is missing or was used before'] as Refusal;
  nonces.add(h('x-acs-signature-nonce'));
  if (h('x-acs-content-sha256') !== sha256(body))
    return [400, 'InvalidContentSha256', 'x-acs-content-sha256 does not match the body'] as Refusal;
  const key = keys.find((k) => k.accessKeyId === accessKeyId);
  if (key === undefined) return [403, 'InvalidAccessKeyId.NotFound', `AccessKey ${accessKeyId} not found`] as Refusal;
  if ((key.securityToken ?? '') !== h('x-acs-security-token'))
    return [403, 'InvalidSecurityToken.Mismatch', 'the security token is missing or wrong'] as Refusal;
  const canonical = v3CanonicalRequest(req.method ?? '', req.url ?? '/', req.headers, signed);
  const expected = createHmac('sha256', key.accessKeySecret)
    .update(`ACS3-HMAC-SHA256\n${sha256(canonical)}`)
    .digest('hex');
  if (!sameText(expected, signature))
    return [
      403,
      'SignatureDoesNotMatch',
      `The request signature does not match. Canonical request: ${canonical}`,
    ] as Refusal;
  return key;
}

/** Checks a 2016-08-15 request's fc2 signature; the key, or why it is refused. */
function checkFc2(req: IncomingMessage, path: string, body: Buffer, keys: FcKey[], seen: FcInvocationSeen) {
  const auth = /^FC ([^:]+):(.+)$/.exec(header(req.headers, 'authorization'));
  if (auth === null)
    return [
      403,
      'MissingAuthorization',
      'the Authorization header is missing or not "FC <AccessKeyId>:<signature>"',
    ] as Refusal;
  seen.accessKeyId = auth[1];
  const key = keys.find((k) => k.accessKeyId === auth[1]);
  if (key === undefined) return [403, 'InvalidAccessKeyId', `the AccessKey ID ${auth[1]} does not exist`] as Refusal;
  const date = Date.parse(header(req.headers, 'date'));
  if (!Number.isFinite(date) || Math.abs(Date.now() - date) > MAX_SKEW_MS)
    return [403, 'RequestTimeTooSkewed', 'the Date header is missing or more than 15 minutes off'] as Refusal;
  if (key.securityToken !== undefined && header(req.headers, 'x-fc-security-token') !== key.securityToken)
    return [403, 'InvalidSecurityToken', 'the security token is missing or wrong'] as Refusal;
  const md5 = Buffer.from(createHash('md5').update(body).digest('hex'), 'utf8').toString('base64');
  if (body.length > 0 && header(req.headers, 'content-md5') !== md5)
    return [400, 'InvalidArgument', 'Content-MD5 does not match the body'] as Refusal;
  if (!sameText(fcAuthorization(key, 'POST', path, req.headers), header(req.headers, 'authorization')))
    return [
      403,
      'SignatureNotMatch',
      'the request signature we calculated does not match the signature you provided; check your AccessKey secret',
    ] as Refusal;
  return key;
}

const V3_PATH = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;
const FC2_PATH = /^\/2016-08-15\/services\/([^/]+)\/functions\/([^/]+)\/invocations$/;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the endpoint on 127.0.0.1 (free port). */
export async function startFcInvokeServer(options: FcInvokeServerOptions): Promise<FcInvokeServer> {
  const invocations: FcInvocationSeen[] = [];
  const state: { fault: FcFault | undefined } = { fault: undefined };
  const nonces = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = `1-${randomUUID()}`;
    const path = new URL(req.url ?? '/', 'http://fc').pathname;
    const v3 = V3_PATH.exec(path);
    const fc2 = FC2_PATH.exec(path);
    const api = v3 !== null ? '2023-03-30' : fc2 !== null ? '2016-08-15' : undefined;
    const seen: FcInvocationSeen = {
      ...{ requestId, api, path, accessKeyId: undefined, signedHeaders: undefined },
      ...{ status: 0, errorCode: undefined, run: undefined },
    };
    invocations.push(seen);
    const send = (status: number, body: string, headers: Record<string, string>): void => {
      seen.status = status;
      res.writeHead(status, { 'x-fc-request-id': requestId, 'content-length': Buffer.byteLength(body), ...headers });
      res.end(body);
    };
    const refuse = ([status, code, message]: Refusal): void => {
      seen.errorCode = code;
      const body = api === '2016-08-15' ? { ErrorCode: code, ErrorMessage: message } : { Code: code, Message: message };
      send(status, JSON.stringify({ ...body, RequestId: requestId }), { 'content-type': 'application/json' });
    };
    const body = await readBody(req);
    const fault = state.fault;
    if (fault === 'hang') return;
    if (fault !== undefined) return send(fault.status, fault.body, fault.headers ?? {});
    if (req.method !== 'POST' || api === undefined)
      return refuse([404, 'PathNotFound', `${req.method ?? ''} ${path} is not an InvokeFunction path`]);

    const checked =
      api === '2023-03-30'
        ? checkV3(req, body, options.keys, nonces, seen)
        : checkFc2(req, path, body, options.keys, seen);
    if (Array.isArray(checked)) return refuse(checked);
    const functionName = decodeURIComponent((api === '2023-03-30' ? v3?.[1] : fc2?.[2]) ?? '');
    if (api === '2016-08-15' && fc2?.[1] !== options.serviceName)
      return refuse([404, 'ServiceNotFound', `service '${fc2?.[1] ?? ''}' does not exist`]);
    if (functionName !== options.functionName)
      return refuse([404, 'FunctionNotFound', `function '${functionName}' does not exist`]);

    // The function sees the body as its event, exactly as sent.
    const run = await runInFc(options.bundleDir, options.env, [
      { event: body.toString('utf8'), requestId, timeout: options.timeout, credentials: options.functionCredentials },
    ]);
    seen.run = run;
    const result = run.results[0];
    if (result === undefined) {
      seen.errorCode = 'UnhandledInvocationError';
      const crash = { errorMessage: run.stderr.split('\n')[0] ?? 'the function crashed', errorType: 'Error' };
      return send(200, JSON.stringify(crash), {
        'content-type': 'application/json',
        'x-fc-error-type': 'UnhandledInvocationError',
      });
    }
    send(200, JSON.stringify(result.result), { 'content-type': 'application/json' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Code: 'InternalError', Message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    invocations,
    get fault() {
      return state.fault;
    },
    set fault(value: FcFault | undefined) {
      state.fault = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
