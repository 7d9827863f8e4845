/**
 * From a listing answer's body to a `Page` of plain records (../engine/resources.ts).
 */
import type { ConnectionStatus, ConnectionZone, EndpointConnection, EndpointService } from '../engine/resources.ts';
import { CONNECTION_STATUSES } from '../engine/resources.ts';
import { ApiError } from './api-error.ts';
import type { ListVpcEndpointConnectionsRequest, Page } from './private-link-api.ts';
import { bool, list, num, str } from './response-fields.ts';

function mapService(item: Record<string, unknown>, regionId: string): EndpointService {
  const tags: Record<string, string> = {};
  for (const tag of list(item.Tags, 'Tag')) {
    const key = str(tag.Key);
    if (key !== '') tags[key] = str(tag.Value);
  }
  return {
    regionId: str(item.RegionId) || regionId,
    serviceId: str(item.ServiceId),
    serviceName: str(item.ServiceName),
    serviceDescription: str(item.ServiceDescription),
    serviceStatus: str(item.ServiceStatus),
    serviceBusinessStatus: str(item.ServiceBusinessStatus) || 'Normal',
    autoAcceptEnabled: bool(item.AutoAcceptEnabled),
    connectBandwidth: num(item.ConnectBandwidth, 0),
    minBandwidth: num(item.MinBandwidth, 0),
    maxBandwidth: num(item.MaxBandwidth, 0),
    tags,
  };
}

function mapZone(z: Record<string, unknown>): ConnectionZone {
  return {
    zoneId: str(z.ZoneId),
    vSwitchId: str(z.VSwitchId),
    eniId: str(z.EniId),
    resourceId: str(z.ResourceId),
    zoneDomain: str(z.ZoneDomain),
    zoneStatus: str(z.ZoneStatus),
  };
}

const STATUS_BY_LOWER = new Map<string, ConnectionStatus>(CONNECTION_STATUSES.map((s) => [s.toLowerCase(), s]));

/** Returns the raw status for a status this project does not know (the caller fails the listing). */
function mapConnection(
  item: Record<string, unknown>,
  req: ListVpcEndpointConnectionsRequest,
): EndpointConnection | string {
  const rawStatus = str(item.ConnectionStatus);
  // The reference spells it "DisConnected" in one place: match case-insensitively.
  const connectionStatus = STATUS_BY_LOWER.get(rawStatus.toLowerCase());
  if (connectionStatus === undefined) return rawStatus;
  return {
    regionId: req.regionId,
    serviceId: str(item.ServiceId) || req.serviceId,
    endpointId: str(item.EndpointId),
    endpointOwnerId: str(item.EndpointOwnerId),
    endpointVpcId: str(item.EndpointVpcId),
    connectionStatus,
    bandwidth: num(item.Bandwidth, 0),
    modifiedTime: str(item.ModifiedTime),
    zones: list(item.Zones, 'Zone').map(mapZone),
  };
}

/** A ListVpcEndpointServices answer as a page. */
export function servicesPage(body: Record<string, unknown>, regionId: string): Page<EndpointService> {
  return {
    items: list(body.Services, 'Service').map((s) => mapService(s, regionId)),
    invalid: [],
    nextToken: str(body.NextToken) || undefined,
    requestId: str(body.RequestId),
  };
}

/** A ListVpcEndpointConnections answer as a page. */
export function connectionsPage(
  body: Record<string, unknown>,
  req: ListVpcEndpointConnectionsRequest,
): Page<EndpointConnection> {
  const action = 'ListVpcEndpointConnections';
  const items: EndpointConnection[] = [];
  for (const raw of list(body.Connections, 'Connection')) {
    const mapped = mapConnection(raw, req);
    if (typeof mapped === 'string') {
      // A listing that looks wrong means "change nothing": fail it rather than guess.
      throw new ApiError({
        code: 'BadResponse',
        message: `BadResponse: ${action} returned endpoint ${str(raw.EndpointId)} with unknown ConnectionStatus "${mapped}"`,
        action,
        requestId: str(body.RequestId),
      });
    }
    items.push(mapped);
  }
  return { items, invalid: [], nextToken: str(body.NextToken) || undefined, requestId: str(body.RequestId) };
}
