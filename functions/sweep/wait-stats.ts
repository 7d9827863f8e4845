/**
 * Time to decision (docs/cadences.md): how long a request had waited when a run decided it, from the
 * connection's ModifiedTime as listed to the decision record's time, and the run's p50 and p95 of it.
 */
import type { AuditRecord, Outcome, RunSummaryRecord } from '../audit/audit-records.ts';
import type { Decision } from '../engine/decision.ts';
import type { PendingStatusReading } from '../policy/policy.ts';
import { isRequestDecision } from './collect-requests.ts';

/** The wait of a decision about a request at `time` (epoch ms); null for other connections or no ModifiedTime. */
export function waitMsOf(decision: Decision, time: number, reading: PendingStatusReading): number | null {
  if (!isRequestDecision(decision, reading)) return null;
  const since = Date.parse(decision.modifiedTime);
  return Number.isFinite(since) ? Math.max(0, time - since) : null;
}

/** The outcomes that end a request's wait (the write went through, or would have in a dry run / plan). */
const ENDS_THE_WAIT: ReadonlySet<Outcome> = new Set(['applied', 'already-applied', 'dry-run', 'planned']);

/** p50 and p95 (nearest rank) of the waits of the requests accepted or rejected in `records`. */
export function timeToDecision(records: readonly AuditRecord[]): RunSummaryRecord['timeToDecision'] {
  const waits = records
    .filter((r) => (r.decision === 'accept' || r.decision === 'reject') && ENDS_THE_WAIT.has(r.outcome))
    .flatMap((r) => (r.waitMs === null ? [] : [r.waitMs]))
    .sort((a, b) => a - b);
  return { decisions: waits.length, p50Ms: nearestRank(waits, 0.5), p95Ms: nearestRank(waits, 0.95) };
}

/** The nearest-rank percentile of sorted values; null for none. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}
