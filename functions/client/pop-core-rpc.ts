/**
 * A typed view of `@alicloud/pop-core`'s RPC client (node_modules/@alicloud/pop-core/lib/rpc.js, 1.8.x).
 *
 * The module is imported directly rather than through the package root: the root also loads the ROA
 * client and its XML libraries (about 100 KB of bundle) that this project never uses. The bundled
 * `rpc.d.ts` is too loose (`Object` params, no `credentialsProvider`, no request options), so the parts
 * this project relies on are declared here, from the source.
 *
 * One narrow override: the JSON parse pop-core calls on every body (json-bigint's) is replaced, once, by
 * the client's bounded native parse (./answer-json.ts, README "API client").
 */
import type { Agent } from 'node:http';
import RPCClientModule from '@alicloud/pop-core/lib/rpc.js';
import { installAnswerParse } from './answer-json.ts';

installAnswerParse();

/** What `credentialsProvider.getCredentials()` must return; called by pop-core before every request. */
export interface PopCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
}

export interface PopRpcConfig {
  /** `http(s)://host[:port]`, no trailing path. */
  endpoint: string;
  apiVersion: string;
  credentialsProvider: { getCredentials(): Promise<PopCredentials> };
}

/**
 * Options of `request()`, merged over pop-core's defaults with `Object.assign` (so `headers`, when given,
 * replaces its default headers entirely) and handed to `httpx.request`.
 */
export interface PopRequestOptions {
  /** Exactly 'POST': pop-core compares case-sensitively, and with GET its error message embeds the signed URL. */
  method: 'POST';
  /** httpx: both connect and read timeout, ms (default 3000). */
  timeout: number;
  /** Used instead of pop-core's own keep-alive agent. */
  agent: Agent;
  headers?: Record<string, string>;
}

export interface PopRpcClient {
  /**
   * Sends one signed RPC request. Resolves with the parsed JSON body (./answer-json.ts: plain objects,
   * long numbers a double cannot hold as strings of their digits) unless the body has a `Code` outside
   * pop-core's success list; the HTTP status is not looked at.
   * Rejects with:
   * - an `Error` with `code`, `data` (the body), `url` and `entry` (request/response headers) for an
   *   error body - `url`/`entry` must never be logged;
   * - httpx's `RequestTimeoutError` (name) on connect or read timeout;
   * - Node's socket errors (`code` ECONNRESET, ECONNREFUSED, ...);
   * - ./answer-json.ts's `AnswerNotJson` for a non-JSON body (it carries nothing of the body).
   */
  request(action: string, params: Record<string, string>, options: PopRequestOptions): Promise<unknown>;
}

/** pop-core's RPC client class, typed as this project uses it. */
export const PopRpcClient = RPCClientModule as unknown as new (config: PopRpcConfig) => PopRpcClient;
