/**
 * The JSON Schema of a scenario file's structure (emulator/README.md, "Scenario files"): every key, type,
 * pattern, bound and enum. What needs more than one value to check (references between entries, ranges
 * relative to other fields, duplicates) is checked afterwards in scenario.ts. `x-message` says, for a
 * value of the wrong type, pattern, enum or bounds, what it must be (`{value}` is the value found).
 */
import { ANSWER_FAULTS } from '../types.ts';
import { REGIONS } from './regions.ts';

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

const MAX_MS = 7 * 24 * 3600 * 1000;

const text = { type: 'string', minLength: 1 } as const;
const ms = { type: 'integer', minimum: 0, maximum: MAX_MS } as const;
const share = { type: 'number', minimum: 0, maximum: 1, 'x-message': 'must be a number between 0 and 1' } as const;
const bandwidth = { type: 'integer', minimum: 1, maximum: 1_000_000 } as const;
const stringList = { type: 'array', items: text } as const;
const businessStatus = {
  enum: ['Normal', 'FinancialLocked', 'SecurityLocked'],
  'x-message': 'must be Normal, FinancialLocked or SecurityLocked',
} as const;

/** An ID of a kind: its prefix, then lowercase letters and digits. */
function idOf(prefix: string, min = 4): Record<string, unknown> {
  return {
    type: 'string',
    pattern: `^${prefix}-[a-z0-9]{${min},40}$`,
    'x-message': `must look like ${prefix}- followed by lowercase letters and digits`,
  };
}

/** A rule of `settings.faults.rules`: which actions, and what they meet (README "Faults"). */
const faultRule = {
  type: 'object',
  additionalProperties: false,
  properties: {
    actions: stringList,
    latencyMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    rateLimitPerSecond: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    internalError: share,
    serviceUnavailable: share,
    badGateway: share,
    hang: share,
    drop: share,
    answers: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(ANSWER_FAULTS.map((k) => [k, share])),
    },
    hugeBodyBytes: { type: 'integer', minimum: 1, maximum: 2 ** 40 },
    hugePageConnections: { type: 'integer', minimum: 1, maximum: 10_000_000 },
    echo: { type: 'array', items: { enum: ['accessKeySecret', 'securityToken', 'signature'] } },
  },
} as const;

const settings = {
  type: 'object',
  additionalProperties: false,
  properties: {
    pendingStatus: {
      enum: ['Connecting', 'Disconnected'],
      'x-message': 'must be Connecting (2020-04-15 reference) or Disconnected (newer docs)',
    },
    enableDelayMs: ms,
    disableDelayMs: ms,
    updateDelayMs: ms,
    deleteDelayMs: ms,
    createDelayMs: ms,
    maxClockSkewMs: ms,
    writeLock: { enum: ['request', 'task'], 'x-message': 'must be request or task (README "Write lock")' },
    writeLockScope: { enum: ['account', 'region'], 'x-message': 'must be account or region' },
    allowSts: { type: 'boolean' },
    faults: {
      type: 'object',
      additionalProperties: false,
      properties: {
        seed: { type: 'integer', minimum: 0, maximum: 2 ** 31 },
        rules: { type: 'array', items: faultRule },
      },
    },
  },
} as const;

const account = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id: {
      type: 'string',
      pattern: '^[1-9][0-9]{0,15}$',
      'x-message': 'must look like a quoted string of up to 16 digits',
    },
    name: text,
    accessKeys: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'secret'],
        properties: { id: text, secret: text, securityToken: text, inactive: { type: 'boolean' } },
      },
    },
  },
} as const;

const region = {
  type: 'string',
  enum: REGIONS.map((r) => r.regionId),
  'x-message': `unknown region '{value}' (known: ${REGIONS.map((r) => r.regionId).join(', ')})`,
} as const;

const service = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'owner', 'name'],
  properties: {
    id: idOf('epsrv'),
    region,
    owner: text,
    name: text,
    description: { type: 'string' },
    tags: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean'], 'x-message': 'must be a string' },
    },
    autoAccept: { type: 'boolean' },
    minBandwidth: bandwidth,
    maxBandwidth: bandwidth,
    connectBandwidth: bandwidth,
    whitelist: stringList,
    zones: stringList,
    resources: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: { id: text, type: { enum: ['slb', 'alb', 'nlb'] }, zone: text },
      },
    },
    businessStatus,
  },
} as const;

const endpointZone = {
  type: ['string', 'object'],
  'x-message': 'must be a zone id or a mapping { zone, vSwitch }',
  additionalProperties: false,
  required: ['zone'],
  properties: { zone: text, vSwitch: idOf('vsw', 1) },
} as const;

const endpoint = {
  type: 'object',
  additionalProperties: false,
  required: ['owner', 'service'],
  properties: {
    id: idOf('ep'),
    region,
    owner: text,
    service: text,
    vpc: idOf('vpc'),
    name: { type: 'string' },
    description: { type: 'string' },
    zones: { type: 'array', items: endpointZone },
    securityGroups: stringList,
    businessStatus,
    connection: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { enum: SCENARIO_CONNECTION_STATUSES },
        bandwidth,
        remainingMs: ms,
      },
    },
  },
} as const;

/** The whole file. */
export const SCENARIO_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    settings,
    accounts: { type: 'array', items: account },
    services: { type: 'array', items: service },
    endpoints: { type: 'array', items: endpoint },
  },
} as const;
