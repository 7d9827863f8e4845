/**
 * What one pop-core call learns on the way, and the keep-alive agent that sees it and bounds it.
 *
 * pop-core reads the response but never looks at its status, and for a non-JSON body it rejects with
 * the parse's error, from which the status is gone; httpx reads any body whole. pop-core passes
 * request options through to httpx, and httpx uses `opts.agent` for `http.request`. So each endpoint
 * gets its own keep-alive agent whose `addRequest` (called synchronously by `http.ClientRequest` for
 * every request it sends) hooks the request of the call that is running: the call's record lives in an
 * AsyncLocalStorage entered around `pop.request(...)`, and the store follows pop-core's awaits into
 * httpx and into the parse (./answer-json.ts). Without patching pop-core or parsing bodies twice, the hook
 * - records the HTTP status for every outcome (success body, error body, non-JSON body, read timeout);
 * - records the request's signature, so that no echo of it leaves the client (./secret-scrubber.ts);
 * - counts the body's bytes as they arrive and destroys the response past the cap, so that no more
 *   than the cap is ever buffered (`ResponseTooLarge`); a Content-Length past the cap is refused at
 *   once, and an unrequested Content-Encoding (a decompression bomb) before httpx can inflate it;
 * - counts the body's JSON objects and lists (`{`, `[`) and commas, because a parse costs far more than
 *   the text: 4 MiB of `{},` is 1.4 million objects (json-bigint needed about 280 MB of heap for them).
 *   Past `MAX_JSON_CONTAINERS` or `MAX_JSON_COMMAS` the response is refused as too large, before it is
 *   parsed. Characters inside strings count too: a real page stays far below either limit. A body of
 *   at most `UNCOUNTED_BYTES` cannot pass either limit, so its bytes are counted only once it grows past
 *   that (a page of 50 connections, about 27 KB, never is).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';

/**
 * The most JSON objects and lists one answer may hold: a page of 1,000 connections with ten zones each
 * has 12,000; 50,000 empty objects cost json-bigint about 10 MB.
 */
export const MAX_JSON_CONTAINERS = 50_000;
/** The most commas one answer may hold (1,000 such connections: about 70,000; 250,000 numbers: ~8 MB). */
export const MAX_JSON_COMMAS = 250_000;
/** Bodies up to this many bytes hold at most this many `{`, `[` and `,`: within both limits uncounted. */
const UNCOUNTED_BYTES = Math.min(MAX_JSON_CONTAINERS, MAX_JSON_COMMAS);

/** Why the agent cut a response off: the error the call then rejects with. */
export interface Refusal {
  code: 'ResponseTooLarge' | 'BadResponse';
  message: string;
}

/** What one call learns on the way: status, signature (to scrub it), a refusal. */
export interface CallRecord {
  action: string;
  httpStatus: number | undefined;
  /** The AccessKey secrets and tokens the client has signed with (live): scrubbed from all it returns. */
  secrets: ReadonlySet<string>;
  signature?: string | undefined;
  refusal?: Refusal | undefined;
  /** Set by the client's parse (./answer-json.ts) when the call's body went through it. */
  parsed?: boolean | undefined;
}

/** The call running in this async context (entered around `pop.request`). */
export const currentCall = new AsyncLocalStorage<CallRecord>();

interface AgentWithAddRequest {
  addRequest(req: http.ClientRequest, options: unknown): void;
}

/** The first `Signature` parameter of a form body (decoded by URLSearchParams, the whole body is not). */
const SIGNATURE_PARAM = /(?:^|&)(Signature=[^&]*)/;

/** Reads the Signature from the form body pop-core writes with `end(body)` (POST). */
function captureSignature(req: http.ClientRequest, call: CallRecord): void {
  const end = req.end as (...args: unknown[]) => http.ClientRequest;
  req.end = function (this: http.ClientRequest, ...args: unknown[]) {
    const param = typeof args[0] === 'string' ? SIGNATURE_PARAM.exec(args[0])?.[1] : undefined;
    if (param !== undefined) call.signature = new URLSearchParams(param).get('Signature') ?? undefined;
    return end.apply(this, args);
  } as http.ClientRequest['end'];
}

/**
 * Destroys `res` with the call's refusal. Right away when httpx is reading it; otherwise once pop-core's
 * awaits have handed it to httpx (all microtasks), so that httpx's reader sees the error.
 */
function refuse(res: IncomingMessage, call: CallRecord, refusal: Refusal): void {
  call.refusal ??= refusal;
  const destroy = () => res.destroy(new Error(refusal.code));
  if (res.listenerCount('data') > 0) destroy();
  else setImmediate(destroy);
}

/** Running counts over a body, and what exceeds its limits. */
class BodyMeter {
  bytes = 0;
  containers = 0;
  commas = 0;
  /** The chunks of a body still too small to pass a JSON limit: counted once it grows past that. */
  #uncounted: Buffer[] | undefined = [];

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk; returns what it pushed past a limit, or undefined. */
  add(chunk: Buffer): string | undefined {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return `more than ${this.maxBytes} bytes`;
    if (this.#uncounted !== undefined) {
      // The same Buffers httpx keeps: holding them costs no memory.
      this.#uncounted.push(chunk);
      if (this.bytes <= UNCOUNTED_BYTES) return undefined;
      for (const held of this.#uncounted) this.#count(held);
      this.#uncounted = undefined;
    } else {
      this.#count(chunk);
    }
    if (this.containers > MAX_JSON_CONTAINERS) return `more than ${MAX_JSON_CONTAINERS} JSON objects and lists`;
    if (this.commas > MAX_JSON_COMMAS) return `more than ${MAX_JSON_COMMAS} JSON values`;
    return undefined;
  }

  #count(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 0x7b || byte === 0x5b) this.containers++;
      else if (byte === 0x2c) this.commas++;
    }
  }
}

/** Meters body chunks as the HTTP parser pushes them; past a limit they are dropped and `res` refused. */
function boundBody(res: IncomingMessage, call: CallRecord, maxBytes: number): void {
  const tooLarge = (what: string): Refusal => ({
    code: 'ResponseTooLarge',
    message: `ResponseTooLarge: ${call.action} answered ${what}`,
  });
  if (Number(res.headers['content-length']) > maxBytes) refuse(res, call, tooLarge(`more than ${maxBytes} bytes`));
  const meter = new BodyMeter(maxBytes);
  const push = res.push.bind(res);
  res.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (call.refusal !== undefined) return false;
    if (chunk === null || chunk === undefined) return push(chunk, encoding);
    const exceeded = meter.add(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    if (exceeded === undefined) return push(chunk, encoding);
    refuse(res, call, tooLarge(exceeded));
    return false;
  };
}

function observe(req: http.ClientRequest, call: CallRecord, maxBytes: number): void {
  captureSignature(req, call);
  req.once('response', (res: IncomingMessage) => {
    call.httpStatus = res.statusCode;
    // The refusal reaches httpx's own listener when it reads; this one only keeps an early one quiet.
    res.on('error', () => undefined);
    const encoding = res.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      // pop-core asks for no compression; httpx would inflate without bound. Read it raw, and refuse it.
      delete res.headers['content-encoding'];
      const named = JSON.stringify(encoding.slice(0, 20));
      const message = `BadResponse: ${call.action} answered with Content-Encoding ${named}, not asked for`;
      refuse(res, call, { code: 'BadResponse', message });
    }
    boundBody(res, call, maxBytes);
  });
}

/** A keep-alive agent that observes and bounds each response of the running call (module doc). */
export function callObservingAgent(secure: boolean, maxResponseBytes: number): http.Agent {
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const target = agent as unknown as AgentWithAddRequest;
  const addRequest = target.addRequest.bind(agent);
  target.addRequest = (req, options) => {
    const call = currentCall.getStore();
    if (call !== undefined) observe(req, call, maxResponseBytes);
    addRequest(req, options);
  };
  return agent;
}
