import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isMap, isSeq, isScalar } from 'yaml';
import type { Node as YamlNode, Document } from 'yaml';
import type { EmulatorSettings, FaultRule } from '../types.ts';
import { derivedId } from './ids.ts';
import { REGIONS, findRegion } from './regions.ts';

/**
 * How a scenario file states a connection. `Awaiting` is a request nobody has decided yet (shown as the
 * `pendingStatus` setting says); `Connecting` is an accept in progress; `Pending` a bandwidth change in
 * progress; `Deleting` an endpoint being deleted; `ServiceDeleted` an endpoint whose service is gone.
 * The others are the API's stable statuses.
 */
export const SCENARIO_CONNECTION_STATUSES = [
  'Awaiting',
  'Connecting',
  'Connected',
  'Pending',
  'Disconnecting',
  'Disconnected',
  'Deleting',
  'ServiceDeleted',
] as const;
export type ScenarioConnectionStatus = (typeof SCENARIO_CONNECTION_STATUSES)[number];

/** Statuses that are transitions and may carry `remainingMs`. */
export const TRANSITION_STATUSES: ReadonlySet<ScenarioConnectionStatus> = new Set([
  'Connecting',
  'Pending',
  'Disconnecting',
  'Deleting',
]);

export interface ScenarioAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
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

/** A scenario that does not load. `errors` are `file:line:col: path: message` lines. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
  }
}

/** The emulator's defaults; a scenario's `settings:` block overrides single fields. */
export function defaultSettings(): EmulatorSettings {
  return {
    pendingStatus: 'Connecting',
    enableDelayMs: 2000,
    disableDelayMs: 1000,
    updateDelayMs: 500,
    deleteDelayMs: 1000,
    maxClockSkewMs: 900_000,
    allowSts: true,
    faults: { seed: 1, rules: [] },
  };
}

const DEFAULT_MIN_BANDWIDTH = 100;
const DEFAULT_MAX_BANDWIDTH = 10240;
const DEFAULT_CONNECT_BANDWIDTH = 3072;

type Path = Array<string | number>;
type Obj = Record<string, unknown>;

function pathText(path: Path): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s === '' ? '(top level)' : s;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects errors against paths; positions are added at the end from the YAML document. */
class Checker {
  readonly errors: Array<{ path: Path; message: string; atKey: boolean }> = [];

  /** Record an error; `atKey` points it at the key rather than its value (unknown keys). */
  fail(path: Path, message: string, atKey = false): void {
    this.errors.push({ path, message, atKey });
  }

  object(v: unknown, path: Path, keys: readonly string[]): Obj | undefined {
    if (!isObj(v)) {
      this.fail(path, 'must be a mapping');
      return undefined;
    }
    for (const k of Object.keys(v))
      if (!keys.includes(k)) this.fail([...path, k], `unknown key '${k}' (allowed: ${keys.join(', ')})`, true);
    return v;
  }

  list(v: unknown, path: Path): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(path, 'must be a list');
      return [];
    }
    return v;
  }

  string(o: Obj, key: string, path: Path, required: boolean, pattern?: RegExp, hint?: string): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.fail(path, `'${key}' is required`);
      return undefined;
    }
    if (typeof v !== 'string' || v === '') {
      this.fail([...path, key], typeof v === 'number' ? 'must be a string (quote it)' : 'must be a non-empty string');
      return undefined;
    }
    if (pattern && !pattern.test(v)) {
      this.fail([...path, key], `must look like ${hint ?? pattern.source}`);
      return undefined;
    }
    return v;
  }

  int(o: Obj, key: string, path: Path, min: number, max: number): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail([...path, key], `must be an integer between ${min} and ${max}`);
      return undefined;
    }
    return v;
  }

  share(o: Obj, key: string, path: Path): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || v < 0 || v > 1) {
      this.fail([...path, key], 'must be a number between 0 and 1');
      return undefined;
    }
    return v;
  }

  bool(o: Obj, key: string, path: Path): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.fail([...path, key], 'must be true or false');
      return undefined;
    }
    return v;
  }

  stringList(o: Obj, key: string, path: Path): string[] {
    const out: string[] = [];
    this.list(o[key], [...path, key]).forEach((v, i) => {
      if (typeof v === 'string' && v !== '') out.push(v);
      else
        this.fail(
          [...path, key, i],
          typeof v === 'number' ? 'must be a string (quote it)' : 'must be a non-empty string',
        );
    });
    return out;
  }
}

const MAX_MS = 7 * 24 * 3600 * 1000;

function checkSettings(c: Checker, v: unknown): Partial<EmulatorSettings> {
  const path: Path = ['settings'];
  const keys = [
    'pendingStatus',
    'enableDelayMs',
    'disableDelayMs',
    'updateDelayMs',
    'deleteDelayMs',
    'maxClockSkewMs',
    'allowSts',
    'faults',
  ] as const;
  const o = c.object(v, path, keys);
  if (!o) return {};
  const out: Partial<EmulatorSettings> = {};
  if (o.pendingStatus !== undefined) {
    if (o.pendingStatus === 'Connecting' || o.pendingStatus === 'Disconnected') out.pendingStatus = o.pendingStatus;
    else c.fail([...path, 'pendingStatus'], 'must be Connecting (2020-04-15 reference) or Disconnected (newer docs)');
  }
  for (const k of ['enableDelayMs', 'disableDelayMs', 'updateDelayMs', 'deleteDelayMs', 'maxClockSkewMs'] as const) {
    const n = c.int(o, k, path, 0, MAX_MS);
    if (n !== undefined) out[k] = n;
  }
  const sts = c.bool(o, 'allowSts', path);
  if (sts !== undefined) out.allowSts = sts;
  if (o.faults !== undefined) {
    const fp: Path = [...path, 'faults'];
    const f = c.object(o.faults, fp, ['seed', 'rules']);
    if (f) {
      const rules: FaultRule[] = [];
      c.list(f.rules, [...fp, 'rules']).forEach((r, i) => {
        const rp: Path = [...fp, 'rules', i];
        const ro = c.object(r, rp, [
          'actions',
          'latencyMs',
          'rateLimitPerSecond',
          'internalError',
          'serviceUnavailable',
          'badGateway',
          'hang',
          'drop',
        ]);
        if (!ro) return;
        const rule: FaultRule = {};
        if (ro.actions !== undefined) rule.actions = c.stringList(ro, 'actions', rp);
        const latency = c.int(ro, 'latencyMs', rp, 0, 600_000);
        if (latency !== undefined) rule.latencyMs = latency;
        const rate = c.int(ro, 'rateLimitPerSecond', rp, 1, 1_000_000);
        if (rate !== undefined) rule.rateLimitPerSecond = rate;
        for (const k of ['internalError', 'serviceUnavailable', 'badGateway', 'hang', 'drop'] as const) {
          const s = c.share(ro, k, rp);
          if (s !== undefined) rule[k] = s;
        }
        rules.push(rule);
      });
      out.faults = { seed: c.int(f, 'seed', fp, 0, 2 ** 31) ?? 1, rules };
    }
  }
  return out;
}

const ACCOUNT_ID = /^[1-9][0-9]{0,15}$/;

function checkAccounts(c: Checker, v: unknown): ScenarioAccount[] {
  const out: ScenarioAccount[] = [];
  const ids = new Set<string>();
  const names = new Set<string>();
  const keyIds = new Set<string>();
  c.list(v, ['accounts']).forEach((a, i) => {
    const p: Path = ['accounts', i];
    const o = c.object(a, p, ['id', 'name', 'accessKeys']);
    if (!o) return;
    const accountId = c.string(o, 'id', p, true, ACCOUNT_ID, 'a quoted string of up to 16 digits');
    const name = c.string(o, 'name', p, true);
    if (accountId !== undefined && ids.has(accountId)) c.fail([...p, 'id'], `duplicate account id ${accountId}`);
    if (name !== undefined && names.has(name)) c.fail([...p, 'name'], `duplicate account name ${name}`);
    const accessKeys: ScenarioAccessKey[] = [];
    c.list(o.accessKeys, [...p, 'accessKeys']).forEach((k, j) => {
      const kp: Path = [...p, 'accessKeys', j];
      const ko = c.object(k, kp, ['id', 'secret', 'securityToken']);
      if (!ko) return;
      const accessKeyId = c.string(ko, 'id', kp, true);
      const accessKeySecret = c.string(ko, 'secret', kp, true);
      const securityToken = c.string(ko, 'securityToken', kp, false);
      if (accessKeyId !== undefined && keyIds.has(accessKeyId))
        c.fail([...kp, 'id'], `duplicate AccessKey id ${accessKeyId}`);
      if (accessKeyId !== undefined) keyIds.add(accessKeyId);
      if (accessKeyId !== undefined && accessKeySecret !== undefined)
        accessKeys.push({ accessKeyId, accessKeySecret, ...(securityToken !== undefined ? { securityToken } : {}) });
    });
    if (accountId !== undefined && name !== undefined) {
      ids.add(accountId);
      names.add(name);
      out.push({ accountId, name, accessKeys });
    }
  });
  return out;
}

function resolveAccount(
  c: Checker,
  accounts: ScenarioAccount[],
  ref: string,
  path: Path,
  allowUnknownId: boolean,
): string | undefined {
  const byName = accounts.find((a) => a.name === ref);
  if (byName) return byName.accountId;
  const byId = accounts.find((a) => a.accountId === ref);
  if (byId) return byId.accountId;
  if (allowUnknownId && ACCOUNT_ID.test(ref)) return ref;
  c.fail(path, `unknown account '${ref}' (name or id of an entry in accounts)`);
  return undefined;
}

function checkRegion(c: Checker, o: Obj, path: Path, required: boolean): string | undefined {
  const r = c.string(o, 'region', path, required);
  if (r !== undefined && !findRegion(r)) {
    c.fail([...path, 'region'], `unknown region '${r}' (known: ${REGIONS.map((x) => x.regionId).join(', ')})`);
    return undefined;
  }
  return r;
}

const SERVICE_ID = /^epsrv-[a-z0-9]{4,40}$/;
const ENDPOINT_ID = /^ep-[a-z0-9]{4,40}$/;
const VPC_ID = /^vpc-[a-z0-9]{4,40}$/;

function checkServices(c: Checker, v: unknown, accounts: ScenarioAccount[]): ScenarioService[] {
  const out: ScenarioService[] = [];
  const ids = new Set<string>();
  c.list(v, ['services']).forEach((s, i) => {
    const p: Path = ['services', i];
    const o = c.object(s, p, [
      'id',
      'region',
      'owner',
      'name',
      'description',
      'tags',
      'autoAccept',
      'minBandwidth',
      'maxBandwidth',
      'connectBandwidth',
      'whitelist',
      'zones',
      'resources',
      'businessStatus',
    ]);
    if (!o) return;
    const regionId = checkRegion(c, o, p, true);
    const ownerRef = c.string(o, 'owner', p, true);
    const ownerId = ownerRef === undefined ? undefined : resolveAccount(c, accounts, ownerRef, [...p, 'owner'], false);
    const name = c.string(o, 'name', p, true);
    const explicitId = c.string(o, 'id', p, false, SERVICE_ID, 'epsrv- followed by lowercase letters and digits');
    const minBandwidth = c.int(o, 'minBandwidth', p, 1, 1_000_000) ?? DEFAULT_MIN_BANDWIDTH;
    const maxBandwidth = c.int(o, 'maxBandwidth', p, 1, 1_000_000) ?? DEFAULT_MAX_BANDWIDTH;
    const connectBandwidth =
      c.int(o, 'connectBandwidth', p, 1, 1_000_000) ??
      Math.min(Math.max(DEFAULT_CONNECT_BANDWIDTH, minBandwidth), maxBandwidth);
    if (minBandwidth > maxBandwidth) c.fail([...p, 'minBandwidth'], `must not exceed maxBandwidth (${maxBandwidth})`);
    else if (connectBandwidth < minBandwidth || connectBandwidth > maxBandwidth)
      c.fail(
        [...p, 'connectBandwidth'],
        `must lie between minBandwidth and maxBandwidth (${minBandwidth}..${maxBandwidth})`,
      );
    const tags: Record<string, string> = {};
    if (o.tags !== undefined && o.tags !== null) {
      if (!isObj(o.tags)) c.fail([...p, 'tags'], 'must be a mapping of tag keys to string values');
      else
        for (const [k, tv] of Object.entries(o.tags)) {
          if (typeof tv === 'string' || typeof tv === 'number' || typeof tv === 'boolean') tags[k] = String(tv);
          else c.fail([...p, 'tags', k], 'must be a string');
        }
    }
    const whitelist: string[] = [];
    c.stringList(o, 'whitelist', p).forEach((ref, j) => {
      const id = resolveAccount(c, accounts, ref, [...p, 'whitelist', j], true);
      if (id !== undefined) whitelist.push(id);
    });
    const region = regionId === undefined ? undefined : findRegion(regionId);
    const zones = c.stringList(o, 'zones', p);
    zones.forEach((z, j) => {
      if (region && !region.zones.some((x) => x.zoneId === z))
        c.fail(
          [...p, 'zones', j],
          `unknown zone '${z}' in ${region.regionId} (known: ${region.zones.map((x) => x.zoneId).join(', ')})`,
        );
    });
    if (zones.length === 0 && region) zones.push(...region.zones.slice(0, 2).map((z) => z.zoneId));
    const resources: ScenarioResource[] = [];
    c.list(o.resources, [...p, 'resources']).forEach((r, j) => {
      const rp: Path = [...p, 'resources', j];
      const ro = c.object(r, rp, ['id', 'type', 'zone']);
      if (!ro) return;
      const resourceId = c.string(ro, 'id', rp, true);
      const resourceType = c.string(ro, 'type', rp, false, /^(slb|alb|nlb)$/, 'slb, alb or nlb') ?? 'slb';
      const zoneId = c.string(ro, 'zone', rp, false) ?? zones[0] ?? '';
      if (resourceId !== undefined) resources.push({ resourceId, resourceType, zoneId });
    });
    const businessStatus =
      c.string(
        o,
        'businessStatus',
        p,
        false,
        /^(Normal|FinancialLocked|SecurityLocked)$/,
        'Normal, FinancialLocked or SecurityLocked',
      ) ?? 'Normal';
    const autoAcceptEnabled = c.bool(o, 'autoAccept', p) ?? false;
    const description = typeof o.description === 'string' ? o.description : '';
    if (regionId === undefined || ownerId === undefined || name === undefined) return;
    const serviceId = explicitId ?? derivedId('epsrv', regionId, `${ownerId}/${name}/${i}`);
    if (ids.has(serviceId)) c.fail([...p, 'id'], `duplicate service id ${serviceId}`);
    ids.add(serviceId);
    out.push({
      serviceId,
      regionId,
      ownerId,
      name,
      description,
      tags,
      autoAcceptEnabled,
      minBandwidth,
      maxBandwidth,
      connectBandwidth,
      whitelist,
      zones,
      resources,
      businessStatus,
    });
  });
  return out;
}

function checkEndpoints(
  c: Checker,
  v: unknown,
  accounts: ScenarioAccount[],
  services: ScenarioService[],
  settings: EmulatorSettings,
): ScenarioEndpoint[] {
  const out: ScenarioEndpoint[] = [];
  const ids = new Set<string>();
  c.list(v, ['endpoints']).forEach((e, i) => {
    const p: Path = ['endpoints', i];
    const o = c.object(e, p, [
      'id',
      'region',
      'owner',
      'service',
      'vpc',
      'name',
      'description',
      'zones',
      'securityGroups',
      'businessStatus',
      'connection',
    ]);
    if (!o) return;
    const explicitRegion = checkRegion(c, o, p, false);
    const ownerRef = c.string(o, 'owner', p, true);
    const ownerId = ownerRef === undefined ? undefined : resolveAccount(c, accounts, ownerRef, [...p, 'owner'], false);
    const serviceRef = c.string(o, 'service', p, true);
    const explicitId = c.string(o, 'id', p, false, ENDPOINT_ID, 'ep- followed by lowercase letters and digits');
    const explicitVpc = c.string(o, 'vpc', p, false, VPC_ID, 'vpc- followed by lowercase letters and digits');
    const cp: Path = [...p, 'connection'];
    const co = c.object(o.connection ?? {}, cp, ['status', 'bandwidth', 'remainingMs']);
    let status: ScenarioConnectionStatus | undefined = 'Awaiting';
    let bandwidth: number | undefined;
    let remainingMs: number | undefined;
    if (co) {
      if (co.status !== undefined) {
        status = SCENARIO_CONNECTION_STATUSES.find((s) => s === co.status);
        if (!status) c.fail([...cp, 'status'], `must be one of ${SCENARIO_CONNECTION_STATUSES.join(', ')}`);
      }
      bandwidth = c.int(co, 'bandwidth', cp, 1, 1_000_000);
      remainingMs = c.int(co, 'remainingMs', cp, 0, MAX_MS);
      if (remainingMs !== undefined && status && !TRANSITION_STATUSES.has(status))
        c.fail([...cp, 'remainingMs'], `only applies to a transition (${[...TRANSITION_STATUSES].join(', ')})`);
    }
    // The service: by id, else by name (in the endpoint's region when it names one).
    let service: ScenarioService | undefined;
    if (serviceRef !== undefined) {
      service = services.find((s) => s.serviceId === serviceRef);
      if (!service) {
        const byName = services.filter(
          (s) => s.name === serviceRef && (explicitRegion === undefined || s.regionId === explicitRegion),
        );
        if (byName.length > 1)
          c.fail([...p, 'service'], `service name '${serviceRef}' is ambiguous: give the region or the service id`);
        service = byName.length === 1 ? byName[0] : undefined;
      }
      if (!service && !(status === 'ServiceDeleted' && SERVICE_ID.test(serviceRef) && explicitRegion !== undefined)) {
        c.fail(
          [...p, 'service'],
          status === 'ServiceDeleted'
            ? 'a ServiceDeleted endpoint names the deleted service by its id and needs a region'
            : `unknown service '${serviceRef}'`,
        );
        return;
      }
      if (service && status === 'ServiceDeleted')
        c.fail([...cp, 'status'], 'ServiceDeleted needs a service id that is not in services');
    }
    const regionId = explicitRegion ?? service?.regionId;
    if (service && explicitRegion !== undefined && explicitRegion !== service.regionId)
      c.fail(
        [...p, 'region'],
        `must be the service's region (${service.regionId}): PrivateLink connects within one region`,
      );
    if (
      service &&
      status &&
      status !== 'Awaiting' &&
      status !== 'ServiceDeleted' &&
      bandwidth !== undefined &&
      (bandwidth < service.minBandwidth || bandwidth > service.maxBandwidth)
    ) {
      c.fail(
        [...cp, 'bandwidth'],
        `must lie within the service's bandwidth range ${service.minBandwidth}..${service.maxBandwidth}`,
      );
    }
    const zones: Array<{ zoneId: string; vSwitchId: string }> = [];
    c.list(o.zones, [...p, 'zones']).forEach((z, j) => {
      const zp: Path = [...p, 'zones', j];
      if (typeof z === 'string') {
        zones.push({ zoneId: z, vSwitchId: '' });
        return;
      }
      const zo = c.object(z, zp, ['zone', 'vSwitch']);
      if (!zo) return;
      const zoneId = c.string(zo, 'zone', zp, true);
      const vSwitchId =
        c.string(zo, 'vSwitch', zp, false, /^vsw-[a-z0-9]+$/, 'vsw- followed by lowercase letters and digits') ?? '';
      if (zoneId !== undefined) zones.push({ zoneId, vSwitchId });
    });
    zones.forEach((z, j) => {
      if (service && !service.zones.includes(z.zoneId))
        c.fail(
          [...p, 'zones', j],
          `zone '${z.zoneId}' is not one of the service's zones (${service.zones.join(', ')})`,
        );
    });
    const securityGroupIds = c.stringList(o, 'securityGroups', p);
    const businessStatus =
      c.string(
        o,
        'businessStatus',
        p,
        false,
        /^(Normal|FinancialLocked|SecurityLocked)$/,
        'Normal, FinancialLocked or SecurityLocked',
      ) ?? 'Normal';
    if (regionId === undefined || ownerId === undefined || !status || serviceRef === undefined) return;
    const serviceId = service?.serviceId ?? serviceRef;
    if (
      service &&
      service.whitelist.length > 0 &&
      ownerId !== service.ownerId &&
      !service.whitelist.includes(ownerId)
    ) {
      c.fail([...p, 'owner'], `account ${ownerId} is not on the whitelist of ${serviceId}`);
    }
    const endpointId = explicitId ?? derivedId('ep', regionId, `${ownerId}/${serviceId}/${i}`);
    if (ids.has(endpointId)) c.fail([...p, 'id'], `duplicate endpoint id ${endpointId}`);
    ids.add(endpointId);
    const vpcId = explicitVpc ?? derivedId('vpc', regionId, `${ownerId}/${i}`);
    if (zones.length === 0 && service?.zones[0]) zones.push({ zoneId: service.zones[0], vSwitchId: '' });
    for (const [j, z] of zones.entries())
      if (z.vSwitchId === '') z.vSwitchId = derivedId('vsw', regionId, `${vpcId}/${z.zoneId}/${j}`);
    if (securityGroupIds.length === 0) securityGroupIds.push(derivedId('sg', regionId, vpcId));
    const defaultBandwidth = service?.connectBandwidth ?? DEFAULT_CONNECT_BANDWIDTH;
    const defaultRemaining = {
      Connecting: settings.enableDelayMs,
      Pending: settings.updateDelayMs,
      Disconnecting: settings.disableDelayMs,
      Deleting: settings.deleteDelayMs,
    } as Partial<Record<ScenarioConnectionStatus, number>>;
    out.push({
      endpointId,
      regionId,
      ownerId,
      serviceId,
      vpcId,
      name: typeof o.name === 'string' ? o.name : '',
      description: typeof o.description === 'string' ? o.description : '',
      zones,
      securityGroupIds,
      businessStatus,
      connection: {
        status,
        bandwidth: bandwidth ?? defaultBandwidth,
        ...(TRANSITION_STATUSES.has(status) ? { remainingMs: remainingMs ?? defaultRemaining[status] ?? 0 } : {}),
      },
    });
  });
  return out;
}

/**
 * The node at `path`, or the deepest existing ancestor (a missing key is reported at its parent). The
 * key rather than the value when `atKey` is set or the value is a collection (its start is the next line).
 */
function nodeAt(doc: Document, path: Path, atKey: boolean): YamlNode | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (node && (isMap(node) || isSeq(node) || isScalar(node))) {
      if (n > 0 && n === path.length && (atKey || !isScalar(node))) {
        const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === path[n - 1]);
          if (pair && isScalar(pair.key)) return pair.key;
        }
      }
      return node as YamlNode;
    }
  }
  return undefined;
}

/**
 * Parse and validate a scenario file's text. Errors carry positions (`file:line:col: path: message`);
 * every problem is reported, not only the first.
 * @throws ScenarioError when the YAML is malformed or does not describe a valid scenario.
 */
export function parseScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number | undefined): string => {
    if (offset === undefined) return `${file}:1:1`;
    const lp = lineCounter.linePos(offset);
    return `${file}:${lp.line}:${lp.col}`;
  };
  if (doc.errors.length > 0) {
    throw new ScenarioError(doc.errors.map((e) => `${pos(e.pos[0])}: ${e.message.split('\n')[0] ?? e.message}`));
  }
  const data: unknown = doc.toJS() ?? {};
  const c = new Checker();
  const top = c.object(data, [], ['settings', 'accounts', 'services', 'endpoints']) ?? {};
  const overrides = top.settings === undefined || top.settings === null ? {} : checkSettings(c, top.settings);
  const accounts = checkAccounts(c, top.accounts);
  const services = checkServices(c, top.services, accounts);
  const endpoints = checkEndpoints(c, top.endpoints, accounts, services, { ...defaultSettings(), ...overrides });
  if (c.errors.length > 0) {
    throw new ScenarioError(
      c.errors.map((e) => `${pos(nodeAt(doc, e.path, e.atKey)?.range?.[0])}: ${pathText(e.path)}: ${e.message}`),
    );
  }
  return { settings: overrides, accounts, services, endpoints };
}

/**
 * Read and parse a scenario file.
 * @throws ScenarioError (also when the file cannot be read: `file: cannot read: reason`).
 */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String((err as NodeJS.ErrnoException).code) : String(err);
    throw new ScenarioError([`${path}: cannot read: ${reason}`]);
  }
  return parseScenario(text, path);
}

/** Where the built-in scenarios live (emulator/scenarios, beside this folder). */
export const SCENARIOS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

/** The demo fleet of the project's docs (emulator/scenarios/demo.yaml): the emulator's default. */
export function demoScenario(): Scenario {
  return loadScenarioFile(join(SCENARIOS_DIR, 'demo.yaml'));
}
