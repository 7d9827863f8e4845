/**
 * The PrivateLinkApi adapter over `@alicloud/pop-core` (RPC style, version 2020-04-15): the only place
 * that knows the SDK. It turns typed requests into RPC parameters, pop-core's answers into the plain
 * records of ../engine/resources.ts, and every failure into an `ApiError` that is safe to log.
 *
 * pop-core surprises handled here (../../../shared/reference/platform-notes.md, verified in
 * node_modules/@alicloud/pop-core/lib/rpc.js and node_modules/httpx/lib/index.js):
 * - POST (upper case) always: with GET pop-core's error message embeds the signed URL, token included.
 * - `undefined`/`null` parameters would be sent as the strings "undefined"/"null": never passed
 *   (./request-params.ts).
 * - json-bigint's parse (BigNumber objects, null prototypes, slow) is replaced by the client's bounded
 *   native one, which hands long numbers over as strings (./answer-json.ts); every field is still read
 *   defensively and IDs go through String() (./response-fields.ts, ./listing-pages.ts).
 * - The HTTP status is ignored by pop-core: a 5xx JSON body without `Code` resolves as success and a
 *   non-JSON body rejects with a plain object. ./pop-core-call.ts shows how the status is seen.
 * - Error objects carry `url` and `entry`: they are never kept; messages are rebuilt and scrubbed
 *   (./pop-core-errors.ts).
 */
import type * as http from 'node:http';
import type { EndpointConnection, EndpointService } from '../engine/resources.ts';
import { ApiError } from './api-error.ts';
import type { AccessKeyCredentials, CredentialsSource } from './credentials.ts';
import { connectionsPage, serviceUsersPage, servicesPage } from './listing-pages.ts';
import type { ListingAnswer } from './listing-pages.ts';
import { callObservingAgent, currentCall } from './pop-core-call.ts';
import type { CallRecord } from './pop-core-call.ts';
import { apiError, callSecrets, toApiError } from './pop-core-errors.ts';
import { PopRpcClient } from './pop-core-rpc.ts';
import type { PopRequestOptions } from './pop-core-rpc.ts';
import { DEFAULT_TIMEOUT_MS } from './private-link-api.ts';
import type {
  DisableVpcEndpointConnectionRequest,
  EnableVpcEndpointConnectionRequest,
  ListVpcEndpointConnectionsRequest,
  ListVpcEndpointServiceUsersRequest,
  ListVpcEndpointServicesRequest,
  Page,
  PrivateLinkAction,
  PrivateLinkApi,
  ServiceUser,
  UpdateVpcEndpointConnectionAttributeRequest,
  WhitelistWriteRequest,
  WriteResult,
} from './private-link-api.ts';
import {
  checkRequestIds,
  listConnectionsParams,
  listServiceUsersParams,
  listServicesParams,
  whitelistWriteParams,
  writeParams,
} from './request-params.ts';
import { isRecord, str } from './response-fields.ts';
import { scrubberFor } from './secret-scrubber.ts';

/** API version of every call (the reference's version). */
export const PRIVATELINK_API_VERSION = '2020-04-15';

/**
 * The most bytes one response may have (4 MiB): far above the largest real page (50 connections of about
 * 1 KB each, zones included; even 1,000 per page of newer models stays near 1 MB). A larger body is
 * refused as `ResponseTooLarge` while it streams in, never buffered past this.
 */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface PrivateLinkClientOptions {
  credentials: CredentialsSource;
  /** Send every region's requests here (the emulator, `http://127.0.0.1:PORT`); default: the regional endpoint. */
  endpoint?: string | undefined;
  /** Connect and read timeout per request, ms (default `DEFAULT_TIMEOUT_MS`, ./private-link-api.ts). */
  timeoutMs?: number | undefined;
  /** Cap on one response's body, bytes (default `MAX_RESPONSE_BYTES`). */
  maxResponseBytes?: number | undefined;
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

interface EndpointClient {
  pop: PopRpcClient;
  agent: http.Agent;
}

/** How many AccessKey secrets and tokens the client remembers for scrubbing (the most recent). */
const REMEMBERED_SECRETS = 16;

/** What the client has seen over its life: the calls sent, by action, and the secrets it signed with. */
class ClientLedger {
  calls = 0;
  readonly byAction: Record<string, number> = {};
  readonly secrets = new Set<string>();

  /** A call is being signed with `credentials` and sent. */
  sent(action: string, credentials: AccessKeyCredentials): void {
    this.calls++;
    this.byAction[action] = (this.byAction[action] ?? 0) + 1;
    for (const secret of [credentials.accessKeySecret, credentials.securityToken]) {
      if (secret === undefined || secret === '') continue;
      this.secrets.delete(secret);
      this.secrets.add(secret);
      if (this.secrets.size > REMEMBERED_SECRETS) this.secrets.delete(this.secrets.values().next().value as string);
    }
  }
}

/**
 * One pop-core RPC client (and keep-alive agent) per endpoint: the regional endpoint of each region
 * asked for, or `options.endpoint` for all of them.
 */
class EndpointClients {
  readonly #clients = new Map<string, EndpointClient>();

  constructor(
    private readonly options: PrivateLinkClientOptions,
    private readonly ledger: ClientLedger,
  ) {}

  for(action: PrivateLinkAction, regionId: string): EndpointClient {
    if (this.options.endpoint === undefined && !/^[a-z0-9-]+$/.test(regionId)) {
      throw new ApiError({
        code: 'InvalidRegionId',
        message: `InvalidRegionId: "${regionId}" is not a region ID`,
        action,
      });
    }
    const endpoint = (this.options.endpoint ?? regionalEndpoint(regionId)).replace(/\/+$/, '');
    let entry = this.#clients.get(endpoint);
    if (entry === undefined) {
      const maxBytes = this.options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
      entry = { agent: callObservingAgent(endpoint.startsWith('https:'), maxBytes), pop: this.#pop(endpoint) };
      this.#clients.set(endpoint, entry);
    }
    return entry;
  }

  #pop(endpoint: string): PopRpcClient {
    const { credentials } = this.options;
    const ledger = this.ledger;
    return new PopRpcClient({
      endpoint,
      apiVersion: PRIVATELINK_API_VERSION,
      // Called by pop-core right before it signs and sends, once per request: rotation is honoured,
      // and this is where a request counts as sent.
      credentialsProvider: {
        getCredentials: async () => {
          const obtained = await credentials();
          const call = currentCall.getStore();
          if (call !== undefined) ledger.sent(call.action, obtained);
          return obtained;
        },
      },
    });
  }

  close(): void {
    for (const { agent } of this.#clients.values()) agent.destroy();
  }
}

/**
 * The body of an answer pop-core resolved with, once it is proven to be an answer: a JSON object, an
 * HTTP status below 400 (pop-core resolves any JSON body without an error Code, whatever the status),
 * and a RequestId (every real answer carries one).
 */
function checkedBody(body: unknown, call: CallRecord): Record<string, unknown> {
  const { action, httpStatus } = call;
  const base = { action, httpStatus, secrets: callSecrets(call) };
  if (!isRecord(body)) {
    throw apiError({
      ...base,
      code: 'BadResponse',
      message: `BadResponse: ${action} answered with a body that is not a JSON object`,
    });
  }
  const requestId = str(body.RequestId);
  if (httpStatus !== undefined && httpStatus >= 400) {
    const code = str(body.Code) || 'HttpError';
    const message = str(body.Message);
    const text = `${code}: ${action} answered HTTP ${httpStatus}${message === '' ? '' : `: ${message}`}`;
    throw apiError({ ...base, code, message: text, requestId });
  }
  if (requestId === '') {
    throw apiError({ ...base, code: 'BadResponse', message: `BadResponse: ${action} answered without a RequestId` });
  }
  return body;
}

/**
 * A call whose answer did not go through the client's parse (another copy of json-bigint in use): not
 * believed, and, like a lost answer (`Unexpected...`), the request may have taken effect.
 */
function unparsed(call: CallRecord): ApiError {
  const { action, httpStatus } = call;
  const message = `UnexpectedParse: ${action} was answered through another JSON parse than answer-json.ts`;
  return apiError({ action, httpStatus, secrets: callSecrets(call), code: 'UnexpectedParse', message });
}

/** Sends actions through pop-core: one call record per request, every failure an ApiError. */
class ActionSender {
  constructor(
    private readonly clients: EndpointClients,
    private readonly options: PrivateLinkClientOptions,
    private readonly ledger: ClientLedger,
  ) {}

  /** Sends one action and returns its checked answer, or rejects with an ApiError. */
  async send(
    action: PrivateLinkAction,
    regionId: string,
    rpcParams: Record<string, string>,
    dryRun = false,
  ): Promise<ListingAnswer> {
    const { pop, agent } = this.clients.for(action, regionId);
    checkRequestIds(action, {
      serviceId: rpcParams.ServiceId,
      endpointId: rpcParams.EndpointId,
      endpointOwnerId: rpcParams.EndpointOwnerId,
      userId: rpcParams.UserId,
    });
    const call: CallRecord = { action, httpStatus: undefined, secrets: this.ledger.secrets };
    let body: unknown;
    try {
      body = await currentCall.run(call, () =>
        pop.request(action, { RegionId: regionId, ...rpcParams }, this.#requestOptions(action, agent)),
      );
    } catch (raw) {
      const error = toApiError(raw, action, call);
      // DryRun=true: "every check passed" is reported as the error DryRunOperation (API reference).
      if (!dryRun || error.code !== 'DryRunOperation') throw error;
      return this.#answer(action, call, { RequestId: error.requestId ?? '' });
    }
    // One parse path: an answer pop-core parsed with anything but ./answer-json.ts is not believed.
    if (call.parsed !== true) throw unparsed(call);
    return this.#answer(action, call, checkedBody(body, call));
  }

  #answer(action: PrivateLinkAction, call: CallRecord, body: Record<string, unknown>): ListingAnswer {
    return { action, body, httpStatus: call.httpStatus, scrub: scrubberFor(callSecrets(call)) };
  }

  #requestOptions(action: PrivateLinkAction, agent: http.Agent): PopRequestOptions {
    return {
      method: 'POST',
      timeout: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      agent,
      headers: {
        'x-acs-action': action,
        'x-acs-version': PRIVATELINK_API_VERSION,
        'user-agent': this.options.userAgent ?? 'privatelink-approver',
      },
    };
  }
}

/** Creates the PrivateLink client (module doc above for what it handles). */
export function createPrivateLinkClient(options: PrivateLinkClientOptions): PrivateLinkClient {
  const ledger = new ClientLedger();
  const clients = new EndpointClients(options, ledger);
  const sender = new ActionSender(clients, options, ledger);
  const write = async (action: PrivateLinkAction, regionId: string, rpc: Record<string, string>, dryRun?: boolean) => {
    const answer = await sender.send(action, regionId, rpc, dryRun === true);
    return { requestId: answer.scrub(str(answer.body.RequestId)) };
  };

  return {
    async listVpcEndpointServices(req: ListVpcEndpointServicesRequest): Promise<Page<EndpointService>> {
      return servicesPage(await sender.send('ListVpcEndpointServices', req.regionId, listServicesParams(req)), req);
    },
    async listVpcEndpointConnections(req: ListVpcEndpointConnectionsRequest): Promise<Page<EndpointConnection>> {
      const answer = await sender.send('ListVpcEndpointConnections', req.regionId, listConnectionsParams(req));
      return connectionsPage(answer, req);
    },
    enableVpcEndpointConnection(req: EnableVpcEndpointConnectionRequest): Promise<WriteResult> {
      const rpc = writeParams(req, { Bandwidth: req.bandwidth });
      return write('EnableVpcEndpointConnection', req.regionId, rpc, req.dryRun);
    },
    disableVpcEndpointConnection(req: DisableVpcEndpointConnectionRequest): Promise<WriteResult> {
      return write('DisableVpcEndpointConnection', req.regionId, writeParams(req), req.dryRun);
    },
    updateVpcEndpointConnectionAttribute(req: UpdateVpcEndpointConnectionAttributeRequest): Promise<WriteResult> {
      const rpc = writeParams(req, { Bandwidth: req.bandwidth });
      return write('UpdateVpcEndpointConnectionAttribute', req.regionId, rpc, req.dryRun);
    },
    async listVpcEndpointServiceUsers(req: ListVpcEndpointServiceUsersRequest): Promise<Page<ServiceUser>> {
      const answer = await sender.send('ListVpcEndpointServiceUsers', req.regionId, listServiceUsersParams(req));
      return serviceUsersPage(answer, req);
    },
    addUserToVpcEndpointService(req: WhitelistWriteRequest): Promise<WriteResult> {
      return write('AddUserToVpcEndpointService', req.regionId, whitelistWriteParams(req), req.dryRun);
    },
    removeUserFromVpcEndpointService(req: WhitelistWriteRequest): Promise<WriteResult> {
      return write('RemoveUserFromVpcEndpointService', req.regionId, whitelistWriteParams(req), req.dryRun);
    },
    stats: (): PrivateLinkClientStats => ({ calls: ledger.calls, byAction: { ...ledger.byAction } }),
    close: (): void => clients.close(),
  };
}
