/**
 * A minimal local declaration of the part of `@alicloud/fc2` (2.6.x, no TypeScript types of its own)
 * that `privatelink-approver invoke` uses, and its lazy loader. fc2 is heavy (ali-oss, axios: about
 * 30 MB, +~115 ms to load) and speaks only the FC 2016-08-15 API, so it is loaded inside the command,
 * never at CLI start-up, and never bundled into the function (scripts/build.ts refuses it).
 */
import { createRequire } from 'node:module';
import type { InvokeAnswer, InvokeFailure, InvokeTarget, Invoker } from './invoke-target.ts';
import { InvokeFailed } from './invoke-target.ts';

export interface Fc2Config {
  accessKeyID: string;
  accessKeySecret: string;
  /** Sent (as x-fc-security-token) only when accessKeyID starts with `STS`. */
  securityToken?: string | undefined;
  region: string;
  /** Full origin, e.g. `https://<account>.<region>.fc.aliyuncs.com`; default http(!) on that host. */
  endpoint?: string | undefined;
  secure?: boolean | undefined;
  /** ms; default 60000. */
  timeout?: number | undefined;
  headers?: Record<string, string> | undefined;
}

export interface Fc2Response {
  headers: Record<string, string | string[] | undefined>;
  /** Parsed when the answer is application/json, else the body as a string. */
  data: unknown;
}

export interface Fc2Client {
  /** POST /2016-08-15/services/{service}[.{qualifier}]/functions/{function}/invocations */
  invokeFunction(
    serviceName: string,
    functionName: string,
    event: string | Buffer,
    headers?: Record<string, string>,
    qualifier?: string,
  ): Promise<Fc2Response>;
}

export type Fc2ClientConstructor = new (accountId: string, config: Fc2Config) => Fc2Client;

/** An error as fc2 throws it for a non-2xx answer: name `FC<ErrorCode>Error`, `code` the FC error code. */
export interface Fc2Error extends Error {
  code?: string;
}

/** Loads `@alicloud/fc2` now (CommonJS, through createRequire). */
export function loadFc2(): Fc2ClientConstructor {
  const require = createRequire(import.meta.url);
  return require('@alicloud/fc2') as Fc2ClientConstructor;
}

/**
 * fc2's failures as an {@link InvokeFailure}. fc2 throws an Error named `FC<ErrorCode>Error` with `code` =
 * FC's ErrorCode and a message `POST <path> failed with <status>. requestid: <id>, message: <FC's
 * message>.` for a non-2xx answer (lib/client.js `request`); httpx's `RequestTimeoutError` when no answer
 * came in time; Node's socket errors (`code` ECONNREFUSED, ...); a SyntaxError for a JSON content type
 * with a broken body.
 */
export function fc2Failure(error: unknown): InvokeFailure {
  if (!(error instanceof Error)) return { kind: 'other', message: String(error) };
  const code = (error as Fc2Error).code;
  const status = /failed with (\d{3})\./.exec(error.message)?.[1];
  if (status !== undefined) {
    const requestId = /requestid: ([^,]+),/.exec(error.message)?.[1];
    const message = /message: (.*)\.$/s.exec(error.message)?.[1];
    const known = (v: string | undefined): v is string => v !== undefined && v !== 'undefined';
    return {
      kind: 'http',
      status: Number(status),
      ...(code === undefined ? {} : { code }),
      ...(known(message) ? { message } : {}),
      ...(known(requestId) ? { requestId } : {}),
    };
  }
  if (error.name.startsWith('RequestTimeout')) return { kind: 'timeout' };
  if (typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code)) return { kind: 'network', code, message: error.message };
  if (error.name === 'SyntaxError') return { kind: 'bad-json', message: error.message };
  return { kind: 'other', message: `${code === undefined ? '' : `${code}: `}${error.message}` };
}

/** Invokes a function of an FC 2.0 service through fc2 (API 2016-08-15); throws {@link InvokeFailed}. */
export const invokeFc2: Invoker = async (target: InvokeTarget, event: string, key): Promise<InvokeAnswer> => {
  let FcClient: Fc2ClientConstructor;
  try {
    FcClient = loadFc2();
  } catch (error) {
    throw new InvokeFailed({ kind: 'other', message: `cannot load @alicloud/fc2: ${(error as Error).message}` });
  }
  let client: Fc2Client;
  try {
    client = new FcClient(target.accountId, {
      accessKeyID: key.accessKeyId,
      accessKeySecret: key.accessKeySecret,
      securityToken: key.securityToken,
      region: target.region,
      endpoint: target.endpoint,
      timeout: target.timeoutSeconds * 1000,
    });
  } catch (error) {
    // fc2 checks the key itself: an `STS.` key without its security token, for one.
    const message = `these credentials cannot sign an FC request: ${(error as Error).message}`;
    throw new InvokeFailed({ kind: 'credentials', message });
  }
  let response: Fc2Response;
  try {
    response = await client.invokeFunction(target.fcService ?? '', target.functionName, event);
  } catch (error) {
    throw new InvokeFailed(fc2Failure(error));
  }
  const header = (name: string): string | undefined => {
    const value = response.headers[name];
    return value === undefined ? undefined : String(value);
  };
  return { requestId: header('x-fc-request-id'), errorType: header('x-fc-error-type'), data: response.data };
};
