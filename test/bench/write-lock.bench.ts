/**
 * Writes under the emulator's two readings of the write lock (issue 11): `request` (two writes of one
 * account may not overlap) and `task` (the account stays locked while a connection task it started is
 * still running). A burst of requests awaiting a decision, each one write; every connection task takes
 * `taskMs`; 20 ms injected into every call. The sweep runs in a bundled child (./sweep-child.ts).
 *
 * Printed against bounds from the same run (the per-call latency measured in the child), never asserted:
 * - `request`: wall time against the serial-write bound, reads + writes x call (target <= 1.10x);
 * - `task`: wall time against writes x (task + call) + reads (target <= 1.15x), and write calls per
 *   effective write (target <= 1.2): every refused write is a call against the account's rate limit.
 * Today's sweep does not pace its writes (issue 11's pacing is not built): these are its baseline.
 *
 * Run: npm run bench -- write-lock   (BENCH_LOCK_CASES=request narrows to the cases whose label has it)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFleet, startEmulator } from '../../emulator/index.ts';
import { WRITE_ACTIONS, bundleSweepChild, runSweepChild } from './sweep-child.ts';

const LATENCY_MS = 20;
const CONCURRENCY = 8;
const PENDING_SHARE = 0.2;

interface LockCase {
  label: string;
  writeLock: 'request' | 'task';
  services: number;
  perService: number;
  taskMs: number;
}

const ALL_CASES: LockCase[] = [
  { label: 'request, 200 ms tasks', writeLock: 'request', services: 200, perService: 50, taskMs: 200 },
  { label: 'task, 200 ms tasks', writeLock: 'task', services: 200, perService: 50, taskMs: 200 },
  { label: 'task, 3 s tasks', writeLock: 'task', services: 5, perService: 50, taskMs: 3000 },
];
const CASES = ALL_CASES.filter((c) =>
  (process.env['BENCH_LOCK_CASES'] ?? c.label).split(',').some((s) => c.label.includes(s)),
);

const ok = (pass: boolean) => (pass ? 'ok' : 'MISS');

async function measure(bundle: string, c: LockCase): Promise<void> {
  const scenario = generateFleet({
    services: c.services,
    connectionsPerService: c.perService,
    pendingShare: PENDING_SHARE,
  });
  const emu = await startEmulator({
    scenario,
    settings: {
      writeLock: c.writeLock,
      enableDelayMs: c.taskMs,
      disableDelayMs: c.taskMs,
      updateDelayMs: c.taskMs,
      faults: { seed: 1, rules: [{ latencyMs: LATENCY_MS }] },
    },
    requestLogCapacity: 100,
  });
  try {
    const first = scenario.services[0];
    const r = await runSweepChild(bundle, {
      url: emu.url,
      readConcurrency: CONCURRENCY,
      pageSize: 50,
      calibrate: first && {
        regionId: first.regionId,
        serviceId: first.serviceId,
        endpointId: scenario.endpoints.find((e) => e.serviceId === first.serviceId)?.endpointId,
        calls: 15,
      },
    });
    const pending = Math.round(c.services * c.perService * PENDING_SHARE);
    const readBoundMs = (Math.ceil(c.services / 50) + Math.ceil(c.services / CONCURRENCY)) * r.callMs;
    const perWrite = c.writeLock === 'task' ? c.taskMs + r.smallCallMs : r.smallCallMs;
    const boundMs = readBoundMs + pending * perWrite;
    const writeCalls = WRITE_ACTIONS.reduce((n, a) => n + (r.byAction[a] ?? 0), 0);
    const ratio = r.wallMs / boundMs;
    const perEffective = writeCalls / Math.max(1, r.writes);
    const target = c.writeLock === 'task' ? 1.15 : 1.1;
    console.log(`${c.label}: ${c.services * c.perService} connections, ${pending} awaiting a decision`);
    console.log(
      `  effective writes ${r.writes}, failed ${r.failed}, deferred ${r.deferred}; write calls ${writeCalls}, ` +
        `retries ${r.retries}`,
    );
    console.log(`  API calls ${r.apiCalls} by action ${JSON.stringify(r.byAction)}`);
    const done = r.writes >= pending;
    console.log(
      `  wall ${(r.wallMs / 1000).toFixed(1)} s (bound ${(boundMs / 1000).toFixed(1)} s = reads ` +
        `${(readBoundMs / 1000).toFixed(1)} s + ${pending} x ${perWrite.toFixed(0)} ms; ${r.callMs.toFixed(1)} ` +
        `ms per read, ${r.smallCallMs.toFixed(1)} ms per write-sized call): ${ratio.toFixed(2)}x ` +
        `${ok(done && ratio <= target)} (target <= ${target}x${done ? '' : ', with every write done'})`,
    );
    console.log(
      `  write calls per effective write ${perEffective.toFixed(2)}` +
        (c.writeLock === 'task' ? ` ${ok(perEffective <= 1.2)} (target <= 1.2)` : '') +
        (done ? '' : `; MISS: ${pending - r.writes} requests left for the next run`),
    );
  } finally {
    await emu.close();
  }
}

/** `npm run bench` entry. */
export default async function writeLockBench(): Promise<void> {
  console.log(
    `${LATENCY_MS} ms injected per call, reads ${CONCURRENCY} at a time; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'plk-bench-'));
  try {
    const bundle = await bundleSweepChild(dir);
    for (const c of CASES) await measure(bundle, c);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
