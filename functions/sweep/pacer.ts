/**
 * Writes paced by what the API shows (issue 11, docs/pacing.md). The API refuses a connection write of an
 * account while another is in progress (`ConcurrentCallNotSupported`); whether "in progress" means the
 * call (the `request` reading) or the connection task it starts (the `task` reading) is not documented.
 * The pacer learns it from the account's own answers: a refusal right after one of this run's writes
 * answered, while that write's connection is still in transition (one read tells), means the lock is
 * task-wide. From then on, before each write it waits for the previous write's connection to leave its
 * transitional state, reading it with the listing's `EndpointId` filter on a backoff seeded by the task
 * durations observed so far. Until then (the `request` reading) it adds no read at all.
 *
 * The lock's scope (account, or account and region) is unknown, so the pacer takes the wider one: every
 * write waits for the run's previous write, whatever its region. All polls go through the metered API
 * (counted, deadline-bounded); no task is taken as finished unless a read shows it.
 */
import type { WriteResult } from '../client/private-link-api.ts';
import type { Decision } from '../engine/decision.ts';
import type { EndpointConnection } from '../engine/resources.ts';
import type { Logger } from '../log/logger.ts';
import { DeadlineError } from './metered-api.ts';
import type { MeteredApi } from './metered-api.ts';
import { outcomeOf } from './settle.ts';

/** The refusal of a write because another write (or its task) of the account is in progress. */
export const LOCK_BUSY = 'ConcurrentCallNotSupported';

/** Connection statuses of a task still running (platform notes: Pending is "being modified"). */
const TRANSITIONAL: ReadonlySet<string> = new Set(['Connecting', 'Disconnecting', 'Pending']);

export interface PacerSettings {
  /** First poll step when no task duration has been observed yet, ms (doubling). */
  initialStepMs: number;
  /** Longest wait between two polls, ms (Alibaba's Terraform provider polls every 5 s). */
  maxStepMs: number;
  /** The first poll goes at this share of the median observed duration. */
  earlyShare: number;
  /**
   * A task found ended at the first poll may have ended earlier still: it is noted at this share of the
   * poll's time, so that the median comes down when tasks get shorter or the first estimate was high.
   */
  settledShare: number;
  /**
   * A task seen running, then ended, is noted this far between the two polls: low, because waiting too
   * long costs every later write that wait, and polling too early costs one read.
   */
  endedShare: number;
  /** Later steps start at this share of the median (then double); at least `minStepMs`. */
  stepShare: number;
  minStepMs: number;
  /** Task durations remembered per action (the median of these seeds the polls). */
  window: number;
  /**
   * After waiting this long for one task (and at least `probeAfterMedians` x its median), the pacer stops
   * waiting and lets the write itself ask (a refusal is retried as any busy answer, then `deferred`).
   */
  probeAfterMs: number;
  probeAfterMedians: number;
}

export const DEFAULT_PACER: PacerSettings = {
  initialStepMs: 50,
  maxStepMs: 5000,
  earlyShare: 1,
  settledShare: 0.9,
  endedShare: 0.25,
  stepShare: 0.1,
  minStepMs: 10,
  window: 15,
  probeAfterMs: 30_000,
  probeAfterMedians: 10,
};

export interface PacerOptions {
  api: MeteredApi;
  now: () => number;
  logger: Logger;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  settings?: Partial<PacerSettings> | undefined;
}

/** The run's last write that answered: its task may still hold the lock. */
interface RunningTask {
  decision: Decision;
  action: string;
  answeredAt: number;
}

/** What a pacer has learnt and done, for the run's log. */
export interface PacerStats {
  taskWide: boolean;
  pollReads: number;
  observedMs: Record<string, number | undefined>;
}

export class WritePacer {
  private readonly settings: PacerSettings;
  private readonly sleep: (ms: number) => Promise<void>;
  private taskWide = false;
  private previous: RunningTask | undefined;
  private readonly observed = new Map<string, number[]>();
  private reads = 0;

  constructor(private readonly options: PacerOptions) {
    this.settings = { ...DEFAULT_PACER, ...options.settings };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Polling reads sent so far (counted by the metered API as well). */
  get pollReads(): number {
    return this.reads;
  }

  stats(): PacerStats {
    const observedMs: Record<string, number | undefined> = {};
    for (const [action, list] of this.observed) observedMs[action] = median(list);
    return { taskWide: this.taskWide, pollReads: this.reads, observedMs };
  }

  /**
   * Waits, once the lock is known to be task-wide, until the previous write's task has ended. False when
   * the run's deadline came first (the write is then `deferred`); true otherwise, also when a read could
   * not tell (the write then asks the API itself).
   */
  async ready(): Promise<boolean> {
    const previous = this.previous;
    if (!this.taskWide || previous === undefined) return true;
    this.previous = undefined;
    const settled = await this.waitFor(previous);
    return settled !== 'deadline';
  }

  /**
   * Sends one write (`write` gets the API to send it with). A refusal as busy right after this run's
   * previous write, whose connection a read then shows still in transition, teaches that the lock is
   * task-wide: the pacer waits for that task and sends once more. Any other refusal is retried as before.
   */
  async send(
    decision: Decision,
    action: string,
    write: (api: MeteredApi) => Promise<WriteResult>,
  ): Promise<WriteResult> {
    const { api } = this.options;
    const previous = this.previous;
    const first = await outcomeOf(write(previous === undefined ? api : api.withoutRetryOn([LOCK_BUSY])), action);
    if (first.ok) return this.started(decision, action, first.value);
    const error = first.error;
    if (error.code !== LOCK_BUSY || error instanceof DeadlineError || previous === undefined) throw error;
    this.previous = undefined;
    const settled = await this.waitFor(previous, true);
    // The deadline came while waiting for the task: `deferred`, as any write the deadline cut short.
    if (settled === 'deadline') {
      const { code, message, requestId, httpStatus } = error;
      throw new DeadlineError({ code, message, action, requestId, httpStatus, cause: error });
    }
    api.noteRetry();
    return this.started(decision, action, await write(api));
  }

  private started(decision: Decision, action: string, result: WriteResult): WriteResult {
    this.previous = { decision, action, answeredAt: this.options.now() };
    return result;
  }

  /**
   * Polls `task`'s connection until it leaves its transitional state. `learning`: the first read decides
   * whether the refusal came from this task (still in transition: the lock is task-wide) or from
   * elsewhere (settled already: nothing learnt, the write retries as any busy answer).
   */
  private async waitFor(task: RunningTask, learning = false): Promise<'settled' | 'deadline' | 'unknown'> {
    const { api, now } = this.options;
    const seed = this.seed(task.action);
    const probeAfter = Math.max(this.settings.probeAfterMs, this.settings.probeAfterMedians * (seed ?? 0));
    let offset = learning ? now() - task.answeredAt : seed === undefined ? 0 : seed * this.settings.earlyShare;
    let step =
      seed === undefined
        ? this.settings.initialStepMs
        : Math.max(this.settings.minStepMs, seed * this.settings.stepShare);
    let lastRunning: number | undefined;
    for (;;) {
      const wait = task.answeredAt + offset - now();
      // Never sleep past the last moment a call may start: a wait that would is the deadline now.
      if (!api.timeLeft(Math.max(wait, 0))) return 'deadline';
      if (wait > 0) await this.sleep(wait);
      const sentAt = now() - task.answeredAt;
      const status = await this.read(task.decision);
      if (status === 'deadline' || status === 'unknown') return status;
      if (status === 'settled') {
        if (learning) return 'unknown';
        this.observe(
          task.action,
          lastRunning === undefined
            ? sentAt * this.settings.settledShare
            : lastRunning + (sentAt - lastRunning) * this.settings.endedShare,
        );
        return 'settled';
      }
      if (learning) this.learn(task);
      learning = false;
      lastRunning = sentAt;
      if (sentAt >= probeAfter) return 'unknown';
      offset = Math.max(offset, sentAt) + step;
      step = Math.min(step * 2, this.settings.maxStepMs);
    }
  }

  private learn(task: RunningTask): void {
    this.taskWide = true;
    this.options.logger.info('writes lock the account until their task ends: each write now waits for the last', {
      action: task.action,
      endpointId: task.decision.endpointId,
    });
  }

  /** One read of the connection: still in transition (`running`), `settled` (or gone), or no answer. */
  private async read(d: Decision): Promise<'running' | 'settled' | 'deadline' | 'unknown'> {
    this.reads += 1;
    const { regionId, serviceId, endpointId } = d;
    const page = await outcomeOf(
      this.options.api.listVpcEndpointConnections({ regionId, serviceId, endpointId }),
      'ListVpcEndpointConnections',
    );
    if (!page.ok) return page.error instanceof DeadlineError ? 'deadline' : 'unknown';
    const current: EndpointConnection | undefined = page.value.items.find((c) => c.endpointId === endpointId);
    // Absent from an incomplete or partly unreadable answer proves nothing.
    if (current === undefined && (page.value.nextToken !== undefined || page.value.invalid.length > 0))
      return 'unknown';
    return current !== undefined && TRANSITIONAL.has(current.connectionStatus) ? 'running' : 'settled';
  }

  private observe(action: string, ms: number): void {
    const list = this.observed.get(action) ?? [];
    list.push(ms);
    if (list.length > this.settings.window) list.shift();
    this.observed.set(action, list);
  }

  /** The median task duration observed for `action`, else for any action, else undefined. */
  private seed(action: string): number | undefined {
    return median(this.observed.get(action) ?? []) ?? median([...this.observed.values()].flat());
  }
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
