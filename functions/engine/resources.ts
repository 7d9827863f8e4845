/**
 * Plain records of the PrivateLink resources this project reads, as the rest of the code sees them:
 * camelCase, IDs as strings (the client's parse keeps a long account ID exact as a string:
 * ../client/answer-json.ts), numbers as numbers. Field meanings follow
 * ../shared/reference/privatelink-api-2020-04-15.txt (ListVpcEndpointServices, ListVpcEndpointConnections).
 */

/**
 * Connection statuses as the API reports them (ListVpcEndpointConnections, ConnectionStatus).
 * `Connecting` means "awaiting acceptance" in the 2020-04-15 reference but "accepted, being
 * established" in newer docs, where a request awaiting acceptance shows `Disconnected`.
 */
export const CONNECTION_STATUSES = [
  'Pending',
  'Connecting',
  'Connected',
  'Disconnecting',
  'Disconnected',
  'Deleting',
  'ServiceDeleted',
] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** An endpoint service owned by the provider account (ListVpcEndpointServices item). */
export interface EndpointService {
  regionId: string;
  serviceId: string;
  serviceName: string;
  serviceDescription: string;
  /** Creating | Active | Deleting | ... (ServiceStatus). */
  serviceStatus: string;
  /** Normal | FinancialLocked | SecurityLocked (ServiceBusinessStatus). */
  serviceBusinessStatus: string;
  /** When true every request is accepted without review: this bypasses the policy. */
  autoAcceptEnabled: boolean;
  /** Default bandwidth of a new connection, Mbit/s (ConnectBandwidth). */
  connectBandwidth: number;
  minBandwidth: number;
  maxBandwidth: number;
  /** Tags (newer API models; empty when the API returns none). */
  tags: Record<string, string>;
}

/** One endpoint connection: identified by (serviceId, endpointId); there is no connection ID. */
export interface EndpointConnection {
  regionId: string;
  serviceId: string;
  endpointId: string;
  /** The consumer account that owns the endpoint, as a string of digits. */
  endpointOwnerId: string;
  endpointVpcId: string;
  connectionStatus: ConnectionStatus;
  /** Mbit/s. */
  bandwidth: number;
  /** ISO 8601, as returned (ModifiedTime). */
  modifiedTime: string;
  zones: ConnectionZone[];
}

export interface ConnectionZone {
  zoneId: string;
  vSwitchId: string;
  eniId: string;
  resourceId: string;
  zoneDomain: string;
  zoneStatus: string;
}

/** A stable key for a connection in maps (IDs hold no `/`; decision ids have their own: ./decision-id.ts). */
export function connectionKey(c: { regionId: string; serviceId: string; endpointId: string }): string {
  return `${c.regionId}/${c.serviceId}/${c.endpointId}`;
}
