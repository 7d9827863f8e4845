/**
 * Fitting human output to the terminal: the width to use and word wrapping that never splits our own
 * colour codes (wrap first, colour after).
 */
import type { CliIO } from './command.ts';

/** The default width when stdout is not a terminal (and COLUMNS does not say). */
export const DEFAULT_WIDTH = 100;

/** The width of a stream's terminal (stdout by default): its columns on a TTY, else a positive COLUMNS, else 100. */
export function terminalWidth(io: CliIO, stream: CliIO['stdout'] = io.stdout): number {
  const columns = (stream as { columns?: number }).columns;
  if (stream.isTTY === true && typeof columns === 'number' && columns > 0) return columns;
  const env = Number(io.env['COLUMNS']);
  return Number.isInteger(env) && env > 0 ? env : DEFAULT_WIDTH;
}

/**
 * Word-wraps `text` to `width` columns: the first line starts with `first`, the others with `rest`.
 * A word longer than a line is cut. Returns the lines.
 */
export function wrapText(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let fresh = true;
  for (const word of text.split(/ +/)) {
    let w = word;
    if (!fresh && line.length + 1 + w.length > width) {
      lines.push(line);
      line = rest;
      fresh = true;
    }
    while (fresh && line.length + w.length > width && width - line.length > 10) {
      const room = width - line.length;
      lines.push(line + w.slice(0, room));
      w = w.slice(room);
      line = rest;
    }
    line += (fresh ? '' : ' ') + w;
    fresh = false;
  }
  lines.push(line);
  return lines;
}
