/**
 * An endpoint's zones (Add/List/RemoveZone) and security groups (Attach/List/DetachSecurityGroup).
 */
import { EmulatorApiError } from '../types.ts';
import {
  dryRunPassed,
  securityGroupNotFound,
  vSwitchNotFound,
  zoneDuplicated,
  zoneNotSupported,
} from './api-errors.ts';
import { PageTokens } from './page-token.ts';
import { removeFrom } from './records.ts';
import type { Handler } from './service-actions.ts';

const addZone: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const zoneId = p.required('ZoneId');
  const vSwitchId = p.required('VSwitchId');
  const e = store.writableEndpoint(p, ctx, regionId);
  if (e.zones.some((z) => z.zoneId === zoneId)) throw zoneDuplicated();
  if (!e.service || !e.service.zones.includes(zoneId)) throw zoneNotSupported();
  if (!/^vsw-[a-z0-9]+$/.test(vSwitchId)) throw vSwitchNotFound();
  if (p.bool('DryRun')) throw dryRunPassed();
  // Asynchronous (newer docs): the zone shows Creating, then Wait (or the connection's zone status).
  e.zones.push(store.newZone(e.endpointId, regionId, zoneId, vSwitchId, ctx.now + store.settings.createDelayMs));
  return {};
};

const listZones: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const max = store.maxResults(p);
  const e = store.ownEndpoint(p, ctx, regionId);
  const query = PageTokens.queryHash(['ListVpcEndpointZones', ctx.accountId, regionId, e.endpointId]);
  const page = store.pageOf(e.zones, p, query, max, () => true);
  return {
    Zones: page.items.map((z) => ({
      ZoneId: z.zoneId,
      VSwitchId: z.vSwitchId,
      EniId: z.eniId,
      EniIp: z.eniIp,
      RegionId: e.regionId,
      ZoneDomain: `${e.endpointId}-${z.zoneId}.${e.serviceId}.${e.regionId}.privatelink.aliyuncs.com`,
      ZoneStatus: store.zoneStatus(e, z, ctx.now),
    })),
    NextToken: page.nextToken,
    MaxResults: max,
  };
};

const removeZone: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const zoneId = p.required('ZoneId');
  const e = store.writableEndpoint(p, ctx, regionId);
  const z = e.zones.find((x) => x.zoneId === zoneId);
  if (!z) throw new EmulatorApiError('EndpointZoneNotFound', 'The specified zone of Endpoint does not exist.');
  if (p.bool('DryRun')) throw dryRunPassed();
  removeFrom(e.zones, z);
  return {};
};

const attachSecurityGroup: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const sg = p.required('SecurityGroupId');
  const e = store.writableEndpoint(p, ctx, regionId);
  if (!/^sg-[a-z0-9]+$/.test(sg)) throw securityGroupNotFound();
  if (e.securityGroups.some((g) => g.securityGroupId === sg))
    throw new EmulatorApiError('SecurityGroupExist', 'The specified security group already exists.');
  if (p.bool('DryRun')) throw dryRunPassed();
  e.securityGroups.push({ seq: store.nextSeq(), securityGroupId: sg });
  return {};
};

const listSecurityGroups: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const max = store.maxResults(p);
  const e = store.ownEndpoint(p, ctx, regionId);
  const query = PageTokens.queryHash(['ListVpcEndpointSecurityGroups', ctx.accountId, regionId, e.endpointId]);
  const page = store.pageOf(e.securityGroups, p, query, max, () => true);
  return {
    SecurityGroups: page.items.map((g) => ({ SecurityGroupId: g.securityGroupId })),
    NextToken: page.nextToken,
    MaxResults: max,
  };
};

const detachSecurityGroup: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const sg = p.required('SecurityGroupId');
  const e = store.changeableEndpoint(p, ctx, regionId);
  const g = e.securityGroups.find((x) => x.securityGroupId === sg);
  if (!g) throw securityGroupNotFound();
  if (e.securityGroups.length === 1)
    throw new EmulatorApiError(
      'EndpointMustContainSecurityGroup',
      'The specified endpoint must have at least one security group.',
    );
  if (p.bool('DryRun')) throw dryRunPassed();
  removeFrom(e.securityGroups, g);
  return {};
};

export const ENDPOINT_ZONE_ACTIONS: Record<string, Handler> = {
  AddZoneToVpcEndpoint: addZone,
  ListVpcEndpointZones: listZones,
  RemoveZoneFromVpcEndpoint: removeZone,
  AttachSecurityGroupToVpcEndpoint: attachSecurityGroup,
  ListVpcEndpointSecurityGroups: listSecurityGroups,
  DetachSecurityGroupFromVpcEndpoint: detachSecurityGroup,
};
