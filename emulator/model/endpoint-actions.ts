/**
 * Endpoints (the consumer side): Create, UpdateAttribute, GetAttribute, List, Delete, and
 * ListVpcEndpointServicesByEndUser. Zones and security groups: endpoint-zone-actions.ts.
 */
import type { ActionContext } from '../types.ts';
import { EmulatorApiError } from '../types.ts';
import { dryRunPassed, endpointDenied, endpointLocked, notFoundService, serviceDenied } from './api-errors.ts';
import { securityGroupNotFound, vSwitchNotFound, zoneDuplicated, zoneNotSupported } from './api-errors.ts';
import { derivedId, randomId } from './ids.ts';
import { PageTokens } from './page-token.ts';
import type { Params } from './params.ts';
import { invalidParameter, missingParameter } from './params.ts';
import type { EndpointRec, ServiceRec } from './records.ts';
import { CONNECTION_STATUSES, ENDPOINT_STATUSES, isoTime } from './records.ts';
import type { Handler } from './service-actions.ts';
import type { Store } from './store.ts';

const ENDPOINT_NAME = /^[A-Za-z][A-Za-z0-9_-]{1,127}$/;

export function endpointView(store: Store, e: EndpointRec, now: number): Record<string, unknown> {
  return {
    EndpointId: e.endpointId,
    EndpointName: e.name,
    EndpointDescription: e.description,
    EndpointDomain: `${e.endpointId}.${e.serviceId}.${e.regionId}.privatelink.aliyuncs.com`,
    EndpointStatus: store.endpointStatus(e, now),
    EndpointBusinessStatus: e.businessStatus,
    ConnectionStatus: store.connectionStatus(e),
    Bandwidth: e.conn.bandwidth,
    ServiceId: e.serviceId,
    ServiceName: e.serviceName,
    VpcId: e.vpcId,
    RegionId: e.regionId,
    CreateTime: isoTime(e.createMs),
  };
}

function checkEndpointText(p: Params): { name: string | undefined; description: string | undefined } {
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
    throw invalidParameter('EndpointDescription', 'must be 2 to 256 characters and not start with http:// or https://');
  }
  return { name, description };
}

interface ServiceRef {
  serviceId: string | undefined;
  serviceName: string | undefined;
}

/** ServiceId, or ServiceName alone. */
function serviceRef(p: Params): ServiceRef {
  const serviceName = p.optional('ServiceName');
  const serviceId =
    serviceName !== undefined && p.optional('ServiceId') === undefined ? undefined : p.required('ServiceId');
  return { serviceId, serviceName };
}

/** The service a CreateVpcEndpoint names (ServiceId or ServiceName), as the caller may see it. */
function visibleService(store: Store, ref: ServiceRef, ctx: ActionContext, regionId: string): ServiceRec {
  const { serviceId, serviceName } = ref;
  const s =
    serviceId !== undefined
      ? store.services.get(serviceId)
      : [...store.services.values()].find((x) => x.regionId === regionId && x.name === serviceName);
  if (
    !s ||
    s.regionId !== regionId ||
    !store.settleService(s, ctx.now) ||
    (serviceName !== undefined && serviceId !== undefined && s.name !== serviceName)
  ) {
    throw notFoundService();
  }
  // Not on the whitelist: the service is hidden from this account (README: choices).
  if (!store.mayConnect(s, ctx.accountId)) throw notFoundService();
  if (s.deleteAt !== undefined || ctx.now < s.activeAt) throw serviceDenied();
  return s;
}

/** Zone.N.* of CreateVpcEndpoint, checked against the service's zones. */
function readZones(
  zoneParams: Array<{ n: number; ZoneId?: string; VSwitchId?: string }>,
  s: ServiceRec,
): Array<{ zoneId: string; vSwitchId: string }> {
  const zones = zoneParams.map((z) => {
    if (z.ZoneId === undefined) throw missingParameter(`Zone.${z.n}.ZoneId`);
    if (z.VSwitchId === undefined) throw missingParameter(`Zone.${z.n}.VSwitchId`);
    if (!/^vsw-[a-z0-9]+$/.test(z.VSwitchId)) throw vSwitchNotFound();
    if (!s.zones.includes(z.ZoneId)) throw zoneNotSupported();
    return { zoneId: z.ZoneId, vSwitchId: z.VSwitchId };
  });
  if (new Set(zones.map((z) => z.zoneId)).size !== zones.length) throw zoneDuplicated();
  return zones;
}

const createEndpoint: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const securityGroupIds = p.repeated('SecurityGroupId', 10);
  if (securityGroupIds.length === 0) throw missingParameter('SecurityGroupId.1');
  const ref = serviceRef(p);
  const vpcId = p.required('VpcId');
  const { name, description } = checkEndpointText(p);
  const zoneParams = p.repeatedStruct('Zone', ['ZoneId', 'VSwitchId'] as const, 10);
  const s = visibleService(store, ref, ctx, regionId);
  if (!/^vpc-[a-z0-9]+$/.test(vpcId)) throw new EmulatorApiError('VpcNotFound', 'The specified VPC does not exist.');
  for (const sg of securityGroupIds) if (!/^sg-[a-z0-9]+$/.test(sg)) throw securityGroupNotFound();
  const zones = readZones(zoneParams, s);
  for (const e of store.endpointsByOwner.get(ctx.accountId) ?? []) {
    if (e.serviceId === s.serviceId && e.vpcId === vpcId && e.deleteAt === undefined)
      throw new EmulatorApiError('EndpointExist', 'The specified Endpoint already exists.');
  }
  if (p.bool('DryRun')) throw dryRunPassed();
  let endpointId = randomId('ep', regionId);
  while (store.endpoints.has(endpointId)) endpointId = randomId('ep', regionId);
  if (zones.length === 0 && s.zones[0] !== undefined)
    zones.push({ zoneId: s.zones[0], vSwitchId: derivedId('vsw', regionId, `${vpcId}/${s.zones[0]}`) });
  const auto = s.autoAcceptEnabled;
  // Asynchronous (newer docs): the endpoint and its zones show Creating until createDelayMs has passed.
  const activeAt = ctx.now + store.settings.createDelayMs;
  const e: EndpointRec = {
    seq: store.nextSeq(),
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
    activeAt,
    deleteAt: undefined,
    zones: zones.map((z) => store.newZone(endpointId, regionId, z.zoneId, z.vSwitchId, activeAt)),
    securityGroups: securityGroupIds.map((id) => ({ seq: store.nextSeq(), securityGroupId: id })),
    conn: {
      // AutoAcceptEnabled: the request goes straight into the accept transition.
      phase: auto ? 'accepting' : 'awaiting',
      until: auto ? ctx.now + store.settings.enableDelayMs : undefined,
      bandwidth: s.connectBandwidth,
      target: s.connectBandwidth,
      modifiedMs: ctx.now,
    },
  };
  store.addEndpoint(e);
  store.settleEndpoint(e, ctx.now);
  const v = endpointView(store, e, ctx.now);
  delete v.RegionId;
  return v;
};

const updateEndpoint: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  // The reference marks both as required.
  p.required('EndpointName');
  p.required('EndpointDescription');
  const { name, description } = checkEndpointText(p);
  const e = store.changeableEndpoint(p, ctx, regionId);
  if (p.bool('DryRun')) throw dryRunPassed();
  e.name = name ?? e.name;
  e.description = description ?? e.description;
  return {};
};

const getEndpoint: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  return endpointView(store, store.ownEndpoint(p, ctx, regionId), ctx.now);
};

const listEndpoints: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const max = store.maxResults(p);
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
      ? [store.endpoints.get(f.endpointId)].filter((e): e is EndpointRec => e !== undefined)
      : (store.endpointsByOwner.get(ctx.accountId) ?? []);
  const page = store.pageOf(list, p, query, max, (e) => {
    if (e.ownerId !== ctx.accountId || e.regionId !== regionId || !store.settleEndpoint(e, ctx.now)) return false;
    if (f.serviceId !== undefined && e.serviceId !== f.serviceId) return false;
    if (f.serviceName !== undefined && e.serviceName !== f.serviceName) return false;
    if (f.vpcId !== undefined && e.vpcId !== f.vpcId) return false;
    if (f.endpointName !== undefined && e.name !== f.endpointName) return false;
    if (f.endpointStatus !== undefined && store.endpointStatus(e, ctx.now) !== f.endpointStatus) return false;
    return f.connectionStatus === undefined || store.connectionStatus(e) === f.connectionStatus;
  });
  return {
    Endpoints: page.items.map((e) => endpointView(store, e, ctx.now)),
    NextToken: page.nextToken,
    MaxResults: max,
  };
};

const deleteEndpoint: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const e = store.ownEndpoint(p, ctx, regionId);
  if (e.businessStatus !== 'Normal') throw endpointLocked();
  // Already being deleted, or its connection is in a transition: "being processed" (reference).
  if (e.deleteAt !== undefined || e.conn.until !== undefined) throw endpointDenied();
  if (p.bool('DryRun')) throw dryRunPassed();
  e.deleteAt = ctx.now + store.settings.deleteDelayMs;
  e.conn.phase = 'deleting';
  e.conn.modifiedMs = ctx.now;
  store.settleEndpoint(e, ctx.now);
  return {};
};

const listServicesByEndUser: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const max = store.maxResults(p);
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
      ? [store.services.get(serviceId)].filter((s): s is ServiceRec => s !== undefined)
      : store.serviceList;
  const page = store.pageOf(list, p, query, max, (s) => {
    if (s.regionId !== regionId || !store.settleService(s, ctx.now) || s.deleteAt !== undefined) return false;
    if (!store.mayConnect(s, ctx.accountId)) return false;
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
};

export const ENDPOINT_ACTIONS: Record<string, Handler> = {
  CreateVpcEndpoint: createEndpoint,
  UpdateVpcEndpointAttribute: updateEndpoint,
  GetVpcEndpointAttribute: getEndpoint,
  ListVpcEndpoints: listEndpoints,
  DeleteVpcEndpoint: deleteEndpoint,
  ListVpcEndpointServicesByEndUser: listServicesByEndUser,
};
