/**
 * Writes paced by what the API shows (issue 11). Under the `task` reading of the account's write lock,
 * every connection write is refused (ConcurrentCallNotSupported) while a task the account started is
 * still running; sending the next write at once only collects refusals against the rate limit. So once
 * a run has met that refusal, after each write it waits for the connection to leave its transitional
 * state, reading it with the listing's EndpointId filter: first after the typical task time observed so
 * far, then at growing intervals. Never guess a task is finished when a read can tell. Until a refusal is
 * met (the `request` reading), writes go back to back as before.
 */
import type { Decision } from '../engine/decision.ts';
import type { EndpointConnection } from '../engine/resources.ts';
import type { MeteredApi } from './metered-api.ts';
import { outcomeOf } from './settle.ts';

/** The code that shows the account's write lock is held. */
export const LOCK_CODE = 'ConcurrentCallNotSupported';
/** The first wait before anything was observed, ms. */
const FIRST_GUESS_MS = 100;
/** Reads per wait at most: the wait gives up (and the next write meets the lock) after these. */
const MAX_POLLS = 30;
/** The longest interval between two reads of one wait, ms (a long task is read about every 2 s). */
const MAX_INTERVAL_MS = 2000;
/** A wait gives up after four typical task times, at least 1 s and at most 30 s. */
const giveUpMs = (typical: number): number => Math.min(30_000, Math.max(1000, 4 * typical));

export interface Pacer {
  /** True once the run has met the write lock. */
  paced: boolean;
  /** How long tasks took, ms, as observed by this run. */
  observedMs: number[];
  /** Lock refusals met so far (to notice new ones). */
  refusals: number;
  /** Waits in a row that did not see their task end. */
  giveUps: number;
  /** Pacing given up for this run (see notice). */
  stopped: boolean;
  /** The last write whose task may still be running (it may hold the account's lock). */
  running?: { decision: Decision; answeredAt: number } | undefined;
}

export function newPacer(): Pacer {
  return { paced: false, observedMs: [], refusals: 0, giveUps: 0, stopped: false };
}

/**
 * Pacing starts when the run meets a new lock refusal. It stops for the rest of the run after two waits
 * in a row that did not see their task end (the first gives up after 1 s, the second after four times
 * what was waited, so tasks of up to about 4 s are learnt): the lock is then not one our own tasks hold
 * (another writer's calls, a stopped clock), and retries with backoff handle it as before.
 */
export function notice(pacer: Pacer, refusals: number): void {
  if (pacer.giveUps >= 2) pacer.stopped = true;
  if (refusals > pacer.refusals) pacer.paced = true;
  pacer.refusals = refusals;
  if (pacer.stopped) pacer.paced = false;
}

/** Whether the connection is where the decision's task ends (it no longer holds the account's lock). */
export function taskEnded(decision: Decision, c: EndpointConnection): boolean {
  switch (decision.kind) {
    case 'accept':
      return c.connectionStatus === 'Connected';
    case 'resize':
      return c.connectionStatus === 'Connected' && c.bandwidth === decision.bandwidthAfter;
    default:
      return c.connectionStatus === 'Disconnected';
  }
}

/** The typical task time observed so far (the median), or a first guess. */
function typicalMs(pacer: Pacer): number {
  if (pacer.observedMs.length === 0) return FIRST_GUESS_MS;
  const sorted = [...pacer.observedMs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? FIRST_GUESS_MS;
}

/**
 * After a write answered at `answeredAt`, waits until its connection's task ended (or the connection is
 * gone, a read fails, the deadline nears, or MAX_POLLS reads were made); notes how long it took. True
 * when the task is known to have ended (or the connection is gone).
 */
export async function waitForTask(
  api: MeteredApi,
  decision: Decision,
  pacer: Pacer,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> },
  answeredAt: number,
): Promise<boolean> {
  const typical = typicalMs(pacer);
  let wait = typical;
  const started = clock.now();
  for (let poll = 0; poll < MAX_POLLS && api.timeLeft(); poll++) {
    if (clock.now() - started >= giveUpMs(typical)) break;
    await clock.sleep(wait);
    const sentAt = clock.now();
    const page = await outcomeOf(
      api.listVpcEndpointConnections({
        regionId: decision.regionId,
        serviceId: decision.serviceId,
        endpointId: decision.endpointId,
      }),
    );
    if (!page.ok) return false;
    const current = page.value.items.find((c) => c.endpointId === decision.endpointId);
    if (current === undefined) return true;
    if (taskEnded(decision, current)) {
      // Ended by the time this read was sent. Ended at the first read, the task may be shorter still:
      // note a little less, so the estimate converges on the task time from above instead of creeping up.
      const elapsed = sentAt - answeredAt;
      pacer.observedMs.push(poll === 0 ? Math.floor(elapsed * 0.95) : elapsed);
      pacer.giveUps = 0;
      return true;
    }
    // Later reads come soon after (a tenth of the typical time), then back off, doubling.
    wait = poll === 0 ? Math.max(1, Math.round(typical / 10)) : Math.min(Math.max(typical, MAX_INTERVAL_MS), wait * 2);
  }
  // Not seen to end: the task takes longer than thought. Note what was waited (a lower bound), so the
  // next wait is longer.
  pacer.observedMs.push(clock.now() - answeredAt);
  pacer.giveUps += 1;
  return false;
}
