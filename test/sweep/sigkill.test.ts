/**
 * Intent before effect under SIGKILL (issue 9, failure 4): `apply` (the CLI as a child process) is killed
 * at random moments of its writes, over and over, against a fleet whose writes are slow. Every write the
 * emulator's request log shows took effect must have its intent record in the killed run's output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { SCENARIOS_DIR, parseScenario, seededRandom, startEmulator } from '../../emulator/index.ts';

const SERVICE = 'epsrv-bp1testorders00001';
const ACCEPTS = 16;
const REJECTS = 4;
const TRIALS = Number(process.env['SIGKILL_TRIALS'] ?? 12);
const WRITE_LATENCY_MS = 40;

const POLICY = `version: 1
mode: enforce
pendingStatus: Connecting
services:
  - region: cn-hangzhou
    serviceId: ${SERVICE}
    unknownAccounts: reject
    allow:
      - account: "2000000000000001"
        bandwidth: 1024
`;

function fleet(): string {
  const accounts = (parse(readFileSync(`${SCENARIOS_DIR}/demo.yaml`, 'utf8')) as { accounts: unknown }).accounts;
  const endpoint = (id: string, owner: string) => ({
    id,
    owner,
    service: SERVICE,
    vpc: owner === 'acme' ? 'vpc-bp1testacme00001' : 'vpc-bp1testinitech001',
    connection: { status: 'Awaiting', bandwidth: 1024 },
  });
  return stringify({
    accounts,
    settings: {
      pendingStatus: 'Connecting',
      faults: {
        seed: 1,
        rules: [
          { actions: ['EnableVpcEndpointConnection', 'DisableVpcEndpointConnection'], latencyMs: WRITE_LATENCY_MS },
        ],
      },
    },
    services: [
      { id: SERVICE, region: 'cn-hangzhou', owner: 'provider', name: 'orders-api', whitelist: ['acme', 'initech'] },
    ],
    endpoints: [
      ...Array.from({ length: ACCEPTS }, (_, i) => endpoint(`ep-bp1testacme${String(i + 1).padStart(7, '0')}`, 'acme')),
      ...Array.from({ length: REJECTS }, (_, i) =>
        endpoint(`ep-bp1testinitech${String(i + 1).padStart(4, '0')}`, 'initech'),
      ),
    ],
  });
}

interface Trial {
  effects: number;
  withIntent: number;
  withOutcome: number;
  exitedBeforeKill: boolean;
}

/** One `apply`, killed `killAfterMs` after its first output line. */
async function trial(dir: string, killAfterMs: number): Promise<Trial> {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', scenario: parseScenario(fleet(), 'sigkill#fleet') });
  try {
    const child = spawn(process.execPath, ['bin/privatelink-approver.js', 'apply', '--policy', join(dir, 'p.yaml')], {
      env: {
        ...process.env,
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIdemoProvider0001',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'demo-provider-secret',
        PRIVATELINK_ENDPOINT: emu.url,
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    let exited = false;
    const done = new Promise<void>((resolve) => child.on('close', () => resolve()));
    child.on('exit', () => (exited = true));
    child.stdout.on('data', (chunk: Buffer) => {
      if (out === '') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      out += chunk.toString('utf8');
    });
    await done;
    const lines = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return []; // a line cut by the kill
        }
      });
    const intents = new Set(
      lines.filter((l) => l['schema'] === 'privatelink-approver/intent/v1').map((l) => String(l['clientToken'])),
    );
    const outcomes = new Set(
      lines.filter((l) => l['schema'] === 'privatelink-approver/decision/v1').map((l) => String(l['clientToken'])),
    );
    // An effect: a write the model carried out (answered 200, or its answer lost to the kill).
    const effects = emu
      .requests()
      .filter((r) => r.action !== undefined && !r.action.startsWith('List'))
      .filter((r) => r.status === 200 || (r.status === 0 && r.code === undefined));
    const tokens = effects.map((r) => String(r.params['ClientToken']));
    const missing = tokens.filter((t) => !intents.has(t));
    assert.deepEqual(
      missing,
      [],
      `writes with no intent record in the killed run's output (kill after ${killAfterMs} ms)`,
    );
    return {
      effects: tokens.length,
      withIntent: tokens.length - missing.length,
      withOutcome: tokens.filter((t) => outcomes.has(t)).length,
      // The run summary is the last line: the run ended before the kill came.
      exitedBeforeKill: exited && out.includes('"privatelink-approver/run/v1"'),
    };
  } finally {
    await emu.close();
  }
}

test(`SIGKILL at random moments of apply: every write that took effect has an intent record (${TRIALS} trials)`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plk-sigkill-'));
  writeFileSync(join(dir, 'p.yaml'), POLICY);
  const rnd = seededRandom(Number(process.env['SIGKILL_SEED'] ?? 20261201));
  const results: Trial[] = [];
  try {
    for (let i = 0; i < TRIALS; i++) {
      // From the first output line (the first intent) to past the last write of the run.
      results.push(await trial(dir, Math.floor(rnd() * (ACCEPTS + REJECTS + 2) * WRITE_LATENCY_MS * 1.5)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sum = (f: (t: Trial) => number): number => results.reduce((n, t) => n + f(t), 0);
  const figures = {
    trials: results.length,
    killedMidRun: results.filter((t) => !t.exitedBeforeKill).length,
    effects: sum((t) => t.effects),
    withIntent: sum((t) => t.withIntent),
    inDoubt: sum((t) => t.effects - t.withOutcome),
  };
  process.stderr.write(`sigkill figures: ${JSON.stringify(figures)}\n`);
  assert.equal(figures.withIntent, figures.effects);
  assert.ok(figures.killedMidRun > 0, 'some kills landed while writes were under way');
});
