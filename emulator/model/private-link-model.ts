import { createHash } from 'node:crypto';
import type { AccessKeyRecord, AccountInfo, ActionContext, EmulatorClock, EmulatorSettings } from '../types.ts';
import { EmulatorApiError, LongId } from '../types.ts';
import type { Scenario, ScenarioConnectionStatus } from './scenario.ts';
import { REGIONS, findRegion } from './regions.ts';
import { derivedId, randomId } from './ids.ts';
import { Params, invalidParameter, missingParameter } from './params.ts';
import { PageTokens } from './page-token.ts';

/**
 * The in-memory model of Alibaba Cloud PrivateLink (API 2020-04-15): services, whitelists, service
 * resources, endpoints, their zones and security groups, and the connections between endpoints and
 * services with their asynchronous lifecycle. The protocol layer authenticates a request and calls
 * `dispatch(action, params, ctx)`; the model answers the response body (without RequestId) or throws
 * EmulatorApiError. Behaviour follows the API reference (shared/reference/privatelink-api-2020-04-15.txt,
 * document version 20210429): parameters, response fields and error codes per action; where it is
 * silent, the choices are listed in emulator/README.md (section "choices").
 *
 * Connection statuses are computed lazily: a transition stores its deadline, and every read settles the
 * records it touches against `ctx.now`, so moving the clock alone completes Enable, Disable, updates
 * and deletes.
 */

/** Where a connection is in its lifecycle. `awaiting` shows as `settings.pendingStatus`. */
type Phase =
  | 'awaiting'
  | 'accepting'
  | 'connected'
  | 'updating'
  | 'disconnecting'
  | 'disconnected'
  | 'deleting'
  | 'serviceDeleted';

interface ConnectionRec {
  phase: Phase;
  /** Deadline of the transition in progress (accepting, updating, disconnecting), ms. */
  until: number | undefined;
  bandwidth: number;
  /** Bandwidth the transition in progress applies. */
  target: number;
  modifiedMs: number;
}

interface ZoneRec {
  seq: number;
  zoneId: string;
  vSwitchId: string;
  eniId: string;
  eniIp: string;
}

interface SecurityGroupRec {
  seq: number;
  securityGroupId: string;
}

interface EndpointRec {
  seq: number;
  endpointId: string;
  regionId: string;
  ownerId: string;
  serviceId: string;
  serviceName: string;
  /** Undefined once the service is gone (connection ServiceDeleted). */
  service: ServiceRec | undefined;
  vpcId: string;
  name: string;
  description: string;
  businessStatus: string;
  createMs: number;
  /** Set while the endpoint is being deleted: it disappears at this time. */
  deleteAt: number | undefined;
  zones: ZoneRec[];
  securityGroups: SecurityGroupRec[];
  conn: ConnectionRec;
}

interface ResourceRec {
  seq: number;
  resourceId: string;
  resourceType: string;
  zoneId: string;
  vpcId: string;
  vSwitchId: string;
  ip: string;
}

interface UserRec {
  seq: number;
  userId: string;
}

interface ServiceRec {
  seq: number;
  serviceId: string;
  regionId: string;
  ownerId: string;
  name: string;
  description: string;
  tags: Array<{ Key: string; Value: string }>;
  autoAcceptEnabled: boolean;
  minBandwidth: number;
  maxBandwidth: number;
  connectBandwidth: number;
  businessStatus: string;
  createMs: number;
  deleteAt: number | undefined;
  whitelist: Map<string, UserRec>;
  zones: string[];
  resources: ResourceRec[];
  /** The endpoints connected to (or requesting) this service, ordered by seq: the connection index. */
  conns: EndpointRec[];
}

interface CachedResponse {
  hash: string;
  body: Record<string, unknown>;
}

const CONNECTION_STATUSES = [
  'Pending',
  'Connecting',
  'Connected',
  'Disconnecting',
  'Disconnected',
  'Deleting',
  'ServiceDeleted',
] as const;
const ENDPOINT_STATUSES = ['Creating', 'Active', 'Pending', 'Deleting'] as const;
const SERVICE_STATUSES = ['Creating', 'Pending', 'Active', 'Deleting', 'Inactive'] as const;
const BUSINESS_STATUSES = ['Normal', 'FinancialLocked', 'SecurityLocked'] as const;
const RESOURCE_TYPES = ['slb', 'alb', 'nlb'] as const;

/** The reference's page size bounds for every List* action. */
const MAX_RESULTS = 50;
/** Bound on remembered ClientTokens (oldest forgotten first). */
const CLIENT_TOKEN_CACHE = 100_000;

/** The writes, all of which take ClientToken in the reference; reads ignore it. */
const WRITE_ACTIONS: ReadonlySet<string> = new Set([
  'CreateVpcEndpointService',
  'UpdateVpcEndpointServiceAttribute',
  'DeleteVpcEndpointService',
  'AddUserToVpcEndpointService',
  'RemoveUserFromVpcEndpointService',
  'AttachResourceToVpcEndpointService',
  'DetachResourceFromVpcEndpointService',
  'CreateVpcEndpoint',
  'UpdateVpcEndpointAttribute',
  'DeleteVpcEndpoint',
  'EnableVpcEndpointConnection',
  'DisableVpcEndpointConnection',
  'UpdateVpcEndpointConnectionAttribute',
  'AddZoneToVpcEndpoint',
  'RemoveZoneFromVpcEndpoint',
  'AttachSecurityGroupToVpcEndpoint',
  'DetachSecurityGroupFromVpcEndpoint',
]);

/** Parameters that belong to the transport, not to the request's meaning (excluded from ClientToken matching). */
const COMMON_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
  'ClientToken',
  'DryRun',
  'RegionEndpoint',
  'product',
]);

const ENDPOINT_NAME = /^[A-Za-z][A-Za-z0-9_-]{1,127}$/;

/** Formatted times by whole second: a list page prints 50 ModifiedTimes, and formatting them afresh
 *  took a tenth of the emulator's CPU per ListVpcEndpointConnections call. Bounded; cleared when full. */
const isoTimes = new Map<number, string>();
const ISO_TIME_CACHE = 100_000;

/** ISO 8601 UTC without milliseconds, as the API prints times (`2020-09-10T01:03:38Z`). */
function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  let text = isoTimes.get(second);
  if (text === undefined) {
    if (isoTimes.size >= ISO_TIME_CACHE) isoTimes.clear();
    text = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
    isoTimes.set(second, text);
  }
  return text;
}

/** Account IDs are Long in the API: bare JSON numbers of every digit (pop-core turns 16-digit ones
 *  into BigNumber), never a JS number, which would round IDs above 2^53. */
function longId(id: string): LongId {
  return new LongId(id);
}

function notFoundService(): EmulatorApiError {
  return new EmulatorApiError('EndpointServiceNotFound', 'The specified Service does not exist.');
}
function notFoundEndpoint(): EmulatorApiError {
  return new EmulatorApiError('EndpointNotFound', 'The specified Endpoint does not exist.');
}
function notFoundConnection(): EmulatorApiError {
  return new EmulatorApiError('EndpointConnectionNotFound', 'The specified endpoint connection does not exist.');
}
function connectionDenied(message: string): EmulatorApiError {
  return new EmulatorApiError('EndpointConnectionOperationDenied', message);
}
function serviceDenied(): EmulatorApiError {
  return new EmulatorApiError(
    'EndpointServiceOperationDenied',
    'The specified operation of endpoint service is not allowed.',
  );
}
function endpointDenied(): EmulatorApiError {
  return new EmulatorApiError('EndpointOperationDenied', 'The specified operation of endpoint is not allowed.');
}
function dryRunPassed(): EmulatorApiError {
  return new EmulatorApiError('DryRunOperation', 'Request validation has been passed with DryRun flag set.');
}

/** Why a connection in `phase` cannot be changed now (EndpointConnectionOperationDenied messages). */
const BUSY_MESSAGE: Partial<Record<Phase, string>> = {
  accepting: 'The endpoint is being connected.',
  updating: 'The endpoint connection is being modified.',
  disconnecting: 'The endpoint is being disconnected.',
  deleting: 'The endpoint is being deleted.',
  serviceDeleted: 'The endpoint service of the connection has been deleted.',
};

type Handler = (p: Params, ctx: ActionContext) => Record<string, unknown>;

/** The in-memory PrivateLink model. See the file comment. */
export class PrivateLinkModel {
  readonly accounts: AccountInfo[];
  private readonly keys = new Map<string, AccessKeyRecord>();
  private readonly services = new Map<string, ServiceRec>();
  private readonly endpoints = new Map<string, EndpointRec>();
  /** Per owner account, in seq order: keeps the providers' and consumers' listings O(page). */
  private readonly servicesByOwner = new Map<string, ServiceRec[]>();
  private readonly endpointsByOwner = new Map<string, EndpointRec[]>();
  /** Resource ID -> the service it is attached to. */
  private readonly resourceOwners = new Map<string, ServiceRec>();
  private readonly clientTokens = new Map<string, CachedResponse>();
  private readonly tokens = new PageTokens();
  private readonly handlers: Record<string, Handler>;
  private seq = 0;

  constructor(
    scenario: Scenario,
    private readonly clock: EmulatorClock,
    /** Shared with the protocol layer and changed live by the control path: read at call time. */
    private readonly settings: EmulatorSettings,
  ) {
    this.accounts = scenario.accounts.map((a) => ({
      accountId: a.accountId,
      name: a.name,
      accessKeys: a.accessKeys.map((k) => ({ ...k, accountId: a.accountId })),
    }));
    for (const a of this.accounts) for (const k of a.accessKeys) this.keys.set(k.accessKeyId, k);
    this.handlers = {
      DescribeRegions: (p) => this.describeRegions(p),
      DescribeZones: (p) => this.describeZones(p),
      CreateVpcEndpointService: (p, c) => this.createService(p, c),
      UpdateVpcEndpointServiceAttribute: (p, c) => this.updateService(p, c),
      GetVpcEndpointServiceAttribute: (p, c) => this.getService(p, c),
      ListVpcEndpointServices: (p, c) => this.listServices(p, c),
      DeleteVpcEndpointService: (p, c) => this.deleteService(p, c),
      AddUserToVpcEndpointService: (p, c) => this.addUser(p, c),
      ListVpcEndpointServiceUsers: (p, c) => this.listUsers(p, c),
      RemoveUserFromVpcEndpointService: (p, c) => this.removeUser(p, c),
      AttachResourceToVpcEndpointService: (p, c) => this.attachResource(p, c),
      ListVpcEndpointServiceResources: (p, c) => this.listResources(p, c),
      DetachResourceFromVpcEndpointService: (p, c) => this.detachResource(p, c),
      CreateVpcEndpoint: (p, c) => this.createEndpoint(p, c),
      UpdateVpcEndpointAttribute: (p, c) => this.updateEndpoint(p, c),
      GetVpcEndpointAttribute: (p, c) => this.getEndpoint(p, c),
      ListVpcEndpoints: (p, c) => this.listEndpoints(p, c),
      DeleteVpcEndpoint: (p, c) => this.deleteEndpoint(p, c),
      ListVpcEndpointServicesByEndUser: (p, c) => this.listServicesByEndUser(p, c),
      EnableVpcEndpointConnection: (p, c) => this.enableConnection(p, c),
      DisableVpcEndpointConnection: (p, c) => this.disableConnection(p, c),
      UpdateVpcEndpointConnectionAttribute: (p, c) => this.updateConnection(p, c),
      ListVpcEndpointConnections: (p, c) => this.listConnections(p, c),
      AddZoneToVpcEndpoint: (p, c) => this.addZone(p, c),
      ListVpcEndpointZones: (p, c) => this.listZones(p, c),
      RemoveZoneFromVpcEndpoint: (p, c) => this.removeZone(p, c),
      AttachSecurityGroupToVpcEndpoint: (p, c) => this.attachSecurityGroup(p, c),
      ListVpcEndpointSecurityGroups: (p, c) => this.listSecurityGroups(p, c),
      DetachSecurityGroupFromVpcEndpoint: (p, c) => this.detachSecurityGroup(p, c),
    };
    this.load(scenario);
  }

  // ---------------------------------------------------------------------------------------------
  // Contract with the protocol layer

  /** The AccessKey record for an AccessKey ID, if any account has it. */
  findAccessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.keys.get(accessKeyId);
  }

  /** Actions that change a connection: the protocol layer serialises them per provider account. */
  isConnectionWrite(action: string): boolean {
    return (
      action === 'EnableVpcEndpointConnection' ||
      action === 'DisableVpcEndpointConnection' ||
      action === 'UpdateVpcEndpointConnectionAttribute'
    );
  }

  /** Region IDs the emulator knows (DescribeRegions). */
  regions(): string[] {
    return REGIONS.map((r) => r.regionId);
  }

  /**
   * Run one API action for the authenticated caller. Returns the response body without RequestId,
   * except for a ClientToken replay, whose body carries the first response's RequestId (the protocol
   * layer keeps a RequestId already present).
   * @throws EmulatorApiError with the API's code and HTTP status.
   */
  dispatch(action: string, params: Record<string, string>, ctx: ActionContext): Record<string, unknown> {
    const handler = Object.hasOwn(this.handlers, action) ? this.handlers[action] : undefined;
    if (!handler)
      throw new EmulatorApiError(
        'InvalidAction.NotFound',
        `Specified api is not found, please check your url and method.`,
        404,
      );
    const p = new Params(params);
    const clientToken = WRITE_ACTIONS.has(action) ? p.optional('ClientToken') : undefined;
    // Checked before DryRun: a DryRun answers DryRunOperation only when every check passes.
    if (clientToken !== undefined && (clientToken.length > 64 || !/^[\x20-\x7e]+$/.test(clientToken))) {
      throw invalidParameter('ClientToken', 'must be 1 to 64 ASCII characters');
    }
    const dryRun = p.bool('DryRun') === true;
    if (clientToken === undefined || dryRun) return handler(p, ctx);
    // ClientToken: same (caller, action, token) and same parameters -> the first answer again.
    const key = `${ctx.accountId}\u0000${action}\u0000${clientToken}`;
    const hash = requestHash(params);
    const cached = this.clientTokens.get(key);
    if (cached) {
      if (cached.hash !== hash) {
        throw new EmulatorApiError(
          'IdempotentParameterMismatch',
          'The request uses the same client token as a previous, but non-identical request.',
        );
      }
      return structuredClone(cached.body);
    }
    const body = handler(p, ctx);
    if (this.clientTokens.size >= CLIENT_TOKEN_CACHE) {
      const oldest = this.clientTokens.keys().next().value;
      if (oldest !== undefined) this.clientTokens.delete(oldest);
    }
    this.clientTokens.set(key, { hash, body: { ...structuredClone(body), RequestId: ctx.requestId } });
    return body;
  }

  /** A JSON-able dump of the whole state, statuses as of the clock's now (no secrets). */
  snapshot(): unknown {
    const now = this.clock.now();
    this.settleAll(now);
    return {
      now: isoTime(now),
      accounts: this.accounts.map((a) => ({
        accountId: a.accountId,
        name: a.name,
        accessKeyIds: a.accessKeys.map((k) => k.accessKeyId),
      })),
      services: [...this.services.values()].map((s) => ({
        serviceId: s.serviceId,
        regionId: s.regionId,
        ownerId: s.ownerId,
        name: s.name,
        description: s.description,
        status: s.deleteAt === undefined ? 'Active' : 'Deleting',
        businessStatus: s.businessStatus,
        autoAcceptEnabled: s.autoAcceptEnabled,
        minBandwidth: s.minBandwidth,
        maxBandwidth: s.maxBandwidth,
        connectBandwidth: s.connectBandwidth,
        tags: Object.fromEntries(s.tags.map((t) => [t.Key, t.Value])),
        whitelist: [...s.whitelist.keys()],
        zones: [...s.zones],
        resources: s.resources.map((r) => ({
          resourceId: r.resourceId,
          resourceType: r.resourceType,
          zoneId: r.zoneId,
        })),
      })),
      endpoints: [...this.endpoints.values()].map((e) => ({
        endpointId: e.endpointId,
        regionId: e.regionId,
        ownerId: e.ownerId,
        serviceId: e.serviceId,
        vpcId: e.vpcId,
        name: e.name,
        status: this.endpointStatus(e),
        connectionStatus: this.connectionStatus(e),
        awaitingDecision: e.conn.phase === 'awaiting',
        bandwidth: e.conn.bandwidth,
        modifiedTime: isoTime(e.conn.modifiedMs),
        zones: e.zones.map((z) => z.zoneId),
        securityGroupIds: e.securityGroups.map((g) => g.securityGroupId),
      })),
      // The providers' view: one entry per connection whose service still exists.
      connections: [...this.services.values()].flatMap((s) =>
        s.conns.map((e) => ({
          regionId: s.regionId,
          serviceId: s.serviceId,
          endpointId: e.endpointId,
          endpointOwnerId: e.ownerId,
          connectionStatus: this.connectionStatus(e),
          awaitingDecision: e.conn.phase === 'awaiting',
          bandwidth: e.conn.bandwidth,
          modifiedTime: isoTime(e.conn.modifiedMs),
        })),
      ),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Loading a scenario

  private load(scenario: Scenario): void {
    const now = this.clock.now();
    for (const s of scenario.services) {
      const rec: ServiceRec = {
        seq: ++this.seq,
        serviceId: s.serviceId,
        regionId: s.regionId,
        ownerId: s.ownerId,
        name: s.name,
        description: s.description,
        tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
        autoAcceptEnabled: s.autoAcceptEnabled,
        minBandwidth: s.minBandwidth,
        maxBandwidth: s.maxBandwidth,
        connectBandwidth: s.connectBandwidth,
        businessStatus: s.businessStatus,
        createMs: now,
        deleteAt: undefined,
        whitelist: new Map(s.whitelist.map((u) => [u, { seq: ++this.seq, userId: u }])),
        zones: [...s.zones],
        resources: [],
        conns: [],
      };
      for (const r of s.resources) {
        const res = this.newResource(rec, r.resourceId, r.resourceType, r.zoneId);
        rec.resources.push(res);
        this.resourceOwners.set(r.resourceId, rec);
      }
      this.addService(rec);
    }
    for (const e of scenario.endpoints) {
      const service = this.services.get(e.serviceId);
      const st = e.connection.status;
      const deadline = now + (e.connection.remainingMs ?? 0);
      const phase: Phase = PHASE_OF[st];
      const rec: EndpointRec = {
        seq: ++this.seq,
        endpointId: e.endpointId,
        regionId: e.regionId,
        ownerId: e.ownerId,
        serviceId: e.serviceId,
        serviceName: service?.name ?? `com.aliyuncs.privatelink.${e.regionId}.${e.serviceId}`,
        service,
        vpcId: e.vpcId,
        name: e.name,
        description: e.description,
        businessStatus: e.businessStatus,
        createMs: now,
        deleteAt: st === 'Deleting' ? deadline : undefined,
        zones: e.zones.map((z) => this.newZone(e.endpointId, e.regionId, z.zoneId, z.vSwitchId)),
        securityGroups: e.securityGroupIds.map((id) => ({ seq: ++this.seq, securityGroupId: id })),
        conn: {
          phase,
          until: st === 'Connecting' || st === 'Pending' || st === 'Disconnecting' ? deadline : undefined,
          bandwidth: e.connection.bandwidth,
          target: e.connection.bandwidth,
          modifiedMs: now,
        },
      };
      this.addEndpoint(rec);
    }
  }

  private addService(s: ServiceRec): void {
    this.services.set(s.serviceId, s);
    pushTo(this.servicesByOwner, s.ownerId, s);
  }

  private addEndpoint(e: EndpointRec): void {
    this.endpoints.set(e.endpointId, e);
    pushTo(this.endpointsByOwner, e.ownerId, e);
    e.service?.conns.push(e);
  }

  private newResource(s: ServiceRec, resourceId: string, resourceType: string, zoneId: string): ResourceRec {
    const h = createHash('sha256').update(resourceId).digest();
    return {
      seq: ++this.seq,
      resourceId,
      resourceType,
      zoneId,
      vpcId: derivedId('vpc', s.regionId, `resource/${s.ownerId}`),
      vSwitchId: derivedId('vsw', s.regionId, `resource/${s.ownerId}/${zoneId}`),
      ip: `172.16.${h[0] ?? 0}.${((h[1] ?? 0) % 250) + 2}`,
    };
  }

  private newZone(endpointId: string, regionId: string, zoneId: string, vSwitchId: string): ZoneRec {
    const h = createHash('sha256').update(`${endpointId}/${zoneId}`).digest();
    return {
      seq: ++this.seq,
      zoneId,
      vSwitchId,
      eniId: derivedId('eni', regionId, `${endpointId}/${zoneId}`),
      eniIp: `192.168.${h[0] ?? 0}.${((h[1] ?? 0) % 250) + 2}`,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Lazy lifecycle

  /** Bring one endpoint (and its connection) up to `now`. False when it no longer exists. */
  private settleEndpoint(e: EndpointRec, now: number): boolean {
    // A service whose deletion completed clears e.service and marks the connection ServiceDeleted.
    if (e.service) this.settleService(e.service, now);
    if (e.deleteAt !== undefined && now >= e.deleteAt) {
      this.removeEndpoint(e);
      return false;
    }
    const c = e.conn;
    if (c.until !== undefined && now >= c.until) {
      if (c.phase === 'accepting' || c.phase === 'updating') {
        c.phase = 'connected';
        c.bandwidth = c.target;
      } else if (c.phase === 'disconnecting') {
        c.phase = 'disconnected';
      }
      c.modifiedMs = c.until;
      c.until = undefined;
    }
    return true;
  }

  /** Bring a service up to `now`. False when its deletion has completed. */
  private settleService(s: ServiceRec, now: number): boolean {
    if (s.deleteAt !== undefined && now >= s.deleteAt) {
      this.removeService(s);
      return false;
    }
    return true;
  }

  private settleAll(now: number): void {
    for (const s of [...this.services.values()]) this.settleService(s, now);
    for (const e of [...this.endpoints.values()]) this.settleEndpoint(e, now);
  }

  private removeEndpoint(e: EndpointRec): void {
    this.endpoints.delete(e.endpointId);
    removeFrom(this.endpointsByOwner.get(e.ownerId), e);
    if (e.service) removeFrom(e.service.conns, e);
  }

  private removeService(s: ServiceRec): void {
    this.services.delete(s.serviceId);
    removeFrom(this.servicesByOwner.get(s.ownerId), s);
    for (const r of s.resources) this.resourceOwners.delete(r.resourceId);
    for (const e of s.conns) {
      e.service = undefined;
      if (e.conn.phase !== 'deleting') {
        e.conn.phase = 'serviceDeleted';
        e.conn.until = undefined;
      }
    }
    s.conns = [];
  }

  private connectionStatus(e: EndpointRec): string {
    switch (e.conn.phase) {
      case 'awaiting':
        return this.settings.pendingStatus;
      case 'accepting':
        return 'Connecting';
      case 'connected':
        return 'Connected';
      case 'updating':
        return 'Pending';
      case 'disconnecting':
        return 'Disconnecting';
      case 'disconnected':
        return 'Disconnected';
      case 'deleting':
        return 'Deleting';
      case 'serviceDeleted':
        return 'ServiceDeleted';
    }
  }

  private endpointStatus(e: EndpointRec): string {
    return e.deleteAt !== undefined ? 'Deleting' : 'Active';
  }

  private zoneStatus(e: EndpointRec): string {
    switch (e.conn.phase) {
      case 'awaiting':
        return 'Wait';
      case 'accepting':
        return 'Connecting';
      case 'connected':
      case 'updating':
        return 'Connected';
      case 'disconnecting':
        return 'Disconnecting';
      case 'disconnected':
      case 'serviceDeleted':
        return 'Disconnected';
      case 'deleting':
        return 'Deleting';
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lookups with ownership (another account's resources answer as not found: the API hides them)

  private region(p: Params): string {
    const regionId = p.required('RegionId');
    if (!findRegion(regionId))
      throw new EmulatorApiError(
        'InvalidRegionId.NotFound',
        `The specified RegionId "${regionId}" does not exist.`,
        404,
      );
    return regionId;
  }

  private ownService(p: Params, ctx: ActionContext, regionId: string, name = 'ServiceId'): ServiceRec {
    const serviceId = p.required(name);
    const s = this.services.get(serviceId);
    if (!s || s.regionId !== regionId || s.ownerId !== ctx.accountId || !this.settleService(s, ctx.now))
      throw notFoundService();
    return s;
  }

  /** A service for a write: also not locked and not being deleted. */
  private writableService(p: Params, ctx: ActionContext, regionId: string): ServiceRec {
    const s = this.ownService(p, ctx, regionId);
    if (s.businessStatus !== 'Normal')
      throw new EmulatorApiError('EndpointServiceLocked', 'The specified Service is locked.');
    if (s.deleteAt !== undefined) throw serviceDenied();
    return s;
  }

  private ownEndpoint(p: Params, ctx: ActionContext, regionId: string): EndpointRec {
    const endpointId = p.required('EndpointId');
    const e = this.endpoints.get(endpointId);
    if (!e || e.regionId !== regionId || e.ownerId !== ctx.accountId || !this.settleEndpoint(e, ctx.now))
      throw notFoundEndpoint();
    return e;
  }

  /** An endpoint for a write on its zones or security groups. */
  private writableEndpoint(p: Params, ctx: ActionContext, regionId: string): EndpointRec {
    const e = this.ownEndpoint(p, ctx, regionId);
    if (e.businessStatus !== 'Normal')
      throw new EmulatorApiError('EndpointLocked', 'The specified Endpoint is locked.');
    if (e.deleteAt !== undefined) throw endpointDenied();
    const busy = BUSY_MESSAGE[e.conn.phase];
    if (busy !== undefined && e.conn.phase !== 'serviceDeleted') throw connectionDenied(busy);
    return e;
  }

  private maxResults(p: Params): number {
    return p.int('MaxResults', 1, MAX_RESULTS) ?? MAX_RESULTS;
  }

  // ---------------------------------------------------------------------------------------------
  // Regions and zones

  private describeRegions(p: Params): Record<string, unknown> {
    // RegionId is optional here (reference): it only names the endpoint asked.
    const region = p.optional('RegionId');
    if (region !== undefined && !findRegion(region))
      throw new EmulatorApiError('InvalidRegionId.NotFound', `The specified RegionId "${region}" does not exist.`, 404);
    return {
      Regions: {
        Region: REGIONS.map((r) => ({
          RegionId: r.regionId,
          LocalName: r.localName,
          RegionEndpoint: `privatelink.${r.regionId}.aliyuncs.com`,
        })),
      },
    };
  }

  private describeZones(p: Params): Record<string, unknown> {
    const regionId = this.region(p);
    const region = findRegion(regionId);
    return { Zones: { Zone: (region?.zones ?? []).map((z) => ({ ZoneId: z.zoneId, LocalName: z.localName })) } };
  }

  // ---------------------------------------------------------------------------------------------
  // Endpoint services

  private serviceView(s: ServiceRec): Record<string, unknown> {
    return {
      ServiceId: s.serviceId,
      ServiceName: s.name,
      ServiceDomain: `${s.serviceId}.${s.regionId}.privatelink.aliyuncs.com`,
      ServiceDescription: s.description,
      ServiceStatus: s.deleteAt === undefined ? 'Active' : 'Deleting',
      ServiceBusinessStatus: s.businessStatus,
      AutoAcceptEnabled: s.autoAcceptEnabled,
      ConnectBandwidth: s.connectBandwidth,
      MinBandwidth: s.minBandwidth,
      MaxBandwidth: s.maxBandwidth,
      CreateTime: isoTime(s.createMs),
      RegionId: s.regionId,
    };
  }

  /** Resource.N.* of CreateVpcEndpointService, or the single resource of Attach: checked, not yet stored. */
  private checkResource(resourceId: string, resourceType: string): void {
    if (!(RESOURCE_TYPES as readonly string[]).includes(resourceType)) {
      throw new EmulatorApiError(
        'EndpointServiceResourceTypeNotSupport',
        'The specified resource type is not supported.',
      );
    }
    const prefix = resourceType === 'slb' ? 'lb-' : `${resourceType}-`;
    if (!resourceId.startsWith(prefix)) {
      throw resourceType === 'alb'
        ? new EmulatorApiError('AlbNotFound', 'The specified Alb does not exist.')
        : new EmulatorApiError('LoadBalancerNotFound', 'The specified load balancer does not exist.');
    }
    if (this.resourceOwners.has(resourceId))
      throw new EmulatorApiError('EndpointServiceResourceExist', 'The specified resource already exists.');
  }

  private readTags(p: Params, forFilter: boolean): Array<{ Key: string; Value: string | undefined }> {
    return p.repeatedStruct('Tag', ['Key', 'Value'] as const, 20).map((t) => {
      if (t.Key === undefined) throw missingParameter(`Tag.${t.n}.Key`);
      if (t.Key.length > 128) throw invalidParameter(`Tag.${t.n}.Key`, 'must be at most 128 characters');
      if (t.Value !== undefined && t.Value.length > 128)
        throw invalidParameter(`Tag.${t.n}.Value`, 'must be at most 128 characters');
      return { Key: t.Key, Value: forFilter ? t.Value : (t.Value ?? '') };
    });
  }

  private createService(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const description = p.optional('ServiceDescription') ?? '';
    const autoAccept = p.bool('AutoAcceptEnabled') ?? false;
    const tags = this.readTags(p, false);
    const region = findRegion(regionId);
    const zones = region ? region.zones.slice(0, 2).map((z) => z.zoneId) : [];
    const resources = p.repeatedStruct('Resource', ['ResourceId', 'ResourceType', 'ZoneId'] as const, 20).map((r) => {
      if (r.ResourceId === undefined) throw missingParameter(`Resource.${r.n}.ResourceId`);
      const type = r.ResourceType ?? 'slb';
      const zoneId = r.ZoneId ?? zones[0] ?? '';
      if (region && !region.zones.some((z) => z.zoneId === zoneId))
        throw invalidParameter(`Resource.${r.n}.ZoneId`, `must be a zone of ${regionId}`);
      this.checkResource(r.ResourceId, type);
      return { resourceId: r.ResourceId, type, zoneId };
    });
    if (new Set(resources.map((r) => r.resourceId)).size !== resources.length)
      throw new EmulatorApiError('EndpointServiceResourceExist', 'The specified resource already exists.');
    if (p.bool('DryRun')) throw dryRunPassed();
    let serviceId = randomId('epsrv', regionId);
    while (this.services.has(serviceId)) serviceId = randomId('epsrv', regionId);
    const s: ServiceRec = {
      seq: ++this.seq,
      serviceId,
      regionId,
      ownerId: ctx.accountId,
      name: `com.aliyuncs.privatelink.${regionId}.${serviceId}`,
      description,
      tags: tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' })),
      autoAcceptEnabled: autoAccept,
      minBandwidth: 100,
      maxBandwidth: 10240,
      connectBandwidth: 3072,
      businessStatus: 'Normal',
      createMs: ctx.now,
      deleteAt: undefined,
      whitelist: new Map(),
      zones: [],
      resources: [],
      conns: [],
    };
    for (const r of resources) {
      s.resources.push(this.newResource(s, r.resourceId, r.type, r.zoneId));
      this.resourceOwners.set(r.resourceId, s);
      if (!s.zones.includes(r.zoneId)) s.zones.push(r.zoneId);
    }
    if (s.zones.length === 0) s.zones.push(...zones);
    this.addService(s);
    const v = this.serviceView(s);
    return {
      ServiceId: v.ServiceId,
      ServiceName: v.ServiceName,
      ServiceDomain: v.ServiceDomain,
      ServiceDescription: v.ServiceDescription,
      AutoAcceptEnabled: v.AutoAcceptEnabled,
      ServiceStatus: v.ServiceStatus,
      ServiceBusinessStatus: v.ServiceBusinessStatus,
      CreateTime: v.CreateTime,
    };
  }

  private updateService(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const s = this.writableService(p, ctx, regionId);
    const description = p.optional('ServiceDescription');
    const autoAccept = p.bool('AutoAcceptEnabled');
    // The reference says 100 to 1024; the service's own bandwidth range is what bounds it here (README).
    const connectBandwidth = p.int('ConnectBandwidth', s.minBandwidth, s.maxBandwidth);
    if (description !== undefined && description.length > 256)
      throw invalidParameter('ServiceDescription', 'must be at most 256 characters');
    if (p.bool('DryRun')) throw dryRunPassed();
    if (description !== undefined) s.description = description;
    if (autoAccept !== undefined) s.autoAcceptEnabled = autoAccept;
    if (connectBandwidth !== undefined) s.connectBandwidth = connectBandwidth;
    return {};
  }

  private getService(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const s = this.ownService(p, ctx, regionId);
    return { ...this.serviceView(s), Zones: [...s.zones], Tags: s.tags.map((t) => ({ ...t })) };
  }

  private listServices(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const max = this.maxResults(p);
    const serviceId = p.optional('ServiceId');
    const serviceName = p.optional('ServiceName');
    const autoAccept = p.bool('AutoAcceptEnabled');
    const status = p.oneOf('ServiceStatus', SERVICE_STATUSES);
    const business = p.oneOf('ServiceBusinessStatus', BUSINESS_STATUSES);
    const tags = this.readTags(p, true);
    const query = PageTokens.queryHash([
      'ListVpcEndpointServices',
      ctx.accountId,
      regionId,
      serviceId,
      serviceName,
      String(autoAccept),
      status,
      business,
      JSON.stringify(tags),
    ]);
    const list = this.servicesByOwner.get(ctx.accountId) ?? [];
    const page = this.pageOf(list, p, query, max, (s) => {
      if (!this.settleService(s, ctx.now)) return false;
      if (s.regionId !== regionId) return false;
      if (serviceId !== undefined && s.serviceId !== serviceId) return false;
      if (serviceName !== undefined && s.name !== serviceName) return false;
      if (autoAccept !== undefined && s.autoAcceptEnabled !== autoAccept) return false;
      if (status !== undefined && (s.deleteAt === undefined ? 'Active' : 'Deleting') !== status) return false;
      if (business !== undefined && s.businessStatus !== business) return false;
      return tags.every((t) =>
        s.tags.some((st) => st.Key === t.Key && (t.Value === undefined || st.Value === t.Value)),
      );
    });
    return {
      Services: page.items.map((s) => ({ ...this.serviceView(s), Tags: s.tags.map((t) => ({ ...t })) })),
      NextToken: page.nextToken,
      MaxResults: max,
    };
  }

  private deleteService(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const s = this.writableService(p, ctx, regionId);
    // A service with live connections (Connected or in a transition) cannot be deleted (README: choices).
    for (const e of [...s.conns]) this.settleEndpoint(e, ctx.now);
    if (s.conns.some((e) => ['connected', 'accepting', 'updating', 'disconnecting'].includes(e.conn.phase))) {
      throw new EmulatorApiError(
        'EndpointServiceDependenceViolation',
        'The specified EndpointService already contains a resource.',
      );
    }
    if (p.bool('DryRun')) throw dryRunPassed();
    s.deleteAt = ctx.now + this.settings.deleteDelayMs;
    for (const e of s.conns) {
      if (e.conn.phase === 'deleting') continue;
      e.conn.phase = 'serviceDeleted';
      e.conn.until = undefined;
      e.conn.modifiedMs = ctx.now;
    }
    this.settleService(s, ctx.now);
    return {};
  }

  // Whitelist

  private addUser(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const userId = p.accountId('UserId', true) ?? '';
    const s = this.writableService(p, ctx, regionId);
    if (p.bool('DryRun')) throw dryRunPassed();
    if (!s.whitelist.has(userId)) s.whitelist.set(userId, { seq: ++this.seq, userId });
    return {};
  }

  private listUsers(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const max = this.maxResults(p);
    const userId = p.accountId('UserId', false);
    const s = this.ownService(p, ctx, regionId);
    const query = PageTokens.queryHash(['ListVpcEndpointServiceUsers', ctx.accountId, regionId, s.serviceId, userId]);
    const page = this.pageOf(
      [...s.whitelist.values()],
      p,
      query,
      max,
      (u) => userId === undefined || u.userId === userId,
    );
    return { Users: page.items.map((u) => ({ UserId: longId(u.userId) })), NextToken: page.nextToken, MaxResults: max };
  }

  private removeUser(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const userId = p.accountId('UserId', true) ?? '';
    const s = this.writableService(p, ctx, regionId);
    if (p.bool('DryRun')) throw dryRunPassed();
    s.whitelist.delete(userId);
    return {};
  }

  // Service resources

  private attachResource(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const resourceId = p.required('ResourceId');
    const resourceType = p.required('ResourceType');
    const s = this.writableService(p, ctx, regionId);
    const region = findRegion(regionId);
    const zoneId = p.optional('ZoneId') ?? s.zones[0] ?? region?.zones[0]?.zoneId ?? '';
    if (region && !region.zones.some((z) => z.zoneId === zoneId))
      throw invalidParameter('ZoneId', `must be a zone of ${regionId}`);
    this.checkResource(resourceId, resourceType);
    if (p.bool('DryRun')) throw dryRunPassed();
    s.resources.push(this.newResource(s, resourceId, resourceType, zoneId));
    this.resourceOwners.set(resourceId, s);
    if (!s.zones.includes(zoneId)) s.zones.push(zoneId);
    return {};
  }

  private listResources(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const max = this.maxResults(p);
    const s = this.ownService(p, ctx, regionId);
    const query = PageTokens.queryHash(['ListVpcEndpointServiceResources', ctx.accountId, regionId, s.serviceId]);
    const page = this.pageOf(s.resources, p, query, max, () => true);
    return {
      Resources: page.items.map((r) => ({
        ResourceId: r.resourceId,
        ResourceType: r.resourceType,
        RegionId: s.regionId,
        ZoneId: r.zoneId,
        VpcId: r.vpcId,
        VSwitchId: r.vSwitchId,
        Ip: r.ip,
      })),
      NextToken: page.nextToken,
      MaxResults: max,
    };
  }

  private detachResource(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const resourceId = p.required('ResourceId');
    const resourceType = p.required('ResourceType');
    const s = this.writableService(p, ctx, regionId);
    const r = s.resources.find((x) => x.resourceId === resourceId && x.resourceType === resourceType);
    if (!r) throw new EmulatorApiError('EndpointServiceResourceNotFound', 'The specified resource does not exist.');
    if (p.bool('DryRun')) throw dryRunPassed();
    removeFrom(s.resources, r);
    this.resourceOwners.delete(resourceId);
    return {};
  }

  // ---------------------------------------------------------------------------------------------
  // Endpoints (the consumer side)

  private endpointView(e: EndpointRec): Record<string, unknown> {
    return {
      EndpointId: e.endpointId,
      EndpointName: e.name,
      EndpointDescription: e.description,
      EndpointDomain: `${e.endpointId}.${e.serviceId}.${e.regionId}.privatelink.aliyuncs.com`,
      EndpointStatus: this.endpointStatus(e),
      EndpointBusinessStatus: e.businessStatus,
      ConnectionStatus: this.connectionStatus(e),
      Bandwidth: e.conn.bandwidth,
      ServiceId: e.serviceId,
      ServiceName: e.serviceName,
      VpcId: e.vpcId,
      RegionId: e.regionId,
      CreateTime: isoTime(e.createMs),
    };
  }

  private checkEndpointText(p: Params): { name: string | undefined; description: string | undefined } {
    const name = p.optional('EndpointName');
    const description = p.optional('EndpointDescription');
    if (name !== undefined && !ENDPOINT_NAME.test(name)) {
      throw invalidParameter(
        'EndpointName',
        'must be 2 to 128 characters of letters, digits, underscores and hyphens, starting with a letter',
      );
    }
    if (
      description !== undefined &&
      (description.length < 2 || description.length > 256 || /^https?:\/\//.test(description))
    ) {
      throw invalidParameter(
        'EndpointDescription',
        'must be 2 to 256 characters and not start with http:// or https://',
      );
    }
    return { name, description };
  }

  private createEndpoint(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const securityGroupIds = p.repeated('SecurityGroupId', 10);
    if (securityGroupIds.length === 0) throw missingParameter('SecurityGroupId.1');
    const serviceName = p.optional('ServiceName');
    const serviceId =
      serviceName !== undefined && p.optional('ServiceId') === undefined ? undefined : p.required('ServiceId');
    const vpcId = p.required('VpcId');
    const { name, description } = this.checkEndpointText(p);
    const zoneParams = p.repeatedStruct('Zone', ['ZoneId', 'VSwitchId'] as const, 10);
    // The service: visible when it is in this region and the caller may connect to it.
    const s =
      serviceId !== undefined
        ? this.services.get(serviceId)
        : [...this.services.values()].find((x) => x.regionId === regionId && x.name === serviceName);
    if (
      !s ||
      s.regionId !== regionId ||
      !this.settleService(s, ctx.now) ||
      (serviceName !== undefined && serviceId !== undefined && s.name !== serviceName)
    ) {
      throw notFoundService();
    }
    if (s.ownerId !== ctx.accountId && s.whitelist.size > 0 && !s.whitelist.has(ctx.accountId)) {
      // Not on the whitelist: the service is hidden from this account (README: choices).
      throw notFoundService();
    }
    if (s.deleteAt !== undefined) throw serviceDenied();
    if (!/^vpc-[a-z0-9]+$/.test(vpcId)) throw new EmulatorApiError('VpcNotFound', 'The specified VPC does not exist.');
    for (const sg of securityGroupIds)
      if (!/^sg-[a-z0-9]+$/.test(sg))
        throw new EmulatorApiError('SecurityGroupNotFound', 'The specified security group does not exist.');
    const zones = zoneParams.map((z) => {
      if (z.ZoneId === undefined) throw missingParameter(`Zone.${z.n}.ZoneId`);
      if (z.VSwitchId === undefined) throw missingParameter(`Zone.${z.n}.VSwitchId`);
      if (!/^vsw-[a-z0-9]+$/.test(z.VSwitchId))
        throw new EmulatorApiError('VSwitchNotFound', 'The specified VSwitch does not exist.');
      if (!s.zones.includes(z.ZoneId))
        throw new EmulatorApiError(
          'EndpointServiceNotSupportedZone',
          'The specified endpoint service does not support the zone.',
        );
      return { zoneId: z.ZoneId, vSwitchId: z.VSwitchId };
    });
    if (new Set(zones.map((z) => z.zoneId)).size !== zones.length)
      throw new EmulatorApiError('EndpointZoneDuplicated', 'The zone is duplicated for the Endpoint.');
    for (const e of this.endpointsByOwner.get(ctx.accountId) ?? []) {
      if (e.serviceId === s.serviceId && e.vpcId === vpcId && e.deleteAt === undefined)
        throw new EmulatorApiError('EndpointExist', 'The specified Endpoint already exists.');
    }
    if (p.bool('DryRun')) throw dryRunPassed();
    let endpointId = randomId('ep', regionId);
    while (this.endpoints.has(endpointId)) endpointId = randomId('ep', regionId);
    if (zones.length === 0 && s.zones[0] !== undefined)
      zones.push({ zoneId: s.zones[0], vSwitchId: derivedId('vsw', regionId, `${vpcId}/${s.zones[0]}`) });
    const auto = s.autoAcceptEnabled;
    const e: EndpointRec = {
      seq: ++this.seq,
      endpointId,
      regionId,
      ownerId: ctx.accountId,
      serviceId: s.serviceId,
      serviceName: s.name,
      service: s,
      vpcId,
      name: name ?? '',
      description: description ?? '',
      businessStatus: 'Normal',
      createMs: ctx.now,
      deleteAt: undefined,
      zones: zones.map((z) => this.newZone(endpointId, regionId, z.zoneId, z.vSwitchId)),
      securityGroups: securityGroupIds.map((id) => ({ seq: ++this.seq, securityGroupId: id })),
      conn: {
        // AutoAcceptEnabled: the request goes straight into the accept transition.
        phase: auto ? 'accepting' : 'awaiting',
        until: auto ? ctx.now + this.settings.enableDelayMs : undefined,
        bandwidth: s.connectBandwidth,
        target: s.connectBandwidth,
        modifiedMs: ctx.now,
      },
    };
    this.addEndpoint(e);
    this.settleEndpoint(e, ctx.now);
    const v = this.endpointView(e);
    delete v.RegionId;
    return v;
  }

  private updateEndpoint(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    // The reference marks both as required.
    p.required('EndpointName');
    p.required('EndpointDescription');
    const { name, description } = this.checkEndpointText(p);
    const e = this.ownEndpoint(p, ctx, regionId);
    if (e.businessStatus !== 'Normal')
      throw new EmulatorApiError('EndpointLocked', 'The specified Endpoint is locked.');
    if (e.deleteAt !== undefined) throw endpointDenied();
    if (p.bool('DryRun')) throw dryRunPassed();
    e.name = name ?? e.name;
    e.description = description ?? e.description;
    return {};
  }

  private getEndpoint(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    return this.endpointView(this.ownEndpoint(p, ctx, regionId));
  }

  private listEndpoints(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const max = this.maxResults(p);
    const f = {
      endpointId: p.optional('EndpointId'),
      serviceId: p.optional('ServiceId'),
      serviceName: p.optional('ServiceName'),
      vpcId: p.optional('VpcId'),
      endpointName: p.optional('EndpointName'),
      endpointStatus: p.oneOf('EndpointStatus', ENDPOINT_STATUSES),
      connectionStatus: p.oneOf('ConnectionStatus', CONNECTION_STATUSES),
    };
    const query = PageTokens.queryHash(['ListVpcEndpoints', ctx.accountId, regionId, JSON.stringify(f)]);
    const list =
      f.endpointId !== undefined
        ? [this.endpoints.get(f.endpointId)].filter((e): e is EndpointRec => e !== undefined)
        : (this.endpointsByOwner.get(ctx.accountId) ?? []);
    const page = this.pageOf(list, p, query, max, (e) => {
      if (e.ownerId !== ctx.accountId || e.regionId !== regionId || !this.settleEndpoint(e, ctx.now)) return false;
      if (f.serviceId !== undefined && e.serviceId !== f.serviceId) return false;
      if (f.serviceName !== undefined && e.serviceName !== f.serviceName) return false;
      if (f.vpcId !== undefined && e.vpcId !== f.vpcId) return false;
      if (f.endpointName !== undefined && e.name !== f.endpointName) return false;
      if (f.endpointStatus !== undefined && this.endpointStatus(e) !== f.endpointStatus) return false;
      return f.connectionStatus === undefined || this.connectionStatus(e) === f.connectionStatus;
    });
    return { Endpoints: page.items.map((e) => this.endpointView(e)), NextToken: page.nextToken, MaxResults: max };
  }

  private deleteEndpoint(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const e = this.ownEndpoint(p, ctx, regionId);
    if (e.businessStatus !== 'Normal')
      throw new EmulatorApiError('EndpointLocked', 'The specified Endpoint is locked.');
    // Already being deleted, or its connection is in a transition: "being processed" (reference).
    if (e.deleteAt !== undefined || e.conn.until !== undefined) throw endpointDenied();
    if (p.bool('DryRun')) throw dryRunPassed();
    e.deleteAt = ctx.now + this.settings.deleteDelayMs;
    e.conn.phase = 'deleting';
    e.conn.modifiedMs = ctx.now;
    this.settleEndpoint(e, ctx.now);
    return {};
  }

  private listServicesByEndUser(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const max = this.maxResults(p);
    const serviceId = p.optional('ServiceId');
    const serviceName = p.optional('ServiceName');
    const query = PageTokens.queryHash([
      'ListVpcEndpointServicesByEndUser',
      ctx.accountId,
      regionId,
      serviceId,
      serviceName,
    ]);
    const list =
      serviceId !== undefined
        ? [this.services.get(serviceId)].filter((s): s is ServiceRec => s !== undefined)
        : [...this.services.values()];
    const page = this.pageOf(list, p, query, max, (s) => {
      if (s.regionId !== regionId || !this.settleService(s, ctx.now) || s.deleteAt !== undefined) return false;
      if (s.ownerId !== ctx.accountId && s.whitelist.size > 0 && !s.whitelist.has(ctx.accountId)) return false;
      return serviceName === undefined || s.name === serviceName;
    });
    return {
      Services: page.items.map((s) => ({
        ServiceId: s.serviceId,
        ServiceName: s.name,
        ServiceDomain: `${s.serviceId}.${s.regionId}.privatelink.aliyuncs.com`,
        Zones: [...s.zones],
      })),
      NextToken: page.nextToken,
      MaxResults: max,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Connections (the provider side)

  /** The connection (ServiceId, EndpointId) on a service the caller owns, settled to now. */
  /** A connection for a write: its service is the caller's, not locked and not being deleted (checked first, as for any service write). */
  private ownConnection(p: Params, ctx: ActionContext, regionId: string): { s: ServiceRec; e: EndpointRec } {
    const s = this.writableService(p, ctx, regionId);
    const endpointId = p.required('EndpointId');
    const e = this.endpoints.get(endpointId);
    if (!e || e.service !== s || !this.settleEndpoint(e, ctx.now)) throw notFoundConnection();
    return { s, e };
  }

  private enableConnection(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    p.required('ServiceId');
    p.required('EndpointId');
    p.required('Bandwidth');
    const { s, e } = this.ownConnection(p, ctx, regionId);
    const phase = e.conn.phase;
    if (phase === 'connected') throw connectionDenied('The endpoint connection is already connected.');
    const busy = BUSY_MESSAGE[phase];
    if (busy !== undefined) throw connectionDenied(busy);
    const bandwidth = p.requiredInt('Bandwidth', s.minBandwidth, s.maxBandwidth);
    if (p.bool('DryRun')) throw dryRunPassed();
    Object.assign(e.conn, {
      phase: 'accepting',
      until: ctx.now + this.settings.enableDelayMs,
      target: bandwidth,
      modifiedMs: ctx.now,
    });
    this.settleEndpoint(e, ctx.now);
    return {};
  }

  private disableConnection(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    p.required('ServiceId');
    p.required('EndpointId');
    const { e } = this.ownConnection(p, ctx, regionId);
    const phase = e.conn.phase;
    if (phase === 'disconnected') throw connectionDenied('The endpoint connection is already disconnected.');
    const busy = BUSY_MESSAGE[phase];
    if (busy !== undefined) throw connectionDenied(busy);
    if (p.bool('DryRun')) throw dryRunPassed();
    // From Connected (revoke) or from a request awaiting acceptance (reject): it is no longer awaiting.
    Object.assign(e.conn, {
      phase: 'disconnecting',
      until: ctx.now + this.settings.disableDelayMs,
      modifiedMs: ctx.now,
    });
    this.settleEndpoint(e, ctx.now);
    return {};
  }

  private updateConnection(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    p.required('ServiceId');
    p.required('EndpointId');
    const { s, e } = this.ownConnection(p, ctx, regionId);
    const phase = e.conn.phase;
    const busy = BUSY_MESSAGE[phase];
    if (busy !== undefined) throw connectionDenied(busy);
    if (phase !== 'connected') throw connectionDenied('The endpoint connection is not connected.');
    const bandwidth = p.int('Bandwidth', s.minBandwidth, s.maxBandwidth);
    if (p.bool('DryRun')) throw dryRunPassed();
    // Bandwidth is optional in the reference: without it there is nothing to change.
    if (bandwidth === undefined) return {};
    Object.assign(e.conn, {
      phase: 'updating',
      until: ctx.now + this.settings.updateDelayMs,
      target: bandwidth,
      modifiedMs: ctx.now,
    });
    this.settleEndpoint(e, ctx.now);
    return {};
  }

  private connectionView(e: EndpointRec, s: ServiceRec): Record<string, unknown> {
    const zoneStatus = this.zoneStatus(e);
    return {
      EndpointId: e.endpointId,
      EndpointOwnerId: longId(e.ownerId),
      EndpointVpcId: e.vpcId,
      ServiceId: e.serviceId,
      ConnectionStatus: this.connectionStatus(e),
      Bandwidth: e.conn.bandwidth,
      ModifiedTime: isoTime(e.conn.modifiedMs),
      Zones: e.zones.map((z) => ({
        ZoneId: z.zoneId,
        EniId: z.eniId,
        ResourceId: s.resources.find((r) => r.zoneId === z.zoneId)?.resourceId ?? '',
        VSwitchId: z.vSwitchId,
        ZoneDomain: `${e.endpointId}-${z.zoneId}.${e.serviceId}.${e.regionId}.privatelink.aliyuncs.com`,
        ZoneStatus: zoneStatus,
      })),
    };
  }

  private listConnections(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const max = this.maxResults(p);
    // The reference marks every filter required; newer API models only RegionId. We follow the newer models.
    const serviceId = p.optional('ServiceId');
    const endpointId = p.optional('EndpointId');
    const ownerId = p.accountId('EndpointOwnerId', false);
    const status = p.oneOf('ConnectionStatus', CONNECTION_STATUSES);
    const query = PageTokens.queryHash([
      'ListVpcEndpointConnections',
      ctx.accountId,
      regionId,
      serviceId,
      endpointId,
      ownerId,
      status,
    ]);
    const services =
      serviceId !== undefined
        ? [this.ownService(p, ctx, regionId)]
        : (this.servicesByOwner.get(ctx.accountId) ?? []).filter(
            (s) => s.regionId === regionId && this.settleService(s, ctx.now),
          );
    const match = (e: EndpointRec): boolean => {
      if (!this.settleEndpoint(e, ctx.now)) return false;
      if (endpointId !== undefined && e.endpointId !== endpointId) return false;
      if (ownerId !== undefined && e.ownerId !== ownerId) return false;
      return status === undefined || this.connectionStatus(e) === status;
    };
    const start = p.optional('NextToken') === undefined ? [0, 0] : this.tokens.decode(p.required('NextToken'), query);
    const [startService = 0, startConn = 0] = start;
    const items: Array<{ e: EndpointRec; s: ServiceRec }> = [];
    let nextToken = '';
    outer: for (const s of services) {
      if (s.seq < startService) continue;
      let candidates: EndpointRec[] = s.conns;
      let from = 0;
      if (endpointId !== undefined) {
        const e = this.endpoints.get(endpointId);
        candidates = e && e.service === s ? [e] : [];
      } else if (s.seq === startService) {
        from = firstAfter(s.conns, startConn);
      }
      // Copy-free scan; settling may remove deleted endpoints from s.conns, so walk by index with care.
      for (let i = from; i < candidates.length; i++) {
        const e = candidates[i];
        if (e === undefined) break;
        if (s.seq === startService && e.seq <= startConn) continue;
        const before = candidates.length;
        if (!match(e)) {
          if (candidates.length < before) i--;
          continue;
        }
        if (items.length === max) {
          const last = items[items.length - 1];
          if (last) nextToken = this.tokens.encode([last.s.seq, last.e.seq], query);
          break outer;
        }
        items.push({ e, s });
      }
    }
    return { Connections: items.map(({ e, s }) => this.connectionView(e, s)), NextToken: nextToken, MaxResults: max };
  }

  // ---------------------------------------------------------------------------------------------
  // Endpoint zones and security groups

  private addZone(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const zoneId = p.required('ZoneId');
    const vSwitchId = p.required('VSwitchId');
    const e = this.writableEndpoint(p, ctx, regionId);
    if (e.zones.some((z) => z.zoneId === zoneId))
      throw new EmulatorApiError('EndpointZoneDuplicated', 'The zone is duplicated for the Endpoint.');
    if (!e.service || !e.service.zones.includes(zoneId))
      throw new EmulatorApiError(
        'EndpointServiceNotSupportedZone',
        'The specified endpoint service does not support the zone.',
      );
    if (!/^vsw-[a-z0-9]+$/.test(vSwitchId))
      throw new EmulatorApiError('VSwitchNotFound', 'The specified VSwitch does not exist.');
    if (p.bool('DryRun')) throw dryRunPassed();
    e.zones.push(this.newZone(e.endpointId, regionId, zoneId, vSwitchId));
    return {};
  }

  private listZones(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const max = this.maxResults(p);
    const e = this.ownEndpoint(p, ctx, regionId);
    const query = PageTokens.queryHash(['ListVpcEndpointZones', ctx.accountId, regionId, e.endpointId]);
    const page = this.pageOf(e.zones, p, query, max, () => true);
    const status = this.zoneStatus(e);
    return {
      Zones: page.items.map((z) => ({
        ZoneId: z.zoneId,
        VSwitchId: z.vSwitchId,
        EniId: z.eniId,
        EniIp: z.eniIp,
        RegionId: e.regionId,
        ZoneDomain: `${e.endpointId}-${z.zoneId}.${e.serviceId}.${e.regionId}.privatelink.aliyuncs.com`,
        ZoneStatus: status,
      })),
      NextToken: page.nextToken,
      MaxResults: max,
    };
  }

  private removeZone(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const zoneId = p.required('ZoneId');
    const e = this.writableEndpoint(p, ctx, regionId);
    const z = e.zones.find((x) => x.zoneId === zoneId);
    if (!z) throw new EmulatorApiError('EndpointZoneNotFound', 'The specified zone of Endpoint does not exist.');
    if (p.bool('DryRun')) throw dryRunPassed();
    removeFrom(e.zones, z);
    return {};
  }

  private attachSecurityGroup(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const sg = p.required('SecurityGroupId');
    const e = this.writableEndpoint(p, ctx, regionId);
    if (!/^sg-[a-z0-9]+$/.test(sg))
      throw new EmulatorApiError('SecurityGroupNotFound', 'The specified security group does not exist.');
    if (e.securityGroups.some((g) => g.securityGroupId === sg))
      throw new EmulatorApiError('SecurityGroupExist', 'The specified security group already exists.');
    if (p.bool('DryRun')) throw dryRunPassed();
    e.securityGroups.push({ seq: ++this.seq, securityGroupId: sg });
    return {};
  }

  private listSecurityGroups(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const max = this.maxResults(p);
    const e = this.ownEndpoint(p, ctx, regionId);
    const query = PageTokens.queryHash(['ListVpcEndpointSecurityGroups', ctx.accountId, regionId, e.endpointId]);
    const page = this.pageOf(e.securityGroups, p, query, max, () => true);
    return {
      SecurityGroups: page.items.map((g) => ({ SecurityGroupId: g.securityGroupId })),
      NextToken: page.nextToken,
      MaxResults: max,
    };
  }

  private detachSecurityGroup(p: Params, ctx: ActionContext): Record<string, unknown> {
    const regionId = this.region(p);
    const sg = p.required('SecurityGroupId');
    const e = this.ownEndpoint(p, ctx, regionId);
    if (e.businessStatus !== 'Normal')
      throw new EmulatorApiError('EndpointLocked', 'The specified Endpoint is locked.');
    if (e.deleteAt !== undefined) throw endpointDenied();
    const g = e.securityGroups.find((x) => x.securityGroupId === sg);
    if (!g) throw new EmulatorApiError('SecurityGroupNotFound', 'The specified security group does not exist.');
    if (e.securityGroups.length === 1)
      throw new EmulatorApiError(
        'EndpointMustContainSecurityGroup',
        'The specified endpoint must have at least one security group.',
      );
    if (p.bool('DryRun')) throw dryRunPassed();
    removeFrom(e.securityGroups, g);
    return {};
  }

  // ---------------------------------------------------------------------------------------------
  // Pagination

  /**
   * One page of `list` (ordered by seq) after the NextToken's position, keeping items `keep` accepts.
   * `keep` may settle items, which can remove them from `list`; the scan copes with that.
   */
  private pageOf<T extends { seq: number }>(
    list: T[],
    p: Params,
    query: string,
    max: number,
    keep: (item: T) => boolean,
  ): { items: T[]; nextToken: string } {
    const token = p.optional('NextToken');
    const after = token === undefined ? 0 : (this.tokens.decode(token, query)[0] ?? 0);
    const snapshot = list.slice(firstAfter(list, after));
    const items: T[] = [];
    for (const item of snapshot) {
      if (!keep(item)) continue;
      if (items.length === max) {
        const last = items[items.length - 1];
        return { items, nextToken: last ? this.tokens.encode([last.seq], query) : '' };
      }
      items.push(item);
    }
    return { items, nextToken: '' };
  }
}

const PHASE_OF: Record<ScenarioConnectionStatus, Phase> = {
  Awaiting: 'awaiting',
  Connecting: 'accepting',
  Connected: 'connected',
  Pending: 'updating',
  Disconnecting: 'disconnecting',
  Disconnected: 'disconnected',
  Deleting: 'deleting',
  ServiceDeleted: 'serviceDeleted',
};

/** A stable hash of the parameters that give a request its meaning (for ClientToken matching). */
function requestHash(params: Record<string, string>): string {
  const entries = Object.entries(params)
    .filter(([k]) => !COMMON_PARAMS.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('base64url');
}

/** Index of the first item with seq greater than `seq` (lists are ordered by seq). */
function firstAfter<T extends { seq: number }>(list: T[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid]?.seq ?? 0) <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function pushTo<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

function removeFrom<T>(list: T[] | undefined, item: T): void {
  if (!list) return;
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
