/**
 * `npm run soak`: drives the real CLI and the function against the emulator and prints one figure per
 * promise of issue 10; exits 1 when one is broken. `--short` is the variant `npm test` runs.
 * Usage: tsx test/soak/run-soak.ts [--short] [--seed N] [--only faults,overlap,crash,answers,files]. See docs/soak.md.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './soak-child.ts';
import { freshKeys } from './soak-fleet.ts';
import type { HostileCase } from './soak-hostile.ts';
import { hostileAnswersPhase, hostileFilesPhase } from './soak-hostile.ts';
import type { PhaseResult, SoakContext, SoakSize } from './soak-phases.ts';
import { crashPhase, faultsPhase, overlapPhase } from './soak-phases.ts';
import type { Figure } from './soak-report.ts';
import { figuresOf, renderFigures } from './soak-report.ts';
import { redactSecrets, scanForSecrets } from './soak-secrets.ts';

export const FULL: SoakSize = {
  services: 20,
  perService: 50,
  maxRuns: 8,
  kills: 8,
  overlaps: [2, 3],
  brokenPolicies: undefined,
  hostileAnswers: undefined,
  taskLock: { services: 4, perService: 25 },
  timeoutMs: 1000,
};

export const SHORT: SoakSize = {
  services: 6,
  perService: 30,
  maxRuns: 6,
  kills: 2,
  overlaps: [3],
  brokenPolicies: 3,
  hostileAnswers: 2,
  taskLock: { services: 2, perService: 15 },
  timeoutMs: 800,
};

export interface SoakResult {
  figures: Figure[];
  text: string;
  ok: boolean;
}

/** Runs every phase and judges it; never throws for a broken promise (that is a figure). */
/** The soak's parts, for `--only` (the figures of the parts not run say so and do not fail). */
export const PARTS = ['faults', 'overlap', 'crash', 'answers', 'files'] as const;
export type Part = (typeof PARTS)[number];

/** Runs the phases of `parts` in order. */
async function runPhases(
  ctx: SoakContext,
  parts: ReadonlySet<Part>,
): Promise<{ phases: PhaseResult[]; answers: HostileCase[]; files: HostileCase[] }> {
  const phases: PhaseResult[] = [];
  if (parts.has('faults')) {
    for (const reading of ['Connecting', 'Disconnected'] as const) phases.push(await faultsPhase(ctx, reading));
    phases.push(await faultsPhase(ctx, 'Disconnected', true));
  }
  if (parts.has('overlap')) for (const n of ctx.size.overlaps) phases.push(await overlapPhase(ctx, n));
  if (parts.has('crash')) phases.push(await crashPhase(ctx));
  const answers = parts.has('answers') ? await hostileAnswersPhase(ctx) : [];
  const files = parts.has('files') ? await hostileFilesPhase(ctx) : [];
  return { phases, answers, files };
}

export async function runSoak(
  size: SoakSize,
  seed: number,
  progress: (line: string) => void,
  parts: ReadonlySet<Part> = new Set(PARTS),
): Promise<SoakResult> {
  const ctx: SoakContext = {
    size,
    seed,
    keys: freshKeys(),
    dir: scratchDir(),
    runs: [],
    signatures: new Set(),
    progress,
  };
  try {
    const { phases, answers, files } = await runPhases(ctx, parts);
    const secrets = [
      { what: 'AccessKey secret', value: ctx.keys.permanent.accessKeySecret },
      { what: 'STS AccessKey secret', value: ctx.keys.sts.accessKeySecret },
      { what: 'security token', value: ctx.keys.sts.securityToken },
      { what: 'demo AccessKey secret', value: 'demo-provider-secret' },
      ...[...ctx.signatures].map((value) => ({ what: 'signature', value })),
    ];
    const texts = ctx.runs.flatMap((r) => [
      { where: `${r.label} stdout`, text: r.stdout },
      { where: `${r.label} stderr`, text: r.stderr },
      { where: `${r.label} records`, text: r.recordsText },
    ]);
    const figures = figuresOf({ parts, phases, answers, files });
    const draft = renderFigures(figures, seed);
    const hits = scanForSecrets([...texts, { where: 'the soak report', text: draft }], secrets);
    figures.push({
      promise: 'secrets',
      ok: hits.length === 0,
      figure:
        `${hits.length} hits for ${secrets.length} secrets (${ctx.signatures.size} signatures as sent, ` +
        `keys, security token; raw and URL-encoded) in ${texts.length + 1} outputs`,
      details: hits.slice(0, 20).map((h) => `${h.what} in ${h.where}`),
    });
    // Details quote the product's messages: a leaked secret is named by kind, never printed.
    const text = redactSecrets(renderFigures(figures, seed), secrets);
    return { figures, text, ok: figures.every((f) => f.ok) };
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const short = argv.includes('--short');
  const seedAt = argv.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(argv[seedAt + 1]) : Math.floor(Math.random() * 1e6);
  if (!Number.isInteger(seed)) {
    process.stderr.write('soak: --seed takes an integer\n');
    return 64;
  }
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : [...PARTS];
  if (!only.every((p): p is Part => (PARTS as readonly string[]).includes(p))) {
    process.stderr.write(`soak: --only takes parts of ${PARTS.join(',')}\n`);
    return 64;
  }
  const started = performance.now();
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`;
  const progress = (line: string): boolean => process.stderr.write(`${elapsed()} ${line}\n`);
  const result = await runSoak(short ? SHORT : FULL, seed, progress, new Set(only));
  process.stdout.write(result.text);
  process.stdout.write(
    `soak ${result.ok ? 'passed' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
  return result.ok ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
