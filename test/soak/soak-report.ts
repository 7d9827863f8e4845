/**
 * The soak's verdicts: one figure per promise of issue 10, with the first offending details. See
 * docs/soak.md for how each figure is measured.
 */
import type { HostileCase } from './soak-hostile.ts';
import { MEMORY_BOUND_KB, TIME_BOUND_S } from './soak-hostile.ts';
import type { PhaseResult } from './soak-phases.ts';

export interface Figure {
  promise: string;
  ok: boolean;
  figure: string;
  details: string[];
}

/** The fault kinds the soak means to inject; each must show up in the faults phases' logs. */
const EXPECTED_KINDS = [
  'internalError',
  'serviceUnavailable',
  'badGateway',
  'hang',
  'drop',
  'lost answer',
  'Throttling.User',
  'ConcurrentCallNotSupported',
];
const CONVERGE_TARGET = 5;
const MAX_DETAILS = 8;

function faultsFigure(phases: PhaseResult[]): Figure {
  const faults = phases.filter((p) => p.name.startsWith('faults/'));
  const details: string[] = [];
  const parts = faults.map((p) => {
    const share = p.calls.calls === 0 ? 0 : (100 * p.calls.failed) / p.calls.calls;
    const kinds = [...p.calls.byKind].map(([k, n]) => `${k} ${n}`).join(', ');
    if (p.planExit !== 0) details.push(`${p.name}: a fault-free plan afterwards exits ${p.planExit}, not 0`);
    details.push(...p.endProblems.slice(0, MAX_DETAILS).map((x) => `${p.name}: ${x}`));
    details.push(`${p.name}: ${kinds}`);
    return (
      `${p.name.slice('faults/'.length)}: ${p.connections} connections converged after ` +
      `${p.runsToConverge ?? `more than ${p.runs.length}`} runs, ${p.calls.failed} of ${p.calls.calls} calls failed (${share.toFixed(1)}%)`
    );
  });
  // Every kind must be met somewhere in the soak (a short run may miss a rare one in one phase).
  const missing = EXPECTED_KINDS.filter((k) => !phases.some((p) => p.calls.byKind.has(k)));
  if (missing.length > 0) details.unshift(`never met: ${missing.join(', ')}`);
  const ok =
    missing.length === 0 &&
    faults.every(
      (p) =>
        p.runsToConverge !== undefined &&
        p.runsToConverge <= CONVERGE_TARGET &&
        p.planExit === 0 &&
        p.endProblems.length === 0,
    );
  return { promise: 'faults', ok, figure: `${parts.join('; ')} (target: at most ${CONVERGE_TARGET})`, details };
}

function countFigure(promise: string, phases: PhaseResult[], pick: (p: PhaseResult) => string[], what: string): Figure {
  const all = phases.flatMap((p) => pick(p).map((x) => `${p.name}: ${x}`));
  const writes = phases.reduce((n, p) => n + p.effects.length, 0);
  const per = phases.map((p) => `${p.name} ${pick(p).length}`).join(', ');
  return {
    promise,
    ok: all.length === 0,
    figure: `${all.length} ${what} among ${writes} writes that took effect (${per})`,
    details: all.slice(0, MAX_DETAILS),
  };
}

function neverWrongFigure(phases: PhaseResult[]): Figure {
  const fig = countFigure('never wrong', phases, (p) => p.wrong, 'wrong writes');
  const caps = phases.flatMap((p) =>
    p.endProblems.filter((x) => x.includes('above the cap')).map((x) => `${p.name}: ${x}`),
  );
  return {
    ...fig,
    ok: fig.ok && caps.length === 0,
    figure: `${fig.figure}; ${caps.length} connections above a cap after convergence`,
    details: [...fig.details, ...caps.slice(0, MAX_DETAILS)],
  };
}

function crashFigure(phases: PhaseResult[]): Figure {
  const crash = phases.find((p) => p.name === 'crash');
  if (crash === undefined) return { promise: 'crash-safe', ok: false, figure: 'not run', details: [] };
  const killed = crash.runs.filter((r) => r.killed === 'crash');
  const byKilled = crash.effects.filter((e) => killed.some((r) => r.seqFrom < e.seq && e.seq <= r.seqTo)).length;
  const ok = crash.wrong.length === 0 && crash.endProblems.length === 0 && crash.runsToConverge !== undefined;
  return {
    promise: 'crash-safe',
    ok,
    figure:
      `${killed.length} applies SIGKILLed (${byKilled} writes took effect in them), ${crash.wrong.length} wrong writes, ` +
      `end state ${crash.endProblems.length === 0 ? 'right' : `wrong in ${crash.endProblems.length} connections`} ` +
      `after ${crash.runsToConverge ?? `more than ${crash.runs.length - killed.length}`} more runs`,
    details: [...crash.wrong, ...crash.endProblems].slice(0, MAX_DETAILS),
  };
}

function nothingLostFigure(phases: PhaseResult[]): Figure {
  const unrecorded = phases.flatMap((p) => p.unrecorded.map((x) => `${p.name}: ${x}`));
  const applied = phases.flatMap((p) => p.appliedNoEffect.map((x) => `${p.name}: ${x}`));
  const writes = phases.reduce((n, p) => n + p.effects.length, 0);
  return {
    promise: 'nothing lost',
    ok: unrecorded.length === 0 && applied.length === 0,
    figure:
      `${unrecorded.length} of ${writes} writes without a record (intent or outcome) of the run that made them; ` +
      `${applied.length} applied records without a write`,
    details: [...unrecorded.slice(0, MAX_DETAILS), ...applied.slice(0, MAX_DETAILS)],
  };
}

/** One hostile case, for the report: what came of it and the record or message that says so. */
function caseLine(c: HostileCase): string {
  const rss = c.maxRssKb === undefined ? '' : `, ${(c.maxRssKb / 1024).toFixed(0)} MiB`;
  const message = (c.message ?? '').replace(/\s+/g, ' ');
  const short = message.length > 110 ? `${message.slice(0, 110)}...` : message;
  return `${c.name}: exit ${c.exitCode}, ${c.seconds.toFixed(1)} s${rss}: ${short}`;
}

function hostileFigure(promise: string, cases: HostileCase[], noun: string, listAll: boolean): Figure {
  const tried = cases.filter((c) => !c.unavailable);
  const bad = tried.filter((c) => c.problems.length > 0);
  const slowest = Math.max(0, ...tried.map((c) => c.seconds));
  const rss = Math.max(0, ...tried.map((c) => c.maxRssKb ?? 0));
  const writes = tried.reduce((n, c) => n + c.writes, 0);
  const unavailable = cases.filter((c) => c.unavailable).map((c) => `${c.name}: not offered by this emulator`);
  const good = listAll ? tried.filter((c) => c.problems.length === 0).map((c) => `ok: ${caseLine(c)}`) : [];
  return {
    promise,
    // A kind the emulator does not offer is a promise not proven.
    ok: bad.length === 0 && tried.length > 0 && unavailable.length === 0,
    figure:
      `${tried.length} ${noun}, ${writes} writes, ${bad.length} broken; slowest ${slowest.toFixed(1)} s ` +
      `(bound ${TIME_BOUND_S}), peak RSS ${(rss / 1024).toFixed(0)} MiB (bound ${MEMORY_BOUND_KB / 1024})` +
      (unavailable.length > 0 ? `; ${unavailable.length} kinds unavailable` : ''),
    details: [
      ...bad.map((c) => `${c.problems.join(', ')}: ${caseLine(c)}`).slice(0, MAX_DETAILS * 2),
      ...unavailable,
      ...good,
    ],
  };
}

/** The figure of a promise whose parts were not run (`--only`): not a failure. */
function notRun(promise: string): Figure {
  return { promise, ok: true, figure: 'not run (--only)', details: [] };
}

/** Every figure but the secret scan (which reads the rendered report too). */
export function figuresOf(input: {
  parts: ReadonlySet<string>;
  phases: PhaseResult[];
  answers: HostileCase[];
  files: HostileCase[];
}): Figure[] {
  const { phases, parts } = input;
  const overlaps = phases.filter((p) => p.name.startsWith('overlap/'));
  const twice = countFigure('never twice', phases, (p) => p.twice, 'writes that took effect twice');
  twice.figure += `; overlapping runs: ${overlaps.map((p) => p.name.slice('overlap/'.length)).join(' and ') || 'none'} at once`;
  const sweeps = phases.length > 0;
  return [
    parts.has('faults') ? faultsFigure(phases) : notRun('faults'),
    sweeps ? neverWrongFigure(phases) : notRun('never wrong'),
    sweeps ? twice : notRun('never twice'),
    parts.has('crash') ? crashFigure(phases) : notRun('crash-safe'),
    sweeps ? nothingLostFigure(phases) : notRun('nothing lost'),
    parts.has('answers') ? hostileFigure('hostile answers', input.answers, 'kinds', true) : notRun('hostile answers'),
    parts.has('files') ? hostileFigure('hostile files', input.files, 'policies', false) : notRun('hostile files'),
  ];
}

/** The printed report: one line per promise, then its details indented. */
export function renderFigures(figures: Figure[], seed: number): string {
  const lines = [`soak (seed ${seed})`];
  for (const f of figures) {
    lines.push(`${f.ok ? 'ok  ' : 'FAIL'}  ${f.promise.padEnd(16)} ${f.figure}`);
    for (const d of f.details) lines.push(`        ${d}`);
  }
  return `${lines.join('\n')}\n`;
}
