/**
 * The records the PrivateLink model keeps, and the small helpers every part of it shares (times, Long
 * IDs, ordered lists). The model's parts: emulator/model/store.ts (state, clock, lifecycle, lookups),
 * service-actions.ts, service-users-resources.ts, endpoint-actions.ts, endpoint-zone-actions.ts,
 * connection-actions.ts, idempotency.ts, and private-link-model.ts (the facade).
 */
import { LongId } from '../types.ts';

/** Where a connection is in its lifecycle. `awaiting` shows as `settings.pendingStatus`. */
export type Phase =
  | 'awaiting'
  | 'accepting'
  | 'connected'
  | 'updating'
  | 'disconnecting'
  | 'disconnected'
  | 'deleting'
  | 'serviceDeleted';

export interface ConnectionRec {
  phase: Phase;
  /** Deadline of the transition in progress (accepting, updating, disconnecting), ms. */
  until: number | undefined;
  bandwidth: number;
  /** Bandwidth the transition in progress applies. */
  target: number;
  modifiedMs: number;
}

export interface ZoneRec {
  seq: number;
  zoneId: string;
  vSwitchId: string;
  eniId: string;
  eniIp: string;
  /** While the zone is being created (AddZoneToVpcEndpoint): it shows `Creating` until then, ms. */
  readyAt: number;
}

export interface SecurityGroupRec {
  seq: number;
  securityGroupId: string;
}

export interface EndpointRec {
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
  /** The endpoint shows `Creating` until this time (CreateVpcEndpoint is asynchronous), ms. */
  activeAt: number;
  /** Set while the endpoint is being deleted: it disappears at this time. */
  deleteAt: number | undefined;
  zones: ZoneRec[];
  securityGroups: SecurityGroupRec[];
  conn: ConnectionRec;
}

export interface ResourceRec {
  seq: number;
  resourceId: string;
  resourceType: string;
  zoneId: string;
  vpcId: string;
  vSwitchId: string;
  ip: string;
}

export interface ServiceRec {
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
  /** The service shows `Creating` until this time (CreateVpcEndpointService is asynchronous), ms. */
  activeAt: number;
  deleteAt: number | undefined;
  /** Whitelisted account ID -> its sequence number (the listing order). */
  whitelist: Map<string, number>;
  zones: string[];
  resources: ResourceRec[];
  /** The endpoints connected to (or requesting) this service, ordered by seq: the connection index. */
  conns: EndpointRec[];
}

export const CONNECTION_STATUSES = [
  'Pending',
  'Connecting',
  'Connected',
  'Disconnecting',
  'Disconnected',
  'Deleting',
  'ServiceDeleted',
] as const;
export const ENDPOINT_STATUSES = ['Creating', 'Active', 'Pending', 'Deleting'] as const;
export const SERVICE_STATUSES = ['Creating', 'Pending', 'Active', 'Deleting', 'Inactive'] as const;
export const BUSINESS_STATUSES = ['Normal', 'FinancialLocked', 'SecurityLocked'] as const;
export const RESOURCE_TYPES = ['slb', 'alb', 'nlb'] as const;

/** The reference's page size bound for every List* action. */
export const MAX_RESULTS = 50;

/** Formatted times by whole second: a list page prints 50 ModifiedTimes, and formatting them afresh
 *  took a tenth of the emulator's CPU per ListVpcEndpointConnections call. Bounded; cleared when full. */
const isoTimes = new Map<number, string>();
const ISO_TIME_CACHE = 100_000;

/** ISO 8601 UTC without milliseconds, as the API prints times (`2020-09-10T01:03:38Z`). */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  let text = isoTimes.get(second);
  if (text === undefined) {
    if (isoTimes.size >= ISO_TIME_CACHE) isoTimes.clear();
    text = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
    isoTimes.set(second, text);
  }
  return text;
}

/** Account IDs are Long in the API: bare JSON numbers of every digit (stock pop-core turns 16-digit
 *  ones into BigNumber), never a JS number, which would round IDs above 2^53. */
export function longId(id: string): LongId {
  // A LongId is immutable: one per account, not one per connection of every page. Bounded.
  let value = longIds.get(id);
  if (value === undefined) {
    if (longIds.size >= LONG_ID_CACHE) longIds.clear();
    value = new LongId(id);
    longIds.set(id, value);
  }
  return value;
}

const longIds = new Map<string, LongId>();
const LONG_ID_CACHE = 100_000;

/** Index of the first item with seq greater than `seq` (lists are ordered by seq). */
export function firstAfter<T extends { seq: number }>(list: T[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid]?.seq ?? 0) <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function pushTo<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

export function removeFrom<T>(list: T[] | undefined, item: T): void {
  if (!list) return;
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
