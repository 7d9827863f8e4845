/**
 * Reading decision records back from an export: JSON lines as the function printed them, or as an SLS
 * export wraps them. Lines that are not records (plain log lines, operational JSON logs, blank lines)
 * are skipped, not errors: an export of a logstore holds everything the function printed.
 */
import type { AuditRecord } from './audit-records.ts';
import { isAuditRecord } from './audit-records.ts';

/** Fields an SLS export (or a log shipper) may put the original line in. */
const WRAPPER_FIELDS = ['content', 'message', '__raw__', '__content__', 'log', 'msg', 'body'];

function unwrap(value: unknown, depth: number): AuditRecord | undefined {
  if (isAuditRecord(value)) return value;
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

/** The decision records in a text of lines, in order. A JSON array of exported log objects also works. */
export function readRecords(text: string): { records: AuditRecord[]; skipped: number } {
  const records: AuditRecord[] = [];
  let skipped = 0;
  const whole = parseJson(text.trim());
  if (Array.isArray(whole)) {
    for (const item of whole) {
      const r = unwrap(item, 0);
      if (r === undefined) skipped += 1;
      else records.push(r);
    }
    return { records, skipped };
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    // A line may carry a prefix (timestamp, request id) before the JSON object.
    const start = line.indexOf('{');
    const parsed = start === -1 ? undefined : parseJson(line.slice(start));
    const r = parsed === undefined ? undefined : unwrap(parsed, 0);
    if (r === undefined) skipped += 1;
    else records.push(r);
  }
  return { records, skipped };
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

/** Keeps the records that pass every given criterion. */
export function filterRecords(records: AuditRecord[], filter: RecordFilter): AuditRecord[] {
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
