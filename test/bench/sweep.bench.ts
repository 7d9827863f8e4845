/**
 * Sweep efficiency: a generated fleet of 200 services x 50 connections (10,000; 2,000 awaiting a
 * decision) behind the emulator with 20 ms of latency injected into every call, swept once by the real
 * sweep (reads 8 at a time, pages of 50) and once naively (reads one at a time, pages of 10).
 *
 * Printed, not asserted: API calls against the minimum needed (target <= 1.05), wall time against the
 * lower bound set by serial writes and concurrent reads (target <= 1.2x), the sweep's peak RSS (target
 * < 128 MB). The sweep runs in a child process so that its RSS is its own, not the emulator's; the
 * emulator's transition delays are 0 so they do not dominate. Loopback only.
 *
 * The sweep runs in ./sweep-child.ts (bundled, its own process).
 *
 * Run: npm run bench -- sweep
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFleet, startEmulator } from '../../emulator/index.ts';
import { bundleSweepChild, runSweepChild } from './sweep-child.ts';

const SERVICES = 200;
const CONNECTIONS = 50;
const PENDING_SHARE = 0.2;
const LATENCY_MS = 20;

async function sweepOnce(bundle: string, label: string, readConcurrency: number, pageSize: number): Promise<void> {
  const emu = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    scenario: generateFleet({ services: SERVICES, connectionsPerService: CONNECTIONS, pendingShare: PENDING_SHARE }),
    settings: {
      enableDelayMs: 0,
      disableDelayMs: 0,
      updateDelayMs: 0,
      faults: { seed: 1, rules: [{ latencyMs: LATENCY_MS }] },
    },
    requestLogCapacity: 100,
  });
  try {
    const r = await runSweepChild(bundle, { url: emu.url, readConcurrency, pageSize });
    const pending = Math.round(SERVICES * CONNECTIONS * PENDING_SHARE);
    // The minimum: the region's service listing in pages of 50, one page of 50 per service, one write per pending request.
    const minCalls = Math.ceil(SERVICES / 50) + SERVICES * Math.ceil(CONNECTIONS / 50) + pending;
    // Lower bound on wall time: service pages one after another, connection pages 8 at a time, writes one at a time.
    const boundMs =
      (Math.ceil(SERVICES / 50) + Math.ceil((SERVICES * Math.ceil(CONNECTIONS / 50)) / 8) + pending) * LATENCY_MS;
    const pad = (s: string) => s.padEnd(34);
    console.log(`${label}: reads ${readConcurrency} at a time, pages of ${pageSize}`);
    console.log(`  ${pad('decisions / writes / failed')}${r.decisions} / ${r.writes} / ${r.failed}`);
    console.log(
      `  ${pad('API calls (minimum needed)')}${r.apiCalls} (${minCalls}): ratio ${(r.apiCalls / minCalls).toFixed(3)} (target <= 1.05)  retries ${r.retries}`,
    );
    console.log(
      `  ${pad('wall time (lower bound)')}${(r.wallMs / 1000).toFixed(2)} s (${(boundMs / 1000).toFixed(2)} s): ratio ${(r.wallMs / boundMs).toFixed(3)} (target <= 1.2)`,
    );
    const last = emu.requests().filter((q) => q.action !== undefined && !q.action.startsWith('List'));
    const serverMs = last.reduce((sum, q) => sum + q.durationMs, 0) / Math.max(1, last.length);
    console.log(
      `  ${pad('time per write')}${((r.wallMs - boundMs) / pending + LATENCY_MS).toFixed(1)} ms over the run; the emulator answered the last ${last.length} in ${serverMs.toFixed(1)} ms each (latency included)`,
    );
    console.log(
      `  ${pad('peak RSS of the sweep process')}${r.maxRssMb.toFixed(1)} MB (target < 128 MB; ${r.baselineRssMb.toFixed(1)} MB before the sweep)`,
    );
  } finally {
    await emu.close();
  }
}

/** `npm run bench` entry. */
export default async function sweepBench(): Promise<void> {
  console.log(
    `fleet: ${SERVICES} services x ${CONNECTIONS} connections, ${Math.round(SERVICES * CONNECTIONS * PENDING_SHARE)} awaiting a decision, ${LATENCY_MS} ms per call`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'plk-bench-'));
  try {
    const bundle = await bundleSweepChild(dir);
    await sweepOnce(bundle, 'sweep', 8, 50);
    await sweepOnce(bundle, 'naive sweep', 1, 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
