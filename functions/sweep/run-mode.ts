/**
 * The run mode, resolved once at the edge (the FC handler from its event, the CLI from its command and
 * flags) and the one place that says what a decision's outcome is under it. Pure.
 *
 * - `plan`: collect and decide; nothing is written (`planned`).
 * - `dry-run`: the same, recorded as what would have been written (`dry-run`).
 * - `enforce`: writes are made.
 */
import type { Decision } from '../engine/decision.ts';
import type { Outcome, RecordMode } from '../audit/audit-records.ts';

export type SweepMode = 'plan' | 'dry-run' | 'enforce';

/**
 * The mode a request gets under a policy: a dry-run policy can never be widened to `enforce` (a request
 * for `enforce` runs as `dry-run`); a request can always narrow (`plan`, `dry-run`).
 */
export function resolveRunMode(requested: SweepMode, policyMode: RecordMode): SweepMode {
  return requested === 'enforce' && policyMode === 'dry-run' ? 'dry-run' : requested;
}

/** The `mode` of a run's records: a plan says which mode an apply of the same policy would run in. */
export function recordMode(mode: SweepMode, policyMode: RecordMode): RecordMode {
  return mode === 'plan' ? policyMode : mode;
}

/** Whether a decision asks for a write (Enable, Disable or Update). */
export function isWrite(decision: Decision): boolean {
  return (
    decision.kind === 'accept' || decision.kind === 'reject' || decision.kind === 'revoke' || decision.kind === 'resize'
  );
}

/**
 * What becomes of a decision under a mode before any call: no record (a plain `skip`), an outcome that
 * needs no write (`blocked`, `held`, `flagged`, `planned`, `dry-run`), or `write` (enforce: the write is made).
 */
export function dispositionOf(decision: Decision, mode: SweepMode): Outcome | 'write' | undefined {
  if (decision.blocked !== undefined) return 'blocked';
  if (decision.kind === 'hold') return 'held';
  if (decision.kind === 'flag') return 'flagged';
  if (!isWrite(decision)) return undefined;
  if (mode === 'plan') return 'planned';
  if (mode === 'dry-run') return 'dry-run';
  return 'write';
}
