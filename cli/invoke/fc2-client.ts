/**
 * A minimal local declaration of the part of `@alicloud/fc2` (2.6.x, no TypeScript types of its own)
 * that `privatelink-approver invoke` uses, and its lazy loader. fc2 is heavy (ali-oss, axios: about
 * 30 MB, +~115 ms to load) and speaks only the FC 2016-08-15 API, so it is loaded inside the command,
 * never at CLI start-up, and never bundled into the function (scripts/build.ts refuses it).
 */
import { createRequire } from 'node:module';

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
