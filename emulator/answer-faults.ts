/**
 * Malformed and hostile answers (fault rules' `answers`, emulator/README.md "Hostile answers"): what a
 * client must survive without acting on doubt. The model answers as usual; the answer is then changed
 * on its way out. Paging faults mint their own NextTokens, which the emulator recognises on the next
 * page whatever the draw, so an endless or cycling listing stays endless or cycling.
 */
import type { ServerResponse } from 'node:http';
import type { RequestLog } from './request-log.ts';
import type { Exchange } from './rpc-response.ts';
import { encodeBody, errorBody, finish, send } from './rpc-response.ts';
import type { AccessKeyRecord, AnswerFault, FaultRule } from './types.ts';
import { encodeJson, rawJsonNumber } from './types.ts';
import { toXml } from './xml.ts';

type Body = Record<string, unknown>;

const DEFAULT_HUGE_BODY_BYTES = 64 * 1024 * 1024;
const DEFAULT_HUGE_PAGE = 10_000;
const CHUNK_BYTES = 64 * 1024;
/** The list fields of List* answers, in the order they are looked for. */
const LIST_KEYS = ['Connections', 'Endpoints', 'Services', 'Users', 'Zones', 'Resources', 'SecurityGroups'];

/** Changes to one connection item (the first of the page). */
const ITEM_CHANGES: Partial<Record<AnswerFault, (item: Body) => void>> = {
  ownerIdMissing: (item) => delete item['EndpointOwnerId'],
  ownerIdNull: (item) => (item['EndpointOwnerId'] = null),
  ownerIdObject: (item) => (item['EndpointOwnerId'] = { Id: String(item['EndpointOwnerId']) }),
  ownerIdFraction: (item) => (item['EndpointOwnerId'] = rawJsonNumber('2000000000000002.9')),
  endpointIdMissing: (item) => delete item['EndpointId'],
  bandwidthHuge: (item) => (item['Bandwidth'] = rawJsonNumber('1e308')),
  statusUnknown: (item) => (item['ConnectionStatus'] = 'Quarantined'),
  modifiedTimeBad: (item) => (item['ModifiedTime'] = 'the day before yesterday'),
};

/** Changes to the list itself. */
const LIST_CHANGES: Partial<Record<AnswerFault, (body: Body, key: string, rule: FaultRule) => void>> = {
  listMissing: (body, key) => delete body[key],
  // The XML-shaped nesting a JSON client does not expect: an object, not a list.
  listNotArray: (body, key) => (body[key] = { [key.replace(/s$/, '')]: body[key] }),
  listNonObjects: (body, key) => (body[key] = [...(body[key] as unknown[]), 42, 'Connected', null, [1, 2]]),
  hugePage: (body, key, rule) => (body[key] = hugePage(body[key] as Body[], rule.hugePageConnections)),
};

/** `n` connection items cloned from the page's first (or a made-up one), each with its own EndpointId. */
function hugePage(items: Body[], n = DEFAULT_HUGE_PAGE): Body[] {
  const template: Body = items[0] ?? {
    EndpointId: 'ep-huge',
    EndpointOwnerId: rawJsonNumber('2000000000000001'),
    ServiceId: 'epsrv-huge',
    ConnectionStatus: 'Connected',
    Bandwidth: 1024,
    ModifiedTime: '2026-01-01T00:00:00Z',
    Zones: [],
  };
  return Array.from({ length: n }, (_, i) => ({ ...template, EndpointId: `ep-bp1huge${String(i).padStart(12, '0')}` }));
}

/** A deep copy of plain objects and arrays; other values (LongId numbers) kept as they are. */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
}

/** The NextTokens the paging faults hand out, and what each leads to. */
export class FaultTokens {
  private readonly minted = new Map<string, 'endlessPaging' | 'cyclingPaging'>();
  private next = 0;

  /** The paging fault a request's NextToken belongs to, if the emulator minted it. */
  kindOf(token: string | undefined): 'endlessPaging' | 'cyclingPaging' | undefined {
    return token === undefined ? undefined : this.minted.get(token);
  }

  /** The token after `token` (or a first one): a new one every page, or the other of a cycling pair. */
  mint(kind: 'endlessPaging' | 'cyclingPaging', token: string | undefined): string {
    if (this.minted.size > 100_000) this.minted.clear();
    const value =
      kind === 'endlessPaging'
        ? `endless-${(++this.next).toString(36)}-${Math.random().toString(36).slice(2, 10)}`
        : token === 'cycle-a'
          ? 'cycle-b'
          : 'cycle-a';
    this.minted.set(value, kind);
    return value;
  }
}

/** The answer body with an item, list or paging fault applied (a copy; the model's body is left alone). */
export function changedBody(
  answer: AnswerFault | undefined,
  rule: FaultRule,
  body: Body,
  nextToken: string | undefined,
): Body {
  const out = copy(body) as Body;
  const key = LIST_KEYS.find((k) => Array.isArray(out[k]));
  const item = answer === undefined ? undefined : ITEM_CHANGES[answer];
  const list = answer === undefined ? undefined : LIST_CHANGES[answer];
  const first = key === undefined ? undefined : (out[key] as Body[])[0];
  if (item !== undefined && first !== undefined) item(first);
  if (list !== undefined && key !== undefined) list(out, key, rule);
  if (nextToken !== undefined) out['NextToken'] = nextToken;
  return out;
}

/** A 200 answer cut off halfway: not JSON (or XML) at all. */
export function sendMalformed(log: RequestLog, res: ServerResponse, ex: Exchange, body: Body, root: string): void {
  const text = ex.format === 'XML' ? toXml(root, body) : encodeJson(body);
  const bytes = Buffer.from(text.slice(0, Math.max(1, Math.floor(text.length / 2))), 'utf8');
  if (!res.destroyed && !res.writableEnded) {
    res.writeHead(200, {
      'content-type': ex.format === 'XML' ? 'text/xml;charset=utf-8' : 'application/json;charset=utf-8',
      'content-length': bytes.length,
      'x-acs-request-id': ex.entry.requestId,
    });
    res.end(bytes);
  }
  finish(log, ex, 200, undefined);
}

/**
 * A 200 answer of `bytes` bytes, valid JSON padded with one long string, written in chunks as the client
 * reads them: the emulator holds one chunk at a time, never the body.
 */
export async function streamHugeBody(
  log: RequestLog,
  res: ServerResponse,
  ex: Exchange,
  rule: FaultRule,
): Promise<void> {
  const total = rule.hugeBodyBytes ?? DEFAULT_HUGE_BODY_BYTES;
  const head = `{"RequestId":"${ex.entry.requestId}","Connections":[],"NextToken":"","MaxResults":50,"Padding":"`;
  const tail = '"}';
  const padding = Math.max(0, total - head.length - tail.length);
  res.writeHead(200, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': head.length + padding + tail.length,
    'x-acs-request-id': ex.entry.requestId,
  });
  const chunk = Buffer.alloc(CHUNK_BYTES, 'x');
  let ok = res.write(head);
  for (let left = padding; left > 0 && !res.destroyed; left -= CHUNK_BYTES) {
    if (!ok) await drained(res);
    if (res.destroyed) break;
    ok = res.write(left >= CHUNK_BYTES ? chunk : chunk.subarray(0, left));
  }
  if (!res.destroyed) res.end(tail);
  finish(log, ex, res.destroyed ? 0 : 200, undefined);
}

/** Resolves when the response can take more, or is closed (listeners removed either way). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** An error answer that carries the request's credentials in its Code, RequestId or Message. */
export function sendEchoedCredentials(
  log: RequestLog,
  res: ServerResponse,
  ex: Exchange,
  answer: 'credentialsInCode' | 'credentialsInRequestId' | 'credentialsInMessage',
  echo: string,
): void {
  const code = answer === 'credentialsInCode' ? `InvalidParameter.${echo}` : 'InvalidParameter';
  const message =
    answer === 'credentialsInMessage'
      ? `The specified parameter is not valid: ${echo}`
      : 'The specified parameter is not valid.';
  const requestId = answer === 'credentialsInRequestId' ? echo : ex.entry.requestId;
  const sent = send(res, ex, 400, encodeBody(ex, errorBody(ex, code, message, requestId), 'Error'));
  // The log names the fault, never the credentials it echoed.
  finish(log, ex, sent ? 400 : 0, 'InvalidParameter');
}

/** The request's secrets a `credentialsIn*` answer echoes, joined by a space. */
export function echoedCredentials(rule: FaultRule, key: AccessKeyRecord, params: Record<string, string>): string {
  const parts = (rule.echo ?? ['accessKeySecret', 'securityToken', 'signature']).map((what) =>
    what === 'accessKeySecret'
      ? key.accessKeySecret
      : what === 'securityToken'
        ? (params['SecurityToken'] ?? key.securityToken ?? '')
        : (params['Signature'] ?? ''),
  );
  return parts.filter((p) => p !== '').join(' ');
}
