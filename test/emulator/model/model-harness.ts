/**
 * Test harness for the emulator model: a PrivateLinkModel on a paused ManualClock, with helpers that
 * call actions as one of the demo fleet's accounts and assert API errors by code (and message).
 */
import assert from 'node:assert/strict';
import { PrivateLinkModel } from '../../../emulator/model/private-link-model.ts';
import { ManualClock } from '../../../emulator/model/clock.ts';
import { defaultSettings, demoScenario, parseScenario } from '../../../emulator/model/scenario.ts';
import type { Scenario } from '../../../emulator/model/scenario.ts';
import { EmulatorApiError } from '../../../emulator/types.ts';
import type { EmulatorSettings } from '../../../emulator/types.ts';

export const ACCOUNTS = {
  provider: '1000000000000001',
  acme: '2000000000000001',
  globex: '2000000000000002',
  initech: '2000000000000003',
  umbrella: '2000000000000004',
} as const;
export type Who = keyof typeof ACCOUNTS;

export const HZ = 'cn-hangzhou';
export const SH = 'cn-shanghai';
export const ORDERS_HZ = 'epsrv-bp1demoorders000001';
export const SEARCH_HZ = 'epsrv-bp1demosearch00002';
export const ORDERS_SH = 'epsrv-uf6demoorders000003';
export const LEGACY_SH = 'epsrv-uf6demolegacy000004';

export const START = Date.parse('2026-11-25T08:00:00Z');

export interface SnapshotEndpoint {
  endpointId: string;
  serviceId: string;
  ownerId: string;
  status: string;
  connectionStatus: string;
  awaitingDecision: boolean;
  bandwidth: number;
  modifiedTime: string;
  zones: string[];
  securityGroupIds: string[];
}
export interface SnapshotService {
  serviceId: string;
  regionId: string;
  ownerId: string;
  name: string;
  description: string;
  status: string;
  autoAcceptEnabled: boolean;
  connectBandwidth: number;
  tags: Record<string, string>;
  whitelist: string[];
  zones: string[];
  resources: Array<{ resourceId: string; resourceType: string; zoneId: string }>;
}
export interface Snapshot {
  now: string;
  accounts: Array<{ accountId: string; name: string }>;
  services: SnapshotService[];
  endpoints: SnapshotEndpoint[];
  connections: Array<{
    regionId: string;
    serviceId: string;
    endpointId: string;
    endpointOwnerId: string;
    connectionStatus: string;
    awaitingDecision: boolean;
    bandwidth: number;
    modifiedTime: string;
  }>;
}

/**
 * A model on a paused clock; `scenario` defaults to the demo fleet. Creates complete at once
 * (`createDelayMs: 0`) unless a test sets a delay: the asynchronous creates have tests of their own.
 */
export function harness(opts: { scenario?: Scenario | string; settings?: Partial<EmulatorSettings> } = {}) {
  const scenario =
    typeof opts.scenario === 'string' ? parseScenario(opts.scenario, 'test.yaml') : (opts.scenario ?? demoScenario());
  const clock = new ManualClock(START);
  clock.pause();
  const settings: EmulatorSettings = {
    ...defaultSettings(),
    createDelayMs: 0,
    ...scenario.settings,
    ...opts.settings,
  };
  const model = new PrivateLinkModel(scenario, clock, settings);
  let n = 0;
  const call = (who: Who, action: string, params: Record<string, string>): Record<string, unknown> =>
    model.dispatch(action, params, {
      accountId: ACCOUNTS[who],
      accessKeyId: `key-${who}`,
      requestId: `req-${++n}`,
      now: clock.now(),
    });
  /** Assert the call fails with `code` (and a message matching `message`, when given). */
  const fails = (
    who: Who,
    action: string,
    params: Record<string, string>,
    code: string,
    message?: RegExp | string,
  ): EmulatorApiError => {
    let caught: unknown;
    try {
      call(who, action, params);
    } catch (err) {
      caught = err;
    }
    assert.ok(
      caught instanceof EmulatorApiError,
      `${action} should fail with ${code}, got ${caught === undefined ? 'success' : String(caught)}`,
    );
    assert.equal(caught.code, code, `${action}: ${caught.message}`);
    if (typeof message === 'string') assert.equal(caught.message, message);
    else if (message) assert.match(caught.message, message);
    return caught;
  };
  const snapshot = (): Snapshot => model.snapshot() as Snapshot;
  const endpoint = (id: string): SnapshotEndpoint | undefined => snapshot().endpoints.find((e) => e.endpointId === id);
  const service = (id: string): SnapshotService | undefined => snapshot().services.find((s) => s.serviceId === id);
  /** The ConnectionStatus the provider's listing shows for one endpoint. */
  const status = (serviceId: string, endpointId: string, region = HZ): string | undefined => {
    const r = call('provider', 'ListVpcEndpointConnections', {
      RegionId: region,
      ServiceId: serviceId,
      EndpointId: endpointId,
    }) as { Connections: Array<{ ConnectionStatus: string }> };
    return r.Connections[0]?.ConnectionStatus;
  };
  return { model, clock, settings, call, fails, snapshot, endpoint, service, status };
}

export type Harness = ReturnType<typeof harness>;

/** Connection list items as the API returns them. */
export interface ConnectionItem {
  EndpointId: string;
  EndpointOwnerId: number;
  EndpointVpcId: string;
  ServiceId: string;
  ConnectionStatus: string;
  Bandwidth: number;
  ModifiedTime: string;
  Zones: Array<{ ZoneId: string; EniId: string; ResourceId: string; VSwitchId: string; ZoneDomain: string }>;
}
