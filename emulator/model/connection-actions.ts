/**
 * Connections (the provider side): Enable (accept), Disable (reject or revoke), UpdateAttribute
 * (bandwidth) and ListVpcEndpointConnections, the listing the approver reads every run.
 */
import type { ActionContext } from '../types.ts';
import { BUSY_MESSAGE, connectionDenied, dryRunPassed, notFoundConnection } from './api-errors.ts';
import { PageTokens } from './page-token.ts';
import type { Params } from './params.ts';
import type { ConnectionRec, EndpointRec, ServiceRec } from './records.ts';
import { CONNECTION_STATUSES, firstAfter, isoTime, longId } from './records.ts';
import type { Handler } from './service-actions.ts';
import type { Store } from './store.ts';

/** The connection (ServiceId, EndpointId) for a write: its service is the caller's, not locked and not
 *  being deleted (checked first, as for any service write), settled to now. */
function ownConnection(
  store: Store,
  p: Params,
  ctx: ActionContext,
  regionId: string,
): { s: ServiceRec; e: EndpointRec } {
  const s = store.writableService(p, ctx, regionId);
  const endpointId = p.required('EndpointId');
  const e = store.endpoints.get(endpointId);
  if (!e || e.service !== s || !store.settleEndpoint(e, ctx.now)) throw notFoundConnection();
  // The account's lock is checked once the caller is known to own the connection, before its state.
  store.taskLocks.check(ctx, regionId);
  return { s, e };
}

/** Starts a transition (a task) of `e`'s connection; under the `task` write lock it holds the lock. */
function startTask(store: Store, e: EndpointRec, ctx: ActionContext, change: Partial<ConnectionRec>): void {
  Object.assign(e.conn, change, { modifiedMs: ctx.now });
  if (e.conn.until !== undefined) store.taskLocks.started(ctx, e.regionId, e.conn.until);
  store.settleEndpoint(e, ctx.now);
}

const enableConnection: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  p.required('ServiceId');
  p.required('EndpointId');
  p.required('Bandwidth');
  const { s, e } = ownConnection(store, p, ctx, regionId);
  const phase = e.conn.phase;
  if (phase === 'connected') throw connectionDenied('The endpoint connection is already connected.');
  const busy = BUSY_MESSAGE[phase];
  if (busy !== undefined) throw connectionDenied(busy);
  const bandwidth = p.requiredInt('Bandwidth', s.minBandwidth, s.maxBandwidth);
  if (p.bool('DryRun')) throw dryRunPassed();
  startTask(store, e, ctx, { phase: 'accepting', until: ctx.now + store.settings.enableDelayMs, target: bandwidth });
  return {};
};

const disableConnection: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  p.required('ServiceId');
  p.required('EndpointId');
  const { e } = ownConnection(store, p, ctx, regionId);
  const phase = e.conn.phase;
  if (phase === 'disconnected') throw connectionDenied('The endpoint connection is already disconnected.');
  const busy = BUSY_MESSAGE[phase];
  if (busy !== undefined) throw connectionDenied(busy);
  if (p.bool('DryRun')) throw dryRunPassed();
  // From Connected (revoke) or from a request awaiting acceptance (reject): it is no longer awaiting.
  startTask(store, e, ctx, { phase: 'disconnecting', until: ctx.now + store.settings.disableDelayMs });
  return {};
};

const updateConnection: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  p.required('ServiceId');
  p.required('EndpointId');
  const { s, e } = ownConnection(store, p, ctx, regionId);
  const phase = e.conn.phase;
  const busy = BUSY_MESSAGE[phase];
  if (busy !== undefined) throw connectionDenied(busy);
  if (phase !== 'connected') throw connectionDenied('The endpoint connection is not connected.');
  const bandwidth = p.int('Bandwidth', s.minBandwidth, s.maxBandwidth);
  if (p.bool('DryRun')) throw dryRunPassed();
  // Bandwidth is optional in the reference: without it there is nothing to change.
  if (bandwidth === undefined) return {};
  startTask(store, e, ctx, { phase: 'updating', until: ctx.now + store.settings.updateDelayMs, target: bandwidth });
  return {};
};

function connectionView(store: Store, e: EndpointRec, s: ServiceRec, now: number): Record<string, unknown> {
  const ready = store.readyZoneStatus(e);
  return {
    EndpointId: e.endpointId,
    EndpointOwnerId: longId(e.ownerId),
    EndpointVpcId: e.vpcId,
    ServiceId: e.serviceId,
    ConnectionStatus: store.connectionStatus(e),
    Bandwidth: e.conn.bandwidth,
    ModifiedTime: isoTime(e.conn.modifiedMs),
    Zones: e.zones.map((z) => ({
      ZoneId: z.zoneId,
      EniId: z.eniId,
      ResourceId: s.resources.find((r) => r.zoneId === z.zoneId)?.resourceId ?? '',
      VSwitchId: z.vSwitchId,
      ZoneDomain: `${e.endpointId}-${z.zoneId}.${e.serviceId}.${e.regionId}.privatelink.aliyuncs.com`,
      ZoneStatus: now < z.readyAt ? 'Creating' : ready,
    })),
  };
}

interface ConnectionQuery {
  /** Services in seq order; those `useService` refuses are skipped (it may settle, and so remove, one). */
  services: ServiceRec[];
  useService: (s: ServiceRec) => boolean;
  endpointId: string | undefined;
  match: (e: EndpointRec) => boolean;
  /** Position after the previous page: [service seq, endpoint seq]. */
  start: number[];
  max: number;
  hash: string;
}

/**
 * One page of connections across `q.services` in (service, endpoint) seq order, and the next token.
 * Both lists are walked in place from the token's position (binary search), so a page costs O(page),
 * not O(fleet); settling may remove the item just looked at, so the walks step back when it does.
 */
function scanConnections(
  store: Store,
  q: ConnectionQuery,
): { items: Array<{ e: EndpointRec; s: ServiceRec }>; nextToken: string } {
  const [startService = 0, startConn = 0] = q.start;
  const items: Array<{ e: EndpointRec; s: ServiceRec }> = [];
  for (let si = firstAfter(q.services, startService - 1); si < q.services.length; si++) {
    const s = q.services[si] as ServiceRec;
    if (!q.useService(s)) {
      if (q.services[si] !== s) si--;
      continue;
    }
    let candidates: EndpointRec[] = s.conns;
    let from = 0;
    if (q.endpointId !== undefined) {
      const e = store.endpoints.get(q.endpointId);
      candidates = e && e.service === s ? [e] : [];
    } else if (s.seq === startService) {
      from = firstAfter(s.conns, startConn);
    }
    for (let i = from; i < candidates.length; i++) {
      const e = candidates[i];
      if (e === undefined) break;
      if (s.seq === startService && e.seq <= startConn) continue;
      const before = candidates.length;
      if (!q.match(e)) {
        if (candidates.length < before) i--;
        continue;
      }
      if (items.length === q.max) {
        const last = items[items.length - 1];
        return { items, nextToken: last ? store.tokens.encode([last.s.seq, last.e.seq], q.hash) : '' };
      }
      items.push({ e, s });
    }
  }
  return { items, nextToken: '' };
}

const listConnections: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const max = store.maxResults(p);
  // The reference marks every filter required; newer API models only RegionId. We follow the newer models.
  const serviceId = p.optional('ServiceId');
  const endpointId = p.optional('EndpointId');
  const ownerId = p.accountId('EndpointOwnerId', false);
  const status = p.oneOf('ConnectionStatus', CONNECTION_STATUSES);
  const hash = PageTokens.queryHash([
    'ListVpcEndpointConnections',
    ctx.accountId,
    regionId,
    serviceId,
    endpointId,
    ownerId,
    status,
  ]);
  // With ServiceId, that one service (checked here: not found before any token is read); without, the
  // caller's services of the region, walked from the token's position.
  const services =
    serviceId !== undefined ? [store.ownService(p, ctx, regionId)] : (store.servicesByOwner.get(ctx.accountId) ?? []);
  const useService = (s: ServiceRec): boolean =>
    serviceId !== undefined || (s.regionId === regionId && store.settleService(s, ctx.now));
  const match = (e: EndpointRec): boolean => {
    if (!store.settleEndpoint(e, ctx.now)) return false;
    if (endpointId !== undefined && e.endpointId !== endpointId) return false;
    if (ownerId !== undefined && e.ownerId !== ownerId) return false;
    return status === undefined || store.connectionStatus(e) === status;
  };
  const start = p.optional('NextToken') === undefined ? [0, 0] : store.tokens.decode(p.required('NextToken'), hash);
  const page = scanConnections(store, { services, useService, endpointId, match, start, max, hash });
  return {
    Connections: page.items.map(({ e, s }) => connectionView(store, e, s, ctx.now)),
    NextToken: page.nextToken,
    MaxResults: max,
  };
};

export const CONNECTION_ACTIONS: Record<string, Handler> = {
  EnableVpcEndpointConnection: enableConnection,
  DisableVpcEndpointConnection: disableConnection,
  UpdateVpcEndpointConnectionAttribute: updateConnection,
  ListVpcEndpointConnections: listConnections,
};
