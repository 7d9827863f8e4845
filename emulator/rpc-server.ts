/**
 * The RPC path (`/`): what @alicloud/pop-core 1.8 sends (GET query or POST form body, merged), checked
 * like Alibaba's OpenAPI gateway checks it (common parameters, signature v1, nonce, timestamp, STS
 * token), then faults, the per-account write lock, and the model. Every request lands in the log.
 *
 * Error codes follow the platform notes' list of common OpenAPI errors; where the reference leaves a
 * choice open the choice is recorded in emulator/README.md ("Protocol").
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FaultDecision, FaultInjector } from './faults.ts';
import { describeFaults } from './faults.ts';
import type { RequestLog, RequestLogEntry } from './request-log.ts';
import { loggableParams } from './request-log.ts';
import { verifyRpcSignature } from './signature.ts';
import type { AccessKeyRecord, ActionContext, EmulatorClock, EmulatorSettings } from './types.ts';
import { EmulatorApiError, encodeJson } from './types.ts';
import { toXml } from './xml.ts';

/** The API version the emulator speaks (the reference's). */
export const API_VERSION = '2020-04-15';

/** What the RPC path needs from the model (emulator/model/private-link-model.ts implements it). */
export interface RpcModel {
  findAccessKey(accessKeyId: string): AccessKeyRecord | undefined;
  dispatch(action: string, params: Record<string, string>, ctx: ActionContext): Record<string, unknown>;
  isConnectionWrite(action: string): boolean;
}

/**
 * Every action of the 2020-04-15 reference ("API overview"). An action outside this list is rejected
 * before authentication, as the gateway does (InvalidAction.NotFound, 404).
 */
export const PRIVATELINK_ACTIONS: ReadonlySet<string> = new Set([
  'DescribeRegions',
  'DescribeZones',
  'CreateVpcEndpointService',
  'UpdateVpcEndpointServiceAttribute',
  'GetVpcEndpointServiceAttribute',
  'ListVpcEndpointServices',
  'DeleteVpcEndpointService',
  'AddUserToVpcEndpointService',
  'ListVpcEndpointServiceUsers',
  'RemoveUserFromVpcEndpointService',
  'AttachResourceToVpcEndpointService',
  'ListVpcEndpointServiceResources',
  'DetachResourceFromVpcEndpointService',
  'CreateVpcEndpoint',
  'UpdateVpcEndpointAttribute',
  'GetVpcEndpointAttribute',
  'ListVpcEndpoints',
  'ListVpcEndpointServicesByEndUser',
  'DeleteVpcEndpoint',
  'EnableVpcEndpointConnection',
  'UpdateVpcEndpointConnectionAttribute',
  'ListVpcEndpointConnections',
  'DisableVpcEndpointConnection',
  'AddZoneToVpcEndpoint',
  'ListVpcEndpointZones',
  'RemoveZoneFromVpcEndpoint',
  'AttachSecurityGroupToVpcEndpoint',
  'ListVpcEndpointSecurityGroups',
  'DetachSecurityGroupFromVpcEndpoint',
]);

/** Largest accepted POST body; real requests of this API are a few hundred bytes. */
const MAX_BODY_BYTES = 1 << 20;

/** The HTML a gateway answers with when its upstream fails (fault `badGateway`). */
const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n';

const missing = (name: string): EmulatorApiError =>
  new EmulatorApiError(
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    400,
  );

/** ISO 8601 UTC as the reference asks (`YYYY-MM-DDThh:mm:ssZ`); fractional seconds tolerated. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Remembers (AccessKeyId, nonce) pairs for a time window, bounded in size. */
class NonceWindow {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 500_000) {}

  /** Records the nonce; false when it was already used within the window. */
  use(accessKeyId: string, nonce: string, now: number, windowMs: number): boolean {
    // Insertion order is arrival order: expire from the front.
    for (const [key, expires] of this.seen) {
      if (expires > now && this.seen.size < this.maxEntries) break;
      this.seen.delete(key);
    }
    const key = `${accessKeyId}\n${nonce}`;
    const expires = this.seen.get(key);
    if (expires !== undefined && expires > now) return false;
    this.seen.delete(key);
    this.seen.set(key, now + windowMs);
    return true;
  }
}

/** Shared state of the RPC path, owned by startEmulator(). */
export interface RpcServerState {
  model: RpcModel;
  clock: EmulatorClock;
  settings: EmulatorSettings;
  log: RequestLog;
  faults: FaultInjector;
  /** Aborted by close(): ends injected latency and hanging requests. */
  closing: AbortSignal;
  /** Responses held open by the `hang` fault, ended by close(). */
  hanging: Set<ServerResponse>;
}

type Format = 'JSON' | 'XML';

interface Exchange {
  entry: RequestLogEntry;
  started: number;
  format: Format;
  regionId: string | undefined;
}

/** Creates the request handler of the RPC path. */
export function createRpcHandler(
  state: RpcServerState,
): (req: IncomingMessage, res: ServerResponse, query: string) => void {
  const nonces = new NonceWindow();
  /** Accounts with a connection write in flight (ConcurrentCallNotSupported for a second one). */
  const writesInFlight = new Set<string>();

  function finish(ex: Exchange, status: number, code: string | undefined): void {
    ex.entry.status = status;
    ex.entry.code = code;
    ex.entry.durationMs = Math.round((performance.now() - ex.started) * 1000) / 1000;
    state.log.add(ex.entry);
  }

  /** Writes the answer; false when the client is gone (the log then records status 0). */
  function send(
    res: ServerResponse,
    ex: Exchange,
    status: number,
    body: Record<string, unknown>,
    root: string,
  ): boolean {
    const xml = ex.format === 'XML';
    if (res.destroyed || res.writableEnded) return false;
    // Encoded once: a list page is ~27 KB, and measuring then encoding a string walks it twice.
    const bytes = Buffer.from(xml ? toXml(root, body) : encodeJson(body), 'utf8');
    res.writeHead(status, {
      'content-type': xml ? 'text/xml;charset=utf-8' : 'application/json;charset=utf-8',
      'content-length': bytes.length,
      'x-acs-request-id': ex.entry.requestId,
    });
    res.end(bytes);
    return true;
  }

  function sendError(res: ServerResponse, ex: Exchange, error: EmulatorApiError): void {
    const body = {
      RequestId: ex.entry.requestId,
      HostId: ex.regionId === undefined ? 'privatelink.aliyuncs.com' : `privatelink.${ex.regionId}.aliyuncs.com`,
      Code: error.code,
      Message: error.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Privatelink&requestId=${ex.entry.requestId}`,
    };
    const sent = send(res, ex, error.httpStatus, body, 'Error');
    finish(ex, sent ? error.httpStatus : 0, error.code);
  }

  /** Checks the common parameters and the signature; returns the caller's key. */
  function authenticate(method: string, params: Record<string, string>, ex: Exchange): AccessKeyRecord {
    const version = params['Version'];
    if (version === undefined) throw missing('Version');
    if (version !== API_VERSION)
      throw new EmulatorApiError('InvalidVersion', 'Specified parameter Version is not valid.', 400);
    const accessKeyId = params['AccessKeyId'];
    if (accessKeyId === undefined) throw missing('AccessKeyId');
    ex.entry.accessKeyId = accessKeyId;
    if (params['Signature'] === undefined) throw missing('Signature');
    if (params['SignatureMethod'] === undefined) throw missing('SignatureMethod');
    if (params['SignatureMethod'] !== 'HMAC-SHA1') {
      throw new EmulatorApiError(
        'IncompleteSignature',
        'The request signature does not conform to Aliyun standards: SignatureMethod must be HMAC-SHA1.',
        400,
      );
    }
    if (params['SignatureVersion'] === undefined) throw missing('SignatureVersion');
    if (params['SignatureVersion'] !== '1.0') {
      throw new EmulatorApiError(
        'IncompleteSignature',
        'The request signature does not conform to Aliyun standards: SignatureVersion must be 1.0.',
        400,
      );
    }
    const nonce = params['SignatureNonce'];
    if (nonce === undefined || nonce === '') throw missing('SignatureNonce');
    const timestamp = params['Timestamp'];
    if (timestamp === undefined) throw missing('Timestamp');
    const at = TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(at))
      throw new EmulatorApiError(
        'InvalidTimeStamp.Format',
        'Specified time stamp or date value is not well formatted.',
        400,
      );
    const now = state.clock.now();
    if (Math.abs(now - at) > state.settings.maxClockSkewMs) {
      throw new EmulatorApiError('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', 400);
    }
    const key = state.model.findAccessKey(accessKeyId);
    if (key === undefined || (key.securityToken !== undefined && !state.settings.allowSts)) {
      throw new EmulatorApiError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
    }
    // Checked before the nonce is recorded, so that a forged request cannot use up a caller's nonces.
    // The message never carries the string-to-sign: it would help no one but a forger.
    if (!verifyRpcSignature(method, params, key.accessKeySecret)) {
      throw new EmulatorApiError(
        'SignatureDoesNotMatch',
        'Specified signature is not matched with our calculation.',
        400,
      );
    }
    const token = params['SecurityToken'];
    if (key.securityToken !== undefined && token === undefined) {
      throw new EmulatorApiError(
        'MissingSecurityToken',
        'SecurityToken is mandatory for this AccessKeyId (an STS key).',
        400,
      );
    }
    if (token !== undefined && token !== key.securityToken) {
      throw new EmulatorApiError(
        'InvalidSecurityToken.Mismatch',
        'Specified SecurityToken mismatch with the AccessKey.',
        400,
      );
    }
    // The nonce window covers the whole accepted timestamp range on both sides.
    if (!nonces.use(accessKeyId, nonce, now, Math.max(2 * state.settings.maxClockSkewMs, 15 * 60_000))) {
      throw new EmulatorApiError('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
    }
    ex.entry.accountId = key.accountId;
    return key;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (state.closing.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        state.closing.removeEventListener('abort', done);
        resolve();
      }
      state.closing.addEventListener('abort', done, { once: true });
    });
  }

  /** Applies the faults and the write lock, then the model. */
  async function execute(
    res: ServerResponse,
    ex: Exchange,
    action: string,
    params: Record<string, string>,
    key: AccessKeyRecord,
  ): Promise<void> {
    const decision: FaultDecision = state.faults.decide(action, key.accessKeyId, performance.now());
    ex.entry.fault = describeFaults(decision);
    const isWrite = state.model.isConnectionWrite(action);
    if (isWrite) {
      // Newer docs: accepts cannot run concurrently within one account; Alibaba's Terraform provider
      // retries ConcurrentCallNotSupported, so that is the code a client must be ready for.
      if (writesInFlight.has(key.accountId)) {
        throw new EmulatorApiError(
          'ConcurrentCallNotSupported',
          'Another operation on a connection of this account is in progress. Retry later.',
          400,
        );
      }
      writesInFlight.add(key.accountId);
    }
    try {
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      // A client that gave up during the latency does not undo its call (the answer is lost, the effect
      // is not, as with a real service); only close() ends a request without effect.
      if (state.closing.aborted) {
        res.destroy();
        finish(ex, 0, undefined);
        return;
      }
      if (decision.throttled)
        throw new EmulatorApiError('Throttling.User', 'Request was denied due to user flow control.', 400);
      switch (decision.outcome) {
        case 'internalError':
          throw new EmulatorApiError(
            'InternalError',
            'The request processing has failed due to some unknown error, exception or failure.',
            500,
          );
        case 'serviceUnavailable':
          throw new EmulatorApiError(
            'ServiceUnavailable',
            'The request has failed due to a temporary failure of the server.',
            503,
          );
        case 'badGateway':
          if (!res.destroyed) {
            res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(BAD_GATEWAY_HTML) });
            res.end(BAD_GATEWAY_HTML);
          }
          finish(ex, 502, undefined);
          return;
        case 'hang':
          // No answer and no effect, until the client gives up or close() ends it.
          state.hanging.add(res);
          res.on('close', () => state.hanging.delete(res));
          finish(ex, 0, undefined);
          return;
        case 'drop':
          res.socket?.destroy();
          finish(ex, 0, undefined);
          return;
        case undefined:
          break;
      }
      const ctx: ActionContext = {
        accountId: key.accountId,
        accessKeyId: key.accessKeyId,
        requestId: ex.entry.requestId,
        now: state.clock.now(),
      };
      const result = state.model.dispatch(action, params, ctx);
      // A ClientToken replay carries the first answer's RequestId: keep it.
      const body = 'RequestId' in result ? result : { RequestId: ex.entry.requestId, ...result };
      const sent = send(res, ex, 200, body, `${action}Response`);
      finish(ex, sent ? 200 : 0, undefined);
    } finally {
      if (isWrite) writesInFlight.delete(key.accountId);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, query: string, body: string): Promise<void> {
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    if (query.length > 0) for (const [k, v] of new URLSearchParams(query)) params[k] = v;
    if (body.length > 0) for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    const method = req.method ?? 'GET';
    const ex: Exchange = {
      started: performance.now(),
      format: 'JSON',
      regionId: params['RegionId'],
      entry: {
        seq: state.log.nextSeq(),
        requestId: randomUUID().toUpperCase(),
        time: new Date(state.clock.now()).toISOString(),
        method,
        action: params['Action'],
        accessKeyId: undefined,
        accountId: undefined,
        params: loggableParams(params),
        status: 0,
        code: undefined,
        durationMs: 0,
        fault: undefined,
      },
    };
    try {
      const format = (params['Format'] ?? 'JSON').toUpperCase();
      if (format !== 'JSON' && format !== 'XML')
        throw new EmulatorApiError(
          'InvalidParameter.Format',
          'The specified parameter "Format" is not valid: use JSON or XML.',
          400,
        );
      ex.format = format;
      if (method !== 'GET' && method !== 'POST')
        throw new EmulatorApiError('UnsupportedHTTPMethod', 'This http method is not supported: use GET or POST.', 405);
      const action = params['Action'];
      if (action === undefined || action === '') throw missing('Action');
      if (!PRIVATELINK_ACTIONS.has(action)) {
        throw new EmulatorApiError(
          'InvalidAction.NotFound',
          'Specified api is not found, please check your url and method.',
          404,
        );
      }
      const key = authenticate(method, params, ex);
      await execute(res, ex, action, params, key);
    } catch (error) {
      if (error instanceof EmulatorApiError) {
        sendError(res, ex, error);
      } else {
        // A bug in the emulator: answer like the real API's 500 and keep the details on stderr.
        process.stderr.write(
          `emulator: internal error on ${ex.entry.action ?? '(no action)'}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        sendError(
          res,
          ex,
          new EmulatorApiError(
            'InternalError',
            'The request processing has failed due to some unknown error, exception or failure.',
            500,
          ),
        );
      }
    }
  }

  return (req, res, query) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > MAX_BODY_BYTES) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ Code: 'RequestTooLarge', Message: 'The request body is too large.' }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      void handle(req, res, query, chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8'));
    });
  };
}
