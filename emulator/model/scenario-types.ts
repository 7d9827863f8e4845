/**
 * The resolved scenario a file (or the fleet generator) describes: what the model loads.
 */
import type { EmulatorSettings } from '../types.ts';
import type { SCENARIO_CONNECTION_STATUSES } from './scenario-schema.ts';

/**
 * How a scenario file states a connection. `Awaiting` is a request nobody has decided yet (shown as the
 * `pendingStatus` setting says); `Connecting` is an accept in progress; `Pending` a bandwidth change in
 * progress; `Deleting` an endpoint being deleted; `ServiceDeleted` an endpoint whose service is gone.
 * The others are the API's stable statuses.
 */
export type ScenarioConnectionStatus = (typeof SCENARIO_CONNECTION_STATUSES)[number];

export interface ScenarioAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
  /** A disabled key (`InvalidAccessKeyId.Inactive`). */
  inactive?: boolean | undefined;
}

export interface ScenarioAccount {
  /** 16-digit account ID, as a string. */
  accountId: string;
  name: string;
  accessKeys: ScenarioAccessKey[];
}

export interface ScenarioResource {
  resourceId: string;
  resourceType: string;
  zoneId: string;
}

export interface ScenarioService {
  serviceId: string;
  regionId: string;
  /** Owner account ID. */
  ownerId: string;
  name: string;
  description: string;
  tags: Record<string, string>;
  autoAcceptEnabled: boolean;
  minBandwidth: number;
  maxBandwidth: number;
  connectBandwidth: number;
  /** Whitelisted account IDs (empty: any account may connect). */
  whitelist: string[];
  zones: string[];
  resources: ScenarioResource[];
  /** Normal | FinancialLocked | SecurityLocked: anything but Normal locks writes (EndpointServiceLocked). */
  businessStatus: string;
}

export interface ScenarioConnection {
  status: ScenarioConnectionStatus;
  /** Mbit/s; for `Pending` the bandwidth being applied. */
  bandwidth: number;
  /** For transitions: time left before the transition completes; default the setting's delay. */
  remainingMs?: number | undefined;
}

export interface ScenarioEndpoint {
  endpointId: string;
  regionId: string;
  ownerId: string;
  serviceId: string;
  vpcId: string;
  name: string;
  description: string;
  zones: Array<{ zoneId: string; vSwitchId: string }>;
  securityGroupIds: string[];
  businessStatus: string;
  connection: ScenarioConnection;
}

/** A fully resolved scenario: account names resolved to IDs, every resource with its ID. */
export interface Scenario {
  settings: Partial<EmulatorSettings>;
  accounts: ScenarioAccount[];
  services: ScenarioService[];
  endpoints: ScenarioEndpoint[];
}
