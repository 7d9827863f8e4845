import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { CliIO } from './command.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags: the values by flag name and the positional arguments. */
export interface ParsedFlags {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * Parses a command's flags with `node:util` parseArgs (strict). On an unknown flag or a missing value it
 * writes a clear message naming the command and its `--help`, and returns undefined: the caller exits 64.
 */
export function parseFlags(
  command: string,
  argv: string[],
  options: Options,
  io: CliIO,
  allowPositionals = false,
): ParsedFlags | undefined {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals });
    return { values: values as ParsedFlags['values'], positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `privatelink-approver ${command}: ${message}\nRun \`privatelink-approver ${command} --help\` for the options.\n`,
    );
    return undefined;
  }
}

/** A flag's value as a string (the last one when repeated), or undefined. */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.values[name];
  if (Array.isArray(value)) return value.length === 0 ? undefined : String(value[value.length - 1]);
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable flag's values; undefined when not given (so "not given" never narrows to nothing). */
export function listFlag(flags: ParsedFlags, name: string): string[] | undefined {
  const value = flags.values[name];
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value])
    .map(String)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return list.length === 0 ? undefined : list;
}

/** A boolean flag. */
export function booleanFlag(flags: ParsedFlags, name: string): boolean {
  return flags.values[name] === true;
}
