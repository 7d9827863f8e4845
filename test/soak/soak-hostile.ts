/**
 * Hostile answers and files: every malformed-answer fault kind the emulator has, and every broken policy
 * of test/policy/broken, must cause zero writes, stay within a time and memory bound, and leave a clear
 * record or message (never a stack trace). See docs/soak.md.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ANSWER_FAULTS } from '../../emulator/index.ts';
import { REPO_ROOT } from '../../scripts/build.ts';
import type { ChildRun } from './soak-child.ts';
import { effectsOf } from './soak-effects.ts';
import type { SoakEmulator } from './soak-emulator.ts';
import { faultsOff } from './soak-faults.ts';
import type { SoakContext } from './soak-phases.ts';
import { applyOnce, withFleet } from './soak-phases.ts';

/** The function's configured memory (s.yaml): no child may need more. */
export const MEMORY_BOUND_KB = 256 * 1024;
/** One hostile run's time bound, seconds (the runs are given a 30 s deadline). */
export const TIME_BOUND_S = 45;

/** One hostile input and what came of it. */
export interface HostileCase {
  name: string;
  /** Not offered by this emulator (the fault kind is unknown to it). */
  unavailable: boolean;
  writes: number;
  seconds: number;
  maxRssKb: number | undefined;
  exitCode: number | null;
  /** The record or message that says what happened; undefined when there is none. */
  message: string | undefined;
  problems: string[];
}

/** A rule giving every answer of `action` the hostile `kind` (emulator faults, `rules[].answers`). */
function answer(kind: string, action = 'ListVpcEndpointConnections'): { name: string; rule: Record<string, unknown> } {
  return { name: `${kind} (${action})`, rule: { actions: [action], answers: { [kind]: 1 } } };
}

/**
 * Malformed and hostile answers as emulator fault rules, one kind per case (emulator/README.md, "Hostile
 * answers"), plus the gateway's HTML and a hang on every listing. Kinds this emulator does not know are
 * reported as unavailable (the emulator refuses the settings).
 */
export const HOSTILE_ANSWERS: Array<{ name: string; rule: Record<string, unknown> }> = [
  // Every kind the emulator has: a kind added there is soaked without a change here.
  ...ANSWER_FAULTS.map((kind) => answer(kind)),
  answer('listNotArray', 'ListVpcEndpointServices'),
  { name: 'HTML 502 on every listing', rule: { actions: ['ListVpcEndpointConnections'], badGateway: 1 } },
  { name: 'every listing hangs', rule: { actions: ['ListVpcEndpointConnections'], hang: 1 } },
];

/**
 * What a run shows about itself: its first failure or skip record; else, on a failure exit, stderr's
 * first line; else, when its summary saw every connection of the fleet, that it read the answer in
 * full (a tolerated shape, such as the XML-style nesting, read right rather than as empty).
 */
function clearMessage(run: ChildRun, connections: number): string | undefined {
  const record = run.records.find(
    (r) => r['outcome'] === 'failed' || (r['decision'] === 'skip' && typeof r['reason'] === 'string'),
  );
  if (record !== undefined) return `${String(record['errorCode'] ?? record['decision'])}: ${String(record['reason'])}`;
  const line = run.stderr.split('\n').find((l) => l.trim() !== '');
  if (run.exitCode !== 0 && line !== undefined) return line.trim();
  const summary = run.records.find((r) => String(r.schema).includes('/run/'));
  const seen = summary?.['connectionsSeen'];
  return seen === connections ? `read in full: all ${connections} connections seen` : undefined;
}

/** Judges one hostile run: its writes come from the log between its start and end. */
async function judgeCase(name: string, run: ChildRun, emu: SoakEmulator, connections: number): Promise<HostileCase> {
  const writes = effectsOf((await emu.requests(run.seqFrom)).filter((e) => e.seq <= run.seqTo)).length;
  const seconds = run.durationMs / 1000;
  const message = clearMessage(run, connections);
  const problems: string[] = [];
  if (writes > 0) problems.push(`${writes} writes`);
  if (run.killed === 'timeout' || seconds > TIME_BOUND_S) problems.push(`${seconds.toFixed(1)} s`);
  if (run.maxRssKb !== undefined && run.maxRssKb > MEMORY_BOUND_KB) problems.push(`${run.maxRssKb} KiB`);
  if (message === undefined) problems.push('no record or message');
  if (/internal error|\n\s+at /.test(run.stderr)) problems.push('a stack trace or internal error');
  return {
    name,
    unavailable: false,
    writes,
    seconds,
    maxRssKb: run.maxRssKb,
    exitCode: run.exitCode,
    message,
    problems,
  };
}

/** A case the emulator cannot produce. */
function unavailableCase(name: string): HostileCase {
  const none = { writes: 0, seconds: 0, maxRssKb: undefined, exitCode: null, message: undefined, problems: [] };
  return { name, unavailable: true, ...none };
}

/**
 * Hostile answer kinds in turn against one converged fleet (so any write is the answer's doing), until
 * one makes a write: the fleet is then no longer converged, so the caller starts a fresh one for the rest.
 */
function hostileAnswersOnFleet(
  ctx: SoakContext,
  seed: number,
  todo: Array<{ name: string; rule: Record<string, unknown> }>,
  cases: HostileCase[],
): Promise<void> {
  return withFleet(ctx, seed, { pendingStatus: 'Connecting' }, async (emu, fleet, policy) => {
    for (let n = 1; n <= 3; n++) {
      const run = await applyOnce(ctx, emu, policy, `hostile converge #${n}`, n);
      await new Promise((resolve) => setTimeout(resolve, 400));
      if (!run.records.some((r) => r['outcome'] === 'applied')) break;
    }
    for (let next = todo.shift(); next !== undefined; next = todo.shift()) {
      const res = await emu.patchSettings({ faults: { seed: ctx.seed, rules: [next.rule] } });
      if (!res.ok) {
        cases.push(unavailableCase(next.name));
        continue;
      }
      const run = await applyOnce(ctx, emu, policy, `hostile answer: ${next.name}`, 1, {
        measure: true,
        deadlineSeconds: 30,
      });
      const judged = await judgeCase(next.name, run, emu, fleet.connections);
      cases.push(judged);
      await faultsOff(emu);
      if (judged.writes > 0) return;
    }
  });
}

/** Every hostile answer kind (or the size's sample), each against a converged fleet. */
export async function hostileAnswersPhase(ctx: SoakContext): Promise<HostileCase[]> {
  ctx.progress('hostile answers');
  const todo = sample(HOSTILE_ANSWERS, ctx.size.hostileAnswers);
  const cases: HostileCase[] = [];
  // Bounded: each fleet takes at least one case.
  for (let fleet = 0; todo.length > 0 && fleet < HOSTILE_ANSWERS.length; fleet++)
    await hostileAnswersOnFleet(ctx, ctx.seed + 300 + fleet, todo, cases);
  return cases;
}

/** All of `all`, or `limit` of them spread evenly over the list (the short variant's sample). */
export function sample<T>(all: T[], limit: number | undefined): T[] {
  if (limit === undefined || limit >= all.length) return all;
  const step = all.length / limit;
  return Array.from({ length: limit }, (_, i) => all[Math.floor(i * step)] as T);
}

/** The broken policies of the corpus, in name order (all, or a sample). */
export function brokenPolicies(limit: number | undefined): string[] {
  const dir = join(REPO_ROOT, 'test/policy/broken');
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
  return sample(all, limit);
}

/** Every broken policy given to `apply` (two at a time): exit 65, no writes, a message naming the file. */
export function hostileFilesPhase(ctx: SoakContext): Promise<HostileCase[]> {
  const files = brokenPolicies(ctx.size.brokenPolicies);
  ctx.progress(`hostile files: ${files.length} broken policies`);
  return withFleet(ctx, ctx.seed + 400, { pendingStatus: 'Connecting' }, async (emu) => {
    const cases: HostileCase[] = [];
    const queue = [...files];
    const worker = async (): Promise<void> => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        const name = `broken/${basename(file)}`;
        const run = await applyOnce(ctx, emu, file, `hostile file: ${name}`, 1, { measure: true, deadlineSeconds: 30 });
        const judged = await judgeCase(name, run, emu, -1);
        if (run.exitCode !== 65) judged.problems.push(`exit ${run.exitCode ?? run.signal}, not 65`);
        if (!run.stderr.includes(basename(file))) judged.problems.push('the message does not name the file');
        cases.push(judged);
      }
    };
    await Promise.all([worker(), worker()]);
    return cases.sort((a, b) => a.name.localeCompare(b.name));
  });
}
