import type { Scenario, ScenarioAccount, ScenarioEndpoint, ScenarioService } from './scenario.ts';
import { findRegion } from './regions.ts';
import { seededId, seededRandom } from './ids.ts';

/** Options of {@link generateFleet}. */
export interface FleetOptions {
  /** Number of endpoint services (all owned by the demo provider account). */
  services: number;
  /** Connections (endpoints) per service. */
  connectionsPerService: number;
  /** Share of all connections awaiting a decision, 0..1 (default 0.2). */
  pendingShare?: number;
  /** Regions the services are spread over, round-robin (default cn-hangzhou). */
  regions?: string[];
  /** PRNG seed: the same options give the same fleet (default 1). */
  seed?: number;
  /** Number of consumer accounts (default 20); the first four are the demo fleet's acme, globex, initech, umbrella. */
  consumers?: number;
}

/** The demo provider and consumers (docs: demo-fleet), so tools and the demo policy know them. */
const DEMO_PROVIDER: ScenarioAccount = {
  accountId: '1000000000000001',
  name: 'provider',
  accessKeys: [{ accessKeyId: 'LTAIdemoProvider0001', accessKeySecret: 'demo-provider-secret' }],
};
const DEMO_CONSUMERS: ScenarioAccount[] = [
  {
    accountId: '2000000000000001',
    name: 'acme',
    accessKeys: [{ accessKeyId: 'LTAIdemoAcme00000001', accessKeySecret: 'demo-acme-secret' }],
  },
  {
    accountId: '2000000000000002',
    name: 'globex',
    accessKeys: [{ accessKeyId: 'LTAIdemoGlobex000001', accessKeySecret: 'demo-globex-secret' }],
  },
  {
    accountId: '2000000000000003',
    name: 'initech',
    accessKeys: [{ accessKeyId: 'LTAIdemoInitech00001', accessKeySecret: 'demo-initech-secret' }],
  },
  {
    accountId: '2000000000000004',
    name: 'umbrella',
    accessKeys: [{ accessKeyId: 'LTAIdemoUmbrella0001', accessKeySecret: 'demo-umbrella-secret' }],
  },
];

const BANDWIDTHS = [1024, 2048, 3072, 5120, 8192];

/** The consumer accounts: the demo four first, then `consumer-NNNN`. */
function consumerAccounts(count: number): ScenarioAccount[] {
  const consumers: ScenarioAccount[] = [];
  for (let i = 0; i < count; i++) {
    const demo = DEMO_CONSUMERS[i];
    if (demo) {
      consumers.push(demo);
      continue;
    }
    const n = String(i + 1).padStart(4, '0');
    consumers.push({
      accountId: `30000000000${String(i + 1).padStart(5, '0')}`,
      name: `consumer-${n}`,
      accessKeys: [{ accessKeyId: `LTAIfleetConsumer${n}`, accessKeySecret: `fleet-consumer-secret-${n}` }],
    });
  }
  return consumers;
}

function generatedService(i: number, regions: string[], rnd: () => number): ScenarioService {
  const regionId = regions[i % regions.length] ?? 'cn-hangzhou';
  const zones = (findRegion(regionId)?.zones ?? []).slice(0, 2).map((z) => z.zoneId);
  const n = String(i + 1).padStart(4, '0');
  return {
    serviceId: seededId('epsrv', regionId, rnd),
    regionId,
    ownerId: DEMO_PROVIDER.accountId,
    name: `svc-${n}`,
    description: `Generated service ${n}`,
    tags: { team: `team-${i % 10}` },
    autoAcceptEnabled: false,
    minBandwidth: 100,
    maxBandwidth: 10240,
    connectBandwidth: 3072,
    // Filled with the consumers that connect to it: a consumer must be on the whitelist (README "Whitelist").
    whitelist: [],
    zones,
    resources: [{ resourceId: seededId('lb', regionId, rnd), resourceType: 'slb', zoneId: zones[0] ?? '' }],
    businessStatus: 'Normal',
  };
}

/** Which connections await a decision: an exact count, spread by a seeded shuffle. */
function pendingIndexes(total: number, pendingShare: number, rnd: () => number): Set<number> {
  const order = Array.from({ length: total }, (_, i) => i);
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = order[i] ?? i;
    order[i] = order[j] ?? j;
    order[j] = t;
  }
  return new Set(order.slice(0, Math.round(total * pendingShare)));
}

function checkOptions(opts: FleetOptions): void {
  const { services, connectionsPerService, pendingShare = 0.2, consumers = 20 } = opts;
  if (!Number.isInteger(services) || services < 0) throw new RangeError('services must be a non-negative integer');
  if (!Number.isInteger(connectionsPerService) || connectionsPerService < 0)
    throw new RangeError('connectionsPerService must be a non-negative integer');
  if (!(pendingShare >= 0 && pendingShare <= 1)) throw new RangeError('pendingShare must lie between 0 and 1');
  if (!Number.isInteger(consumers) || consumers < 1 || consumers > 9999)
    throw new RangeError('consumers must be an integer between 1 and 9999');
  for (const r of opts.regions ?? []) if (!findRegion(r)) throw new RangeError(`unknown region ${r}`);
}

/**
 * A large synthetic fleet for benchmarks and load tests, deterministic from `seed`: the provider owns
 * `services` services with `connectionsPerService` connections each; exactly
 * `round(total * pendingShare)` of them await a decision, the rest are Connected (9 in 10) or
 * Disconnected. Consumers beyond the demo four are `consumer-NNNN` (IDs 30000000000NNNNN, AccessKey
 * `LTAIfleetConsumerNNNN` / `fleet-consumer-secret-NNNN`). Each service whitelists the consumers that
 * connect to it.
 */
export function generateFleet(opts: FleetOptions): Scenario {
  checkOptions(opts);
  const { services: serviceCount, connectionsPerService } = opts;
  const regions = opts.regions && opts.regions.length > 0 ? opts.regions : ['cn-hangzhou'];
  const rnd = seededRandom(opts.seed ?? 1);
  const consumers = consumerAccounts(opts.consumers ?? 20);
  const services = Array.from({ length: serviceCount }, (_, i) => generatedService(i, regions, rnd));
  const pending = pendingIndexes(serviceCount * connectionsPerService, opts.pendingShare ?? 0.2, rnd);
  const endpoints: ScenarioEndpoint[] = [];
  for (let si = 0; si < serviceCount; si++) {
    const s = services[si];
    if (!s) continue;
    for (let ci = 0; ci < connectionsPerService; ci++) {
      const owner = consumers[Math.floor(rnd() * consumers.length)] ?? consumers[0];
      if (!owner) continue;
      if (!s.whitelist.includes(owner.accountId)) s.whitelist.push(owner.accountId);
      const bandwidth = BANDWIDTHS[Math.floor(rnd() * BANDWIDTHS.length)] ?? 3072;
      const disconnected = rnd() < 0.1;
      const vpcId = seededId('vpc', s.regionId, rnd);
      endpoints.push({
        endpointId: seededId('ep', s.regionId, rnd),
        regionId: s.regionId,
        ownerId: owner.accountId,
        serviceId: s.serviceId,
        vpcId,
        name: `ep-${s.name}-${ci + 1}`,
        description: '',
        zones: [{ zoneId: s.zones[0] ?? '', vSwitchId: seededId('vsw', s.regionId, rnd) }],
        securityGroupIds: [seededId('sg', s.regionId, rnd)],
        businessStatus: 'Normal',
        connection: pending.has(si * connectionsPerService + ci)
          ? { status: 'Awaiting', bandwidth: s.connectBandwidth }
          : { status: disconnected ? 'Disconnected' : 'Connected', bandwidth },
      });
    }
  }
  return { settings: {}, accounts: [DEMO_PROVIDER, ...consumers], services, endpoints };
}
