/**
 * The Function Compute event handler, built from its dependencies so that tests can run it in-process
 * and ../handler.ts can wire it to FC (twice: the `requests` and the `reconcile` handler, docs/cadences.md).
 * One invocation = one sweep:
 * parse the event -> derive the deadline -> load the policy (fail closed) -> runSweep -> return the summary.
 *
 * Every line written is one JSON object: operational logs (../log/logger.ts), decision records and the
 * run summary (../audit/audit-records.ts), or an invocation error record (./invocation-result.ts); each carries
 * the FC request id.
 */
import { getHeapStatistics } from 'node:v8';
import { stat } from 'node:fs/promises';
import { createPrivateLinkClient } from '../client/pop-core-private-link-client.ts';
import { DEFAULT_TIMEOUT_MS } from '../client/private-link-api.ts';
import { fcContextCredentials } from '../client/credentials.ts';
import type { PrivateLinkClient } from '../client/pop-core-private-link-client.ts';
import { createLogger, serializeError } from '../log/logger.ts';
import type { Logger } from '../log/logger.ts';
import { formatDiagnostic } from '../policy/diagnostic.ts';
import { loadPolicyFile } from '../policy-file/load-policy-file.ts';
import type { Policy } from '../policy/policy.ts';
import { runSweep } from '../sweep/run-sweep.ts';
import { SweepAbortedError } from '../sweep/sweep-aborted-error.ts';
import { resolveRunMode } from '../sweep/run-mode.ts';
import type { SweepMode } from '../sweep/run-mode.ts';
import type { FcConfig, FcConfigResult } from './fc-config.ts';
import { overrideFile } from './fc-config.ts';
import type { FcContext } from './fc-context.ts';
import { fcRequestIdOf } from './fc-context.ts';
import { parseInvocationEvent } from './invocation-event.ts';
import type { RunRequest, TimerTrigger } from './invocation-event.ts';
import { invocationErrorRecord, isInvocationError } from './invocation-result.ts';
import type { HandlerResult, InvocationErrorCode, InvocationErrorRecord } from './invocation-result.ts';
import { runDeadline } from './run-deadline.ts';
import { jsonLine } from '../audit/json-line.ts';

export interface HandlerDeps {
  /** The configuration read at cold start (./fc-config.ts loadFcConfig). */
  config: FcConfigResult;
  /** Receives one JSON line (no newline). FC ships stdout to SLS. */
  write: (line: string) => void;
  now?: () => number;
  /**
   * Which of the package's two handlers this is (docs/cadences.md): `requests` decides only the
   * connections awaiting a decision; `reconcile` (the default) runs the full sweep, drift included.
   */
  name?: HandlerName;
}

/** The function package's handlers: `index.requests` and `index.reconcile` (s.yaml). */
export type HandlerName = 'requests' | 'reconcile';

/** `startedAt` (epoch ms): when FC handed over the invocation, if measured before this handler was loaded. */
export type FcEventHandler = (
  event: Buffer | string | null | undefined,
  context: FcContext,
  startedAt?: number,
) => Promise<HandlerResult>;

/** Where the policy of this invocation comes from. */
type PolicySource =
  { ok: true; file: string; origin: 'override' | 'bundled' } | { ok: false; file: string; message: string };

async function statOrMissing(path: string): Promise<{ isDirectory: boolean } | 'missing'> {
  try {
    const s = await stat(path);
    return { isDirectory: s.isDirectory() };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/**
 * The override, when configured and present, else the bundled policy. A present override is never
 * skipped: if it cannot be read or does not validate, the invocation changes nothing. An absent one (no
 * file at the path, or a mounted directory without policy.yaml) is logged as a warning, not an error.
 */
async function choosePolicy(config: FcConfig, log: Logger): Promise<PolicySource> {
  const overridePath = config.policyOverridePath;
  if (overridePath === undefined) return { ok: true, file: config.policyPath, origin: 'bundled' };
  try {
    const entry = await statOrMissing(overridePath);
    const file = entry === 'missing' ? overridePath : overrideFile(overridePath, entry.isDirectory);
    const present = entry === 'missing' ? 'missing' : entry.isDirectory ? await statOrMissing(file) : entry;
    if (present === 'missing') {
      log.warn('policy override not present: using the bundled policy', {
        policyOverridePath: overridePath,
        policyFile: config.policyPath,
      });
      return { ok: true, file: config.policyPath, origin: 'bundled' };
    }
    return { ok: true, file, origin: 'override' };
  } catch (error) {
    // EACCES, EIO, ENOTCONN (a broken OSS mount): present but unreadable. Fail closed.
    return {
      ok: false,
      file: overridePath,
      message: `policy override ${overridePath} cannot be read: ${(error as Error).message}`,
    };
  }
}

/** Regions the payload asks for that the policy does not govern: asking for them would widen nothing, so say so. */
function ungovernedRegions(request: RunRequest, policy: Policy): string[] {
  return (request.regions ?? []).filter((r) => !policy.regions.includes(r));
}

/** Everything an invocation needs before it sweeps, or the error record that ends it. */
interface Prepared {
  request: RunRequest;
  trigger: TimerTrigger | undefined;
  deadline: number;
  source: { file: string; origin: 'override' | 'bundled' };
  policy: Policy;
  mode: SweepMode;
}

type Fail = (
  errorCode: InvocationErrorCode,
  message: string,
  details: string[],
  policyFile?: string | null,
  nothingChanged?: boolean,
) => InvocationErrorRecord;

/**
 * Parses the event, derives the deadline, loads the policy (fail closed) and resolves the run mode: the
 * payload's `dryRun: true` narrows an enforce policy; `dryRun: false` never widens a dry-run one.
 */
async function prepare(
  event: Parameters<FcEventHandler>[0],
  context: FcContext,
  startedAt: number,
  config: FcConfig,
  log: Logger,
  fail: Fail,
): Promise<Prepared | InvocationErrorRecord> {
  const parsed = parseInvocationEvent(event);
  if (!parsed.ok) return fail('PayloadRejected', `payload rejected: nothing changed: ${parsed.error}`, [parsed.error]);
  const timeout = context?.function?.timeout;
  if (typeof timeout !== 'number' || !(timeout > 0)) {
    return fail('ConfigInvalid', 'the invocation context has no function.timeout: nothing changed', [
      `context.function.timeout: ${JSON.stringify(timeout)}`,
    ]);
  }
  const source = await choosePolicy(config, log);
  if (!source.ok) {
    const message = `policy did not load: nothing changed: ${source.message}`;
    return fail('PolicyInvalid', message, [source.message], source.file);
  }
  // The build's commit describes the bundled file only; an override's commit is unknown (its hash is in every record).
  const commit = source.origin === 'bundled' && config.policyCommit !== undefined ? config.policyCommit : '';
  const loaded = await loadPolicyFile(source.file, { commit });
  for (const w of loaded.warnings)
    log.warn('policy warning', { policyFile: source.file, warning: formatDiagnostic(w) });
  if (!loaded.ok) {
    const details = loaded.errors.map((d) => formatDiagnostic(d));
    return fail('PolicyInvalid', `policy ${source.file} did not load: nothing changed`, details, source.file);
  }
  const { policy } = loaded;
  const { request, trigger } = parsed;
  const outside = ungovernedRegions(request, policy);
  if (outside.length > 0) {
    const message = `payload.regions: ${outside.join(', ')} ${outside.length > 1 ? 'are' : 'is'} not governed by the policy (it governs ${policy.regions.join(', ') || 'no region'})`;
    return fail('PayloadRejected', `payload rejected: nothing changed: ${message}`, [message], source.file);
  }
  if (request.dryRun === false && policy.mode === 'dry-run') {
    log.warn('payload dryRun:false cannot turn a dry-run policy into enforce: this run is a dry run', {
      policyFile: source.file,
    });
  }
  const mode = resolveRunMode(request.dryRun === true ? 'dry-run' : 'enforce', policy.mode);
  return { request, trigger, deadline: runDeadline(startedAt, timeout), source, policy, mode };
}

/** Builds the FC handler from the cold-start configuration; a bad one fails every invocation loudly. */
export function createHandler(deps: HandlerDeps): FcEventHandler {
  const now = deps.now ?? Date.now;
  const name = deps.name ?? 'reconcile';
  const config: FcConfig | undefined = deps.config.ok ? deps.config.config : undefined;
  const configProblems: string[] = deps.config.ok ? [] : deps.config.problems;

  return async function handler(event, context, startedAtGiven) {
    const startedAt = startedAtGiven ?? now();
    const requestId = fcRequestIdOf(context);
    // `requestId` is the logger's usual key; `fcRequestId` is on every line, records included (their own
    // `requestId` is the PrivateLink API's), so one SLS query finds everything an invocation wrote.
    const log = createLogger({
      write: deps.write,
      level: config?.logLevel ?? 'info',
      now,
      base: { requestId, fcRequestId: requestId },
    });
    const fail = failer(deps.write, requestId, now);

    let api: PrivateLinkClient | undefined;
    let swept = false;
    try {
      if (config === undefined) {
        return fail('ConfigInvalid', 'invalid function configuration: nothing changed', configProblems);
      }
      const prepared = await prepare(event, context, startedAt, config, log, fail);
      if (isInvocationError(prepared)) return prepared;
      const { request, policy, deadline, mode } = prepared;
      log.info('run starting', {
        handler: name,
        trigger: prepared.trigger ?? null,
        policyFile: prepared.source.file,
        policyOrigin: prepared.source.origin,
        policyRevision: policy.revision,
        mode,
        services: request.services ?? null,
        regions: request.regions ?? null,
        deadline: new Date(deadline).toISOString(),
        // Visible on purpose: in production this must be null (the regional endpoints).
        privatelinkEndpoint: config.privatelinkEndpoint ?? null,
        // Shows that NODE_OPTIONS took effect: the heap bound of docs/deploy.md#memory.
        heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
      });
      api = createPrivateLinkClient({
        // A getter, not a snapshot: FC rotates the role's STS credentials, and the client reads them per request.
        credentials: fcContextCredentials(() => context.credentials),
        timeoutMs: DEFAULT_TIMEOUT_MS,
        ...(config.privatelinkEndpoint === undefined ? {} : { endpoint: config.privatelinkEndpoint }),
      });
      swept = true;
      const result = await runSweep({
        policy,
        api,
        mode,
        scope: name === 'requests' ? 'requests' : 'all',
        handler: name,
        ...(request.services === undefined ? {} : { services: request.services }),
        ...(request.regions === undefined ? {} : { regions: request.regions }),
        deadline,
        callTimeoutMs: DEFAULT_TIMEOUT_MS,
        now,
        sink: (record) => deps.write(jsonLine({ ...record, fcRequestId: requestId })),
        logger: log,
        // The provider's own account stays on every synced whitelist (README "Keep the whitelist in step").
        providerAccountId: context.accountId,
      });
      return { ...result.summary, fcRequestId: requestId };
    } catch (error) {
      if (error instanceof SweepAbortedError) {
        // Credentials or permissions stopped the run; its summary (aborted set) was already written.
        log.error('run aborted: credentials or permissions', { error: serializeError(error) });
        return { ...error.summary, fcRequestId: requestId };
      }
      log.error('internal error: the run stopped', { error: serializeError(error) });
      return internalError(fail, error, swept);
    } finally {
      // The instance may be frozen until the next tick: do not keep sockets the server will have closed.
      api?.close();
    }
  };
}

/**
 * The invocation error of an unexpected failure. Once the sweep has started, writes may have been made
 * (their records, already written, stand): `nothingChanged` is false and the message says so.
 */
function internalError(fail: Fail, error: unknown, swept: boolean): InvocationErrorRecord {
  const message = (error as Error)?.message ?? String(error);
  if (!swept) return fail('Internal', `internal error: ${message}`, []);
  const what = `internal error during the sweep: changes may have been made (see its records): ${message}`;
  return fail('Internal', what, [], null, false);
}

/** Writes and returns an invocation's error record (./invocation-result.ts). */
function failer(write: (line: string) => void, fcRequestId: string, now: () => number): Fail {
  return (errorCode, message, details, policyFile = null, nothingChanged = true) => {
    const record = invocationErrorRecord({
      fcRequestId,
      time: now(),
      errorCode,
      message,
      details,
      policyFile,
      nothingChanged,
    });
    write(jsonLine(record));
    return record;
  };
}
