/**
 * Phase two of loading a scenario: meaning. The data has been checked against the schema
 * (scenario-diagnostics.ts); this resolves account names, service references and defaults, and checks
 * what needs more than one value: duplicates, ranges relative to other fields, zones of a region or
 * service, the whitelist, remainingMs on transitions only. An entry with a structural problem is still
 * checked here but never registered, so an entry that did not load cannot be referenced.
 */
import type { EmulatorSettings } from '../types.ts';
import { derivedId } from './ids.ts';
import { findRegion } from './regions.ts';
import type { Path, Problem } from './scenario-diagnostics.ts';
import { SCENARIO_CONNECTION_STATUSES } from './scenario-schema.ts';
import type {
  ScenarioAccount,
  ScenarioConnectionStatus,
  ScenarioEndpoint,
  ScenarioResource,
  ScenarioService,
} from './scenario-types.ts';

type Obj = Record<string, unknown>;

export const DEFAULT_MIN_BANDWIDTH = 100;
export const DEFAULT_MAX_BANDWIDTH = 10240;
export const DEFAULT_CONNECT_BANDWIDTH = 3072;
const ACCOUNT_ID = /^[1-9][0-9]{0,15}$/;
const SERVICE_ID = /^epsrv-[a-z0-9]{4,40}$/;

/** Statuses that are transitions and may carry `remainingMs`. */
export const TRANSITION_STATUSES: ReadonlySet<ScenarioConnectionStatus> = new Set([
  'Connecting',
  'Pending',
  'Disconnecting',
  'Deleting',
]);

/** Collects phase-two problems; knows which entries had phase-one problems. */
export class Meaning {
  readonly problems: Problem[] = [];
  constructor(private readonly broken: ReadonlySet<string>) {}

  fail(path: Path, message: string): void {
    this.problems.push({ path, message });
  }

  /** Whether the entry at `path` (e.g. ['services', 2]) passed the schema. */
  loaded(path: Path): boolean {
    return !this.broken.has(path.join('/'));
  }
}

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}
function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}
function strings(v: unknown): string[] {
  return list(v).filter((x): x is string => typeof x === 'string' && x !== '');
}

export function checkAccounts(m: Meaning, v: unknown): ScenarioAccount[] {
  const out: ScenarioAccount[] = [];
  const ids = new Set<string>();
  const names = new Set<string>();
  const keyIds = new Set<string>();
  list(v).forEach((a, i) => {
    const p: Path = ['accounts', i];
    const o = obj(a);
    const accountId = str(o.id);
    const name = str(o.name);
    if (accountId !== undefined && ids.has(accountId)) m.fail([...p, 'id'], `duplicate account id ${accountId}`);
    if (name !== undefined && names.has(name)) m.fail([...p, 'name'], `duplicate account name ${name}`);
    const accessKeys = list(o.accessKeys).map((k, j) => {
      const ko = obj(k);
      const accessKeyId = str(ko.id) ?? '';
      if (keyIds.has(accessKeyId)) m.fail([...p, 'accessKeys', j, 'id'], `duplicate AccessKey id ${accessKeyId}`);
      keyIds.add(accessKeyId);
      const securityToken = str(ko.securityToken);
      return {
        accessKeyId,
        accessKeySecret: str(ko.secret) ?? '',
        ...(securityToken ? { securityToken } : {}),
        ...(ko.inactive === true ? { inactive: true } : {}),
      };
    });
    if (accountId === undefined || name === undefined || !m.loaded(p)) return;
    ids.add(accountId);
    names.add(name);
    out.push({ accountId, name, accessKeys });
  });
  return out;
}

/** An account by name or id (or any well-formed id when `allowUnknownId`). */
function resolveAccount(
  m: Meaning,
  accounts: ScenarioAccount[],
  ref: string,
  path: Path,
  allowUnknownId: boolean,
): string | undefined {
  const hit = accounts.find((a) => a.name === ref) ?? accounts.find((a) => a.accountId === ref);
  if (hit) return hit.accountId;
  if (allowUnknownId && ACCOUNT_ID.test(ref)) return ref;
  m.fail(path, `unknown account '${ref}' (name or id of an entry in accounts)`);
  return undefined;
}

/** Bandwidth range and connect bandwidth of a service, defaulted and checked against each other. */
function serviceBandwidths(m: Meaning, o: Obj, p: Path): { min: number; max: number; connect: number } {
  const min = int(o.minBandwidth) ?? DEFAULT_MIN_BANDWIDTH;
  const max = int(o.maxBandwidth) ?? DEFAULT_MAX_BANDWIDTH;
  const connect = int(o.connectBandwidth) ?? Math.min(Math.max(DEFAULT_CONNECT_BANDWIDTH, min), max);
  if (min > max) m.fail([...p, 'minBandwidth'], `must not exceed maxBandwidth (${max})`);
  else if (connect < min || connect > max)
    m.fail([...p, 'connectBandwidth'], `must lie between minBandwidth and maxBandwidth (${min}..${max})`);
  return { min, max, connect };
}

/** A service's zones (default: the region's first two) and resources. */
function serviceZones(
  m: Meaning,
  o: Obj,
  p: Path,
  regionId: string | undefined,
): { zones: string[]; resources: ScenarioResource[] } {
  const region = regionId === undefined ? undefined : findRegion(regionId);
  const zones = strings(o.zones);
  zones.forEach((z, j) => {
    if (region && !region.zones.some((x) => x.zoneId === z))
      m.fail(
        [...p, 'zones', j],
        `unknown zone '${z}' in ${region.regionId} (known: ${region.zones.map((x) => x.zoneId).join(', ')})`,
      );
  });
  if (zones.length === 0 && region) zones.push(...region.zones.slice(0, 2).map((z) => z.zoneId));
  const resources = list(o.resources).map((r) => {
    const ro = obj(r);
    return {
      resourceId: str(ro.id) ?? '',
      resourceType: str(ro.type) ?? 'slb',
      zoneId: str(ro.zone) ?? zones[0] ?? '',
    };
  });
  return { zones, resources };
}

export function checkServices(m: Meaning, v: unknown, accounts: ScenarioAccount[]): ScenarioService[] {
  const out: ScenarioService[] = [];
  const ids = new Set<string>();
  list(v).forEach((s, i) => {
    const p: Path = ['services', i];
    const o = obj(s);
    const regionId = findRegion(str(o.region) ?? '') ? str(o.region) : undefined;
    const ownerRef = str(o.owner);
    const ownerId = ownerRef === undefined ? undefined : resolveAccount(m, accounts, ownerRef, [...p, 'owner'], false);
    const name = str(o.name);
    const bw = serviceBandwidths(m, o, p);
    const whitelist: string[] = [];
    strings(o.whitelist).forEach((ref, j) => {
      const id = resolveAccount(m, accounts, ref, [...p, 'whitelist', j], true);
      if (id !== undefined) whitelist.push(id);
    });
    const { zones, resources } = serviceZones(m, o, p, regionId);
    if (regionId === undefined || ownerId === undefined || name === undefined) return;
    const serviceId = str(o.id) ?? derivedId('epsrv', regionId, `${ownerId}/${name}/${i}`);
    if (ids.has(serviceId)) m.fail([...p, 'id'], `duplicate service id ${serviceId}`);
    ids.add(serviceId);
    if (!m.loaded(p)) return;
    out.push({
      serviceId,
      regionId,
      ownerId,
      name,
      description: typeof o.description === 'string' ? o.description : '',
      tags: Object.fromEntries(Object.entries(obj(o.tags)).map(([k, tv]) => [k, String(tv)])),
      autoAcceptEnabled: o.autoAccept === true,
      minBandwidth: bw.min,
      maxBandwidth: bw.max,
      connectBandwidth: bw.connect,
      whitelist,
      zones,
      resources,
      businessStatus: str(o.businessStatus) ?? 'Normal',
    });
  });
  return out;
}

/** The connection block of an endpoint: status (default Awaiting), bandwidth, remainingMs. */
function connectionOf(
  m: Meaning,
  o: Obj,
  p: Path,
): { status: ScenarioConnectionStatus | undefined; bandwidth?: number; remainingMs?: number } {
  const co = obj(o.connection);
  const status = co.status === undefined ? 'Awaiting' : SCENARIO_CONNECTION_STATUSES.find((s) => s === co.status);
  const bandwidth = int(co.bandwidth);
  const remainingMs = int(co.remainingMs);
  if (remainingMs !== undefined && status && !TRANSITION_STATUSES.has(status))
    m.fail(
      [...p, 'connection', 'remainingMs'],
      `only applies to a transition (${[...TRANSITION_STATUSES].join(', ')})`,
    );
  return {
    status,
    ...(bandwidth === undefined ? {} : { bandwidth }),
    ...(remainingMs === undefined ? {} : { remainingMs }),
  };
}

/** The service an endpoint names: by id, else by name (in the endpoint's region when it names one). */
function endpointService(
  m: Meaning,
  services: ScenarioService[],
  ref: string,
  p: Path,
  region: string | undefined,
  status: ScenarioConnectionStatus | undefined,
): { service: ScenarioService | undefined; ok: boolean } {
  let service = services.find((s) => s.serviceId === ref);
  if (!service) {
    const byName = services.filter((s) => s.name === ref && (region === undefined || s.regionId === region));
    if (byName.length > 1)
      m.fail([...p, 'service'], `service name '${ref}' is ambiguous: give the region or the service id`);
    service = byName.length === 1 ? byName[0] : undefined;
  }
  if (!service && !(status === 'ServiceDeleted' && SERVICE_ID.test(ref) && region !== undefined)) {
    m.fail(
      [...p, 'service'],
      status === 'ServiceDeleted'
        ? 'a ServiceDeleted endpoint names the deleted service by its id and needs a region'
        : `unknown service '${ref}'`,
    );
    return { service, ok: false };
  }
  if (service && status === 'ServiceDeleted')
    m.fail([...p, 'connection', 'status'], 'ServiceDeleted needs a service id that is not in services');
  return { service, ok: true };
}

/** An endpoint's zones (plain ids or {zone, vSwitch}), each one of its service's. */
function endpointZones(
  m: Meaning,
  o: Obj,
  p: Path,
  service: ScenarioService | undefined,
): Array<{ zoneId: string; vSwitchId: string }> {
  const zones = list(o.zones).map((z) =>
    typeof z === 'string'
      ? { zoneId: z, vSwitchId: '' }
      : { zoneId: str(obj(z).zone) ?? '', vSwitchId: str(obj(z).vSwitch) ?? '' },
  );
  zones.forEach((z, j) => {
    if (service && !service.zones.includes(z.zoneId))
      m.fail([...p, 'zones', j], `zone '${z.zoneId}' is not one of the service's zones (${service.zones.join(', ')})`);
  });
  return zones;
}

/** Checks one endpoint against its service: region, bandwidth range, zones, whitelist. */
function checkAgainstService(
  m: Meaning,
  p: Path,
  service: ScenarioService | undefined,
  conn: { status: ScenarioConnectionStatus | undefined; bandwidth?: number },
  region: string | undefined,
): void {
  if (!service) return;
  if (region !== undefined && region !== service.regionId)
    m.fail(
      [...p, 'region'],
      `must be the service's region (${service.regionId}): PrivateLink connects within one region`,
    );
  const { status, bandwidth } = conn;
  if (status && status !== 'Awaiting' && status !== 'ServiceDeleted' && bandwidth !== undefined) {
    if (bandwidth < service.minBandwidth || bandwidth > service.maxBandwidth)
      m.fail(
        [...p, 'connection', 'bandwidth'],
        `must lie within the service's bandwidth range ${service.minBandwidth}..${service.maxBandwidth}`,
      );
  }
}

/** Whether `ownerId` may connect to `service`: its owner, or on its whitelist (README "Whitelist"). */
function whitelisted(service: ScenarioService, ownerId: string): boolean {
  return ownerId === service.ownerId || service.whitelist.includes(ownerId);
}

export function checkEndpoints(
  m: Meaning,
  v: unknown,
  accounts: ScenarioAccount[],
  services: ScenarioService[],
  settings: EmulatorSettings,
): ScenarioEndpoint[] {
  const out: ScenarioEndpoint[] = [];
  const ids = new Set<string>();
  list(v).forEach((e, i) => {
    const p: Path = ['endpoints', i];
    const o = obj(e);
    const region = findRegion(str(o.region) ?? '') ? str(o.region) : undefined;
    const ownerRef = str(o.owner);
    const ownerId = ownerRef === undefined ? undefined : resolveAccount(m, accounts, ownerRef, [...p, 'owner'], false);
    const serviceRef = str(o.service);
    const conn = connectionOf(m, o, p);
    if (serviceRef === undefined) return;
    const { service, ok } = endpointService(m, services, serviceRef, p, region, conn.status);
    if (!ok) return;
    checkAgainstService(m, p, service, conn, region);
    const zones = endpointZones(m, o, p, service);
    const regionId = region ?? service?.regionId;
    if (regionId === undefined || ownerId === undefined || !conn.status) return;
    const serviceId = service?.serviceId ?? serviceRef;
    if (service && !whitelisted(service, ownerId))
      m.fail(
        [...p, 'owner'],
        `account ${ownerId} is not on the whitelist of ${serviceId} (add it to the service's whitelist)`,
      );
    const endpointId = str(o.id) ?? derivedId('ep', regionId, `${ownerId}/${serviceId}/${i}`);
    if (ids.has(endpointId)) m.fail([...p, 'id'], `duplicate endpoint id ${endpointId}`);
    ids.add(endpointId);
    const fields = { regionId, ownerId, serviceId, endpointId, zones, service, settings, index: i };
    out.push(resolvedEndpoint(o, { ...conn, status: conn.status }, fields));
  });
  return out;
}

/** The endpoint with every default filled in. */
function resolvedEndpoint(
  o: Obj,
  conn: { status: ScenarioConnectionStatus; bandwidth?: number; remainingMs?: number },
  f: {
    regionId: string;
    ownerId: string;
    serviceId: string;
    endpointId: string;
    zones: Array<{ zoneId: string; vSwitchId: string }>;
    service: ScenarioService | undefined;
    settings: EmulatorSettings;
    index: number;
  },
): ScenarioEndpoint {
  const { regionId, zones, service, settings } = f;
  const vpcId = str(o.vpc) ?? derivedId('vpc', regionId, `${f.ownerId}/${f.index}`);
  if (zones.length === 0 && service?.zones[0]) zones.push({ zoneId: service.zones[0], vSwitchId: '' });
  for (const [j, z] of zones.entries())
    if (z.vSwitchId === '') z.vSwitchId = derivedId('vsw', regionId, `${vpcId}/${z.zoneId}/${j}`);
  const securityGroupIds = strings(o.securityGroups);
  if (securityGroupIds.length === 0) securityGroupIds.push(derivedId('sg', regionId, vpcId));
  const defaultRemaining: Partial<Record<ScenarioConnectionStatus, number>> = {
    Connecting: settings.enableDelayMs,
    Pending: settings.updateDelayMs,
    Disconnecting: settings.disableDelayMs,
    Deleting: settings.deleteDelayMs,
  };
  const { status } = conn;
  return {
    endpointId: f.endpointId,
    regionId,
    ownerId: f.ownerId,
    serviceId: f.serviceId,
    vpcId,
    name: typeof o.name === 'string' ? o.name : '',
    description: typeof o.description === 'string' ? o.description : '',
    zones,
    securityGroupIds,
    businessStatus: str(o.businessStatus) ?? 'Normal',
    connection: {
      status,
      bandwidth: conn.bandwidth ?? service?.connectBandwidth ?? DEFAULT_CONNECT_BANDWIDTH,
      ...(TRANSITION_STATUSES.has(status) ? { remainingMs: conn.remainingMs ?? defaultRemaining[status] ?? 0 } : {}),
    },
  };
}
