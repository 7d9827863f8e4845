/**
 * A service's whitelist (Add/List/RemoveUser) and its resources (Attach/List/DetachResource).
 */
import { EmulatorApiError } from '../types.ts';
import { dryRunPassed } from './api-errors.ts';
import { PageTokens } from './page-token.ts';
import { invalidParameter } from './params.ts';
import { longId, removeFrom } from './records.ts';
import { findRegion } from './regions.ts';
import type { Handler } from './service-actions.ts';
import { checkResource } from './service-actions.ts';

const addUser: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const userId = p.accountId('UserId', true) ?? '';
  const s = store.writableService(p, ctx, regionId);
  if (p.bool('DryRun')) throw dryRunPassed();
  if (!s.whitelist.has(userId)) s.whitelist.set(userId, store.nextSeq());
  return {};
};

const listUsers: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const max = store.maxResults(p);
  const userId = p.accountId('UserId', false);
  const s = store.ownService(p, ctx, regionId);
  const query = PageTokens.queryHash(['ListVpcEndpointServiceUsers', ctx.accountId, regionId, s.serviceId, userId]);
  const users = [...s.whitelist].map(([id, seq]) => ({ seq, userId: id }));
  const page = store.pageOf(users, p, query, max, (u) => userId === undefined || u.userId === userId);
  return { Users: page.items.map((u) => ({ UserId: longId(u.userId) })), NextToken: page.nextToken, MaxResults: max };
};

const removeUser: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const userId = p.accountId('UserId', true) ?? '';
  const s = store.writableService(p, ctx, regionId);
  if (p.bool('DryRun')) throw dryRunPassed();
  s.whitelist.delete(userId);
  return {};
};

const attachResource: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const resourceId = p.required('ResourceId');
  const resourceType = p.required('ResourceType');
  const s = store.writableService(p, ctx, regionId);
  const region = findRegion(regionId);
  const zoneId = p.optional('ZoneId') ?? s.zones[0] ?? region?.zones[0]?.zoneId ?? '';
  if (region && !region.zones.some((z) => z.zoneId === zoneId))
    throw invalidParameter('ZoneId', `must be a zone of ${regionId}`);
  checkResource(store, resourceId, resourceType);
  if (p.bool('DryRun')) throw dryRunPassed();
  s.resources.push(store.newResource(s, resourceId, resourceType, zoneId));
  store.resourceOwners.set(resourceId, s);
  if (!s.zones.includes(zoneId)) s.zones.push(zoneId);
  return {};
};

const listResources: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const max = store.maxResults(p);
  const s = store.ownService(p, ctx, regionId);
  const query = PageTokens.queryHash(['ListVpcEndpointServiceResources', ctx.accountId, regionId, s.serviceId]);
  const page = store.pageOf(s.resources, p, query, max, () => true);
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
};

const detachResource: Handler = (store, p, ctx) => {
  const regionId = store.region(p);
  const resourceId = p.required('ResourceId');
  const resourceType = p.required('ResourceType');
  const s = store.writableService(p, ctx, regionId);
  const r = s.resources.find((x) => x.resourceId === resourceId && x.resourceType === resourceType);
  if (!r) throw new EmulatorApiError('EndpointServiceResourceNotFound', 'The specified resource does not exist.');
  if (p.bool('DryRun')) throw dryRunPassed();
  removeFrom(s.resources, r);
  store.resourceOwners.delete(resourceId);
  return {};
};

export const SERVICE_USER_RESOURCE_ACTIONS: Record<string, Handler> = {
  AddUserToVpcEndpointService: addUser,
  ListVpcEndpointServiceUsers: listUsers,
  RemoveUserFromVpcEndpointService: removeUser,
  AttachResourceToVpcEndpointService: attachResource,
  ListVpcEndpointServiceResources: listResources,
  DetachResourceFromVpcEndpointService: detachResource,
};
