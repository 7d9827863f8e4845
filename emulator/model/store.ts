/**
 * The model's state and clock: every service and endpoint with their indexes, the lazy lifecycle that
 * settles records against the clock, the statuses shown for them, lookups with ownership, and paging.
 * The action modules (service-actions.ts and its siblings) read and change state only through a Store.
 *
 * Connection statuses are computed lazily: a transition stores its deadline, and every read settles the
 * records it touches against `ctx.now`, so moving the clock alone completes Enable, Disable, updates,
 * creates and deletes.
 */
import { createHash } from 'node:crypto';
import type { AccessKeyRecord, AccountInfo, ActionContext, EmulatorClock, EmulatorSettings } from '../types.ts';
import { connectionDenied, endpointDenied, endpointLocked, notFoundEndpoint, notFoundService } from './api-errors.ts';
import { BUSY_MESSAGE, regionNotFound, serviceDenied, serviceLocked } from './api-errors.ts';
import { derivedId } from './ids.ts';
import { PageTokens } from './page-token.ts';
import type { Params } from './params.ts';
import type { EndpointRec, ResourceRec, ServiceRec, ZoneRec } from './records.ts';
import { MAX_RESULTS, firstAfter, pushTo, removeFrom } from './records.ts';
import { findRegion } from './regions.ts';
import { TaskLocks } from './task-lock.ts';

/** The model's state. One per emulator; see the file comment. */
export class Store {
  readonly accounts: AccountInfo[] = [];
  readonly keys = new Map<string, AccessKeyRecord>();
  readonly services = new Map<string, ServiceRec>();
  /** Every service in seq order (a consumer's listing pages through it without copying it). */
  readonly serviceList: ServiceRec[] = [];
  readonly endpoints = new Map<string, EndpointRec>();
  /** Per owner account, in seq order: keeps the providers' and consumers' listings O(page). */
  readonly servicesByOwner = new Map<string, ServiceRec[]>();
  readonly endpointsByOwner = new Map<string, EndpointRec[]>();
  /** Resource ID -> the service it is attached to. */
  readonly resourceOwners = new Map<string, ServiceRec>();
  readonly tokens = new PageTokens();
  readonly taskLocks: TaskLocks;
  private seq = 0;

  constructor(
    readonly clock: EmulatorClock,
    /** Shared with the protocol layer and changed live by the control path: read at call time. */
    readonly settings: EmulatorSettings,
  ) {
    this.taskLocks = new TaskLocks(settings);
  }

  /** The next sequence number: records are ordered by creation, which is also the paging order. */
  nextSeq(): number {
    return ++this.seq;
  }

  addAccount(account: AccountInfo): void {
    this.accounts.push(account);
    for (const k of account.accessKeys) this.keys.set(k.accessKeyId, k);
  }

  addService(s: ServiceRec): void {
    this.services.set(s.serviceId, s);
    this.serviceList.push(s);
    pushTo(this.servicesByOwner, s.ownerId, s);
  }

  addEndpoint(e: EndpointRec): void {
    this.endpoints.set(e.endpointId, e);
    pushTo(this.endpointsByOwner, e.ownerId, e);
    e.service?.conns.push(e);
  }

  /** A whitelist with the owner on it: the owner is whitelisted when a service is created (README). */
  ownerWhitelist(ownerId: string, users: string[]): ServiceRec['whitelist'] {
    const whitelist: ServiceRec['whitelist'] = new Map([[ownerId, this.nextSeq()]]);
    for (const u of users) if (!whitelist.has(u)) whitelist.set(u, this.nextSeq());
    return whitelist;
  }

  newResource(s: ServiceRec, resourceId: string, resourceType: string, zoneId: string): ResourceRec {
    const h = createHash('sha256').update(resourceId).digest();
    return {
      seq: this.nextSeq(),
      resourceId,
      resourceType,
      zoneId,
      vpcId: derivedId('vpc', s.regionId, `resource/${s.ownerId}`),
      vSwitchId: derivedId('vsw', s.regionId, `resource/${s.ownerId}/${zoneId}`),
      ip: `172.16.${h[0] ?? 0}.${((h[1] ?? 0) % 250) + 2}`,
    };
  }

  newZone(endpointId: string, regionId: string, zoneId: string, vSwitchId: string, readyAt: number): ZoneRec {
    const h = createHash('sha256').update(`${endpointId}/${zoneId}`).digest();
    return {
      seq: this.nextSeq(),
      zoneId,
      vSwitchId,
      eniId: derivedId('eni', regionId, `${endpointId}/${zoneId}`),
      eniIp: `192.168.${h[0] ?? 0}.${((h[1] ?? 0) % 250) + 2}`,
      readyAt,
    };
  }

  // Lazy lifecycle

  /** Bring one endpoint (and its connection) up to `now`. False when it no longer exists. */
  settleEndpoint(e: EndpointRec, now: number): boolean {
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
  settleService(s: ServiceRec, now: number): boolean {
    if (s.deleteAt !== undefined && now >= s.deleteAt) {
      this.removeService(s);
      return false;
    }
    return true;
  }

  settleAll(now: number): void {
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
    removeFrom(this.serviceList, s);
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

  // Statuses as shown

  connectionStatus(e: EndpointRec): string {
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

  endpointStatus(e: EndpointRec, now: number): string {
    if (e.deleteAt !== undefined) return 'Deleting';
    return now < e.activeAt ? 'Creating' : 'Active';
  }

  serviceStatus(s: ServiceRec, now: number): string {
    if (s.deleteAt !== undefined) return 'Deleting';
    return now < s.activeAt ? 'Creating' : 'Active';
  }

  /** A zone's status: `Creating` while it is added, then what the connection's phase gives. */
  zoneStatus(e: EndpointRec, z: ZoneRec, now: number): string {
    return now < z.readyAt ? 'Creating' : this.readyZoneStatus(e);
  }

  /** The status of an endpoint's zones that are ready, from its connection's phase. */
  readyZoneStatus(e: EndpointRec): string {
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

  // Lookups with ownership (another account's resources answer as not found: the API hides them)

  region(p: Params): string {
    const regionId = p.required('RegionId');
    if (!findRegion(regionId)) throw regionNotFound(regionId);
    return regionId;
  }

  ownService(p: Params, ctx: ActionContext, regionId: string, name = 'ServiceId'): ServiceRec {
    const serviceId = p.required(name);
    const s = this.services.get(serviceId);
    if (!s || s.regionId !== regionId || s.ownerId !== ctx.accountId || !this.settleService(s, ctx.now))
      throw notFoundService();
    return s;
  }

  /** A service for a write: also not locked, Active (not being created or deleted: newer docs ask for
   *  an Active service before whitelist and attribute changes). */
  writableService(p: Params, ctx: ActionContext, regionId: string): ServiceRec {
    const s = this.ownService(p, ctx, regionId);
    if (s.businessStatus !== 'Normal') throw serviceLocked();
    if (s.deleteAt !== undefined || ctx.now < s.activeAt) throw serviceDenied();
    return s;
  }

  ownEndpoint(p: Params, ctx: ActionContext, regionId: string): EndpointRec {
    const endpointId = p.required('EndpointId');
    const e = this.endpoints.get(endpointId);
    if (!e || e.regionId !== regionId || e.ownerId !== ctx.accountId || !this.settleEndpoint(e, ctx.now))
      throw notFoundEndpoint();
    return e;
  }

  /** An endpoint for a write of its own: not locked, not being created or deleted. */
  changeableEndpoint(p: Params, ctx: ActionContext, regionId: string): EndpointRec {
    const e = this.ownEndpoint(p, ctx, regionId);
    if (e.businessStatus !== 'Normal') throw endpointLocked();
    if (e.deleteAt !== undefined || ctx.now < e.activeAt) throw endpointDenied();
    return e;
  }

  /** An endpoint for a write on its zones or security groups: also no connection transition running. */
  writableEndpoint(p: Params, ctx: ActionContext, regionId: string): EndpointRec {
    const e = this.changeableEndpoint(p, ctx, regionId);
    const busy = BUSY_MESSAGE[e.conn.phase];
    if (busy !== undefined && e.conn.phase !== 'serviceDeleted') throw connectionDenied(busy);
    return e;
  }

  /** Whether `accountId` may see and connect to `s`: its owner, or an account on its whitelist (newer
   *  docs, platform notes: an account not on it can neither find the service nor create endpoints). */
  mayConnect(s: ServiceRec, accountId: string): boolean {
    return s.ownerId === accountId || s.whitelist.has(accountId);
  }

  maxResults(p: Params): number {
    return p.int('MaxResults', 1, MAX_RESULTS) ?? MAX_RESULTS;
  }

  /**
   * One page of `list` (ordered by seq) after the NextToken's position, keeping items `keep` accepts.
   * The list is walked in place, not copied, so a page costs O(page + skipped items), not O(list).
   * `keep` may settle the item it is given, which can remove that item from `list`: the walk then
   * stays at the same index.
   */
  pageOf<T extends { seq: number }>(
    list: T[],
    p: Params,
    query: string,
    max: number,
    keep: (item: T) => boolean,
  ): { items: T[]; nextToken: string } {
    const token = p.optional('NextToken');
    const after = token === undefined ? 0 : (this.tokens.decode(token, query)[0] ?? 0);
    const items: T[] = [];
    for (let i = firstAfter(list, after); i < list.length; i++) {
      const item = list[i] as T;
      if (!keep(item)) {
        if (list[i] !== item) i--;
        continue;
      }
      if (items.length === max) {
        const last = items[items.length - 1];
        return { items, nextToken: last ? this.tokens.encode([last.seq], query) : '' };
      }
      items.push(item);
    }
    return { items, nextToken: '' };
  }
}
