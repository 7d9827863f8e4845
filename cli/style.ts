import type { CliIO } from './command.ts';

/** Text styling for human output: ANSI colours only on a TTY and only when NO_COLOR is not set (no-color.org). */
export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** The style for one output stream. */
export function createStyle(stream: CliIO['stdout'], env: NodeJS.ProcessEnv): Style {
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  const enabled = stream.isTTY === true && !noColor && env['TERM'] !== 'dumb';
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}
