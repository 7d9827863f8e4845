/**
 * One sweep: collect -> decide -> apply -> record (README "How a sweep runs"). The one function behind
 * `plan`, `apply`, `start` and the Function Compute handler; `plan` is this function in mode `plan`.
 *
 * Cross-cutting concerns live beside it: retries, call counting, the deadline and the stop on refused
 * credentials in ./metered-api.ts; what a decision comes to under the run mode in ./run-mode.ts. Dry-run
 * is decided there and only there: the client never knows about it.
 */
import { randomUUID } from 'node:crypto';
import type { ApiError } from '../client/api-error.ts';
import type { PrivateLinkApi } from '../client/private-link-api.ts';
import { decide } from '../engine/decide.ts';
import type { Decision, Plan } from '../engine/decision.ts';
import type { Logger } from '../log/logger.ts';
import { serializeError, silentLogger } from '../log/logger.ts';
import type { Policy } from '../policy/policy.ts';
import type { AuditRecord, RecordContext, RunSummaryRecord, SweepRecord } from '../audit/audit-records.ts';
import {
  decisionRecord,
  emptyCounts,
  intentRecord,
  invalidItemRecord,
  serviceFailureRecord,
  settledRecord,
} from '../audit/audit-records.ts';
import { holdOwnersOfInvalid } from './invalid-items.ts';
import { applyPlan } from './apply.ts';
import { syncWhitelists } from './apply-whitelist.ts';
import { collect } from './collect.ts';
import type { Collected } from './collect.ts';
import { DEFAULT_RETRY, MeteredApi } from './metered-api.ts';
import type { RetrySettings } from './metered-api.ts';
import { recordMode, resolveRunMode } from './run-mode.ts';
import type { SweepMode } from './run-mode.ts';
import { sha256Hex } from './sha256.ts';
import { pageBounds } from './listing-bounds.ts';
import type { PageBounds } from './listing-bounds.ts';
import { summarise } from './summarise.ts';
import { PreparedWork } from './prepare.ts';
import { SweepAbortedError } from './sweep-aborted-error.ts';
import { requestsLister, requestsOnly } from './collect-requests.ts';
import type { SweepScope } from './collect-requests.ts';
import { timeToDecision, waitMsOf } from './wait-stats.ts';
import { DEFAULT_TIMEOUT_MS } from '../client/private-link-api.ts';

export type { RetrySettings } from './metered-api.ts';
export type { SweepMode } from './run-mode.ts';
export type { SweepScope } from './collect-requests.ts';

/** Progress of a long run, for a stderr progress line. */
export type ProgressEvent =
  | { phase: 'collect'; done: number; total: number }
  | { phase: 'apply'; done: number; total: number; decision: Decision };

export interface SweepOptions {
  policy: Policy;
  api: PrivateLinkApi & { stats?(): { calls: number } };
  /** `plan` writes nothing; `dry-run` records what would be written; `enforce` writes (never wider than the policy). */
  mode: SweepMode;
  /** Narrows the run to these service IDs (never widens). */
  services?: string[];
  /** Narrows the run to these regions (never widens). */
  regions?: string[];
  /**
   * Epoch ms: no new read or write starts when less than one call's timeout is left before it. Default:
   * {@link DEFAULT_RUN_MS} after the start (every run is bounded, plan included).
   */
  deadline?: number;
  /** Paging bounds (./listing-bounds.ts); the defaults derive from the page size and the ceilings. */
  pageBounds?: Partial<{ perListing: number; perRun: number }>;
  now?: () => number;
  runId?: string;
  /**
   * Receives each record as soon as it is known, the summary last. A write's intent record comes before
   * the write is sent, which waits for a returned promise (a file sink resolves it once the line is written).
   * A sink that throws or rejects stops the writes: that write and every later one are recorded `deferred`.
   */
  sink: (record: SweepRecord) => unknown;
  logger?: Logger;
  onProgress?: (event: ProgressEvent) => void;
  /** Reads in flight at once; default 8. */
  readConcurrency?: number;
  /** Page size of List* calls; default 50 (the reference's cap). Smaller only for comparisons. */
  pageSize?: number;
  /** The client's per-call timeout, ms: the margin kept before the deadline. Default: the client's one default. */
  callTimeoutMs?: number;
  /** Retry policy for reads and writes (exponential backoff with jitter). */
  retry?: Partial<RetrySettings>;
  /** The provider's own account ID: kept on every synced whitelist (./apply-whitelist.ts). */
  providerAccountId?: string | undefined;
  /** `requests`: only connections awaiting a decision (./collect-requests.ts); default `all`, the full sweep. */
  scope?: SweepScope;
  /** The FC handler's name, for the summary (docs/cadences.md). */
  handler?: string;
}

/** The deadline of a run that is given none: 15 minutes after it starts. */
export const DEFAULT_RUN_MS = 15 * 60_000;

export interface SweepResult {
  plan: Plan;
  records: AuditRecord[];
  summary: RunSummaryRecord;
}

/** Runs one sweep. Rejects with SweepAbortedError on a credentials/permission failure (after the summary is sunk). */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const run = startRun(options);
  const { policy } = options;
  const pageSize = options.pageSize ?? 50;
  const bounds = pageBounds(pageSize, options.pageBounds);
  run.logger.info('sweep started', {
    scope: run.scope,
    mode: run.context.mode,
    apply: run.mode !== 'plan',
    policyRevision: run.context.policyRevision,
  });
  // One decision time for the whole run, services decided as their listings arrive included (./prepare.ts).
  const decidedAt = run.now();
  const prepared = new PreparedWork({ policy, decidedAt, sha256: sha256Hex, settle: run.mode === 'enforce' });
  const collected = await collect({
    policy,
    api: run.api,
    services: options.services,
    regions: options.regions,
    pageSize,
    bounds,
    readConcurrency: options.readConcurrency ?? 8,
    logger: run.logger,
    onProgress: options.onProgress,
    listConnections: run.scope === 'requests' ? requestsLister({ policy, api: run.api, bounds, pageSize }) : undefined,
    onListed: (service, connections) => prepared.add(service, connections),
  });
  await prepared.ready();
  if (run.api.credentialsFailure !== undefined) return stop(run, undefined, collected, run.api.credentialsFailure);
  for (const failure of collected.failures) run.emit(serviceFailureRecord(failure, run.context, run.now()));
  for (const item of collected.invalid) run.emit(invalidItemRecord(item, run.context, run.now()));

  const all = decide(policy, collected.snapshot, decidedAt, prepared.services);
  const scoped = run.scope === 'requests' ? requestsOnly(all, policy.pendingStatus) : all;
  const decided = holdOwnersOfInvalid(scoped, collected.invalid);
  for (const d of decided.decisions) run.counts.byDecision[d.kind] += 1;
  logWarnings(run.logger, collected, decided);

  const stopped = await applyPlan(decided, {
    api: run.api,
    mode: run.mode,
    sha256: sha256Hex,
    idOf: (decision) => prepared.idOf(decision),
    now: run.now,
    sleep: options.retry?.sleep ?? realSleep,
    logger: run.logger,
    emit: (decision, detail) => {
      const record = decisionRecord(decision, run.context, detail);
      record.waitMs = waitMsOf(decision, detail.time, policy.pendingStatus);
      run.emit(record, decision);
    },
    intend: (decision, write) => run.intend(intentRecord(decision, run.context, write)),
    onProgress: options.onProgress,
  });
  if (stopped !== undefined) return stop(run, decided, collected, stopped);
  const plan = run.scope === 'all' ? await whitelistStep(run, options, collected, decided, bounds) : decided;
  if (run.api.credentialsFailure !== undefined) return stop(run, plan, collected, run.api.credentialsFailure);
  // From every listed connection's decision: the requests scope settles the connections it lists too.
  if (run.mode === 'enforce') emitSettlements(run, all, collected, prepared);

  return finish(run, plan, collected);
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    (typeof x === 'object' || typeof x === 'function') &&
    x !== null &&
    typeof (x as { then?: unknown }).then === 'function'
  );
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sinks the summary (last) and logs it; the run's result. */
async function finish(run: Run, plan: Plan, collected: Collected): Promise<SweepResult> {
  const summary = run.summary(plan, collected, null);
  await run.sink(summary);
  run.logger.info('sweep finished', {
    counts: summary.counts,
    apiCalls: summary.apiCalls,
    retries: summary.retries,
    durationMs: summary.durationMs,
    deadlineReached: summary.deadlineReached,
    servicesFailed: summary.servicesFailed.length,
  });
  return { plan, records: inPlanOrder(run, plan), summary };
}

/**
 * The records in the plan's order (service-level records first), whatever order the writes went in
 * (most urgent first: ../engine/write-order.ts); the sink saw them as they happened.
 */
function inPlanOrder(run: Run, plan: Plan): AuditRecord[] {
  const index = new Map(plan.decisions.map((d, i) => [d, i]));
  const at = run.records.map((_, i) => {
    const decision = run.decisionOf[i];
    return decision === undefined ? -1 : (index.get(decision) ?? -1);
  });
  if (at.every((a, i) => i === 0 || (at[i - 1] ?? -1) <= a)) return run.records;
  return run.records
    .map((r, i) => ({ r, i, at: at[i] ?? -1 }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map(({ r }) => r);
}

/** What one run shares between its steps: identity, the metered API, the records and their counts. */
interface Run {
  mode: SweepMode;
  scope: SweepScope;
  context: RecordContext;
  api: MeteredApi;
  now: () => number;
  logger: Logger;
  records: AuditRecord[];
  /** The decision of each record, by index in `records` (none for a service-level record). */
  decisionOf: (Decision | undefined)[];
  counts: RunSummaryRecord['counts'];
  emit: (record: AuditRecord, decision?: Decision) => void;
  summary: (plan: Plan | undefined, collected: Collected, aborted: RunSummaryRecord['aborted']) => RunSummaryRecord;
  /** Hands a record to the sink; never rejects (a failed sink is remembered: no write starts after it). */
  sink: (record: SweepRecord) => Promise<void>;
  /** Hands a write's intent record to the sink; rejects when it or any earlier record could not be written. */
  intend: (record: SweepRecord) => Promise<void>;
}

function startRun(options: SweepOptions): Run {
  const { policy } = options;
  const now = options.now ?? Date.now;
  const runId = options.runId ?? randomUUID();
  const startedAt = now();
  const mode = resolveRunMode(options.mode, policy.mode);
  const context: RecordContext = {
    runId,
    mode: recordMode(mode, policy.mode),
    policyRevision: { hash: policy.revision.hash, commit: policy.revision.commit ?? null },
  };
  const api = MeteredApi.wrap(options.api, {
    retry: { ...DEFAULT_RETRY, ...options.retry },
    now,
    deadline: options.deadline ?? startedAt + DEFAULT_RUN_MS,
    callTimeoutMs: options.callTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  const statsBefore = options.api.stats?.().calls;
  const records: AuditRecord[] = [];
  const decisionOf: (Decision | undefined)[] = [];
  const counts = emptyCounts();
  let sinkFailure: unknown;
  const failed = (error: unknown): void => void (sinkFailure ??= error);
  // A sink that returns no promise costs no promise (a sweep hands over one record per decision).
  const handOver = (record: SweepRecord): Promise<void> | undefined => {
    try {
      const result = options.sink(record);
      return isThenable(result) ? Promise.resolve(result).then(() => undefined, failed) : undefined;
    } catch (error) {
      failed(error);
      return undefined;
    }
  };
  const sink = (record: SweepRecord): Promise<void> => handOver(record) ?? Promise.resolve();
  return {
    mode,
    scope: options.scope ?? 'all',
    context,
    api,
    now,
    logger: (options.logger ?? silentLogger).child({ runId }),
    records,
    decisionOf,
    counts,
    sink,
    intend: async (record) => {
      if (sinkFailure === undefined) await sink(record);
      if (sinkFailure !== undefined) throw sinkFailure;
    },
    emit: (record, decision) => {
      records.push(record);
      decisionOf.push(decision);
      counts.byOutcome[record.outcome] += 1;
      void handOver(record);
    },
    summary: (plan, collected, aborted) => {
      const statsAfter = options.api.stats?.().calls;
      const own = api.stats();
      return summarise({
        runId,
        mode: context.mode,
        apply: mode !== 'plan',
        policyRevision: context.policyRevision,
        startedAt,
        end: now(),
        counts,
        collected,
        plan,
        apiCalls: statsBefore !== undefined && statsAfter !== undefined ? statsAfter - statsBefore : own.calls,
        retries: own.retries,
        deadlineReached: api.deadlineReached,
        aborted,
        scope: options.scope ?? 'all',
        handler: options.handler ?? null,
        timeToDecision: timeToDecision(records),
      });
    },
  };
}

/**
 * Keeps synced whitelists in step (./apply-whitelist.ts) within the run's paging budget; the plan gains
 * its changes and warnings. Full sweeps only: a requests-only run leaves whitelists to the next full one.
 */
async function whitelistStep(
  run: Run,
  options: SweepOptions,
  collected: Collected,
  plan: Plan,
  bounds: PageBounds,
): Promise<Plan> {
  const pageSize = options.pageSize ?? 50;
  const result = await syncWhitelists({
    policy: options.policy,
    api: run.api,
    mode: run.mode,
    services: collected.snapshot.services.map((s) => s.service),
    connections: plan.decisions,
    providerAccountId: options.providerAccountId,
    pageSize,
    bounds,
    readConcurrency: options.readConcurrency ?? 8,
    now: run.now,
    context: run.context,
    sha256: sha256Hex,
    logger: run.logger,
    emit: run.emit,
    intend: (record) => run.intend(record),
  });
  collected.failures.push(...result.failures);
  for (const w of result.plan.warnings) run.logger.warn(w.message, { code: w.code, region: w.regionId });
  return { ...plan, whitelist: result.plan.changes, warnings: [...plan.warnings, ...result.plan.warnings] };
}

/** Records the recent changes that settle earlier writes in doubt (./settled.ts). */
function emitSettlements(run: Run, plan: Plan, collected: Collected, prepared: PreparedWork): void {
  const listed = () => collected.snapshot.services.flatMap((s) => s.connections);
  for (const s of prepared.settlementsOf(plan, listed, run.now())) {
    void run.sink(settledRecord(s.decision, run.context, { ...s, time: run.now() }));
  }
}

/** Logs the collector's and the engine's warnings; AutoAcceptEnabled bypasses the policy, so at error level. */
function logWarnings(logger: Logger, collected: Collected, plan: Plan): void {
  const warnings = [
    ...collected.warnings,
    ...plan.warnings.map((w) => ({ region: w.regionId, serviceId: w.serviceId, code: w.code, message: w.message })),
  ];
  for (const w of warnings) {
    const level = w.code.startsWith('auto-accept') ? 'error' : 'warn';
    logger[level](w.message, { code: w.code, region: w.region, serviceId: w.serviceId });
  }
}

/** Credentials or a permission were refused: sink the summary, then reject (nothing more is written). */
function stop(run: Run, plan: Plan | undefined, collected: Collected, error: ApiError): never {
  const summary = run.summary(plan, collected, { errorCode: error.code, errorMessage: error.message });
  run.logger.error('run stopped: the credentials were refused or lack a permission; nothing more is written', {
    error: serializeError(error),
  });
  void run.sink(summary);
  const what = error.message.startsWith(error.code) ? error.message : `${error.code}: ${error.message}`;
  throw new SweepAbortedError(error.code, error.action === '' ? what : `${error.action}: ${what}`, summary, {
    cause: error,
  });
}
