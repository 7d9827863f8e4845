import { appendFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import type { SweepRecord } from '../../functions/audit/audit-records.ts';
import { isAuditRecord } from '../../functions/audit/audit-records.ts';
import { jsonLine } from '../../functions/audit/json-line.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { PopRpcClient } from '../../functions/client/pop-core-rpc.ts';
import type { Policy } from '../../functions/policy/policy.ts';
import type { SweepResult } from '../../functions/sweep/run-sweep.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import { resolveRunMode } from '../../functions/sweep/run-mode.ts';
import type { CliIO, Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { terminalWidth, wrapText } from '../fit-width.ts';
import { renderHelp } from '../help.ts';
import type { ParsedFlags } from '../parse-flags.ts';
import { booleanFlag, parseFlags, stringFlag } from '../parse-flags.ts';
import { hasPendingWork, renderRecords, renderSummary } from '../render-run.ts';
import { safeText } from '../safe-text.ts';
import type { Style } from '../style.ts';
import { createStyle } from '../style.ts';
import { loadPolicyForCli, reportStop } from '../sweep-setup.ts';

const DEMO_POLICY = fileURLToPath(new URL('../../policies/demo.yaml', import.meta.url));
const PROVIDER_ACCOUNT = '1000000000000001';
/** Where `--keep-running` listens unless --port says otherwise (the README's walkthrough uses it). */
export const DEMO_PORT = 8931;
const SUMMARY = 'Demo: start the embedded emulator with the demo fleet and sweep it twice (npm start)';

/** What the demo prints, and where. */
interface Demo {
  io: CliIO;
  out: Style;
  width: number;
  json: boolean;
  emulator: RunningEmulator;
  policy: Policy;
  api: PrivateLinkClient;
  records: SweepRecord[];
}

/** A path relative to the working directory when it lies below it, else as it is. */
function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

/** Human text on stdout, word-wrapped to the terminal; nothing with --format json. */
function say(demo: Demo, text: string, paint: (t: string) => string = (t) => t): void {
  if (!demo.json) demo.io.stdout.write(`${wrapText(text, demo.width).map(paint).join('\n')}\n`);
}

async function sweep(demo: Demo, title: string): Promise<SweepResult> {
  say(demo, `\n${demo.out.bold(title)}`);
  const result = await runSweep({
    policy: demo.policy,
    api: demo.api,
    mode: resolveRunMode('enforce', demo.policy.mode),
    sink: (r) => {
      demo.records.push(r);
      if (demo.json) demo.io.stdout.write(`${jsonLine(r)}\n`);
    },
    retry: { baseDelayMs: 100, maxDelayMs: 1000 },
  });
  if (!demo.json) {
    demo.io.stdout.write(renderRecords(result.records, demo.out, demo.width));
    demo.io.stdout.write(renderSummary(result.summary, demo.out, demo.width));
  }
  return result;
}

const LEGEND =
  'How to read it: ACCEPT, REJECT, RESIZE and REVOKE are writes the sweep made (outcome "applied"); HOLD ' +
  'leaves a request for a person (outcome "held"). A "skip" in the decision counts is a connection already ' +
  'as the policy wants it: nothing to write, so it gets no line and no record.';

/** Run 1, the clock past every transition, run 2; the exit code (0 converged, 75 not). */
async function converge(demo: Demo): Promise<number> {
  await sweep(demo, 'Run 1: the demo fleet as it is');
  say(demo, LEGEND, demo.out.dim);
  // Enable/Disable/Update are asynchronous (Connecting -> Connected, Disconnecting -> Disconnected):
  // move the emulator's clock past every transition, as the next scheduled run would see it.
  const { enableDelayMs, disableDelayMs, updateDelayMs } = demo.emulator.settings;
  const settle = Math.max(enableDelayMs, disableDelayMs, updateDelayMs) + 1000;
  demo.emulator.clock.advance(settle);
  say(demo, `\n(emulator clock advanced ${settle} ms: the accepted and disconnected connections have settled)`);
  const second = await sweep(demo, 'Run 2: the same policy again');
  const held = second.records.filter((r) => isAuditRecord(r) && r.outcome === 'held').length;
  if (hasPendingWork(second.summary)) {
    say(demo, '\nNot converged: the second run still had work to do.', demo.out.red);
    return EXIT.notConverged;
  }
  const heldText = held === 0 ? '' : ` (${held} request${held === 1 ? '' : 's'} held for a person, as the policy says)`;
  say(demo, `\n${demo.out.green('Converged: the second run changed nothing')}${heldText}.`);
  return EXIT.ok;
}

async function writeRecords(path: string, demo: Demo): Promise<number | undefined> {
  try {
    await appendFile(
      isAbsolute(path) ? path : resolve(demo.io.cwd, path),
      demo.records.map(jsonLine).join('\n') + '\n',
    );
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    demo.io.stderr.write(`privatelink-approver start: cannot write --records ${path}: ${code}\n`);
    return EXIT.ioError;
  }
}

/** Two new requests, made by consumers through the real API, so the kept-running emulator has work. */
async function newRequests(emulator: RunningEmulator): Promise<string[]> {
  const agent = new Agent({ keepAlive: false });
  const arrivals = [
    ['acme', 'epsrv-bp1demosearch00002', 'vpc-bp1demoacme000003', 'acme asks for search-api: the policy accepts it'],
    ['initech', 'epsrv-bp1demoorders000001', 'vpc-bp1demoinitech003', 'initech asks for orders-api: denied, rejected'],
  ] as const;
  const told: string[] = [];
  for (const [name, serviceId, vpcId, what] of arrivals) {
    const key = emulator.accounts.find((a) => a.name === name)?.accessKeys[0];
    if (key === undefined) continue;
    const client = new PopRpcClient({
      endpoint: emulator.url,
      apiVersion: '2020-04-15',
      credentialsProvider: { getCredentials: () => Promise.resolve(key) },
    });
    const params = { RegionId: 'cn-hangzhou', ServiceId: serviceId, VpcId: vpcId, 'SecurityGroupId.1': 'sg-demo' };
    try {
      const answer = await client.request('CreateVpcEndpoint', params, { method: 'POST', timeout: 3000, agent });
      told.push(`  ${safeText(String((answer as { EndpointId?: unknown }).EndpointId))}  ${what}`);
    } catch (error) {
      told.push(`  (${name}'s request failed: ${safeText(String((error as { code?: unknown }).code ?? error))})`);
    }
  }
  agent.destroy();
  return told;
}

/** `--keep-running`: new requests arrive, the keys and the next commands to try; waits for Ctrl-C. */
async function keepRunning(demo: Demo): Promise<void> {
  const { io, emulator } = demo;
  const arrived = await newRequests(emulator);
  const provider = emulator.accounts.find((a) => a.accountId === PROVIDER_ACCOUNT);
  const key = provider?.accessKeys[0];
  io.stdout.write(`\nThe emulator keeps running on ${emulator.url} (Ctrl-C to stop). New requests have arrived:\n`);
  io.stdout.write(`${arrived.join('\n')}\n\nAccessKeys:\n`);
  for (const account of emulator.accounts) {
    for (const k of account.accessKeys)
      io.stdout.write(`  ${account.name.padEnd(10)} ${account.accountId}  ${k.accessKeyId} / ${k.accessKeySecret}\n`);
  }
  io.stdout.write(
    `\nIn another terminal (README "Command line"):\n` +
      `  export PRIVATELINK_ENDPOINT=${emulator.url} ALIBABA_CLOUD_ACCESS_KEY_ID=${key?.accessKeyId ?? ''} ` +
      `ALIBABA_CLOUD_ACCESS_KEY_SECRET=${key?.accessKeySecret ?? ''}\n` +
      '  npx privatelink-approver plan --policy policies/demo.yaml\n',
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

const NEXT_STEPS: [string, string][] = [
  [
    'npm start -- --keep-running',
    'keep the emulator up, with new requests, and try plan, propose, apply and audit against it ' +
      '(README "Command line")',
  ],
  ['npx privatelink-approver validate policies/demo.yaml', 'check a policy; to write your own: policies/README.md'],
  ['npx privatelink-approver start --format json', "these runs' records as JSON lines, reasons in full"],
];

/** The next steps, each command on its line and what it does under it, wrapped to the width. */
function nextSteps(width: number): string {
  const lines = NEXT_STEPS.flatMap(([command, what]) => [`  ${command}`, ...wrapText(what, width, '      ')]);
  return `\nNext steps:\n${lines.join('\n')}\n`;
}

async function startDemoEmulator(flags: ParsedFlags, io: CliIO): Promise<RunningEmulator | number> {
  const keep = booleanFlag(flags, 'keep-running');
  const text = stringFlag(flags, 'port');
  const port = text === undefined ? (keep ? DEMO_PORT : 0) : Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr.write(`privatelink-approver start: --port must be an integer from 0 to 65535, got "${text}"\n`);
    return EXIT.usage;
  }
  try {
    return await startEmulator({ port, host: '127.0.0.1' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || text !== undefined) throw error;
    io.stderr.write(`privatelink-approver start: port ${port} is in use; the emulator takes a free one instead\n`);
    return startEmulator({ port: 0, host: '127.0.0.1' });
  }
}

const START_FLAGS = {
  policy: { type: 'string', short: 'p' },
  'keep-running': { type: 'boolean' },
  records: { type: 'string' },
  format: { type: 'string', short: 'f' },
  port: { type: 'string' },
} as const;

/** The demo on a started emulator: both runs, the records file, then keep running or the next steps. */
async function demo(flags: ParsedFlags, io: CliIO, policy: Policy, emulator: RunningEmulator, json: boolean) {
  const provider = emulator.accounts.find((a) => a.accountId === PROVIDER_ACCOUNT) ?? emulator.accounts[0];
  const key = provider?.accessKeys[0];
  if (provider === undefined || key === undefined) throw new Error('the demo fleet has no provider account');
  const api = createPrivateLinkClient({
    credentials: staticCredentials({ accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret }),
    endpoint: emulator.url,
  });
  const out = createStyle(io.stdout, io.env);
  const state: Demo = { io, out, width: terminalWidth(io), json, emulator, policy, api, records: [] };
  const file = safeText(displayPath(io.cwd, policy.revision.file));
  say(
    state,
    `${out.bold('privatelink-approver demo')}: emulator on ${emulator.url} with the demo fleet, ` +
      `policy ${file} (${policy.revision.hash}), provider account ${provider.name} (${provider.accountId})`,
  );
  let exit: number;
  try {
    exit = await converge(state);
  } catch (error) {
    return reportStop('start', error, io);
  } finally {
    api.close();
  }
  const recordsPath = stringFlag(flags, 'records');
  const failed = recordsPath === undefined ? undefined : await writeRecords(recordsPath, state);
  if (failed !== undefined) return failed;
  if (exit !== EXIT.ok) return exit;
  if (booleanFlag(flags, 'keep-running')) await keepRunning(state);
  else if (!json) io.stdout.write(nextSteps(state.width));
  return EXIT.ok;
}

export const startCommand: Command = {
  name: 'start',
  summary: SUMMARY,
  help: renderHelp({
    usage: 'start [--policy FILE] [--records FILE] [--format table|json] [--keep-running [--port N]]',
    summary: SUMMARY,
    description: `What \`npm start\` runs; needs no cloud account. Starts the embedded PrivateLink API emulator on
127.0.0.1 with the demo fleet, runs a real sweep (apply, enforce) with policies/demo.yaml through the
real API client, and prints what it decided and did. Then it advances the emulator's clock past the
accept/disconnect transitions and sweeps again, to show the fleet has converged: nothing left to do.`,
    options: `  -p, --policy FILE      another policy (default: policies/demo.yaml)
  --records FILE         also write both runs' JSON records to FILE (appended)
  -f, --format FORMAT    table (default; fitted to the terminal's width, 100 columns when not a
                         terminal) or json (both runs' records as JSON lines, reasons in full)
  --keep-running         afterwards, two new connection requests arrive and the emulator stays up:
                         it prints its endpoint, AccessKeys and the commands to try (Ctrl-C stops)
  --port N               the port --keep-running listens on (default ${DEMO_PORT}; a free one if taken)`,
    exitCodes: {
      ok: 'converged (the second run changed nothing)',
      internal: 'internal error',
      usage: 'bad flags',
      policyInvalid: 'the policy does not validate',
      apiFailure: 'an API failure stopped a run',
      ioError: 'the --records FILE could not be written',
      notConverged: 'not converged: the second run still had work to do',
    },
  }),
  async run(argv, io) {
    const flags = parseFlags('start', argv, START_FLAGS, io);
    if (flags === undefined) return EXIT.usage;
    const format = stringFlag(flags, 'format') ?? 'table';
    if (format !== 'table' && format !== 'json') {
      io.stderr.write(`privatelink-approver start: --format must be table or json, got "${format}"\n`);
      return EXIT.usage;
    }
    const policy = await loadPolicyForCli('start', stringFlag(flags, 'policy') ?? DEMO_POLICY, io);
    if (typeof policy === 'number') return policy;
    const emulator = await startDemoEmulator(flags, io);
    if (typeof emulator === 'number') return emulator;
    try {
      return await demo(flags, io, policy, emulator, format === 'json');
    } finally {
      await emulator.close();
    }
  },
};
