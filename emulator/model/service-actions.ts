/**
 * Endpoint services (the provider side): Create, UpdateAttribute, GetAttribute, List, Delete, and the
 * regions and zones lookups. Whitelist and resources: service-users-resources.ts.
 */
import type { ActionContext } from '../types.ts';
import { EmulatorApiError } from '../types.ts';
import { dryRunPassed, regionNotFound, resourceExists } from './api-errors.ts';
import { randomId } from './ids.ts';
import { PageTokens } from './page-token.ts';
import type { Params } from './params.ts';
import { invalidParameter, missingParameter } from './params.ts';
import type { ServiceRec } from './records.ts';
import { BUSINESS_STATUSES, RESOURCE_TYPES, SERVICE_STATUSES, isoTime } from './records.ts';
import { REGIONS, findRegion } from './regions.ts';
import type { Store } from './store.ts';

/** An action of the model: the response body without RequestId, or an EmulatorApiError thrown. */
export type Handler = (store: Store, p: Params, ctx: ActionContext) => Record<string, unknown>;

export function serviceView(store: Store, s: ServiceRec, now: number): Record<string, unknown> {
  return {
    ServiceId: s.serviceId,
    ServiceName: s.name,
    ServiceDomain: `${s.serviceId}.${s.regionId}.privatelink.aliyuncs.com`,
    ServiceDescription: s.description,
    ServiceStatus: store.serviceStatus(s, now),
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
export function checkResource(store: Store, resourceId: string, resourceType: string): void {
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
  if (store.resourceOwners.has(resourceId)) throw resourceExists();
}

function readTags(p: Params, forFilter: boolean): Array<{ Key: string; Value: string | undefined }> {
  return p.repeatedStruct('Tag', ['Key', 'Value'] as const, 20).map((t) => {
    if (t.Key === undefined) throw missingParameter(`Tag.${t.n}.Key`);
    if (t.Key.length > 128) throw invalidParameter(`Tag.${t.n}.Key`, 'must be at most 128 characters');
    if (t.Value !== undefined && t.Value.length > 128)
      throw invalidParameter(`Tag.${t.n}.Value`, 'must be at most 128 characters');
    return { Key: t.Key, Value: forFilter ? t.Value : (t.Value ?? '') };
  });
}

const describeRegions: Handler = (_store, p) => {
  // RegionId is optional here (reference): it only names the endpoint asked.
  const region = p.optional('RegionId');
  if (region !== undefined && !findRegion(region)) throw regionNotFound(region);
  return {
    Regions: {
      Region: REGIONS.map((r) => ({
        RegionId: r.regionId,
        LocalName: r.localName,
        RegionEndpoint: `privatelink.${r.regionId}.aliyuncs.com`,
      })),
    },
  };
};

const describeZones: Handler = (store, p) => {
  const region = findRegion(store.region(p));
  return { Zones: { Zone: (region?.zones ?? []).map((z) => ({ ZoneId: z.zoneId, LocalName: z.localName })) } };
};

/** The Resource.N.* parameters of CreateVpcEndpointService, checked. */
function readResources(
  store: Store,
  p: Params,
  regionId: string,
  zones: string[],
): Array<{ resourceId: string; type: string; zoneId: string }> {
  const region = findRegion(regionId);
  const resources = p.repeatedStruct('Resource', ['ResourceId', 'ResourceType', 'ZoneId'] as const, 20).map((r) => {
    if (r.ResourceId === undefined) throw missingParameter(`Resource.${r.n}.ResourceId`);
    const type = r.ResourceType ?? 'slb';
    const zoneId = r.ZoneId ?? zones[0] ?? '';
    if (region && !region.zones.some((z) => z.zoneId === zoneId))
      throw invalidParameter(`Resource.${r.n}.ZoneId`, `must be a zone of ${regionId}`);
    checkResource(store, r.ResourceId, type);
    return { resourceId: r.ResourceId, type, zoneId };
  });
  if (new Set(resources.map((r) => r.resourceId)).size !== resources.length) throw resourceExists();
  return resources;
}

const createService: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const description = p.optional('ServiceDescription') ?? '';
  const autoAccept = p.bool('AutoAcceptEnabled') ?? false;
  const tags = readTags(p, false);
  const zones = (findRegion(regionId)?.zones ?? []).slice(0, 2).map((z) => z.zoneId);
  const resources = readResources(store, p, regionId, zones);
  if (p.bool('DryRun')) throw dryRunPassed();
  let serviceId = randomId('epsrv', regionId);
  while (store.services.has(serviceId)) serviceId = randomId('epsrv', regionId);
  const s: ServiceRec = {
    seq: store.nextSeq(),
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
    // Asynchronous (newer docs): Creating until createDelayMs has passed, then Active.
    activeAt: ctx.now + store.settings.createDelayMs,
    deleteAt: undefined,
    whitelist: store.ownerWhitelist(ctx.accountId, []),
    zones: [],
    resources: [],
    conns: [],
  };
  for (const r of resources) {
    s.resources.push(store.newResource(s, r.resourceId, r.type, r.zoneId));
    store.resourceOwners.set(r.resourceId, s);
    if (!s.zones.includes(r.zoneId)) s.zones.push(r.zoneId);
  }
  if (s.zones.length === 0) s.zones.push(...zones);
  store.addService(s);
  const v = serviceView(store, s, ctx.now);
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
};

const updateService: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const s = store.writableService(p, ctx, regionId);
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
};

const getService: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const s = store.ownService(p, ctx, regionId);
  return { ...serviceView(store, s, ctx.now), Zones: [...s.zones], Tags: s.tags.map((t) => ({ ...t })) };
};

const listServices: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const max = store.maxResults(p);
  const f = {
    serviceId: p.optional('ServiceId'),
    serviceName: p.optional('ServiceName'),
    autoAccept: p.bool('AutoAcceptEnabled'),
    status: p.oneOf('ServiceStatus', SERVICE_STATUSES),
    business: p.oneOf('ServiceBusinessStatus', BUSINESS_STATUSES),
    tags: readTags(p, true),
  };
  const query = PageTokens.queryHash([
    'ListVpcEndpointServices',
    ctx.accountId,
    regionId,
    f.serviceId,
    f.serviceName,
    String(f.autoAccept),
    f.status,
    f.business,
    JSON.stringify(f.tags),
  ]);
  const list = store.servicesByOwner.get(ctx.accountId) ?? [];
  const page = store.pageOf(list, p, query, max, (s) => {
    if (!store.settleService(s, ctx.now)) return false;
    if (s.regionId !== regionId) return false;
    if (f.serviceId !== undefined && s.serviceId !== f.serviceId) return false;
    if (f.serviceName !== undefined && s.name !== f.serviceName) return false;
    if (f.autoAccept !== undefined && s.autoAcceptEnabled !== f.autoAccept) return false;
    if (f.status !== undefined && store.serviceStatus(s, ctx.now) !== f.status) return false;
    if (f.business !== undefined && s.businessStatus !== f.business) return false;
    return f.tags.every((t) =>
      s.tags.some((st) => st.Key === t.Key && (t.Value === undefined || st.Value === t.Value)),
    );
  });
  return {
    Services: page.items.map((s) => ({ ...serviceView(store, s, ctx.now), Tags: s.tags.map((t) => ({ ...t })) })),
    NextToken: page.nextToken,
    MaxResults: max,
  };
};

const deleteService: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const s = store.writableService(p, ctx, regionId);
  // A service with live connections (Connected or in a transition) cannot be deleted (README: choices).
  for (const e of [...s.conns]) store.settleEndpoint(e, ctx.now);
  if (s.conns.some((e) => ['connected', 'accepting', 'updating', 'disconnecting'].includes(e.conn.phase))) {
    throw new EmulatorApiError(
      'EndpointServiceDependenceViolation',
      'The specified EndpointService already contains a resource.',
    );
  }
  if (p.bool('DryRun')) throw dryRunPassed();
  s.deleteAt = ctx.now + store.settings.deleteDelayMs;
  for (const e of s.conns) {
    if (e.conn.phase === 'deleting') continue;
    e.conn.phase = 'serviceDeleted';
    e.conn.until = undefined;
    e.conn.modifiedMs = ctx.now;
  }
  store.settleService(s, ctx.now);
  return {};
};

export const SERVICE_ACTIONS: Record<string, Handler> = {
  DescribeRegions: describeRegions,
  DescribeZones: describeZones,
  CreateVpcEndpointService: createService,
  UpdateVpcEndpointServiceAttribute: updateService,
  GetVpcEndpointServiceAttribute: getService,
  ListVpcEndpointServices: listServices,
  DeleteVpcEndpointService: deleteService,
};
