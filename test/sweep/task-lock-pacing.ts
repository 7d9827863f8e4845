/**
 * Measures a sweep's writes under the emulator's `task` write lock (issue 11): N pending requests of one
 * account, every accept a task of `taskMs`; wall time against the serial bound N x (task + call), and
 * write calls per effective write. Used by task-lock.test.ts; `npx tsx test/sweep/task-lock-pacing.ts N
 * TASK_MS` prints the figures.
 */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { SCENARIOS_DIR, parseScenario, startEmulator } from '../../emulator/index.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { loadPolicyText } from '../../functions/policy-file/load-policy-file.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';

const SERVICE = 'epsrv-bp1testorders00001';

export interface PacingFigures {
  pending: number;
  taskMs: number;
  wallMs: number;
  boundMs: number;
  writeCalls: number;
  effects: number;
  reads: number;
}

export async function measurePacing(pending: number, taskMs: number, callMs = 20): Promise<PacingFigures> {
  const accounts = (parse(readFileSync(`${SCENARIOS_DIR}/demo.yaml`, 'utf8')) as { accounts: unknown }).accounts;
  const fleet = stringify({
    accounts,
    settings: {
      pendingStatus: 'Connecting',
      writeLock: 'task',
      enableDelayMs: taskMs,
      faults: { seed: 1, rules: [{ latencyMs: callMs }] },
    },
    services: [{ id: SERVICE, region: 'cn-hangzhou', owner: 'provider', name: 'orders-api', whitelist: ['acme'] }],
    endpoints: Array.from({ length: pending }, (_, i) => ({
      id: `ep-bp1testacme${String(i + 1).padStart(7, '0')}`,
      owner: 'acme',
      service: SERVICE,
      vpc: 'vpc-bp1testacme00001',
      connection: { status: 'Awaiting', bandwidth: 1024 },
    })),
  });
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', scenario: parseScenario(fleet, 'pacing#fleet') });
  const loaded = loadPolicyText(
    `version: 1\nmode: enforce\npendingStatus: Connecting\nservices:\n  - region: cn-hangzhou\n    serviceId: ${SERVICE}\n    unknownAccounts: reject\n    allow:\n      - account: "2000000000000001"\n        bandwidth: 1024\n`,
    'pacing#policy',
  );
  if (!loaded.ok) throw new Error('policy');
  const api = createPrivateLinkClient({
    credentials: staticCredentials({ accessKeyId: 'LTAIdemoProvider0001', accessKeySecret: 'demo-provider-secret' }),
    endpoint: emu.url,
    timeoutMs: 5000,
  });
  try {
    const started = Date.now();
    await runSweep({ policy: loaded.policy, api, mode: 'enforce', sink: () => undefined });
    const wallMs = Date.now() - started;
    const log = emu.requests();
    const writes = log.filter((r) => r.action === 'EnableVpcEndpointConnection');
    return {
      pending,
      taskMs,
      wallMs,
      boundMs: pending * (taskMs + callMs),
      writeCalls: writes.length,
      effects: writes.filter((r) => r.status === 200).length,
      reads: log.length - writes.length,
    };
  } finally {
    api.close();
    await emu.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measurePacing(Number(process.argv[2] ?? 30), Number(process.argv[3] ?? 200));
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
