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

/** Exit codes, documented in README.md ("Exit codes"). */
export const EXIT = {
  ok: 0,
  /** plan: changes are pending. */
  changesPending: 2,
  /** A user error: bad flags, a policy that does not validate. */
  usage: 64,
  policyInvalid: 65,
  /** Credentials or API failures that stopped the run. */
  apiFailure: 69,
  /** Some decisions failed to apply (the run went on). */
  partialFailure: 70,
  /** A safety limit blocked part of the plan. */
  blocked: 71,
  /** sysexits(3) EX_CANTCREAT: an output file (apply --records) cannot be opened; nothing was read or changed. */
  cannotCreate: 73,
  /** sysexits(3) EX_IOERR: writing an output file failed during the run. */
  ioError: 74,
  internal: 1,
} as const;
