/**
 * `privatelink-approver emulator`: runs the local PrivateLink API emulator until SIGINT/SIGTERM.
 * Start-up contract: the first stdout line is one JSON object with the endpoint, the regions and every
 * account's AccessKey, so a script (or a test) can read it and start calling; everything for people goes
 * to stderr.
 */
import { parseArgs } from 'node:util';
import type { Command, CliIO } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { isLoopback } from '../../emulator/index.ts';
import type { Scenario } from '../../emulator/index.ts';
import { ScenarioError, demoScenario, loadScenarioFile } from '../../emulator/index.ts';
import { generateFleet } from '../../emulator/index.ts';
import type { AccessKeyRecord, EmulatorSettings } from '../../emulator/index.ts';

const HELP = `Usage: privatelink-approver emulator [options]

Runs the local PrivateLink API emulator (API version 2020-04-15): the endpoint the real
@alicloud/pop-core client (and plan/apply with --endpoint) talks to, with signed requests,
asynchronous connection transitions, fault injection and a control path at /__emulator/.

On start-up the first line on stdout is one JSON object:
  {"endpoint":"http://127.0.0.1:PORT","regions":[...],
   "accounts":[{"accountId","name","accessKeyId","accessKeySecret","securityToken"?}, ...]}
listing every account with its first AccessKey (an account with several keys also has
"accessKeys":[...] with all of them; one without keys has only its ID and name).
Everything else goes to stderr. Runs until SIGINT or SIGTERM, then closes and exits 0.

Options:
  --port N               TCP port (default 0: any free port; the chosen one is printed)
  --host ADDR            interface to listen on (default 127.0.0.1); a non-loopback
                         address needs --allow-remote
  --allow-remote         allow --host to be a non-loopback address (the control path
                         still answers loopback callers only)
  --scenario FILE        scenario YAML file (default: the built-in demo fleet,
                         emulator/scenarios/demo.yaml)
  --generate SxC         a generated fleet instead of a scenario: S services with C
                         connections each, e.g. 200x50
  --seed N               seed of the generated fleet and of fault injection (integer)
  --pending-status S     how a request awaiting acceptance is shown: Connecting (the
                         2020-04-15 reference, default) or Disconnected (newer docs)
  --write-lock R         the reading of "no concurrent connection writes per account":
                         request (default: two writes may not overlap) or task (also
                         refused while a connection task the account started still runs)
  --write-lock-scope S   what the lock covers: account (default) or region
  -h, --help             this text

Exit codes: 0 stopped by a signal; 64 bad flags; 65 the scenario does not load;
69 the emulator could not listen (port in use, address not available).

Examples:
  privatelink-approver emulator --port 8080
  privatelink-approver emulator --generate 200x50 --seed 7 --pending-status Disconnected
  privatelink-approver emulator --write-lock task --write-lock-scope region
  curl -s http://127.0.0.1:8080/__emulator/state
`;

class UsageError extends Error {}

interface EmulatorFlags {
  port: number;
  host: string;
  scenario: Scenario;
  scenarioLabel: string;
  settings: Partial<EmulatorSettings>;
}

/** A flag with a fixed set of values (undefined when not given). */
function choice<T extends string>(value: string | undefined, flag: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const hit = allowed.find((a) => a === value);
  if (hit === undefined) throw new UsageError(`${flag} must be ${allowed.join(' or ')}, got '${value}'`);
  return hit;
}

/** The scenario: a generated fleet, a scenario file, or the demo fleet. */
function pickScenario(
  scenarioFile: string | undefined,
  generate: string | undefined,
  seed: number | undefined,
): { scenario: Scenario; scenarioLabel: string } {
  if (scenarioFile !== undefined && generate !== undefined)
    throw new UsageError('--scenario and --generate exclude each other: give one');

  let scenario: Scenario;
  let scenarioLabel: string;
  if (generate !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(generate);
    const services = Number(m?.[1]);
    const connectionsPerService = Number(m?.[2]);
    if (
      m === null ||
      services < 1 ||
      connectionsPerService < 0 ||
      services > 100_000 ||
      services * connectionsPerService > 2_000_000
    ) {
      throw new UsageError(
        `--generate must be SERVICESxCONNECTIONS (e.g. 200x50, at most 2,000,000 connections), got '${generate}'`,
      );
    }
    scenario = generateFleet({ services, connectionsPerService, ...(seed === undefined ? {} : { seed }) });
    scenarioLabel = `generated ${services}x${connectionsPerService}`;
  } else if (scenarioFile !== undefined) {
    scenario = loadScenarioFile(scenarioFile);
    scenarioLabel = scenarioFile;
  } else {
    scenario = demoScenario();
    scenarioLabel = 'demo fleet';
  }

  return { scenario, scenarioLabel };
}

function parseFlags(argv: string[]): EmulatorFlags {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-remote': { type: 'boolean' },
        scenario: { type: 'string' },
        generate: { type: 'string' },
        seed: { type: 'string' },
        'pending-status': { type: 'string' },
        'write-lock': { type: 'string' },
        'write-lock-scope': { type: 'string' },
      },
    }));
  } catch (error) {
    // parseArgs' messages name the flag ("Unknown option '--x'"); keep its first sentence.
    throw new UsageError((error instanceof Error ? error.message : String(error)).split('. ')[0] ?? 'bad arguments');
  }
  const text = (name: string): string | undefined => values[name] as string | undefined;

  const portText = text('port') ?? '0';
  const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`--port must be an integer from 0 to 65535, got '${portText}'`);

  const host = text('host') ?? '127.0.0.1';
  const loopback = host === 'localhost' || isLoopback(host);
  if (!loopback && values['allow-remote'] !== true) {
    throw new UsageError(
      `--host ${host} is not a loopback address: the emulator's keys are printed in clear, so add --allow-remote if you mean it`,
    );
  }

  const seedText = text('seed');
  const seed = seedText === undefined ? undefined : /^-?\d+$/.test(seedText) ? Number(seedText) : Number.NaN;
  if (seed !== undefined && !Number.isSafeInteger(seed))
    throw new UsageError(`--seed must be an integer, got '${seedText}'`);

  const pending = text('pending-status');
  if (pending !== undefined && pending !== 'Connecting' && pending !== 'Disconnected') {
    throw new UsageError(`--pending-status must be Connecting or Disconnected, got '${pending}'`);
  }

  const writeLock = choice(text('write-lock'), '--write-lock', ['request', 'task'] as const);
  const writeLockScope = choice(text('write-lock-scope'), '--write-lock-scope', ['account', 'region'] as const);

  const { scenario, scenarioLabel } = pickScenario(text('scenario'), text('generate'), seed);

  const settings: Partial<EmulatorSettings> = {};
  if (pending !== undefined) settings.pendingStatus = pending;
  if (writeLock !== undefined) settings.writeLock = writeLock;
  if (writeLockScope !== undefined) settings.writeLockScope = writeLockScope;
  if (seed !== undefined) settings.faults = { seed, rules: scenario.settings.faults?.rules ?? [] };
  return { port, host, scenario, scenarioLabel, settings };
}

/**
 * The start-up line: endpoint, regions and every account with the keys to call with. The first key's
 * fields are flat (what nearly every script needs); an account with several keys also lists them all
 * under `accessKeys`, and one without keys (it owns resources but never calls) has only ID and name.
 */
function startupLine(emu: RunningEmulator): string {
  const keyFields = (key: AccessKeyRecord): Record<string, string> => ({
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
    ...(key.securityToken === undefined ? {} : { securityToken: key.securityToken }),
  });
  return JSON.stringify({
    endpoint: emu.url,
    regions: emu.model.regions(),
    accounts: emu.accounts.map((a) => ({
      accountId: a.accountId,
      name: a.name,
      ...(a.accessKeys[0] === undefined ? {} : keyFields(a.accessKeys[0])),
      ...(a.accessKeys.length > 1 ? { accessKeys: a.accessKeys.map(keyFields) } : {}),
    })),
  });
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const fail = (code: number, message: string): number => {
    io.stderr.write(`privatelink-approver emulator: ${message}\n`);
    return code;
  };
  let flags: EmulatorFlags;
  try {
    flags = parseFlags(argv);
  } catch (error) {
    if (error instanceof UsageError)
      return fail(EXIT.usage, `${error.message}\nRun \`privatelink-approver emulator --help\` for the options.`);
    if (error instanceof ScenarioError) {
      const [first, ...rest] = error.errors;
      return fail(
        EXIT.policyInvalid,
        `bad scenario: ${first ?? error.message}${rest.length > 0 ? ` (and ${rest.length} more: ${rest.join('; ')})` : ''}`,
      );
    }
    throw error;
  }
  let emu: RunningEmulator;
  try {
    emu = await startEmulator({
      port: flags.port,
      host: flags.host,
      scenario: flags.scenario,
      settings: flags.settings,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') return fail(EXIT.apiFailure, `port ${flags.port} on ${flags.host} is already in use`);
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES' || code === 'ENOTFOUND')
      return fail(EXIT.apiFailure, `cannot listen on ${flags.host}:${flags.port} (${code})`);
    throw error;
  }
  const signal = waitForSignal();
  io.stdout.write(`${startupLine(emu)}\n`);
  const services = flags.scenario.services.length;
  const endpoints = flags.scenario.endpoints.length;
  io.stderr.write(
    [
      `PrivateLink API emulator (2020-04-15) listening on ${emu.url}`,
      `  scenario: ${flags.scenarioLabel}: ${emu.accounts.length} accounts, ${services} services, ${endpoints} endpoint connections; pending requests show as ${emu.settings.pendingStatus}; write lock: ${emu.settings.writeLock} (per ${emu.settings.writeLockScope})`,
      `  control path: ${emu.url}/__emulator/ (state, requests, clock, settings, accounts, health)`,
      '  Ctrl-C (SIGINT) or SIGTERM stops it.',
      '',
    ].join('\n'),
  );
  const received = await signal;
  await emu.close();
  io.stderr.write(
    `emulator: ${received}: stopped after ${emu.requests().length > 0 ? (emu.requests().at(-1)?.seq ?? 0) : 0} requests\n`,
  );
  return EXIT.ok;
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'Run the local PrivateLink API emulator (prints its endpoint and keys as JSON)',
  help: HELP,
  run,
};
