/**
 * Fills a Store from a resolved scenario (emulator/model/scenario.ts): accounts, services with their
 * whitelists and resources, endpoints with their connections in the state the scenario gives.
 */
import type { Phase, ServiceRec, EndpointRec } from './records.ts';
import type { Scenario, ScenarioConnectionStatus, ScenarioEndpoint, ScenarioService } from './scenario.ts';
import type { Store } from './store.ts';

/** A scenario's resources exist from the start: ready since time 0 (a small integer costs no heap
 *  number per record, which a timestamp would on a fleet of 100,000). */
const READY = 0;

const PHASE_OF: Record<ScenarioConnectionStatus, Phase> = {
  Awaiting: 'awaiting',
  Connecting: 'accepting',
  Connected: 'connected',
  Pending: 'updating',
  Disconnecting: 'disconnecting',
  Disconnected: 'disconnected',
  Deleting: 'deleting',
  ServiceDeleted: 'serviceDeleted',
};

function serviceRec(store: Store, s: ScenarioService, now: number): ServiceRec {
  const rec: ServiceRec = {
    seq: store.nextSeq(),
    serviceId: s.serviceId,
    regionId: s.regionId,
    ownerId: s.ownerId,
    name: s.name,
    description: s.description,
    tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
    autoAcceptEnabled: s.autoAcceptEnabled,
    minBandwidth: s.minBandwidth,
    maxBandwidth: s.maxBandwidth,
    connectBandwidth: s.connectBandwidth,
    businessStatus: s.businessStatus,
    createMs: now,
    activeAt: READY,
    deleteAt: undefined,
    whitelist: store.ownerWhitelist(s.ownerId, s.whitelist),
    zones: [...s.zones],
    resources: [],
    conns: [],
  };
  for (const r of s.resources) {
    rec.resources.push(store.newResource(rec, r.resourceId, r.resourceType, r.zoneId));
    store.resourceOwners.set(r.resourceId, rec);
  }
  return rec;
}

function endpointRec(store: Store, e: ScenarioEndpoint, now: number): EndpointRec {
  const service = store.services.get(e.serviceId);
  const st = e.connection.status;
  const deadline = now + (e.connection.remainingMs ?? 0);
  return {
    seq: store.nextSeq(),
    endpointId: e.endpointId,
    regionId: e.regionId,
    ownerId: e.ownerId,
    serviceId: e.serviceId,
    serviceName: service?.name ?? `com.aliyuncs.privatelink.${e.regionId}.${e.serviceId}`,
    service,
    vpcId: e.vpcId,
    name: e.name,
    description: e.description,
    businessStatus: e.businessStatus,
    createMs: now,
    activeAt: READY,
    deleteAt: st === 'Deleting' ? deadline : undefined,
    zones: e.zones.map((z) => store.newZone(e.endpointId, e.regionId, z.zoneId, z.vSwitchId, READY)),
    securityGroups: e.securityGroupIds.map((id) => ({ seq: store.nextSeq(), securityGroupId: id })),
    conn: {
      phase: PHASE_OF[st],
      until: st === 'Connecting' || st === 'Pending' || st === 'Disconnecting' ? deadline : undefined,
      bandwidth: e.connection.bandwidth,
      target: e.connection.bandwidth,
      modifiedMs: now,
    },
  };
}

/** Loads `scenario` into an empty store, as of the store clock's now. */
export function loadScenario(store: Store, scenario: Scenario): void {
  const now = store.clock.now();
  for (const a of scenario.accounts) {
    store.addAccount({
      accountId: a.accountId,
      name: a.name,
      accessKeys: a.accessKeys.map((k) => ({ ...k, accountId: a.accountId })),
    });
  }
  for (const s of scenario.services) store.addService(serviceRec(store, s, now));
  for (const e of scenario.endpoints) store.addEndpoint(endpointRec(store, e, now));
}
