import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { EmulatorSettings, FaultSettings } from '../types.ts';
import type { Problem } from './scenario-diagnostics.ts';
import { formatProblem, offsetOf, position, schemaProblems } from './scenario-diagnostics.ts';
import { Meaning, checkAccounts, checkEndpoints, checkServices } from './scenario-meaning.ts';
import type { Scenario } from './scenario-types.ts';

export { SCENARIO_CONNECTION_STATUSES } from './scenario-schema.ts';
export { TRANSITION_STATUSES } from './scenario-meaning.ts';
export type * from './scenario-types.ts';

/** A scenario that does not load. `errors` are `file:line:col: path: message` lines. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
  }
}

/** The emulator's defaults; a scenario's `settings:` block overrides single fields. */
export function defaultSettings(): EmulatorSettings {
  return {
    pendingStatus: 'Connecting',
    enableDelayMs: 2000,
    disableDelayMs: 1000,
    updateDelayMs: 500,
    deleteDelayMs: 1000,
    createDelayMs: 1000,
    writeLock: 'request',
    writeLockScope: 'account',
    maxClockSkewMs: 900_000,
    allowSts: true,
    faults: { seed: 1, rules: [] },
  };
}

const SECTIONS = ['settings', 'accounts', 'services', 'endpoints'];

/** Drops keys whose value is null (`key:` with nothing after it means "not given", as before). */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, dropNulls(v)]),
  );
}

/** The entries ('accounts/1', ...) with a wrong value: they load no record (an unknown key alone does not
 *  stop an entry from loading, so its other problems are not hidden behind "unknown account"). */
function brokenEntries(problems: Problem[]): Set<string> {
  const broken = problems.filter((p) => typeof p.path[1] === 'number' && p.atKey !== true);
  return new Set(broken.map((p) => p.path.slice(0, 2).join('/')));
}

/**
 * Problems in file order of sections and entries; within an entry, structure (in file order) before
 * meaning (in the order it is checked, which follows the entry's own logic).
 */
function byEntry(doc: Document, structure: Problem[], meaning: Problem[]): Problem[] {
  const rank = (p: Problem, phase: number, i: number): number[] => {
    const section = SECTIONS.indexOf(String(p.path[0] ?? ''));
    const top = section < 0 ? (p.path.length === 0 ? -1 : SECTIONS.length) : section;
    const entry = typeof p.path[1] === 'number' ? p.path[1] : -1;
    return [top, entry, phase, phase === 0 ? (offsetOf(doc, p) ?? 0) : 0, i];
  };
  const keyed = [
    ...structure.map((p, i) => ({ p, r: rank(p, 0, i) })),
    ...meaning.map((p, i) => ({ p, r: rank(p, 1, i) })),
  ];
  const cmp = (a: number[], b: number[]): number => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  return keyed.sort((a, b) => cmp(a.r, b.r)).map((x) => x.p);
}

/** The settings block as EmulatorSettings overrides (its structure already checked). */
function settingsOf(value: unknown): Partial<EmulatorSettings> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out = structuredClone(value) as Partial<EmulatorSettings> & { faults?: Partial<FaultSettings> };
  if (out.faults !== undefined) out.faults = { seed: out.faults.seed ?? 1, rules: out.faults.rules ?? [] };
  return out as Partial<EmulatorSettings>;
}

/**
 * Parse and validate a scenario file's text: structure against the JSON Schema, then meaning. Errors
 * carry positions (`file:line:col: path: message`); every problem is reported, not only the first.
 * @throws ScenarioError when the YAML is malformed or does not describe a valid scenario.
 */
export function parseScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => `${position(file, lineCounter, e.pos[0])}: ${e.message.split('\n')[0] ?? e.message}`),
    );
  }
  const data = dropNulls(doc.toJS() ?? {});
  const structure = schemaProblems(data);
  const m = new Meaning(brokenEntries(structure));
  const top = (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) as Record<
    string,
    unknown
  >;
  const overrides = structure.some((p) => p.path[0] === 'settings') ? {} : settingsOf(top.settings);
  const accounts = checkAccounts(m, top.accounts);
  const services = checkServices(m, top.services, accounts);
  const endpoints = checkEndpoints(m, top.endpoints, accounts, services, { ...defaultSettings(), ...overrides });
  const problems = byEntry(doc, structure, m.problems);
  if (problems.length > 0) throw new ScenarioError(problems.map((p) => formatProblem(file, doc, lineCounter, p)));
  return { settings: overrides, accounts, services, endpoints };
}

/**
 * Read and parse a scenario file.
 * @throws ScenarioError (also when the file cannot be read: `file: cannot read: reason`).
 */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String((err as NodeJS.ErrnoException).code) : String(err);
    throw new ScenarioError([`${path}: cannot read: ${reason}`]);
  }
  return parseScenario(text, path);
}

/** Where the built-in scenarios live (emulator/scenarios, beside this folder). */
export const SCENARIOS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

/** The demo fleet of the project's docs (emulator/scenarios/demo.yaml): the emulator's default. */
export function demoScenario(): Scenario {
  return loadScenarioFile(join(SCENARIOS_DIR, 'demo.yaml'));
}
