/**
 * Typed requests to pop-core RPC parameters. pop-core would send `undefined`/`null` as the strings
 * "undefined"/"null": such fields are left out.
 */
import type {
  DisableVpcEndpointConnectionRequest,
  EnableVpcEndpointConnectionRequest,
  ListVpcEndpointConnectionsRequest,
  ListVpcEndpointServicesRequest,
} from './private-link-api.ts';

type ParamValue = string | number | boolean | undefined | null;

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
