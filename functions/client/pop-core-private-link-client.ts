/**
 * The PrivateLinkApi adapter over `@alicloud/pop-core` (RPC style, version 2020-04-15): the only place
 * that knows the SDK. It turns typed requests into RPC parameters, pop-core's answers into the plain
 * records of ../core/records.ts, and every failure into an `ApiError` that is safe to log.
 *
 * pop-core surprises handled here (../../../shared/reference/platform-notes.md, verified in
 * node_modules/@alicloud/pop-core/lib/rpc.js and node_modules/httpx/lib/index.js):
 * - POST (upper case) always: with GET pop-core's error message embeds the signed URL, token included.
 * - `undefined`/`null` parameters would be sent as the strings "undefined"/"null": never passed.
 * - Numbers longer than 15 digits arrive as BigNumber, objects have a null prototype: every field is
 *   read defensively and IDs go through String() (an account ID never through Number()).
 * - The HTTP status is ignored by pop-core: a 5xx JSON body without `Code` resolves as success and a
 *   non-JSON body rejects with a plain object. See `statusCapturingAgent` for how the status is seen.
 * - Error objects carry `url` and `entry`: they are never kept; messages are rebuilt and scrubbed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { ConnectionStatus, ConnectionZone, EndpointConnection, EndpointService } from '../engine/resources.ts';
import { CONNECTION_STATUSES } from '../engine/resources.ts';
import { ApiError, CredentialsError } from './api-error.ts';
import { errorKind, isRetryableKind } from './error-kinds.ts';
import type { AccessKeyCredentials, CredentialsSource } from './credentials.ts';
import type {
  DisableVpcEndpointConnectionRequest,
  EnableVpcEndpointConnectionRequest,
  ListVpcEndpointConnectionsRequest,
  ListVpcEndpointServicesRequest,
  Page,
  PrivateLinkAction,
  PrivateLinkApi,
  UpdateVpcEndpointConnectionAttributeRequest,
  WriteResult,
} from './private-link-api.ts';
import { PopRpcClient } from './pop-core-rpc.ts';
import type { PopRequestOptions } from './pop-core-rpc.ts';

/** API version of every call (the reference's version). */
export const PRIVATELINK_API_VERSION = '2020-04-15';
/** Per-request timeout unless told otherwise (pop-core's own default, 3000 ms, is short for a busy API). */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface PrivateLinkClientOptions {
  credentials: CredentialsSource;
  /** Send every region's requests here (the emulator, `http://127.0.0.1:PORT`); default: the regional endpoint. */
  endpoint?: string | undefined;
  /** Connect and read timeout per request, ms. */
  timeoutMs?: number | undefined;
  userAgent?: string | undefined;
}

/** API calls actually sent (credentials obtained, request handed to the socket), for the run summary. */
export interface PrivateLinkClientStats {
  calls: number;
  byAction: Record<string, number>;
}

export interface PrivateLinkClient extends PrivateLinkApi {
  stats(): PrivateLinkClientStats;
  /** Closes idle keep-alive sockets (tests, CLI exit); the client stays usable. */
  close(): void;
}

/** The regional endpoint (API reference, "Endpoints"): `https://privatelink.<regionId>.aliyuncs.com`. */
export function regionalEndpoint(regionId: string): string {
  return `https://privatelink.${regionId}.aliyuncs.com`;
}

// ---------------------------------------------------------------------------------------------------
// Seeing the HTTP status.
//
// pop-core reads the response but never looks at its status, and for a non-JSON body it rejects with
// json-bigint's parse error, from which the status is gone. pop-core passes request options through to
// httpx, and httpx uses `opts.agent` for `http.request`. So each endpoint gets its own keep-alive agent
// whose `addRequest` (called synchronously by `http.ClientRequest` for every request it sends) attaches
// a 'response' listener to the request. The listener records the status on the call that is running:
// the call's record lives in an AsyncLocalStorage entered around `pop.request(...)`, and the store
// follows pop-core's awaits into httpx. This sees the status for every outcome (success body, error
// body, non-JSON body, body read timeout) without patching pop-core or parsing bodies twice.
// ---------------------------------------------------------------------------------------------------

/** What one call learns on the way: the HTTP status, and the credentials it signed with (to scrub them). */
interface CallRecord {
  action: string;
  httpStatus: number | undefined;
  credentials: AccessKeyCredentials | undefined;
}

const currentCall = new AsyncLocalStorage<CallRecord>();

interface AgentWithAddRequest {
  addRequest(req: http.ClientRequest, options: unknown): void;
}

function statusCapturingAgent(secure: boolean): http.Agent {
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const target = agent as unknown as AgentWithAddRequest;
  const addRequest = target.addRequest.bind(agent);
  target.addRequest = (req, options) => {
    const call = currentCall.getStore();
    if (call !== undefined) {
      req.once('response', (res: IncomingMessage) => {
        call.httpStatus = res.statusCode;
      });
    }
    addRequest(req, options);
  };
  return agent;
}

// ---------------------------------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------------------------------

/** Whether a failed call may succeed if sent again later: the kind table (./error-kinds.ts) decides. */
export function isRetryableCode(code: string, httpStatus?: number): boolean {
  return isRetryableKind(errorKind(code, httpStatus));
}

const SENSITIVE_PARAMS = 'Signature|SecurityToken|AccessKeySecret|SignatureNonce';

/**
 * Removes what must never be logged: the literal secret and token (also percent-encoded, once and
 * twice, as in a server's "string to sign" echo), `Signature=...`/`SecurityToken=...` pairs in any
 * encoding, and the query part of any URL.
 */
export function scrubSecrets(text: string, secrets: (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 4) continue;
    const once = encodeURIComponent(secret);
    for (const form of new Set([secret, once, encodeURIComponent(once)])) out = out.split(form).join('[redacted]');
  }
  // The whole pair goes, key included, so no `Signature=` is left for a log scanner to trip on. Not
  // `\b`: in an encoded string to sign the key follows `%26`, a word character.
  out = out.replace(
    new RegExp(`(?<![A-Za-z])(${SENSITIVE_PARAMS})(=|%3D|%253D)(.*?)(?=&|%26|%2526|\\s|$)`, 'gi'),
    '[redacted]',
  );
  out = out.replace(/(https?:\/\/[^\s?#]*)[?#][^\s]*/gi, '$1?[redacted]');
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function apiError(init: {
  code: string;
  message: string;
  action: string;
  requestId?: string | undefined;
  httpStatus?: number | undefined;
  secrets: (string | undefined)[];
}): ApiError {
  return new ApiError({
    code: init.code,
    message: scrubSecrets(init.message, init.secrets),
    action: init.action,
    requestId: init.requestId === '' ? undefined : init.requestId,
    httpStatus: init.httpStatus,
  });
}

/**
 * Maps whatever pop-core rejected with to an `ApiError`. The original is never attached as `cause`:
 * pop-core's errors carry `url` and `entry`, Node's socket errors carry nothing worth the risk.
 */
function toApiError(raw: unknown, action: string, call: CallRecord): ApiError {
  if (raw instanceof CredentialsError) return raw.forAction(action);
  if (raw instanceof ApiError) return raw;
  const secrets = [call.credentials?.accessKeySecret, call.credentials?.securityToken];
  const r = isRecord(raw) ? raw : {};
  // The agent hook sees every status; pop-core's own `entry` (error bodies only) is a fallback.
  const entryStatus = isRecord(r.entry) && isRecord(r.entry.response) ? r.entry.response.statusCode : undefined;
  const status = call.httpStatus ?? (typeof entryStatus === 'number' ? entryStatus : undefined);
  const name = typeof r.name === 'string' ? r.name : '';
  const rawMessage = typeof r.message === 'string' ? r.message : String(raw);

  // An error body: pop-core's Error with code + data (the parsed body).
  if (isRecord(r.data) && (typeof r.code === 'string' || typeof r.code === 'number')) {
    const code = String(r.code);
    const apiMessage = typeof r.data.Message === 'string' ? r.data.Message : '';
    return apiError({
      code,
      message: apiMessage === '' ? code : `${code}: ${apiMessage}`,
      action,
      requestId: str(r.data.RequestId),
      httpStatus: status,
      secrets,
    });
  }
  // httpx: connect timeout, read timeout before the headers, or body read timeout.
  if (name.startsWith('RequestTimeout')) {
    return apiError({
      code: 'Timeout',
      message: `Timeout: no complete answer to ${action} in time`,
      action,
      httpStatus: status,
      secrets,
    });
  }
  // Node socket errors (ECONNRESET, ECONNREFUSED, socket hang up, EPIPE, ENOTFOUND, ...).
  if (typeof r.code === 'string' && /^E[A-Z0-9_]+$/.test(r.code)) {
    return apiError({
      code: 'NetworkError',
      message: `NetworkError: ${r.code} calling ${action}: ${rawMessage}`,
      action,
      httpStatus: status,
      secrets,
    });
  }
  // A response arrived but could not be used: json-bigint's plain-object SyntaxError, or pop-core
  // tripping over a JSON body that is not an object. Its text is not kept (it may be a proxy's page).
  if (status !== undefined) {
    // Retryable when a gateway answered 5xx/429 (isRetryableCode's status rule), final otherwise.
    return apiError({
      code: 'BadResponse',
      message: `BadResponse: ${action} answered HTTP ${status} with a body that is not a JSON object`,
      action,
      httpStatus: status,
      secrets,
    });
  }
  return apiError({
    code: 'ClientError',
    message: `ClientError: ${action} failed before an answer: ${name || 'error'}: ${rawMessage}`,
    action,
    secrets,
  });
}

// ---------------------------------------------------------------------------------------------------
// Reading response fields (null-prototype objects, BigNumber, strings where numbers are documented).
// ---------------------------------------------------------------------------------------------------

/** Any scalar as a string: BigNumber and long account IDs through String(), never Number(). */
function str(x: unknown): string {
  if (x === undefined || x === null) return '';
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  // BigNumber: toFixed() never switches to exponent notation (toString() does from 21 digits on).
  if (isRecord(x) && typeof x.toFixed === 'function') return String((x.toFixed as () => unknown).call(x));
  return '';
}

/** A number from a number, a numeric string (the reference documents some as String) or a BigNumber. */
function num(x: unknown, fallback: number): number {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  const s = str(x).trim();
  if (s === '') return fallback;
  const n = Number(s);
  return Number.isFinite(n) ? n : fallback;
}

function bool(x: unknown): boolean {
  return x === true || (typeof x === 'string' && x.toLowerCase() === 'true');
}

/** A JSON list that may come bare (`[...]`) or wrapped (`{Zone: [...]}`), as Alibaba's models vary. */
function list(x: unknown, wrapper: string): Record<string, unknown>[] {
  const items = Array.isArray(x) ? x : isRecord(x) && Array.isArray(x[wrapper]) ? (x[wrapper] as unknown[]) : [];
  return items.filter(isRecord);
}

const STATUS_BY_LOWER = new Map<string, ConnectionStatus>(CONNECTION_STATUSES.map((s) => [s.toLowerCase(), s]));

function mapService(item: Record<string, unknown>, regionId: string): EndpointService {
  const tags: Record<string, string> = {};
  for (const tag of list(item.Tags, 'Tag')) {
    const key = str(tag.Key);
    if (key !== '') tags[key] = str(tag.Value);
  }
  return {
    regionId: str(item.RegionId) || regionId,
    serviceId: str(item.ServiceId),
    serviceName: str(item.ServiceName),
    serviceDescription: str(item.ServiceDescription),
    serviceStatus: str(item.ServiceStatus),
    serviceBusinessStatus: str(item.ServiceBusinessStatus) || 'Normal',
    autoAcceptEnabled: bool(item.AutoAcceptEnabled),
    connectBandwidth: num(item.ConnectBandwidth, 0),
    minBandwidth: num(item.MinBandwidth, 0),
    maxBandwidth: num(item.MaxBandwidth, 0),
    tags,
  };
}

function mapZone(z: Record<string, unknown>): ConnectionZone {
  return {
    zoneId: str(z.ZoneId),
    vSwitchId: str(z.VSwitchId),
    eniId: str(z.EniId),
    resourceId: str(z.ResourceId),
    zoneDomain: str(z.ZoneDomain),
    zoneStatus: str(z.ZoneStatus),
  };
}

/** Returns undefined for a status this project does not know (the caller fails the listing). */
function mapConnection(
  item: Record<string, unknown>,
  req: ListVpcEndpointConnectionsRequest,
): EndpointConnection | string {
  const rawStatus = str(item.ConnectionStatus);
  // The reference spells it "DisConnected" in one place: match case-insensitively.
  const connectionStatus = STATUS_BY_LOWER.get(rawStatus.toLowerCase());
  if (connectionStatus === undefined) return rawStatus;
  return {
    regionId: req.regionId,
    serviceId: str(item.ServiceId) || req.serviceId,
    endpointId: str(item.EndpointId),
    endpointOwnerId: str(item.EndpointOwnerId),
    endpointVpcId: str(item.EndpointVpcId),
    connectionStatus,
    bandwidth: num(item.Bandwidth, 0),
    modifiedTime: str(item.ModifiedTime),
    zones: list(item.Zones, 'Zone').map(mapZone),
  };
}

// ---------------------------------------------------------------------------------------------------
// Requests.
// ---------------------------------------------------------------------------------------------------

type ParamValue = string | number | boolean | undefined | null;

/** RPC parameters without undefined/null (pop-core would send "undefined"), booleans as true/false. */
function params(entries: Record<string, ParamValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined || value === null) continue;
    out[key] = typeof value === 'string' ? value : String(value);
  }
  return out;
}

/** `Tag.N.Key` / `Tag.N.Value`, N from 1, in key order (newer ListVpcEndpointServices models). */
function tagParams(tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  Object.keys(tags ?? {})
    .sort()
    .forEach((key, i) => {
      out[`Tag.${i + 1}.Key`] = key;
      out[`Tag.${i + 1}.Value`] = (tags as Record<string, string>)[key] as string;
    });
  return out;
}

function writeParams(
  req: EnableVpcEndpointConnectionRequest | DisableVpcEndpointConnectionRequest,
  extra: Record<string, ParamValue> = {},
) {
  return params({
    RegionId: req.regionId,
    ServiceId: req.serviceId,
    EndpointId: req.endpointId,
    ...extra,
    ClientToken: req.clientToken,
    DryRun: req.dryRun,
  });
}

/**
 * Creates the PrivateLink client. One pop-core RPC client (and keep-alive agent) per endpoint: the
 * regional endpoint of each region asked for, or `options.endpoint` for all of them.
 */
export function createPrivateLinkClient(options: PrivateLinkClientOptions): PrivateLinkClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clients = new Map<string, { pop: PopRpcClient; agent: http.Agent }>();
  const byAction: Record<string, number> = {};
  let calls = 0;

  function clientFor(action: PrivateLinkAction, regionId: string) {
    if (options.endpoint === undefined && !/^[a-z0-9-]+$/.test(regionId)) {
      throw new ApiError({
        code: 'InvalidRegionId',
        message: `InvalidRegionId: "${regionId}" is not a region ID`,
        action,
      });
    }
    const endpoint = (options.endpoint ?? regionalEndpoint(regionId)).replace(/\/+$/, '');
    let entry = clients.get(endpoint);
    if (entry === undefined) {
      entry = {
        agent: statusCapturingAgent(endpoint.startsWith('https:')),
        pop: new PopRpcClient({
          endpoint,
          apiVersion: PRIVATELINK_API_VERSION,
          // Called by pop-core right before it signs and sends, once per request: rotation is honoured,
          // and this is where a request counts as sent.
          credentialsProvider: {
            getCredentials: async () => {
              const credentials = await options.credentials();
              const call = currentCall.getStore();
              if (call !== undefined) {
                call.credentials = credentials;
                calls++;
                byAction[call.action] = (byAction[call.action] ?? 0) + 1;
              }
              return credentials;
            },
          },
        }),
      };
      clients.set(endpoint, entry);
    }
    return entry;
  }

  /** Sends one action and returns its body, or rejects with an ApiError. */
  async function send(
    action: PrivateLinkAction,
    regionId: string,
    rpcParams: Record<string, string>,
    dryRun = false,
  ): Promise<Record<string, unknown>> {
    const { pop, agent } = clientFor(action, regionId);
    const call: CallRecord = { action, httpStatus: undefined, credentials: undefined };
    const requestOptions: PopRequestOptions = {
      method: 'POST',
      timeout: timeoutMs,
      agent,
      headers: {
        'x-acs-action': action,
        'x-acs-version': PRIVATELINK_API_VERSION,
        'user-agent': options.userAgent ?? 'privatelink-approver',
      },
    };
    let body: unknown;
    try {
      body = await currentCall.run(call, () =>
        pop.request(action, { RegionId: regionId, ...rpcParams }, requestOptions),
      );
    } catch (raw) {
      const error = toApiError(raw, action, call);
      // DryRun=true: "every check passed" is reported as the error DryRunOperation (API reference).
      if (dryRun && error.code === 'DryRunOperation') return { RequestId: error.requestId ?? '' };
      throw error;
    }
    const secrets = [call.credentials?.accessKeySecret, call.credentials?.securityToken];
    const status = call.httpStatus;
    if (!isRecord(body)) {
      throw apiError({
        code: 'BadResponse',
        message: `BadResponse: ${action} answered with a body that is not a JSON object`,
        action,
        httpStatus: status,
        secrets,
      });
    }
    const requestId = str(body.RequestId);
    // pop-core resolves any JSON body without an error Code, whatever the status.
    if (status !== undefined && status >= 400) {
      const code = str(body.Code) || 'HttpError';
      const message = str(body.Message);
      throw apiError({
        code,
        message: `${code}: ${action} answered HTTP ${status}${message === '' ? '' : `: ${message}`}`,
        action,
        requestId,
        httpStatus: status,
        secrets,
      });
    }
    // Every real answer carries a RequestId; a success body without one came from something else.
    if (requestId === '') {
      throw apiError({
        code: 'BadResponse',
        message: `BadResponse: ${action} answered without a RequestId`,
        action,
        httpStatus: status,
        secrets,
      });
    }
    return body;
  }

  return {
    async listVpcEndpointServices(req: ListVpcEndpointServicesRequest): Promise<Page<EndpointService>> {
      const body = await send(
        'ListVpcEndpointServices',
        req.regionId,
        params({
          ServiceId: req.serviceId,
          ServiceName: req.serviceName,
          MaxResults: req.maxResults,
          NextToken: req.nextToken,
          ...tagParams(req.tags),
        }),
      );
      return {
        items: list(body.Services, 'Service').map((s) => mapService(s, req.regionId)),
        invalid: [],
        nextToken: str(body.NextToken) || undefined,
        requestId: str(body.RequestId),
      };
    },

    async listVpcEndpointConnections(req: ListVpcEndpointConnectionsRequest): Promise<Page<EndpointConnection>> {
      const action = 'ListVpcEndpointConnections';
      const body = await send(
        action,
        req.regionId,
        params({
          ServiceId: req.serviceId,
          EndpointId: req.endpointId,
          EndpointOwnerId: req.endpointOwnerId,
          ConnectionStatus: req.connectionStatus,
          MaxResults: req.maxResults,
          NextToken: req.nextToken,
        }),
      );
      const items: EndpointConnection[] = [];
      for (const raw of list(body.Connections, 'Connection')) {
        const mapped = mapConnection(raw, req);
        if (typeof mapped === 'string') {
          // A listing that looks wrong means "change nothing": fail it rather than guess.
          throw new ApiError({
            code: 'BadResponse',
            message: `BadResponse: ${action} returned endpoint ${str(raw.EndpointId)} with unknown ConnectionStatus "${mapped}"`,
            action,
            requestId: str(body.RequestId),
            httpStatus: undefined,
          });
        }
        items.push(mapped);
      }
      return { items, invalid: [], nextToken: str(body.NextToken) || undefined, requestId: str(body.RequestId) };
    },

    async enableVpcEndpointConnection(req: EnableVpcEndpointConnectionRequest): Promise<WriteResult> {
      const body = await send(
        'EnableVpcEndpointConnection',
        req.regionId,
        writeParams(req, { Bandwidth: req.bandwidth }),
        req.dryRun === true,
      );
      return { requestId: str(body.RequestId) };
    },

    async disableVpcEndpointConnection(req: DisableVpcEndpointConnectionRequest): Promise<WriteResult> {
      const body = await send('DisableVpcEndpointConnection', req.regionId, writeParams(req), req.dryRun === true);
      return { requestId: str(body.RequestId) };
    },

    async updateVpcEndpointConnectionAttribute(req: UpdateVpcEndpointConnectionAttributeRequest): Promise<WriteResult> {
      const body = await send(
        'UpdateVpcEndpointConnectionAttribute',
        req.regionId,
        writeParams(req, { Bandwidth: req.bandwidth }),
        req.dryRun === true,
      );
      return { requestId: str(body.RequestId) };
    },

    stats(): PrivateLinkClientStats {
      return { calls, byAction: { ...byAction } };
    },

    close(): void {
      for (const { agent } of clients.values()) agent.destroy();
    },
  };
}
