/**
 * The narrow client the engine's shell uses: exactly the PrivateLink actions this project calls, named
 * after the API (../shared/reference/privatelink-api-2020-04-15.txt, version 2020-04-15). Only the
 * adapter that implements it imports @alicloud/pop-core; everything else sees plain records.
 *
 * Every method rejects with an `ApiError` (./api-error.ts) and nothing else.
 * `undefined` request fields are not sent at all.
 */
import type { ConnectionStatus, EndpointConnection, EndpointService } from '../engine/resources.ts';

/**
 * The project's one default timeout of an API call, ms (connect and read, per request). pop-core's own
 * default, 3000 ms, is short for a busy API.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * One page of a List* call. `nextToken` is undefined on the last page. An item that failed validation is
 * never in `items`: it is in `invalid`, naming the field.
 */
export interface Page<T> {
  items: T[];
  invalid: InvalidItem[];
  nextToken: string | undefined;
  requestId: string;
}

/**
 * A listed item the client refused to believe (the first field that failed its check). The IDs are set
 * only when those fields are themselves valid, so a caller can name the item without trusting a bad value:
 * `endpointId`/`ownerId` for a connection, `serviceId` for a service.
 */
export interface InvalidItem {
  /** The API's field name, e.g. `Bandwidth`, `EndpointOwnerId`. */
  field: string;
  /** What is wrong with it, quoting at most 40 characters of the value, escaped and scrubbed. */
  problem: string;
  endpointId?: string;
  ownerId?: string;
  serviceId?: string;
}

/** Result of a write: the API's RequestId (for the audit record). */
export interface WriteResult {
  requestId: string;
}

export interface ListVpcEndpointServicesRequest {
  regionId: string;
  serviceId?: string;
  serviceName?: string;
  /** Newer API models: filter by tags (Tag.N.Key / Tag.N.Value). */
  tags?: Record<string, string>;
  maxResults?: number;
  nextToken?: string;
}

export interface ListVpcEndpointConnectionsRequest {
  regionId: string;
  serviceId: string;
  endpointId?: string;
  endpointOwnerId?: string;
  connectionStatus?: ConnectionStatus;
  maxResults?: number;
  nextToken?: string;
}

interface ConnectionWrite {
  regionId: string;
  serviceId: string;
  endpointId: string;
  /** ASCII, 1-64 characters; same token + same parameters replays the first result. */
  clientToken?: string;
  /** When true the API only checks and answers DryRunOperation (the adapter resolves that as success). */
  dryRun?: boolean;
}

export interface EnableVpcEndpointConnectionRequest extends ConnectionWrite {
  /** Mbit/s. */
  bandwidth: number;
}

export type DisableVpcEndpointConnectionRequest = ConnectionWrite;

export interface UpdateVpcEndpointConnectionAttributeRequest extends ConnectionWrite {
  /** Mbit/s. */
  bandwidth: number;
}

/** ListVpcEndpointServiceUsers: one page of a service's whitelist (API reference 10.2). */
export interface ListVpcEndpointServiceUsersRequest {
  regionId: string;
  serviceId: string;
  /** Only this account, when set. */
  userId?: string;
  maxResults?: number;
  nextToken?: string;
}

/** One whitelist entry: an account ID (the API's `UserId`, a Long, as a string of digits). */
export interface ServiceUser {
  userId: string;
}

/** Add/RemoveUser(To|From)VpcEndpointService (API reference 10.1, 10.3). */
export interface WhitelistWriteRequest {
  regionId: string;
  serviceId: string;
  /** The account ID, digits. */
  userId: string;
  /** ASCII, 1-64 characters; same token + same parameters replays the first result. */
  clientToken?: string;
  dryRun?: boolean;
}

export interface PrivateLinkApi {
  listVpcEndpointServices(req: ListVpcEndpointServicesRequest): Promise<Page<EndpointService>>;
  listVpcEndpointConnections(req: ListVpcEndpointConnectionsRequest): Promise<Page<EndpointConnection>>;
  /** Accept a connection request. Asynchronous on the API side: the connection passes through Connecting. */
  enableVpcEndpointConnection(req: EnableVpcEndpointConnectionRequest): Promise<WriteResult>;
  /** Reject a request or disconnect a connection. Asynchronous: Disconnecting -> Disconnected. */
  disableVpcEndpointConnection(req: DisableVpcEndpointConnectionRequest): Promise<WriteResult>;
  /** Change a connection's bandwidth. */
  updateVpcEndpointConnectionAttribute(req: UpdateVpcEndpointConnectionAttributeRequest): Promise<WriteResult>;
  /** A service's whitelist, one page (only called for rules with `whitelist: sync`). */
  listVpcEndpointServiceUsers(req: ListVpcEndpointServiceUsersRequest): Promise<Page<ServiceUser>>;
  /** Whitelist an account: it can then find the service and request connections. */
  addUserToVpcEndpointService(req: WhitelistWriteRequest): Promise<WriteResult>;
  /** Take an account off the whitelist: its existing connections stay (emulator README "Whitelist"). */
  removeUserFromVpcEndpointService(req: WhitelistWriteRequest): Promise<WriteResult>;
}

/** The API action names this project calls: the RAM policy in infra/ must grant exactly these. */
export const PRIVATELINK_ACTIONS = [
  'ListVpcEndpointServices',
  'ListVpcEndpointConnections',
  'EnableVpcEndpointConnection',
  'DisableVpcEndpointConnection',
  'UpdateVpcEndpointConnectionAttribute',
] as const;

/**
 * The whitelist actions, called only for rules with `whitelist: sync` (README "Keep the whitelist in
 * step"): granted by infra/ram/whitelist-sync-policy.json, attached only when the feature is on.
 */
export const WHITELIST_ACTIONS = [
  'ListVpcEndpointServiceUsers',
  'AddUserToVpcEndpointService',
  'RemoveUserFromVpcEndpointService',
] as const;

export type PrivateLinkAction = (typeof PRIVATELINK_ACTIONS)[number] | (typeof WHITELIST_ACTIONS)[number];
