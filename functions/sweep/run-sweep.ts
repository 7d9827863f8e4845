/**
 * One sweep: collect -> decide -> apply -> record. The one function behind `plan`, `apply`, `start` and
 * the Function Compute handler; `plan` is this function with `apply: false`, nothing else differs.
 *
 * - Collect: list the governed services of each region, then every connection of each service (pages of
 *   50, the reference's MaxResults cap), reads concurrent within a bound. A service whose listing fails
 *   is "not collected": it gets no decisions at all (never decide on a partial view, never revoke on doubt).
 * - Decide: the pure engine, `decide(policy, snapshot, now)`.
 * - Apply: writes strictly one at a time (all writes of a run come from one provider account, and the API
 *   refuses concurrent connection writes within an account: ConcurrentCallNotSupported), each with a
 *   ClientToken derived from the decision's key and the connection's state as listed (`clientToken`), so
 *   that a retried or overlapping run that saw the same state has no second effect.
 * - Record: one audit record per decision that changes or holds something, one summary per run.
 *
 * Dry-run is decided here and only here: the client never knows about it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ApiError } from '../client/api-error.ts';
import type { Page, PrivateLinkApi } from '../client/private-link-api.ts';
import type { RetryStopReason } from '../client/retry.ts';
import { RetryError, withRetry } from '../client/retry.ts';
import type { EndpointConnection, EndpointService } from '../engine/resources.ts';
import { createLimiter } from './limiter.ts';
import type { Logger } from '../log/logger.ts';
import { serializeError, silentLogger } from '../log/logger.ts';
import { decide } from '../engine/decide.ts';
import { decisionKey } from '../engine/decision-id.ts';
import type { Decision, Plan, Snapshot } from '../engine/decision.ts';
import { matchServiceRule } from '../engine/match-service.ts';
import type { Policy, ServiceRule } from '../policy/policy.ts';
import type {
  AuditRecord,
  OutcomeDetail,
  RecordContext,
  RunMode,
  RunSummaryRecord,
  RunWarning,
  ServiceFailure,
} from '../audit/audit-records.ts';
import { RUN_SCHEMA, decisionRecord, emptyCounts, serviceFailureRecord } from '../audit/audit-records.ts';
import { SweepAbortedError, isCredentialsFailure } from './sweep-aborted-error.ts';

/** Progress of a long run, for a stderr progress line. */
export type ProgressEvent =
  | { phase: 'collect'; done: number; total: number }
  | { phase: 'apply'; done: number; total: number; decision: Decision };

export interface RetrySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected for tests; defaults to a real timer. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

export interface SweepOptions {
  policy: Policy;
  api: PrivateLinkApi & { stats?(): { calls: number } };
  /** False: plan only (collect + decide); nothing is written. */
  apply: boolean;
  /** Forces dry-run even when the policy says enforce; can never widen. */
  dryRun?: boolean;
  /** Narrows the run to these service IDs (never widens). */
  services?: string[];
  /** Narrows the run to these regions (never widens). */
  regions?: string[];
  /** Epoch ms: no new read or write starts when less than one call's timeout is left before it. */
  deadline?: number;
  now?: () => number;
  runId?: string;
  /** Receives each record as soon as its outcome is known, the summary last. */
  sink: (record: AuditRecord | RunSummaryRecord) => void;
  logger?: Logger;
  onProgress?: (event: ProgressEvent) => void;
  /** Reads in flight at once; default 8. */
  readConcurrency?: number;
  /** Page size of List* calls; default 50 (the reference's cap). Smaller only for comparisons. */
  pageSize?: number;
  /** The client's per-call timeout, ms: the margin kept before the deadline. Default 3000 (pop-core's). */
  callTimeoutMs?: number;
  /** Retry policy for reads and writes (exponential backoff with jitter). */
  retry?: Partial<RetrySettings>;
}

export interface SweepResult {
  plan: Plan;
  records: AuditRecord[];
  summary: RunSummaryRecord;
}

const DEFAULT_RETRY: RetrySettings = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5000 };

/**
 * Codes a write retries besides what the client marks retryable: the connection is in transition
 * (EndpointConnectionOperationDenied, EndpointLocked) or another write of the account is in flight
 * (ConcurrentCallNotSupported). Alibaba's Terraform provider retries the same set.
 */
const BUSY_CODES = new Set(['EndpointConnectionOperationDenied', 'EndpointLocked', 'ConcurrentCallNotSupported']);

/** Raised inside collect when the deadline leaves no room for another read. */
class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** Why the retries of the last call stopped, kept on the error so a deadline stop can be recorded as `deferred`. */
const stopReasons = new WeakMap<ApiError, RetryStopReason>();

function toApiError(error: unknown, action: string, reason?: RetryStopReason): ApiError {
  if (error instanceof ApiError) {
    if (reason !== undefined) stopReasons.set(error, reason);
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError({ code: 'Unexpected', message, action, cause: error });
}

/** Runs one sweep. Rejects with SweepAbortedError on a credentials/permission failure (after the summary is sunk). */
export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const { policy } = options;
  const now = options.now ?? Date.now;
  const runId = options.runId ?? randomUUID();
  const logger = (options.logger ?? silentLogger).child({ runId });
  const startedAt = now();
  const mode: RunMode = options.dryRun === true || policy.mode === 'dry-run' ? 'dry-run' : 'enforce';
  const context: RecordContext = {
    runId,
    mode,
    policyRevision: { hash: policy.revision.hash, commit: policy.revision.commit ?? null },
  };
  const pageSize = options.pageSize ?? 50;
  const margin = options.callTimeoutMs ?? 3000;
  const retrySettings: RetrySettings = { ...DEFAULT_RETRY, ...options.retry };
  const statsBefore = options.api.stats?.().calls;
  let ownCalls = 0;
  let retries = 0;
  let deadlineReached = false;
  const records: AuditRecord[] = [];
  const counts = emptyCounts();

  const emit = (record: AuditRecord): void => {
    records.push(record);
    counts.byOutcome[record.outcome] += 1;
    options.sink(record);
  };
  const timeLeft = (): boolean => {
    if (options.deadline === undefined) return true;
    if (now() + margin < options.deadline) return true;
    deadlineReached = true;
    return false;
  };
  /** One API call with retries; counts every attempt. */
  const call = async <T>(
    action: string,
    fn: () => Promise<T>,
    codes: RetryCodes,
    attempts?: { n: number },
  ): Promise<T> => {
    try {
      const result = await withRetry(
        async () => {
          ownCalls += 1;
          if (attempts !== undefined) attempts.n += 1;
          return await fn();
        },
        {
          maxAttempts: retrySettings.maxAttempts,
          baseDelayMs: retrySettings.baseDelayMs,
          maxDelayMs: retrySettings.maxDelayMs,
          ...(options.deadline === undefined ? {} : { deadline: options.deadline - margin }),
          now,
          ...(retrySettings.sleep === undefined ? {} : { sleep: retrySettings.sleep }),
          isRetryable: (error: unknown) => {
            if (!(error instanceof ApiError)) return false;
            if (isCredentialsFailure(error.code)) return false;
            if (codes.never.has(error.code)) return false;
            return error.retryable || codes.also.has(error.code);
          },
          onRetry: () => {
            retries += 1;
          },
        },
      );
      return result.value;
    } catch (error) {
      if (error instanceof RetryError) {
        if (error.reason === 'deadline') deadlineReached = true;
        throw toApiError(error.lastError, action, error.reason);
      }
      throw toApiError(error, action);
    }
  };

  const summarise = (
    plan: Plan | undefined,
    collected: Collected,
    aborted: RunSummaryRecord['aborted'],
  ): RunSummaryRecord => {
    const end = now();
    const statsAfter = options.api.stats?.().calls;
    return {
      schema: RUN_SCHEMA,
      runId,
      time: new Date(end).toISOString(),
      startedAt: new Date(startedAt).toISOString(),
      mode,
      apply: options.apply,
      policyRevision: context.policyRevision,
      regions: collected.regions,
      counts,
      servicesScanned: collected.snapshot.services.length,
      servicesFailed: collected.failures,
      connectionsSeen: collected.snapshot.services.reduce((n, s) => n + s.connections.length, 0),
      governedConnections: plan?.governedConnections ?? 0,
      apiCalls: statsBefore !== undefined && statsAfter !== undefined ? statsAfter - statsBefore : ownCalls,
      retries,
      durationMs: end - startedAt,
      deadlineReached,
      aborted,
      warnings: [
        ...collected.warnings,
        ...(plan?.warnings ?? []).map((w) => ({
          code: w.code,
          region: w.regionId,
          serviceId: w.serviceId ?? null,
          message: w.message,
        })),
      ],
    };
  };
  const abort = (error: ApiError, plan: Plan | undefined, collected: Collected): never => {
    const summary = summarise(plan, collected, { errorCode: error.code, errorMessage: error.message });
    logger.error('run stopped: the credentials were refused or lack a permission; nothing more is written', {
      error: serializeError(error),
    });
    options.sink(summary);
    const what = error.message.startsWith(error.code) ? error.message : `${error.code}: ${error.message}`;
    throw new SweepAbortedError(error.code, error.action === '' ? what : `${error.action}: ${what}`, summary, {
      cause: error,
    });
  };

  logger.info('sweep started', { mode, apply: options.apply, policyRevision: context.policyRevision });

  // ---- collect ----
  let collected: Collected;
  try {
    collected = await collect({ ...options, pageSize, logger, call, timeLeft });
  } catch (error) {
    if (error instanceof CollectAborted) return abort(error.error, undefined, error.partial);
    throw error;
  }
  for (const failure of collected.failures) emit(serviceFailureRecord(failure, context, now()));

  // ---- decide ----
  const plan = decide(policy, collected.snapshot, now());
  for (const d of plan.decisions) counts.byDecision[d.kind] += 1;
  const warnings = [
    ...collected.warnings,
    ...plan.warnings.map((w) => ({ region: w.regionId, serviceId: w.serviceId, code: w.code, message: w.message })),
  ];
  for (const w of warnings) {
    // A service with AutoAcceptEnabled bypasses the policy altogether: say so at error level.
    const level = w.code.startsWith('auto-accept') ? 'error' : 'warn';
    logger[level](w.message, { code: w.code, region: w.region, serviceId: w.serviceId });
  }

  // ---- apply + record ----
  const writes = plan.decisions.filter((d) => d.blocked === undefined && isWrite(d));
  const modifiedTimes = new Map<string, string>();
  for (const { connections } of collected.snapshot.services)
    for (const c of connections) modifiedTimes.set(connectionKey(c), c.modifiedTime);
  let writesDone = 0;
  let stopWrites = false;
  /** The outcome of a decision that is never written (blocked by a safety limit, or a hold), else undefined. */
  const withoutWrite = (decision: Decision, decisionId: string): OutcomeDetail | undefined => {
    if (decision.blocked !== undefined) return { decisionId, time: now(), outcome: 'blocked' };
    if (decision.kind === 'hold') return { decisionId, time: now(), outcome: 'held' };
    return undefined;
  };
  for (const [index, decision] of plan.decisions.entries()) {
    if (decision.kind === 'skip' && decision.blocked === undefined) continue;
    const decisionId = decisionKey(decision, policy.revision.hash);
    const base = { decisionId, time: now() };
    const noWrite = withoutWrite(decision, decisionId);
    if (noWrite !== undefined) {
      emit(decisionRecord(decision, context, noWrite));
      continue;
    }
    if (!isWrite(decision)) continue;
    if (!options.apply) {
      emit(decisionRecord(decision, context, { ...base, outcome: 'planned' }));
      continue;
    }
    if (mode === 'dry-run') {
      emit(decisionRecord(decision, context, { ...base, outcome: 'dry-run' }));
      continue;
    }
    if (stopWrites || !timeLeft()) {
      stopWrites = true;
      emit(decisionRecord(decision, context, { ...base, outcome: 'deferred' }));
      continue;
    }
    const listedModifiedTime = modifiedTimes.get(connectionKey(decision)) ?? '';
    const detail = await applyOne(decision, decisionId, listedModifiedTime, {
      api: options.api,
      call,
      timeLeft,
      now,
      logger,
    });
    if (detail.abort !== undefined) {
      emit(decisionRecord(decision, context, detail.detail));
      // Every later write would fail the same way: record them as deferred (holds and blocked decisions
      // as usual, so the trail is whole), then stop the run.
      for (const later of plan.decisions.slice(index + 1)) {
        const laterId = decisionKey(later, policy.revision.hash);
        const detail =
          withoutWrite(later, laterId) ??
          (isWrite(later) ? { decisionId: laterId, time: now(), outcome: 'deferred' as const } : undefined);
        if (detail !== undefined) emit(decisionRecord(later, context, detail));
      }
      return abort(detail.abort, plan, collected);
    }
    emit(decisionRecord(decision, context, detail.detail));
    writesDone += 1;
    options.onProgress?.({ phase: 'apply', done: writesDone, total: writes.length, decision });
  }

  const summary = summarise(plan, collected, null);
  options.sink(summary);
  logger.info('sweep finished', {
    counts: summary.counts,
    apiCalls: summary.apiCalls,
    retries: summary.retries,
    durationMs: summary.durationMs,
    deadlineReached: summary.deadlineReached,
    servicesFailed: summary.servicesFailed.length,
  });
  return { plan, records, summary };
}

function connectionKey(c: { regionId: string; serviceId: string; endpointId: string }): string {
  return `${c.regionId}\u0000${c.serviceId}\u0000${c.endpointId}`;
}

/**
 * The write's ClientToken: the decision's key and the connection's `ModifiedTime` as listed (SHA-256, 64
 * hex digits; the API allows 64 ASCII characters).
 *
 * - Two runs (or a retried invocation) that saw the connection in the same state send the same token:
 *   the API returns the first result and acts once.
 * - Once the connection has changed (our own write moves its ModifiedTime, and so does a person who
 *   disconnects, re-enables or resizes it by hand), the same decision gets a new token. With the
 *   decision key alone, a connection that a person disconnected after our accept would be "accepted"
 *   again by a replay of the first answer on every later run, with no effect at all, while its record
 *   said `applied`. A new token on a connection whose write is still in progress is refused by the API
 *   (EndpointConnectionOperationDenied), and the re-read records `already-applied`.
 */
export function clientToken(decisionId: string, modifiedTime: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['plk-token-v1', decisionId, modifiedTime]))
    .digest('hex');
}

function isWrite(decision: Decision): boolean {
  return (
    decision.kind === 'accept' || decision.kind === 'reject' || decision.kind === 'revoke' || decision.kind === 'resize'
  );
}

/** One API call with retries (see RetryCodes); counts every attempt in `attempts` when given. */
type CallFn = <T>(action: string, fn: () => Promise<T>, codes: RetryCodes, attempts?: { n: number }) => Promise<T>;

/** Which error codes a call retries besides the client's retryable ones (`also`), and which never (`never`). */
interface RetryCodes {
  also: ReadonlySet<string>;
  never: ReadonlySet<string>;
}

/** Reads: what the client marks retryable. */
const READ_RETRIES: RetryCodes = { also: new Set(), never: new Set() };
/** Writes: also while the connection or the account is busy. */
const WRITE_RETRIES: RetryCodes = { also: BUSY_CODES, never: new Set() };
/**
 * An accept of a connection listed `Connecting` that the API calls busy (EndpointConnectionOperationDenied)
 * is being connected already (under the 2020-04-15 reading an accept in progress looks like a request, and
 * the next run meets every accept the previous one started): waiting cannot change the answer, so the
 * write goes straight to the re-read, which records `already-applied`.
 */
const ACCEPT_CONNECTING_RETRIES: RetryCodes = {
  also: BUSY_CODES,
  never: new Set(['EndpointConnectionOperationDenied']),
};

interface Collected {
  snapshot: Snapshot;
  failures: ServiceFailure[];
  warnings: RunWarning[];
  regions: string[];
}

class CollectAborted extends Error {
  constructor(
    readonly error: ApiError,
    readonly partial: Collected,
  ) {
    super(error.message);
  }
}

interface CollectOptions extends SweepOptions {
  pageSize: number;
  logger: Logger;
  call: CallFn;
  timeLeft: () => boolean;
}

/**
 * Lists the governed services and their connections. Never throws for a single service's failure
 * (it becomes a ServiceFailure); throws CollectAborted on a credentials failure.
 */
async function collect(options: CollectOptions): Promise<Collected> {
  const { policy, api, call, pageSize, logger } = options;
  const limit = createLimiter(options.readConcurrency ?? 8);
  const regions = policy.regions.filter((r) => options.regions === undefined || options.regions.includes(r));
  const narrowIds = options.services === undefined ? undefined : new Set(options.services);
  const failures: ServiceFailure[] = [];
  const warnings: RunWarning[] = [];
  const services: { service: EndpointService; connections: EndpointConnection[] }[] = [];
  let credentialsFailure: ApiError | undefined;
  const partial = (): Collected => ({ snapshot: { services: [] }, failures, warnings, regions });

  const read = async <T>(action: string, fn: () => Promise<T>): Promise<T> =>
    limit(async () => {
      if (credentialsFailure !== undefined) throw credentialsFailure;
      if (!options.timeLeft()) throw new DeadlineError('the run deadline leaves no time for another read');
      return call(action, fn, READ_RETRIES);
    });
  const noteFailure = (region: string, serviceId: string | null, error: unknown): void => {
    if (error instanceof ApiError && isCredentialsFailure(error.code)) {
      credentialsFailure ??= error;
      return;
    }
    const code =
      error instanceof DeadlineError ? 'DeadlineReached' : error instanceof ApiError ? error.code : 'Unexpected';
    const message = error instanceof Error ? error.message : String(error);
    failures.push({ region, serviceId, errorCode: code, errorMessage: message });
    logger.warn('service not collected: it gets no decisions in this run', {
      region,
      serviceId,
      error: serializeError(error),
    });
  };

  // Services per region. When the run concerns exactly one known ID (one ID rule, or one --service),
  // a listing filtered by ServiceId is one call and never more than paging the region's whole listing;
  // for two or more IDs the whole listing (usually one page of 50) is no more calls than one per ID.
  const governed: { service: EndpointService; rule: ServiceRule }[] = [];
  await Promise.all(
    regions.map(async (region) => {
      const rules = policy.services.filter((r) => r.match.regionId === region);
      const idRules = rules.flatMap((r) => (r.match.kind === 'id' ? [r.match.serviceId] : []));
      const onlyIds = rules.every((r) => r.match.kind === 'id');
      // With only ID rules, a narrowed run needs just the IDs both name; with a selector any ID may match.
      const candidateIds =
        narrowIds !== undefined
          ? onlyIds
            ? idRules.filter((id) => narrowIds.has(id))
            : [...narrowIds]
          : onlyIds
            ? idRules
            : undefined;
      if (candidateIds !== undefined && candidateIds.length === 0) return;
      let listed: EndpointService[];
      try {
        if (candidateIds !== undefined && candidateIds.length <= 1) {
          const pages = await Promise.all(
            candidateIds.map((serviceId) =>
              read('ListVpcEndpointServices', () =>
                api.listVpcEndpointServices({ regionId: region, serviceId, maxResults: pageSize }),
              ),
            ),
          );
          listed = pages.flatMap((p) => p.items);
        } else {
          listed = await allPages('ListVpcEndpointServices', (token) =>
            read('ListVpcEndpointServices', () =>
              api.listVpcEndpointServices({ regionId: region, maxResults: pageSize, ...token }),
            ),
          );
        }
      } catch (error) {
        // The region's listing failed: every service it would have governed is not collected.
        const ids = candidateIds ?? [null];
        for (const id of ids) noteFailure(region, id, error);
        return;
      }
      for (const service of listed) {
        if (narrowIds !== undefined && !narrowIds.has(service.serviceId)) continue;
        const rule = matchServiceRule(policy, service);
        if (rule === undefined || rule === null) continue;
        governed.push({ service, rule });
      }
      for (const id of idRules) {
        if (narrowIds !== undefined && !narrowIds.has(id)) continue;
        if (!listed.some((s) => s.serviceId === id)) {
          warnings.push({
            code: 'service-not-found',
            region,
            serviceId: id,
            message: `service ${id} named by the policy was not found in ${region} (wrong ID, wrong region, or not owned by these credentials)`,
          });
        }
      }
    }),
  );
  if (credentialsFailure !== undefined) throw new CollectAborted(credentialsFailure, partial());
  for (const id of narrowIds ?? []) {
    if (governed.some((g) => g.service.serviceId === id) || failures.some((f) => f.serviceId === id)) continue;
    warnings.push({
      code: 'service-not-governed',
      region: regions.join(','),
      serviceId: id,
      message: `service ${id} was asked for, but no rule of the policy governs it in ${regions.join(', ') || 'the selected regions'}: nothing to do for it (narrowing never widens the policy)`,
    });
  }

  // AutoAcceptEnabled services are reported by the engine (warning `auto-accept`), loudly in the summary.

  // Connections per service, all pages; a service with any failed page is dropped whole.
  let done = 0;
  options.onProgress?.({ phase: 'collect', done, total: governed.length });
  await Promise.all(
    governed.map(async ({ service }) => {
      let connections: EndpointConnection[];
      try {
        connections = await allPages('ListVpcEndpointConnections', (token) =>
          read('ListVpcEndpointConnections', () =>
            api.listVpcEndpointConnections({
              regionId: service.regionId,
              serviceId: service.serviceId,
              maxResults: pageSize,
              ...token,
            }),
          ),
        );
      } catch (error) {
        noteFailure(service.regionId, service.serviceId, error);
        return;
      }
      services.push({ service, connections });
      done += 1;
      options.onProgress?.({ phase: 'collect', done, total: governed.length });
    }),
  );
  if (credentialsFailure !== undefined) throw new CollectAborted(credentialsFailure, partial());

  // A stable order, whatever order the concurrent reads finished in.
  const byKey = (a: { regionId: string; serviceId: string }, b: { regionId: string; serviceId: string }): number =>
    a.regionId.localeCompare(b.regionId) || a.serviceId.localeCompare(b.serviceId);
  services.sort((a, b) => byKey(a.service, b.service));
  for (const s of services) s.connections.sort((a, b) => a.endpointId.localeCompare(b.endpointId));
  failures.sort((a, b) => a.region.localeCompare(b.region) || (a.serviceId ?? '').localeCompare(b.serviceId ?? ''));
  return { snapshot: { services }, failures, warnings, regions };
}

/**
 * Every item of a paged listing (`NextToken`; empty or absent on the last page). A token that comes back
 * twice would page forever: the listing fails (`InconsistentPaging`), so its service is not collected.
 */
async function allPages<T>(action: string, page: (token: { nextToken?: string }) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let nextToken: string | undefined;
  do {
    const result = await page(nextToken === undefined ? {} : { nextToken });
    items.push(...result.items);
    nextToken = result.nextToken === '' ? undefined : result.nextToken;
    if (nextToken !== undefined) {
      if (seen.has(nextToken)) {
        throw new ApiError({
          code: 'InconsistentPaging',
          message: `InconsistentPaging: ${action} returned the NextToken of an earlier page again`,
          action,
        });
      }
      seen.add(nextToken);
    }
  } while (nextToken !== undefined);
  return items;
}

interface ApplyContext {
  api: PrivateLinkApi;
  call: CallFn;
  timeLeft: () => boolean;
  now: () => number;
  logger: Logger;
}

/** Makes one decision's write and works out its outcome. Only a credentials failure is returned as `abort`. */
async function applyOne(
  decision: Decision,
  decisionId: string,
  listedModifiedTime: string,
  { api, call, timeLeft, now, logger }: ApplyContext,
): Promise<{ detail: OutcomeDetail; abort?: ApiError }> {
  const attempts = { n: 0 };
  const token = clientToken(decisionId, listedModifiedTime);
  const target = {
    regionId: decision.regionId,
    serviceId: decision.serviceId,
    endpointId: decision.endpointId,
    clientToken: token,
  };
  const bandwidth = decision.bandwidthAfter;
  let action: string;
  let write: () => Promise<{ requestId: string }>;
  switch (decision.kind) {
    case 'accept':
      action = 'EnableVpcEndpointConnection';
      write = () => api.enableVpcEndpointConnection({ ...target, bandwidth: bandwidth ?? decision.bandwidthBefore });
      break;
    case 'resize':
      action = 'UpdateVpcEndpointConnectionAttribute';
      write = () =>
        api.updateVpcEndpointConnectionAttribute({ ...target, bandwidth: bandwidth ?? decision.bandwidthBefore });
      break;
    default:
      action = 'DisableVpcEndpointConnection';
      write = () => api.disableVpcEndpointConnection(target);
  }
  try {
    const retries =
      decision.kind === 'accept' && decision.statusBefore === 'Connecting' ? ACCEPT_CONNECTING_RETRIES : WRITE_RETRIES;
    const result = await call(action, write, retries, attempts);
    logger.debug('applied', { decisionId, action, endpointId: decision.endpointId, requestId: result.requestId });
    return {
      detail: { outcome: 'applied', time: now(), decisionId, requestId: result.requestId, attempts: attempts.n },
    };
  } catch (caught) {
    const error = toApiError(caught, action);
    const failed: OutcomeDetail = {
      outcome: 'failed',
      time: now(),
      decisionId,
      errorCode: error.code,
      errorMessage: error.message,
      requestId: error.requestId,
      attempts: attempts.n,
    };
    if (isCredentialsFailure(error.code)) return { detail: failed, abort: error };
    if (error.code === 'EndpointConnectionNotFound') {
      return { detail: { ...failed, outcome: 'gone' } };
    }
    if (stopReasons.get(error) === 'deadline') {
      // Retryable, but the deadline leaves no time to wait for another attempt: the next run picks it up.
      return { detail: { ...failed, outcome: 'deferred' } };
    }
    // "Already there is a success": re-read the connection and see whether it is in the wanted state
    // (unless the deadline leaves no time for the read: then the failure stands and the next run looks).
    try {
      if (!timeLeft()) throw new DeadlineError('no time left to re-read the connection');
      const page = await call(
        'ListVpcEndpointConnections',
        () =>
          api.listVpcEndpointConnections({
            regionId: decision.regionId,
            serviceId: decision.serviceId,
            endpointId: decision.endpointId,
          }),
        READ_RETRIES,
      );
      const current = page.items.find((c) => c.endpointId === decision.endpointId);
      if (current === undefined) return { detail: { ...failed, outcome: 'gone', time: now() } };
      if (alreadyThere(decision, current, BUSY_CODES.has(error.code) || current.modifiedTime !== listedModifiedTime)) {
        return { detail: { ...failed, outcome: 'already-applied', time: now() } };
      }
    } catch (reread) {
      // Credentials refused on the re-read (an STS token expired in between): stop here, as on a write,
      // so no later write is sent with them; the write's own failure stays the record's outcome.
      if (reread instanceof ApiError && isCredentialsFailure(reread.code)) return { detail: failed, abort: reread };
      logger.warn('re-read after a failed write failed too', { decisionId, error: serializeError(reread) });
    }
    logger.warn('write failed; the next run tries again', {
      decisionId,
      action,
      endpointId: decision.endpointId,
      error: serializeError(error),
    });
    return { detail: failed };
  }
}

/**
 * Whether a connection already is where the decision wanted it. `Connecting` counts as "being
 * connected" only when it is known to be in transition: the API said so (a busy code), or the connection
 * changed since it was listed (its ModifiedTime moved: a write whose answer was lost, or another run).
 * Under the 2020-04-15 reading an untouched request awaiting acceptance is also `Connecting`.
 */
function alreadyThere(decision: Decision, current: EndpointConnection, inTransition: boolean): boolean {
  switch (decision.kind) {
    case 'accept':
      return current.connectionStatus === 'Connected' || (inTransition && current.connectionStatus === 'Connecting');
    case 'reject':
    case 'revoke':
      return current.connectionStatus === 'Disconnected' || current.connectionStatus === 'Disconnecting';
    case 'resize':
      return current.connectionStatus === 'Connected' && current.bandwidth === decision.bandwidthAfter;
    default:
      return false;
  }
}
