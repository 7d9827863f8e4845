/**
 * Contracts between the emulator's parts: the HTTP/protocol layer (server, signature, faults, control
 * path) and the model (state, actions, lifecycle, scenarios). The protocol layer authenticates a
 * request and hands the model a plain parameter map; the model changes state and returns the response
 * body, or throws EmulatorApiError.
 */

/** An AccessKey pair and the account it belongs to. An STS key also carries the token it must be sent with. */
export interface AccessKeyRecord {
  accessKeyId: string;
  accessKeySecret: string;
  /** Set for STS-style keys: requests must carry SecurityToken equal to it. */
  securityToken?: string | undefined;
  /** A disabled key: every request with it answers `InvalidAccessKeyId.Inactive`. */
  inactive?: boolean | undefined;
  accountId: string;
}

/** An account as printed on start-up and returned by the control path. */
export interface AccountInfo {
  /** 16-digit string. */
  accountId: string;
  name: string;
  accessKeys: AccessKeyRecord[];
}

/** An API error as the emulator answers it: `{RequestId, HostId, Code, Message, Recommend}` with this HTTP status. */
export class EmulatorApiError extends Error {
  override readonly name = 'EmulatorApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number = 400,
  ) {
    super(message);
  }
}

/** Who is calling, as established by the protocol layer after the signature check. */
export interface ActionContext {
  accountId: string;
  accessKeyId: string;
  requestId: string;
  /** The emulator clock's now, ms since the epoch. */
  now: number;
}

/** A controllable clock: asynchronous transitions (Enable, Disable, deletes) complete by this clock. */
export interface EmulatorClock {
  now(): number;
  /** Move the clock forward (also while paused). */
  advance(ms: number): void;
  /** Freeze time: transitions in progress stay in progress until advanced or resumed. */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
}

/** Per-action fault injection, deterministic from `FaultSettings.seed`. Shares are 0..1. */
export interface FaultRule {
  /** Actions the rule applies to; omitted = every action. */
  actions?: string[] | undefined;
  /** Added latency per request, ms. */
  latencyMs?: number | undefined;
  /** Requests per second allowed per AccessKey before `Throttling.User` (400). */
  rateLimitPerSecond?: number | undefined;
  /** Share answered `InternalError` 500. */
  internalError?: number | undefined;
  /** Share answered `ServiceUnavailable` 503. */
  serviceUnavailable?: number | undefined;
  /** Share answered 502 with an HTML body. */
  badGateway?: number | undefined;
  /** Share that never answers (until the client gives up or the server closes). */
  hang?: number | undefined;
  /** Share whose socket is destroyed without an answer. */
  drop?: number | undefined;
  /** Shares of malformed and hostile answers, by kind (emulator/README.md, "Hostile answers"). */
  answers?: Partial<Record<AnswerFault, number>> | undefined;
  /** Size of the `hugeBody` answer, bytes (default 64 MiB); streamed, never held in memory. */
  hugeBodyBytes?: number | undefined;
  /** Connections in the `hugePage` answer (default 10,000). */
  hugePageConnections?: number | undefined;
  /** What the `credentialsIn*` answers echo (default all three). */
  echo?: Array<'accessKeySecret' | 'securityToken' | 'signature'> | undefined;
}

/**
 * Malformed and hostile answers (emulator/README.md, "Hostile answers"). The first eight change one
 * connection item of a list; the next six the list or the paging; the last three echo the request's
 * credentials into an error answer.
 */
export const ANSWER_FAULTS = [
  'ownerIdMissing',
  'ownerIdNull',
  'ownerIdObject',
  'ownerIdFraction',
  'endpointIdMissing',
  'bandwidthHuge',
  'statusUnknown',
  'modifiedTimeBad',
  'listMissing',
  'listNotArray',
  'listNonObjects',
  'malformedPage',
  'endlessPaging',
  'cyclingPaging',
  'hugeBody',
  'hugePage',
  'credentialsInCode',
  'credentialsInRequestId',
  'credentialsInMessage',
] as const;
export type AnswerFault = (typeof ANSWER_FAULTS)[number];

export interface FaultSettings {
  seed: number;
  rules: FaultRule[];
}

/** Emulator behaviour switches (scenario `settings:` block; changeable through the control path). */
export interface EmulatorSettings {
  /** How a connection awaiting acceptance is shown: `Connecting` (2020-04-15 reference) or `Disconnected` (newer docs). */
  pendingStatus: 'Connecting' | 'Disconnected';
  /** How long Enable keeps a connection in transition before it is Connected, ms. */
  enableDelayMs: number;
  /** How long Disable keeps a connection Disconnecting, ms. */
  disableDelayMs: number;
  /** How long an UpdateVpcEndpointConnectionAttribute keeps a connection `Pending`, ms. */
  updateDelayMs: number;
  /** How long deletes (endpoint, service) take before the resources disappear, ms. */
  deleteDelayMs: number;
  /** How long creates take (CreateVpcEndpointService, CreateVpcEndpoint, AddZoneToVpcEndpoint): the
   *  resource shows `Creating` until then (a zone: `Creating` before `Wait`), ms. */
  createDelayMs: number;
  /**
   * The reading of "does not support concurrent calls from the same account" for connection writes:
   * `request` (two writes may not overlap in time) or `task` (also while any connection task the account
   * started is still running). See emulator/README.md ("Write lock").
   */
  writeLock: 'request' | 'task';
  /** What the write lock covers: the whole provider account, or the account within one region. */
  writeLockScope: 'account' | 'region';
  /** Accepted clock skew of the Timestamp parameter, ms (real API: 15 minutes). */
  maxClockSkewMs: number;
  /** Accept STS keys (records with a securityToken). */
  allowSts: boolean;
  faults: FaultSettings;
}

/**
 * An account ID that the API types as Long. The real API writes it as a bare JSON number of 16 digits
 * (which is why stock pop-core, through json-bigint, hands it over as BigNumber); a JS number would lose digits above 2^53, so the
 * model returns this wrapper and `encodeJson` writes its digits verbatim as a number.
 */
export class LongId {
  /** What JSON.stringify writes: the number itself when it prints back as exactly these digits (every
   *  ID up to 2^53, so the account IDs of every fleet: nothing to rewrite afterwards), else a marked
   *  string that `encodeJson` unquotes. */
  private readonly json: number | string;

  constructor(readonly digits: string) {
    const n = Number(digits);
    this.json = String(n) === digits ? n : `${LONG_MARK}${digits}`;
  }
  toString(): string {
    return this.digits;
  }
  toJSON(): number | string {
    if (typeof this.json === 'string') marked = true;
    return this.json;
  }
}

const LONG_MARK = '\u0000long:';
const LONG_MARK_JSON = JSON.stringify(LONG_MARK).slice(1, -1);
const LONG_PATTERN = new RegExp(`"${LONG_MARK_JSON.replace(/\\/g, '\\\\')}(-?\\d[\\d.eE+-]*)"`, 'g');
/** Set when a LongId wrote its marked string during the current `encodeJson`. */
let marked = false;

/** A JSON number written exactly as `text` (e.g. `1e308`, `2000000000000002.9`): for hostile answers. */
export function rawJsonNumber(text: string): LongId {
  if (!/^-?\d[\d.eE+-]*$/.test(text)) throw new RangeError(`not a JSON number: ${text}`);
  return new LongId(text);
}

/**
 * JSON.stringify, with every LongId written as a bare number of exactly its digits (or number text).
 * IDs that JSON.stringify prints exactly are numbers already; only a marked LongId (a hostile answer's
 * `1e308`, an ID beyond 2^53) costs a pass over the text, and only marked LongIds are unquoted.
 */
export function encodeJson(value: unknown): string {
  marked = false;
  const text = JSON.stringify(value);
  if (!marked) return text;
  marked = false;
  return text.replace(LONG_PATTERN, '$1');
}
