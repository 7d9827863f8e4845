/**
 * Reading decision records back from an export: JSON lines as the function printed them, or as an SLS
 * export wraps them. Lines that are not records (plain log lines, operational JSON logs, blank lines)
 * are skipped, not errors: an export of a logstore holds everything the function printed.
 */
import type { AuditRecord, IntentRecord, SettledRecord } from './audit-records.ts';
import {
  DECISION_SCHEMA,
  INTENT_SCHEMA,
  OUTCOMES,
  SETTLED_SCHEMA,
  isAuditRecord,
  isIntentRecord,
  isSettledRecord,
} from './audit-records.ts';

/** Fields an SLS export (or a log shipper) may put the original line in. */
const WRAPPER_FIELDS = ['content', 'message', '__raw__', '__content__', 'log', 'msg', 'body'];

type Found = AuditRecord | IntentRecord | SettledRecord;

function unwrap(value: unknown, depth: number): Found | undefined {
  if (isAuditRecord(value) || isIntentRecord(value) || isSettledRecord(value)) return value;
  if (depth > 2 || typeof value !== 'object' || value === null) return undefined;
  for (const field of WRAPPER_FIELDS) {
    const inner = (value as Record<string, unknown>)[field];
    if (typeof inner === 'string') {
      const parsed = parseJson(inner.trim());
      const found = parsed === undefined ? undefined : unwrap(parsed, depth + 1);
      if (found !== undefined) return found;
    } else if (typeof inner === 'object' && inner !== null) {
      const found = unwrap(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function parseJson(text: string): unknown {
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A line that carries a decision record (or tries to) but cannot be used: where and why. */
export interface MalformedRecord {
  /** 1-based line number (item number for a JSON array export). */
  line: number;
  problem: string;
}

export interface ReadResult {
  records: AuditRecord[];
  /** Intent records (a write about to be sent); paired with records by `inDoubt`. */
  intents: IntentRecord[];
  /** Settled records (a later run saw the connection where a write in doubt would have put it). */
  settled: SettledRecord[];
  /** Lines that are not decision records (log lines, summaries, blank lines excluded). */
  skipped: number;
  malformed: MalformedRecord[];
}

const NULLABLE_STRINGS = [
  'decisionId',
  'serviceId',
  'endpointId',
  'ownerAccountId',
  'accountName',
  'vpcId',
  'statusBefore',
  'rule',
  'blockedBy',
  'errorCode',
  'errorMessage',
  'requestId',
] as const;

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Why a value with the decision schema is not a usable record (a missing or mistyped field the reader
 * relies on), or undefined. Fields beyond these are allowed: the schema grows by adding fields.
 */
export function recordProblem(value: Record<string, unknown>): string | undefined {
  for (const field of ['runId', 'time', 'mode', 'region', 'decision', 'reason', 'outcome'] as const) {
    if (typeof value[field] !== 'string') return `${field}: expected a string, got ${typeName(value[field])}`;
  }
  for (const field of NULLABLE_STRINGS) {
    const v = value[field];
    if (v !== null && typeof v !== 'string') return `${field}: expected a string or null, got ${typeName(v)}`;
  }
  for (const field of ['bandwidthBefore', 'bandwidthAfter'] as const) {
    const v = value[field];
    if (v !== null && typeof v !== 'number') return `${field}: expected a number or null, got ${typeName(v)}`;
  }
  if (typeof value['attempts'] !== 'number') return `attempts: expected a number, got ${typeName(value['attempts'])}`;
  const revision = value['policyRevision'];
  if (typeof revision !== 'object' || revision === null || typeof (revision as { hash?: unknown }).hash !== 'string')
    return 'policyRevision: expected an object with a string hash';
  const commit = (revision as { commit?: unknown }).commit;
  if (commit !== null && typeof commit !== 'string') return 'policyRevision.commit: expected a string or null';
  if (Number.isNaN(Date.parse(value['time'] as string))) return 'time: not a date/time';
  if (!(OUTCOMES as readonly string[]).includes(value['outcome'] as string)) return 'outcome: not a known outcome';
  return undefined;
}

/**
 * Why an intent record is not usable (the fields pairing and filtering rely on), or undefined. A
 * whitelist intent (`whitelist-add`/`whitelist-remove`) has no endpoint: its endpointId is null.
 */
function intentProblem(value: Record<string, unknown>): string | undefined {
  for (const field of ['decisionId', 'runId', 'time', 'region', 'serviceId', 'decision'] as const) {
    if (typeof value[field] !== 'string') return `${field}: expected a string, got ${typeName(value[field])}`;
  }
  const endpointId = value['endpointId'];
  const whitelist = (value['decision'] as string).startsWith('whitelist-');
  if (typeof endpointId !== 'string' && !(whitelist && endpointId === null))
    return `endpointId: expected a string${whitelist ? ' or null' : ''}, got ${typeName(endpointId)}`;
  const revision = value['policyRevision'];
  if (typeof revision !== 'object' || revision === null || typeof (revision as { hash?: unknown }).hash !== 'string')
    return 'policyRevision: expected an object with a string hash';
  return undefined;
}

/** Why a settled record is not usable (the fields `inDoubt` relies on), or undefined. */
function settledProblem(value: Record<string, unknown>): string | undefined {
  for (const field of ['runId', 'time'] as const) {
    if (typeof value[field] !== 'string') return `${field}: expected a string, got ${typeName(value[field])}`;
  }
  const settles = value['settles'];
  if (!Array.isArray(settles) || !settles.every((id) => typeof id === 'string'))
    return 'settles: expected an array of decision ids';
  return undefined;
}

type Item =
  { record: AuditRecord } | { intent: IntentRecord } | { settled: SettledRecord } | { problem: string } | undefined;

/** One line or array item: a usable record or intent, a malformed one (its problem), or neither. */
function readItem(parsed: unknown): Item {
  const found = unwrap(parsed, 0);
  if (found === undefined) return undefined;
  const fields = found as unknown as Record<string, unknown>;
  if (isIntentRecord(found)) {
    const problem = intentProblem(fields);
    return problem === undefined ? { intent: found } : { problem };
  }
  if (isSettledRecord(found)) {
    const problem = settledProblem(fields);
    return problem === undefined ? { settled: found } : { problem };
  }
  const problem = recordProblem(fields);
  return problem === undefined ? { record: found } : { problem };
}

/**
 * The decision records in a text of lines, in order; a JSON array of exported log objects also works.
 * A line that is not a record (plain text, an operational log, a run summary) is skipped; a line naming
 * the decision schema that does not parse, or a record with a missing or mistyped field, is malformed.
 */
export function readRecords(text: string): ReadResult {
  const result: ReadResult = { records: [], intents: [], settled: [], skipped: 0, malformed: [] };
  const add = (item: Item, line: number): void => {
    if (item === undefined) result.skipped += 1;
    else if ('record' in item) result.records.push(item.record);
    else if ('intent' in item) result.intents.push(item.intent);
    else if ('settled' in item) result.settled.push(item.settled);
    else result.malformed.push({ line, problem: item.problem });
  };
  const whole = parseJson(text.trim());
  if (Array.isArray(whole)) {
    whole.forEach((item, i) => add(readItem(item), i + 1));
    return result;
  }
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    // A line may carry a prefix (timestamp, request id) before the JSON object.
    const start = line.indexOf('{');
    if (start === -1) return add(undefined, i + 1);
    const parsed = parseJson(line.slice(start));
    if (parsed === undefined) {
      // Broken JSON that names the decision schema was meant as a record (a cut-off line); else it is noise.
      if ([DECISION_SCHEMA, INTENT_SCHEMA, SETTLED_SCHEMA].some((schema) => line.includes(schema)))
        result.malformed.push({ line: i + 1, problem: 'not valid JSON' });
      else result.skipped += 1;
      return;
    }
    add(readItem(parsed), i + 1);
  });
  return result;
}

export interface RecordFilter {
  /** Account ID or the account's name. */
  account?: string | undefined;
  service?: string | undefined;
  decision?: string | undefined;
  outcome?: string | undefined;
  /** Epoch ms, inclusive. */
  since?: number | undefined;
  /** Epoch ms, exclusive. */
  until?: number | undefined;
  /** A policy revision hash (a prefix is enough) or a commit (prefix). */
  revision?: string | undefined;
}

/** What a filter looks at: decision records have every field, intents all but the name and outcome. */
type Filterable = Pick<AuditRecord, 'serviceId' | 'decision' | 'time' | 'policyRevision'> & {
  ownerAccountId: string | null;
  accountName?: string | null;
  outcome?: string;
};

/** Keeps the records (or intents) that pass every given criterion. */
export function filterRecords<T extends Filterable>(records: T[], filter: RecordFilter): T[] {
  return records.filter((r) => {
    if (filter.account !== undefined && r.ownerAccountId !== filter.account && r.accountName !== filter.account)
      return false;
    if (filter.service !== undefined && r.serviceId !== filter.service) return false;
    if (filter.decision !== undefined && r.decision !== filter.decision) return false;
    if (filter.outcome !== undefined && r.outcome !== filter.outcome) return false;
    const time = Date.parse(r.time);
    if (filter.since !== undefined && !(time >= filter.since)) return false;
    if (filter.until !== undefined && !(time < filter.until)) return false;
    if (filter.revision !== undefined) {
      const rev = filter.revision;
      const hash = r.policyRevision.hash;
      const matches =
        hash === rev ||
        hash.startsWith(rev) ||
        hash.replace(/^sha256:/, '').startsWith(rev) ||
        (r.policyRevision.commit ?? '').startsWith(rev);
      if (!matches) return false;
    }
    return true;
  });
}

/**
 * Splits off the records that repeat an earlier `applied` record's `decisionId` and `requestId`: one API
 * answer seen twice, so one effect. That happens when two runs saw a connection in the same state (an
 * overlapping or retried run) and sent the same ClientToken: the API returns the first result, RequestId
 * included, without acting again. The earliest record (by `time`, then input order) is the one kept.
 * Records with the same `decisionId` but another `requestId` are separate requests and are all kept.
 */
export function foldReplays(records: AuditRecord[]): { records: AuditRecord[]; replays: AuditRecord[] } {
  const keyOf = (r: AuditRecord): string | undefined =>
    r.outcome === 'applied' && r.decisionId !== null && r.requestId !== null
      ? JSON.stringify([r.decisionId, r.requestId, r.endpointId, r.decision])
      : undefined;
  const first = new Map<string, { time: number; index: number }>();
  records.forEach((r, index) => {
    const key = keyOf(r);
    if (key === undefined) return;
    const time = Date.parse(r.time);
    const seen = first.get(key);
    if (seen === undefined || time < seen.time) first.set(key, { time, index });
  });
  const kept: AuditRecord[] = [];
  const replays: AuditRecord[] = [];
  records.forEach((r, index) => {
    const key = keyOf(r);
    if (key === undefined || first.get(key)?.index === index) kept.push(r);
    else replays.push(r);
  });
  return { records: kept, replays };
}

/**
 * A time bound: ISO 8601 (`2026-11-01`, `2026-11-01T08:00:00Z`) or relative to `now` (`30d`, `12h`,
 * `45m`, `2w`). Undefined when the text is neither.
 */
export function parseTimeBound(text: string, now: number): number | undefined {
  const relative = /^(\d+)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (relative !== null) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
      relative[2] as 's' | 'm' | 'h' | 'd' | 'w'
    ];
    return now - Number(relative[1]) * unit;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The writes in doubt: intents with no decision record of the same run and decision (the run was cut
 * off mid-write), and not settled since: no later settled record names their decisionId (a later run saw
 * the change made). docs/audit-records.md.
 */
export function inDoubt(
  intents: IntentRecord[],
  records: AuditRecord[],
  settled: SettledRecord[] = [],
): IntentRecord[] {
  const outcomes = new Set(records.map((r) => JSON.stringify([r.runId, r.decisionId])));
  const settledAt = new Map<string, number>();
  for (const s of settled) {
    const at = Date.parse(s.time);
    for (const id of s.settles) settledAt.set(id, Math.max(settledAt.get(id) ?? -Infinity, at));
  }
  return intents.filter(
    (i) =>
      !outcomes.has(JSON.stringify([i.runId, i.decisionId])) &&
      !((settledAt.get(i.decisionId) ?? -Infinity) > Date.parse(i.time)),
  );
}
