/**
 * The soak's phases: faults until convergence under each pending reading, overlapping runs, SIGKILL at
 * random points. Each starts its own emulator with a fresh fleet, runs the real CLI and the function
 * against it, and judges the emulator's log and state (soak-effects.ts). See docs/soak.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../emulator/index.ts';
import type { RequestLogEntry } from '../../emulator/index.ts';
import type { FcCredentials } from '../../functions/fc/fc-context.ts';
import type { ChildRun } from './soak-child.ts';
import { runCli, runFunction } from './soak-child.ts';
import type { Effect } from './soak-effects.ts';
import {
  appliedWithoutEffect,
  doubleEffects,
  effectsOf,
  endStateProblems,
  unrecordedEffects,
  wrongEffects,
} from './soak-effects.ts';
import type { SoakEmulator } from './soak-emulator.ts';
import { startSoakEmulator } from './soak-emulator.ts';
import { faultCounts, faultRules, faultsOff, startFaultToggle } from './soak-faults.ts';
import type { SoakFleet, SoakKeys } from './soak-fleet.ts';
import { soakFleet } from './soak-fleet.ts';

export type Reading = 'Connecting' | 'Disconnected';

/** How big a soak is (full: `npm run soak`; short: inside `npm test`). */
export interface SoakSize {
  services: number;
  perService: number;
  /** Most runs a phase may take to converge (the target is 5). */
  maxRuns: number;
  kills: number;
  overlaps: number[];
  /** How many policies of test/policy/broken (all when undefined). */
  brokenPolicies: number | undefined;
  /**
   * Share of time the CLI's writes lose their answers (soak-faults.ts; the function's stays 0.1, as each
   * costs it 3 s): the short variant raises it so its few writes still meet lost answers (and the
   * ConcurrentCallNotSupported their held lock causes).
   */
  lostShare: number;
  /** The smaller fleet swept under the strict (`task`) write lock. */
  taskLock: { services: number; perService: number };
  /** How many hostile answer kinds (all when undefined). */
  hostileAnswers: number | undefined;
  timeoutMs: number;
}

/** What every phase shares: the size, the seed, the run's keys, a scratch directory, and what was printed. */
export interface SoakContext {
  size: SoakSize;
  seed: number;
  keys: SoakKeys;
  dir: string;
  /** Every child run of the soak (the secret scan reads them all). */
  runs: ChildRun[];
  signatures: Set<string>;
  /** Progress lines (stderr). */
  progress: (line: string) => void;
}

/** A phase's verdicts, all read from the emulator. */
export interface PhaseResult {
  name: string;
  reading: Reading;
  connections: number;
  runs: ChildRun[];
  /** Runs until the state was right (undefined: not within maxRuns). */
  runsToConverge: number | undefined;
  effects: Effect[];
  wrong: string[];
  twice: string[];
  unrecorded: string[];
  appliedNoEffect: string[];
  endProblems: string[];
  calls: ReturnType<typeof faultCounts>;
  /** A fault-free `plan` after convergence: 0 means nothing left to change. */
  planExit: number | null | undefined;
}

const SETTLE_MS = 400;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts an emulator on a fresh fleet and writes its policy; `fn` runs the phase, the emulator is closed after. */
export async function withFleet<T>(
  ctx: SoakContext,
  seed: number,
  settings: Record<string, unknown>,
  fn: (emu: SoakEmulator, fleet: SoakFleet, policyPath: string) => Promise<T>,
  dims: { services: number; perService: number } = ctx.size,
): Promise<T> {
  const fleet = soakFleet(dims.services, dims.perService, seed, ctx.keys);
  const policyPath = join(ctx.dir, `policy-${seed}.yaml`);
  writeFileSync(policyPath, fleet.policyYaml);
  const emu = await startSoakEmulator(fleet.scenario, {
    enableDelayMs: 200,
    disableDelayMs: 200,
    updateDelayMs: 200,
    allowSts: true,
    ...settings,
  });
  try {
    return await fn(emu, fleet, policyPath);
  } finally {
    emu.signatures.forEach((s) => ctx.signatures.add(s));
    await emu.close();
  }
}

function cliCredentials(ctx: SoakContext, n: number): FcCredentials {
  return n % 2 === 1 ? ctx.keys.permanent : ctx.keys.sts;
}

/** One `apply` of the real CLI against the emulator. */
export async function applyOnce(
  ctx: SoakContext,
  emu: SoakEmulator,
  policyPath: string,
  label: string,
  n: number,
  extra: { killAfterMs?: number; measure?: boolean; deadlineSeconds?: number } = {},
): Promise<ChildRun> {
  const deadline = extra.deadlineSeconds ?? 240;
  const run = await runCli({
    label,
    args: ['apply', '--policy', policyPath, '--endpoint', emu.url, '--timeout-ms', String(ctx.size.timeoutMs)],
    credentials: cliCredentials(ctx, n),
    timeoutMs: (deadline + 30) * 1000,
    killAfterMs: extra.killAfterMs,
    measure: extra.measure,
    lastSeq: emu.lastSeq,
  });
  run.label = label;
  ctx.runs.push(run);
  ctx.progress(
    `  ${label}: exit ${run.exitCode ?? run.signal} in ${(run.durationMs / 1000).toFixed(1)} s, ` +
      `${run.records.filter((r) => r['outcome'] === 'applied').length} applied`,
  );
  return run;
}

/** Run `n` of a phase: the CLI's `apply`, or the function (a scheduled invocation of the built bundle). */
async function sweepOnce(
  ctx: SoakContext,
  emu: SoakEmulator,
  policyPath: string,
  label: string,
  n: number,
  fc: boolean,
): Promise<ChildRun> {
  if (!fc) return applyOnce(ctx, emu, policyPath, `${label} apply #${n}`, n, {});
  const run = await runFunction({
    label: `${label} fc #${n}`,
    endpoint: emu.url,
    policyPath,
    credentials: [ctx.keys.permanent, ctx.keys.sts],
    timeoutSeconds: 180,
    lastSeq: emu.lastSeq,
  });
  ctx.runs.push(run);
  ctx.progress(
    `  ${run.label}: exit ${run.exitCode} in ${(run.durationMs / 1000).toFixed(1)} s, ` +
      `${run.records.filter((r) => r['outcome'] === 'applied').length} applied`,
  );
  return run;
}

/** Starts the fault toggle for one caller: a lost answer needs latency past its timeout (the function's is 3 s). */
function faultsFor(ctx: SoakContext, emu: SoakEmulator, seed: number, fc: boolean): () => Promise<void> {
  return startFaultToggle(emu, {
    seed,
    share: fc ? 0.1 : ctx.size.lostShare,
    lostLatencyMs: fc ? 3300 : ctx.size.timeoutMs + 300,
    hang: fc ? 0.004 : 0.015,
    maxMs: 300_000,
  });
}

/**
 * Sweeps (CLI and function in turn; the function first when `fcFirst`) with faults on until the
 * emulator's state is what the policy wants, at most `maxRuns`. Returns the runs and how many it took.
 */
async function converge(
  ctx: SoakContext,
  emu: SoakEmulator,
  fleet: SoakFleet,
  policyPath: string,
  reading: Reading,
  label: string,
  fcFirst = false,
): Promise<{ runs: ChildRun[]; converged: number | undefined }> {
  const runs: ChildRun[] = [];
  for (let n = 1; n <= ctx.size.maxRuns; n++) {
    const fc = (n % 2 === 1) === fcFirst;
    const stop = faultsFor(ctx, emu, ctx.seed + n, fc);
    try {
      runs.push(await sweepOnce(ctx, emu, policyPath, label, n, fc));
    } finally {
      await stop();
    }
    await sleep(SETTLE_MS);
    if (endStateProblems(await emu.connections(), fleet, reading).length === 0) return { runs, converged: n };
  }
  return { runs, converged: undefined };
}

/** Judges everything the log and state show after `runs`. */
async function judge(
  ctx: SoakContext,
  emu: SoakEmulator,
  fleet: SoakFleet,
  head: { name: string; reading: Reading; runs: ChildRun[]; converged: number | undefined },
  policyPath: string,
): Promise<PhaseResult> {
  const log: RequestLogEntry[] = await emu.requests(0);
  const effects = effectsOf(log);
  await faultsOff(emu);
  const plan = await runCli({
    label: `${head.name} plan`,
    args: ['plan', '--policy', policyPath, '--endpoint', emu.url, '--format', 'json'],
    credentials: ctx.keys.permanent,
    timeoutMs: 120_000,
    lastSeq: emu.lastSeq,
  });
  ctx.runs.push(plan);
  return {
    name: head.name,
    reading: head.reading,
    connections: fleet.connections,
    runs: head.runs,
    runsToConverge: head.converged,
    effects,
    wrong: wrongEffects(effects, fleet),
    twice: doubleEffects(effects),
    unrecorded: unrecordedEffects(effects, head.runs),
    appliedNoEffect: appliedWithoutEffect(effects, head.runs),
    endProblems: endStateProblems(await emu.connections(), fleet, head.reading),
    calls: faultCounts(log),
    planExit: plan.exitCode,
  };
}

/**
 * Faults: a fleet swept with ~20% of calls failing until it converges, under one pending reading. With
 * `taskLock`, on the smaller fleet `SoakSize.taskLock`, the emulator's strict write lock (`writeLock:
 * task`: the account stays locked while a connection task runs): a write sent before the last task
 * finished is answered ConcurrentCallNotSupported.
 */
export function faultsPhase(ctx: SoakContext, reading: Reading, taskLock = false): Promise<PhaseResult> {
  const name = `faults/${reading}${taskLock ? '/task-lock' : ''}`;
  const dims = taskLock ? ctx.size.taskLock : ctx.size;
  ctx.progress(`${name}: ${dims.services * dims.perService} connections`);
  const settings = {
    pendingStatus: reading,
    writeLock: taskLock ? 'task' : 'request',
    faults: { seed: ctx.seed, rules: faultRules() },
  };
  const seed = ctx.seed + (taskLock ? 500 : 0);
  return withFleet(
    ctx,
    seed,
    settings,
    async (emu, fleet, policy) => {
      const { runs, converged } = await converge(ctx, emu, fleet, policy, reading, name, reading === 'Disconnected');
      return judge(ctx, emu, fleet, { name, reading, runs, converged }, policy);
    },
    dims,
  );
}

/** Never twice: `n` runs started together (faults on; the last is the function), then sweeps until converged. */
export function overlapPhase(ctx: SoakContext, n: number): Promise<PhaseResult> {
  const name = `overlap/${n}`;
  ctx.progress(`${name}: ${n} applies at once`);
  const settings = { pendingStatus: 'Connecting', faults: { seed: ctx.seed + n, rules: faultRules() } };
  return withFleet(ctx, ctx.seed + 100 + n, settings, async (emu, fleet, policy) => {
    const stop = faultsFor(ctx, emu, ctx.seed + 50 + n, true);
    let together: ChildRun[];
    try {
      together = await Promise.all(
        Array.from({ length: n }, (_, i) => sweepOnce(ctx, emu, policy, `${name} ${i + 1}/${n}`, i + 1, i === n - 1)),
      );
    } finally {
      await stop();
    }
    await sleep(SETTLE_MS);
    const { runs, converged } = await converge(ctx, emu, fleet, policy, 'Connecting', name);
    return judge(ctx, emu, fleet, { name, reading: 'Connecting', runs: [...together, ...runs], converged }, policy);
  });
}

/** Crash-safe: `apply` SIGKILLed at random points over slow writes, then sweeps until converged. */
export function crashPhase(ctx: SoakContext): Promise<PhaseResult> {
  const name = 'crash';
  const random = seededRandom(ctx.seed + 7);
  ctx.progress(`${name}: ${ctx.size.kills} applies killed at random points`);
  const slowWrites = {
    actions: ['EnableVpcEndpointConnection', 'DisableVpcEndpointConnection', 'UpdateVpcEndpointConnectionAttribute'],
    latencyMs: 40,
  };
  const settings = { pendingStatus: 'Connecting', faults: { seed: ctx.seed, rules: [slowWrites] } };
  return withFleet(ctx, ctx.seed + 200, settings, async (emu, fleet, policy) => {
    const killed: ChildRun[] = [];
    for (let k = 1; k <= ctx.size.kills; k++) {
      const at = Math.round(600 + random() * 3400);
      killed.push(await applyOnce(ctx, emu, policy, `${name} apply killed at ${at} ms`, k, { killAfterMs: at }));
    }
    await sleep(SETTLE_MS);
    const { runs, converged } = await converge(ctx, emu, fleet, policy, 'Connecting', name);
    return judge(ctx, emu, fleet, { name, reading: 'Connecting', runs: [...killed, ...runs], converged }, policy);
  });
}
