/**
 * One `--help` layout for every command: usage line, one-line summary, what it does, options (always
 * with -h/--help), notes (credentials etc.), then the exit codes, each from the one table in exit-codes.ts.
 */
import type { ExitName } from './exit-codes.ts';
import { EXIT } from './exit-codes.ts';

export interface HelpSpec {
  /** After `Usage: privatelink-approver `. */
  usage: string;
  /** The command list's one line. */
  summary: string;
  /** A paragraph on what the command does (optional). */
  description?: string;
  /** Option lines, two-space indented, descriptions from column 26; `-h, --help` is added last. */
  options: string;
  /** Paragraphs after the options: credentials, environment, where output goes. */
  notes?: string;
  /** The codes this command exits with and what each means for it. */
  exitCodes: Partial<Record<ExitName, string>>;
}

export const HELP_OPTION = '  -h, --help             show this help';

/** The help text for a command, in the one layout. */
export function renderHelp(spec: HelpSpec): string {
  const codes = (Object.entries(spec.exitCodes) as [ExitName, string][])
    .map(([name, meaning]) => [EXIT[name], meaning] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([code, meaning]) => `  ${String(code).padEnd(4)}${meaning}`);
  const parts = [
    `Usage: privatelink-approver ${spec.usage}`,
    spec.summary.endsWith('.') ? spec.summary : `${spec.summary}.`,
    ...(spec.description === undefined ? [] : [spec.description.trimEnd()]),
    `Options:\n${spec.options.trimEnd()}\n${HELP_OPTION}`,
    ...(spec.notes === undefined ? [] : [spec.notes.trimEnd()]),
    `Exit codes:\n${codes.join('\n')}`,
  ];
  return `${parts.join('\n\n')}\n`;
}
