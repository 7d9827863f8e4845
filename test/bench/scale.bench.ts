/**
 * Scale (issue 11): the real sweep at 1,000, 10,000 and 100,000 connections (services of 50), each as a
 * no-op sweep (nothing awaiting a decision, drift off) and as a burst (20% awaiting a decision, each one
 * write). The emulator runs in this process with 20 ms injected into every call and instant
 * transitions; the sweep runs in a child process (./sweep-child.ts) so its peak RSS is its own.
 *
 * Printed against bounds from the same run, never asserted:
 * - API calls against the minimum: service listing pages (MaxResults 50) + one page per service + writes;
 * - wall time of the child's second sweep (an instance that has run before; its first, cold, sweep is a
 *   `plan` of the same fleet, printed beside) against the read bound: the service pages one after another (each needs the previous
 *   page's NextToken) then the connection pages `CONCURRENCY` at a time, times the per-call latency
 *   measured in the child just before its sweep; a burst adds its writes one at a time (the serial-write
 *   bound; the default `request` write lock), each at the latency of a call of a write's size;
 * - peak RSS: at most 96 MB at 10,000 connections, at most 400 MB at 100,000, growing linearly.
 *
 * When the sweep's run-wide page budget (functions/sweep/listing-bounds.ts) leaves services uncollected,
 * the no-op is measured again with the budget raised (the burst too with BENCH_SCALE_RAISED_BURST=1).
 *
 * Run: npm run bench -- scale   (BENCH_SCALE_SIZES=1000,10000 and BENCH_SCALE_KINDS=no-op narrow it)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFleet, startEmulator } from '../../emulator/index.ts';
import { WRITE_ACTIONS, bundleSweepChild, runSweepChild } from './sweep-child.ts';
import type { SweepChildResult } from './sweep-child.ts';

const PER_SERVICE = 50;
const PAGE = 50;
const LATENCY_MS = 20;
const CONCURRENCY = 8;
const BURST_SHARE = 0.2;
const SIZES = (process.env['BENCH_SCALE_SIZES'] ?? '1000,10000,100000').split(',').map(Number);
const KINDS = (['no-op', 'burst'] as const).filter((k) => (process.env['BENCH_SCALE_KINDS'] ?? k).includes(k));

interface Row {
  connections: number;
  kind: 'no-op' | 'burst';
  /** Set when the run's page budget was raised to this (the default left services uncollected). */
  pagesPerRun: number | undefined;
  r: SweepChildResult;
  minCalls: number;
  readBoundMs: number;
  boundMs: number;
  loadMs: number;
  emulatorRssMb: number;
  /** CPU time of this process (the emulator) while the child calibrated and swept, ms. */
  emulatorCpuMs: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const ok = (pass: boolean) => (pass ? 'ok' : 'MISS');

/** One sweep of a fresh fleet of `connections` connections. */
async function measure(bundle: string, connections: number, kind: Row['kind'], pagesPerRun?: number): Promise<Row> {
  const services = connections / PER_SERVICE;
  const t0 = performance.now();
  const scenario = generateFleet({
    services,
    connectionsPerService: PER_SERVICE,
    pendingShare: kind === 'burst' ? BURST_SHARE : 0,
  });
  const emu = await startEmulator({
    scenario,
    settings: {
      enableDelayMs: 0,
      disableDelayMs: 0,
      updateDelayMs: 0,
      faults: { seed: 1, rules: [{ latencyMs: LATENCY_MS }] },
    },
    requestLogCapacity: 100,
  });
  const loadMs = performance.now() - t0;
  const emulatorRssMb = process.memoryUsage().rss / 2 ** 20;
  try {
    const first = scenario.services[0];
    const cpuBefore = process.cpuUsage();
    const r = await runSweepChild(bundle, {
      url: emu.url,
      readConcurrency: CONCURRENCY,
      pageSize: PAGE,
      pagesPerRun,
      calibrate: first && {
        regionId: first.regionId,
        serviceId: first.serviceId,
        endpointId: scenario.endpoints.find((e) => e.serviceId === first.serviceId)?.endpointId,
        calls: 15,
      },
    });
    const cpu = process.cpuUsage(cpuBefore);
    const pending = kind === 'burst' ? Math.round(connections * BURST_SHARE) : 0;
    const servicePages = Math.max(1, Math.ceil(services / PAGE));
    const connectionPages = services * Math.max(1, Math.ceil(PER_SERVICE / PAGE));
    const readBoundMs = (servicePages + Math.ceil(connectionPages / CONCURRENCY)) * r.callMs;
    // The writes sent (not retried here): a run that left services uncollected sent fewer, marked MISS for it.
    const sent = WRITE_ACTIONS.reduce((n, a) => n + (r.byAction[a] ?? 0), 0);
    const boundMs = readBoundMs + Math.min(pending, sent) * r.smallCallMs;
    return {
      connections,
      kind,
      pagesPerRun,
      r,
      minCalls: servicePages + connectionPages + pending,
      readBoundMs,
      boundMs,
      loadMs,
      emulatorRssMb,
      emulatorCpuMs: (cpu.user + cpu.system) / 1000,
    };
  } finally {
    await emu.close();
  }
}

function printRow(row: Row): void {
  const { r } = row;
  const ratio = r.wallMs / row.boundMs;
  const rssTarget = row.connections <= 10_000 ? 96 : row.connections <= 100_000 ? 400 : Infinity;
  const raised = row.pagesPerRun === undefined ? '' : ` (page budget raised to ${fmt(row.pagesPerRun)})`;
  console.log(`${fmt(row.connections)} connections, ${row.kind}${raised}:`);
  if (r.servicesFailed > 0)
    console.log(`  MISS: ${r.servicesFailed} services not collected (see the run's failure records)`);
  console.log(
    `  decisions ${fmt(r.decisions)}, writes ${fmt(r.writes)}, failed ${r.failed}, deferred ${r.deferred}` +
      `; calls by action ${JSON.stringify(r.byAction)}`,
  );
  console.log(
    `  API calls ${fmt(r.apiCalls)} (minimum ${fmt(row.minCalls)}), retries ${r.retries}: ` +
      `${ok(r.apiCalls === row.minCalls)} (target: exactly the minimum)`,
  );
  const bound = row.kind === 'no-op' ? 'read bound' : 'read + serial-write bound';
  const target = row.kind === 'no-op' ? 1.2 : 1.1;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const writeMs = row.kind === 'burst' ? `, ${r.smallCallMs.toFixed(1)} ms/write` : '';
  const complete = r.servicesFailed === 0;
  console.log(
    `  wall ${s(r.wallMs)}, sweep CPU ${s(r.cpuMs)} (${bound} ${s(row.boundMs)} at ${r.callMs.toFixed(1)} ms/read` +
      `${writeMs}): ${ratio.toFixed(3)}x ${ok(ratio <= target && complete)} ` +
      `(target <= ${target}x${complete ? '' : ', with every service collected'})`,
  );
  console.log(
    `  cold: the process's first sweep (a plan: the same reads, no write) ${s(r.coldWallMs)}, ` +
      `${(r.coldWallMs / row.readBoundMs).toFixed(3)}x the read bound (not a target: code not yet compiled)`,
  );
  const heap = r.peakMb;
  console.log(
    `  peak RSS ${r.maxRssMb.toFixed(1)} MB over both sweeps (${r.baselineRssMb.toFixed(1)} MB before them; ` +
      `peak heap used ${heap.heapUsed.toFixed(0)} of ${heap.heapTotal.toFixed(0)} MB, ` +
      `external ${heap.external.toFixed(0)} MB): ` +
      `${rssTarget === Infinity ? '' : `${ok(r.maxRssMb <= rssTarget)} (target <= ${rssTarget} MB)`}`,
  );
  console.log(
    `  emulator: fleet generated and loaded in ${(row.loadMs / 1000).toFixed(1)} s, ` +
      `bench process RSS ${row.emulatorRssMb.toFixed(0)} MB, its CPU while the child ran ` +
      `${(row.emulatorCpuMs / 1000).toFixed(2)} s`,
  );
}

/** RSS growth per 1,000 connections between successive sizes: linear when the slopes stay level. */
function printGrowth(rows: Row[]): void {
  for (const kind of ['no-op', 'burst'] as const) {
    const rs = rows.filter((x) => x.kind === kind).sort((a, b) => a.connections - b.connections);
    const parts: string[] = [];
    for (let i = 1; i < rs.length; i++) {
      const a = rs[i - 1];
      const b = rs[i];
      if (!a || !b) continue;
      const slope = ((b.r.maxRssMb - a.r.maxRssMb) / (b.connections - a.connections)) * 1000;
      const time = ((b.r.wallMs / a.r.wallMs) * a.connections) / b.connections;
      parts.push(
        `${fmt(a.connections)}->${fmt(b.connections)}: ${slope.toFixed(2)} MB per 1,000 connections, ` +
          `wall time x${(b.r.wallMs / a.r.wallMs).toFixed(1)} (${time.toFixed(2)} of linear)`,
      );
    }
    if (parts.length > 0) console.log(`growth, ${kind}: ${parts.join('; ')}`);
  }
}

/** `npm run bench` entry. */
export default async function scaleBench(): Promise<void> {
  console.log(
    `services of ${PER_SERVICE} connections, ${LATENCY_MS} ms injected per call, reads ${CONCURRENCY} at a time, ` +
      `pages of ${PAGE}; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'plk-bench-'));
  const rows: Row[] = [];
  try {
    const bundle = await bundleSweepChild(dir);
    for (const size of SIZES) {
      for (const kind of KINDS) {
        const row = await measure(bundle, size, kind);
        printRow(row);
        // The sweep's run-wide page budget can stop a large fleet's collection: measure it without the cap too.
        if (row.r.servicesFailed > 0 && (kind === 'no-op' || process.env['BENCH_SCALE_RAISED_BURST'] === '1')) {
          const raised = await measure(bundle, size, kind, Math.ceil(row.minCalls * 1.1));
          printRow(raised);
          rows.push(raised);
        } else rows.push(row);
      }
    }
    printGrowth(rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
