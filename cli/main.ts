/**
 * privatelink-approver: the command line. Runs the same core as the Function Compute handler.
 */
import type { CliIO, Command } from './command.ts';
import { EXIT } from './exit-codes.ts';

/** A command in the list: its module is imported only when the command runs, so `validate` does not
 *  pay for loading the API client and `--version` loads nothing. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'validate',
    summary: 'Check policy files (syntax, schema, meaning); exit 65 when any is invalid',
    load: async () => (await import('./commands/validate.ts')).validateCommand,
  },
  {
    name: 'plan',
    summary: 'Show what a sweep would change (reads only, writes nothing)',
    load: async () => (await import('./commands/plan.ts')).planCommand,
  },
  {
    name: 'apply',
    summary: 'Run one sweep: decide every connection and apply the decisions',
    load: async () => (await import('./commands/apply.ts')).applyCommand,
  },
  {
    name: 'propose',
    summary: 'Propose the policy change that would accept the requests held for a person',
    load: async () => (await import('./commands/propose.ts')).proposeCommand,
  },
  {
    name: 'audit',
    summary: 'Filter exported decision records (JSON lines) locally',
    load: async () => (await import('./commands/audit.ts')).auditCommand,
  },
  {
    name: 'emulator',
    summary: 'Run the local PrivateLink API emulator (prints its endpoint and keys as JSON)',
    load: async () => (await import('./commands/emulator.ts')).emulatorCommand,
  },
  {
    name: 'invoke',
    summary: 'Run the deployed function now (FC) and print its run summary',
    load: async () => (await import('./commands/invoke.ts')).invokeCommand,
  },
  {
    name: 'start',
    summary: 'Demo: start the embedded emulator with the demo fleet and sweep it twice (npm start)',
    load: async () => (await import('./commands/start.ts')).startCommand,
  },
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: privatelink-approver <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `privatelink-approver <command> --help` for a command's options.",
    '',
  ].join('\n');
}

/** Runs the CLI with the given arguments (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    io.stdout.write('privatelink-approver 0.1.0\n');
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    io.stderr.write(`privatelink-approver: unknown command '${name}'\n\n${usage()}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help);
    return EXIT.ok;
  }
  return command.run(rest, io);
}
