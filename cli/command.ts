/**
 * A CLI subcommand. Each lives in ./commands/<name>.ts and is listed in ./main.ts.
 * `run` returns the process exit code; it writes to the given streams, never to process.stdout directly,
 * so tests can run commands in-process.
 */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  run(argv: string[], io: CliIO): Promise<number>;
}
