/**
 * Test helpers for anything that talks to the emulator: start one on 127.0.0.1 port 0, build a real
 * @alicloud/pop-core RPCClient for one of its accounts, call the control path, and sign raw requests
 * (for what pop-core cannot send: XML responses, wrong signatures, reused nonces).
 *
 *   const emu = await startTestEmulator();          // demo fleet, clock paused
 *   after(() => emu.close());
 *   const provider = clientFor(emu, 'provider');
 *   const page = await provider.request('ListVpcEndpointConnections', { RegionId: 'cn-hangzhou', ServiceId }, { method: 'POST' });
 *
 * The emulator checks the Timestamp pop-core sends against its own clock (15 minutes of skew allowed):
 * advancing the emulator clock further than that makes real signed requests fail with
 * InvalidTimeStamp.Expired, as the real API would. Raise `settings.maxClockSkewMs` for long jumps.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import RPCClient from '@alicloud/pop-core';
import { signRpc, percentEncode, canonicalQuery } from '../../emulator/signature.ts';
import { startEmulator } from '../../emulator/start-emulator.ts';
import type { RunningEmulator, StartEmulatorOptions } from '../../emulator/start-emulator.ts';
import type { AccessKeyRecord } from '../../emulator/types.ts';
import { ManualClock } from '../../emulator/model/clock.ts';

export type { RunningEmulator } from '../../emulator/start-emulator.ts';

/**
 * Starts an emulator on 127.0.0.1, any free port. Unless a clock is given, its clock is a paused
 * ManualClock starting now: transitions complete only when the test advances it.
 */
export async function startTestEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const clock = options.clock ?? new ManualClock();
  if (options.clock === undefined) clock.pause();
  return startEmulator({ ...options, port: 0, host: '127.0.0.1', clock });
}

/** The first AccessKey of an account, by account name or 16-digit ID. */
export function accessKeyFor(emu: RunningEmulator, account: string): AccessKeyRecord {
  const info = emu.accounts.find((a) => a.name === account || a.accountId === account);
  const key = info?.accessKeys[0];
  if (key === undefined)
    throw new Error(
      `no account '${account}' with an AccessKey in this emulator (${emu.accounts.map((a) => a.name).join(', ')})`,
    );
  return key;
}

/** The PrivateLink API version the emulator speaks. */
export const API_VERSION = '2020-04-15';

/**
 * A real pop-core RPCClient for `account` (name or ID), sending POST (as the project's adapter does;
 * see platform notes) with the given timeout (default 3000 ms, pop-core's own).
 */
export function clientFor(
  emu: RunningEmulator,
  account: string,
  options: { timeoutMs?: number; method?: 'POST' | 'GET'; securityToken?: string | null } = {},
): RPCClient {
  const key = accessKeyFor(emu, account);
  const token = options.securityToken === null ? undefined : (options.securityToken ?? key.securityToken);
  return new RPCClient({
    endpoint: emu.url,
    apiVersion: API_VERSION,
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
    ...(token === undefined ? {} : { securityToken: token }),
    opts: { method: options.method ?? 'POST', timeout: options.timeoutMs ?? 3000 },
  });
}

/** A response as the wire carried it. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** `text` parsed as JSON when it is JSON, else undefined. */
  json: Record<string, unknown> | undefined;
}

export interface RawCallOptions {
  method?: 'GET' | 'POST';
  /** Common parameters to replace (or remove with `undefined`) after the defaults, before signing. */
  common?: Record<string, string | undefined>;
  /** Replace the computed signature. */
  signature?: string;
  /** Sign with this secret instead of the key's. */
  signWith?: string;
  /** An http.Agent (keep-alive) to reuse; default a fresh connection. */
  agent?: http.Agent;
  timeoutMs?: number;
  /** POST only: parameters sent in the query string instead of the body (the server merges both). */
  inQuery?: string[];
}

/** Timestamp as pop-core formats it: ISO 8601 UTC without milliseconds. */
export function rpcTimestamp(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Sends one signed RPC request with node's http, bypassing pop-core: for XML, for deliberately wrong
 * requests, and for a cheap load generator. Resolves with whatever the server answered.
 */
export function rawCall(
  url: string,
  key: Pick<AccessKeyRecord, 'accessKeyId' | 'accessKeySecret' | 'securityToken'>,
  action: string,
  params: Record<string, string> = {},
  options: RawCallOptions = {},
): Promise<RawResponse> {
  const method = options.method ?? 'POST';
  const all: Record<string, string> = {
    Action: action,
    Format: 'JSON',
    Version: API_VERSION,
    AccessKeyId: key.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: rpcTimestamp(),
    ...(key.securityToken === undefined ? {} : { SecurityToken: key.securityToken }),
    ...params,
  };
  for (const [k, v] of Object.entries(options.common ?? {})) {
    if (v === undefined) delete all[k];
    else all[k] = v;
  }
  all['Signature'] = options.signature ?? signRpc(method, all, options.signWith ?? key.accessKeySecret);
  const inQuery = new Set(method === 'POST' ? (options.inQuery ?? []) : []);
  const encode = (keep: (k: string) => boolean): string =>
    Object.entries(all)
      .filter(([k]) => keep(k))
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
      .join('&');
  const query =
    inQuery.size === 0
      ? `${canonicalQuery(all)}&Signature=${percentEncode(all['Signature'])}`
      : encode((k) => !inQuery.has(k));
  const path = method === 'GET' ? `/?${query}` : inQuery.size === 0 ? '/' : `/?${encode((k) => inQuery.has(k))}`;
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        agent: options.agent,
        timeout: options.timeoutMs ?? 3000,
        headers:
          method === 'POST'
            ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(query) }
            : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (method === 'POST') req.end(query);
    else req.end();
  });
}

/** Calls the control path; resolves with the status and the parsed JSON body. */
export async function control(
  emu: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/__emulator${path}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          body: typeof body === 'string' ? body : JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Runs `fn` expecting pop-core to reject; returns what it rejected with (Error or not). */
export async function rejection(fn: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await fn();
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to fail, it succeeded');
}
