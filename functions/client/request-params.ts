/**
 * Typed requests to pop-core RPC parameters. pop-core would send `undefined`/`null` as the strings
 * "undefined"/"null": such fields are left out.
 */
import { ApiError } from './api-error.ts';
import type {
  DisableVpcEndpointConnectionRequest,
  EnableVpcEndpointConnectionRequest,
  ListVpcEndpointConnectionsRequest,
  ListVpcEndpointServiceUsersRequest,
  ListVpcEndpointServicesRequest,
  PrivateLinkAction,
  WhitelistWriteRequest,
} from './private-link-api.ts';
import { Problem, accountId, resourceId } from './response-fields.ts';

type ParamValue = string | number | boolean | undefined | null;

/**
 * Refuses, without sending, a request whose service, endpoint or owner ID fails the pattern a listed one
 * must pass (./response-fields.ts): an ID that was never believed is never sent back to the API.
 * Code `InvalidId` (kind `invalid`).
 */
export function checkRequestIds(
  action: PrivateLinkAction,
  req: {
    serviceId?: string | undefined;
    endpointId?: string | undefined;
    endpointOwnerId?: string | undefined;
    userId?: string | undefined;
  },
): void {
  const checks: [string, string | undefined, (x: string) => string | Problem][] = [
    ['ServiceId', req.serviceId, (x) => resourceId(x, 'epsrv')],
    ['EndpointId', req.endpointId, (x) => resourceId(x, 'ep')],
    ['EndpointOwnerId', req.endpointOwnerId, accountId],
    ['UserId', req.userId, accountId],
  ];
  for (const [field, value, check] of checks) {
    if (value === undefined) continue;
    const result = check(value);
    if (result instanceof Problem) {
      throw new ApiError({ code: 'InvalidId', message: `InvalidId: not sent, ${field} ${result.problem}`, action });
    }
  }
}

/** RPC parameters without undefined/null, booleans as true/false. */
function params(entries: Record<string, ParamValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined || value === null) continue;
    out[key] = typeof value === 'string' ? value : String(value);
  }
  return out;
}

/** `Tag.N.Key` / `Tag.N.Value`, N from 1, in key order (newer ListVpcEndpointServices models). */
function tagParams(tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  Object.keys(tags ?? {})
    .sort()
    .forEach((key, i) => {
      out[`Tag.${i + 1}.Key`] = key;
      out[`Tag.${i + 1}.Value`] = (tags as Record<string, string>)[key] as string;
    });
  return out;
}

export function listServicesParams(req: ListVpcEndpointServicesRequest): Record<string, string> {
  return params({
    ServiceId: req.serviceId,
    ServiceName: req.serviceName,
    MaxResults: req.maxResults,
    NextToken: req.nextToken,
    ...tagParams(req.tags),
  });
}

export function listConnectionsParams(req: ListVpcEndpointConnectionsRequest): Record<string, string> {
  return params({
    ServiceId: req.serviceId,
    EndpointId: req.endpointId,
    EndpointOwnerId: req.endpointOwnerId,
    ConnectionStatus: req.connectionStatus,
    MaxResults: req.maxResults,
    NextToken: req.nextToken,
  });
}

/** The parameters of a connection write; `extra` goes between the IDs and ClientToken/DryRun. */
export function writeParams(
  req: EnableVpcEndpointConnectionRequest | DisableVpcEndpointConnectionRequest,
  extra: Record<string, ParamValue> = {},
): Record<string, string> {
  return params({
    RegionId: req.regionId,
    ServiceId: req.serviceId,
    EndpointId: req.endpointId,
    ...extra,
    ClientToken: req.clientToken,
    DryRun: req.dryRun,
  });
}

export function listServiceUsersParams(req: ListVpcEndpointServiceUsersRequest): Record<string, string> {
  return params({
    ServiceId: req.serviceId,
    UserId: req.userId,
    MaxResults: req.maxResults,
    NextToken: req.nextToken,
  });
}

/** The parameters of AddUserToVpcEndpointService / RemoveUserFromVpcEndpointService. */
export function whitelistWriteParams(req: WhitelistWriteRequest): Record<string, string> {
  return params({
    RegionId: req.regionId,
    ServiceId: req.serviceId,
    UserId: req.userId,
    ClientToken: req.clientToken,
    DryRun: req.dryRun,
  });
}
