/**
 * A finding about a policy file: where it is (file, line, column, path in the policy), what is wrong and
 * how to fix it. Validation returns these as data; the CLI decides how to print them and which exit code
 * follows.
 */
export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Path in the policy, e.g. `services[1].allow[0].maxBandwidth`; empty for the whole file. */
  path: string;
  message: string;
  /** How to fix it, when the message alone does not say (e.g. `did you mean "mode"?`). */
  hint?: string;
}

/**
 * One line: `policies/prod.yaml:12:23 services[1].allow[0].maxBandwidth: must be an integer from 100 to
 * 25600 (Mbit/s)`. Warnings carry `warning:` before the message; a hint follows in parentheses.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  const hint = d.hint === undefined ? '' : ` (${d.hint})`;
  const what = `${d.severity === 'warning' ? 'warning: ' : ''}${d.message}${hint}`;
  return d.path === '' ? `${where} ${what}` : `${where} ${d.path}: ${what}`;
}

/** Orders diagnostics by file, then position, errors before warnings at the same place. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.severity !== b.severity) return a.severity === 'error' ? -1 : 1;
  return 0;
}

/**
 * Findings of one kind listed per file, at most: a policy with 100,000 unknown keys gets the first ones
 * and a count, which is all a person can act on, and `validate` stays linear and quick.
 */
export const MAX_DIAGNOSTICS = 1000;

/** The diagnostic standing for `more` findings not listed beyond {@link MAX_DIAGNOSTICS}, at the first of them. */
export function moreDiagnostics(
  file: string,
  severity: Diagnostic['severity'],
  more: number,
  at: { line: number; column: number },
): Diagnostic {
  const what = severity === 'error' ? 'errors' : 'warnings';
  return {
    severity,
    file,
    ...at,
    path: '',
    message: `${more} more ${what} from here on are not listed (only the first ${MAX_DIAGNOSTICS} are)`,
    hint: 'fix the ones listed and validate again',
  };
}
