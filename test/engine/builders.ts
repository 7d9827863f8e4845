/**
 * A small typed builder for engine tests: resolved `Policy` data and snapshot records built directly
 * (the YAML loader is tested on its own), with the demo fleet's IDs as defaults.
 */
import type { ConnectionStatus, EndpointConnection, EndpointService } from '../../functions/engine/resources.ts';
import type { Decision, Plan, Snapshot } from '../../functions/engine/decision.ts';
import { decide } from '../../functions/engine/decide.ts';
import type { AllowEntry, DenyEntry, Policy, ServiceRule } from '../../functions/policy/policy.ts';

export const HANGZHOU = 'cn-hangzhou';
export const SHANGHAI = 'cn-shanghai';
export const ORDERS = 'epsrv-bp1demoorders000001';
export const SEARCH = 'epsrv-bp1demosearch00002';
export const ACME = '2000000000000001';
export const GLOBEX = '2000000000000002';
export const INITECH = '2000000000000003';
export const UMBRELLA = '2000000000000004';
/** The tests' "now": 2026-11-25T12:00:00Z. */
export const NOW = Date.parse('2026-11-25T12:00:00Z');

export function allow(accountId: string, source: string, over: Partial<AllowEntry> = {}): AllowEntry {
  return {
    accountId,
    name: undefined,
    bandwidth: undefined,
    maxBandwidth: undefined,
    maxConnections: undefined,
    vpcs: undefined,
    expires: undefined,
    source,
    ...over,
  };
}

export function deny(id: string, source: string, reason?: string): DenyEntry {
  return { id, reason, source };
}

/** A rule governing ORDERS in cn-hangzhou by ID unless `match` says otherwise; source `services[0]`. */
export function rule(over: Partial<ServiceRule> = {}): ServiceRule {
  return {
    source: 'services[0]',
    name: undefined,
    match: { kind: 'id', regionId: HANGZHOU, serviceId: ORDERS },
    allow: [],
    deny: { accounts: [], endpoints: [] },
    unknownAccounts: 'reject',
    bandwidth: { default: undefined, max: undefined },
    ...over,
  };
}

export function policy(over: Partial<Policy> = {}): Policy {
  const services = over.services ?? [rule()];
  return {
    version: 1,
    mode: 'enforce',
    revision: { hash: 'sha256:0123456789abcdef', commit: undefined, file: 'policies/test.yaml' },
    pendingStatus: 'auto',
    regions: [...new Set(services.map((r) => r.match.regionId))],
    deny: { accounts: [], endpoints: [] },
    services,
    drift: { revoke: false, reduceBandwidth: false },
    expiryWarningDays: 14,
    limits: {
      maxDisconnects: undefined,
      maxDisconnectsPercent: undefined,
      maxResizes: undefined,
      maxResizesPercent: undefined,
    },
    ...over,
  };
}

/** The demo fleet's service shape: bandwidth 100..10240, ConnectBandwidth 3072. */
export function service(over: Partial<EndpointService> = {}): EndpointService {
  return {
    regionId: HANGZHOU,
    serviceId: ORDERS,
    serviceName: 'orders-api',
    serviceDescription: 'Orders API',
    serviceStatus: 'Active',
    serviceBusinessStatus: 'Normal',
    autoAcceptEnabled: false,
    connectBandwidth: 3072,
    minBandwidth: 100,
    maxBandwidth: 10240,
    tags: { team: 'orders', tier: 'gold' },
    ...over,
  };
}

let seq = 0;
/** A connection on ORDERS in cn-hangzhou; ModifiedTime increases with each call unless given. */
export function conn(
  endpointId: string,
  owner: string,
  status: ConnectionStatus,
  over: Partial<EndpointConnection> = {},
): EndpointConnection {
  seq += 1;
  return {
    regionId: HANGZHOU,
    serviceId: ORDERS,
    endpointId,
    endpointOwnerId: owner,
    endpointVpcId: 'vpc-bp1demo0001',
    connectionStatus: status,
    bandwidth: 3072,
    modifiedTime: new Date(Date.parse('2026-11-20T00:00:00Z') + seq * 1000).toISOString(),
    zones: [],
    ...over,
  };
}

export function snapshot(connections: EndpointConnection[], svc: EndpointService = service()): Snapshot {
  return { services: [{ service: svc, connections }] };
}

/** `decide` on one service's connections. */
export function plan(p: Policy, connections: EndpointConnection[], svc?: EndpointService, now = NOW): Plan {
  return decide(p, snapshot(connections, svc), now);
}

/** The single decision for a single connection. */
export function decideOne(p: Policy, c: EndpointConnection, svc?: EndpointService, now = NOW): Decision {
  const { decisions } = plan(p, [c], svc, now);
  if (decisions.length !== 1) throw new Error(`expected one decision, got ${decisions.length}`);
  return decisions[0]!;
}

/** `endpointId:kind` for each decision, in plan order: compact to compare in tables. */
export function kinds(p: Plan): string[] {
  return p.decisions.map((d) => `${d.endpointId}:${d.kind}`);
}
