/**
 * A local FC invocation endpoint for `privatelink-approver invoke --endpoint`: it speaks the part of the
 * FC 2016-08-15 API that @alicloud/fc2 uses to invoke a function, checks fc2's request signature the way
 * FC does, and runs the invocation through the local FC harness (./fc-harness.ts) on the built bundle.
 *
 * The signature, from @alicloud/fc2 2.6 (lib/client.js getSignature, lib/helper.js composeStringToSign):
 *   Authorization: FC <AccessKeyId>:<base64(HMAC-SHA256(secret, stringToSign))>
 *   stringToSign = METHOD \n content-md5 \n content-type \n date \n
 *                  (for each x-fc-* header, lower-cased and sorted: "name:value\n") + path
 * where path is `/2016-08-15/services/...` without the query, and content-md5 is
 * base64 of the *hex* MD5 of the body (fc2's choice). STS keys also send x-fc-security-token.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  /** The 2016-08-15 service segment and the function name it serves. */
  serviceName: string;
  functionName: string;
  /** The function's timeout, seconds. */
  timeout: number;
  /** The function role's credentials handed to the handler through the context. */
  functionCredentials: FcCredentials[];
}

export interface FcInvocationSeen {
  requestId: string;
  path: string;
  accessKeyId: string | undefined;
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

/** fc2's string to sign (see the module comment). */
export function fcStringToSign(
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
): string {
  const lower: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase().trim()] = v;
  const header = (name: string): string => {
    const v = lower[name];
    return Array.isArray(v) ? v.join(',') : (v ?? '');
  };
  const fcHeaders = Object.keys(lower)
    .filter((k) => k.startsWith('x-fc-'))
    .sort()
    .map((k) => `${k}:${header(k)}\n`)
    .join('');
  return `${method}\n${header('content-md5')}\n${header('content-type')}\n${header('date')}\n${fcHeaders}${path}`;
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

function send(res: ServerResponse, status: number, requestId: string, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-fc-request-id': requestId,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const INVOKE_PATH = /^\/2016-08-15\/services\/([^/]+)\/functions\/([^/]+)\/invocations$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

/** Starts the endpoint on 127.0.0.1 (free port). */
export async function startFcInvokeServer(options: FcInvokeServerOptions): Promise<FcInvokeServer> {
  const invocations: FcInvocationSeen[] = [];
  const state: { fault: FcFault | undefined } = { fault: undefined };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = `1-${randomUUID()}`;
    const path = new URL(req.url ?? '/', 'http://fc').pathname;
    const seen: FcInvocationSeen = {
      requestId,
      path,
      accessKeyId: undefined,
      status: 0,
      errorCode: undefined,
      run: undefined,
    };
    invocations.push(seen);
    const error = (status: number, code: string, message: string): void => {
      seen.status = status;
      seen.errorCode = code;
      send(res, status, requestId, { ErrorCode: code, ErrorMessage: message });
    };
    const body = await readBody(req);
    const fault = state.fault;
    if (fault === 'hang') return;
    if (fault !== undefined) {
      seen.status = fault.status;
      res.writeHead(fault.status, { 'x-fc-request-id': requestId, ...fault.headers });
      res.end(fault.body);
      return;
    }

    const match = INVOKE_PATH.exec(path);
    if (req.method !== 'POST' || match === null)
      return error(404, 'PathNotSupported', `${req.method ?? ''} ${path} is not supported by this endpoint`);

    const auth = /^FC ([^:]+):(.+)$/.exec(req.headers.authorization ?? '');
    if (auth === null)
      return error(
        403,
        'MissingAuthorization',
        'the Authorization header is missing or not "FC <AccessKeyId>:<signature>"',
      );
    const accessKeyId = auth[1] as string;
    seen.accessKeyId = accessKeyId;
    const key = options.keys.find((k) => k.accessKeyId === accessKeyId);
    if (key === undefined) return error(403, 'InvalidAccessKeyId', `the AccessKey ID ${accessKeyId} does not exist`);
    const date = Date.parse(String(req.headers.date ?? ''));
    if (!Number.isFinite(date) || Math.abs(Date.now() - date) > MAX_SKEW_MS)
      return error(403, 'RequestTimeTooSkewed', 'the Date header is missing or more than 15 minutes off');
    if (key.securityToken !== undefined && req.headers['x-fc-security-token'] !== key.securityToken) {
      return error(403, 'InvalidSecurityToken', 'the security token is missing or wrong');
    }
    if (body.length > 0) {
      const md5 = Buffer.from(createHash('md5').update(body).digest('hex'), 'utf8').toString('base64');
      if (req.headers['content-md5'] !== md5)
        return error(400, 'InvalidArgument', 'Content-MD5 does not match the body');
    }
    const expected = Buffer.from(fcAuthorization(key, 'POST', path, req.headers));
    const given = Buffer.from(req.headers.authorization ?? '');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return error(
        403,
        'SignatureNotMatch',
        'the request signature we calculated does not match the signature you provided; check your AccessKey secret',
      );
    }
    const [, serviceName, functionName] = match;
    if (serviceName !== options.serviceName)
      return error(404, 'ServiceNotFound', `service '${serviceName ?? ''}' does not exist`);
    if (functionName !== options.functionName)
      return error(404, 'FunctionNotFound', `function '${functionName ?? ''}' does not exist`);

    // The function sees the body as its event, exactly as sent.
    const run = await runInFc(options.bundleDir, options.env, [
      { event: body.toString('utf8'), requestId, timeout: options.timeout, credentials: options.functionCredentials },
    ]);
    seen.run = run;
    const result = run.results[0];
    if (result === undefined) {
      seen.status = 200;
      seen.errorCode = 'UnhandledInvocationError';
      const text = JSON.stringify({
        errorMessage: run.stderr.split('\n')[0] ?? 'the function crashed',
        errorType: 'Error',
      });
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-fc-request-id': requestId,
        'x-fc-error-type': 'UnhandledInvocationError',
      });
      res.end(text);
      return;
    }
    seen.status = 200;
    send(res, 200, requestId, result.result);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'local', { ErrorCode: 'InternalError', ErrorMessage: String(error) });
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
