/**
 * The sweep benchmarks' child process: one real sweep (`runSweep` through the real pop-core client)
 * against an emulator URL, bundled with esbuild as the function is deployed (one ESM file, no tsx at run
 * time), so that the peak RSS it reports is the sweep's own, not the emulator's or the TypeScript
 * loader's. The parent calls {@link bundleSweepChild} once and {@link runSweepChild} per sweep.
 *
 * Before and after the sweep a few serial `ListVpcEndpointConnections` calls are timed (a full page of
 * 50, and one filtered to one endpoint, the size of a write) through the same client: the per-call
 * latencies (medians) that the bounds of the same run are computed from. The calls before are made by a
 * child of their own, and the peak RSS is read as the sweep ends, so the figure is that of a process that
 * loads the code and sweeps, as the function does (no warm-up calls, no esbuild).
 *
 * The child runs with the deployed reconcile function's node flags (s.yaml NODE_OPTIONS).
 * Profiling: BENCH_CHILD_NODE_ARGS passes more node flags to the child (`--cpu-prof --cpu-prof-dir=/tmp/p`);
 * BENCH_HEAP_SNAPSHOT_DIR writes a heap snapshot once the sweep has finished, its result still alive.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { parse } from 'yaml';
import type { PrivateLinkApi } from '../../functions/client/private-link-api.ts';

/** The provider account of `generateFleet` (emulator/model/fleet-generator.ts). */
const PROVIDER_KEY = { accessKeyId: 'LTAIdemoProvider0001', accessKeySecret: 'demo-provider-secret' };

/** The connection writes, as the client counts them by action. */
export const WRITE_ACTIONS = [
  'EnableVpcEndpointConnection',
  'DisableVpcEndpointConnection',
  'UpdateVpcEndpointConnectionAttribute',
];

/** Consumers the bench policy allows: acme, globex and the generated consumers 5-12. */
export const ALLOWED_ACCOUNTS = [
  '2000000000000001',
  '2000000000000002',
  ...Array.from({ length: 8 }, (_, i) => `30000000000${String(i + 5).padStart(5, '0')}`),
];

/**
 * Governs every `svc-*` service: the allowed accounts get 1024 Mbit/s, everyone else's requests are
 * rejected, so every request awaiting a decision is one write. Drift is off (the default), so a fleet
 * with nothing awaiting is a no-op sweep.
 */
export function benchPolicy(pendingStatus: 'Connecting' | 'Disconnected' = 'Connecting'): string {
  const allow = ALLOWED_ACCOUNTS.map((id) => `      - account: "${id}"\n        bandwidth: 1024`).join('\n');
  return `version: 1
mode: enforce
pendingStatus: ${pendingStatus}
services:
  - region: cn-hangzhou
    match: { name: "svc-*" }
    unknownAccounts: reject
    allow:
${allow}
`;
}

export interface SweepChildConfig {
  url: string;
  readConcurrency: number;
  pageSize: number;
  pendingStatus?: 'Connecting' | 'Disconnected';
  /** Overrides the run's page budget (functions/sweep/listing-bounds.ts MAX_PAGES_PER_RUN). */
  pagesPerRun?: number;
  /** A service to time serial calls against before and after the sweep; omitted: no calibration. */
  calibrate?: { regionId: string; serviceId: string; endpointId?: string | undefined; calls: number };
  /**
   * `calibrate`: only time the calls (a child of its own before the sweep's, so that the sweep's process
   * has made no call before its sweep); default `sweep`: sweep, then time the calls.
   */
  role?: 'calibrate' | 'sweep';
  /** The times of the calibrating child, merged with the sweep child's own (ms). */
  timedBefore?: Calibration;
}

/** Serial call times: full pages, and write-sized answers (ms). */
interface Calibration {
  times: number[];
  smallTimes: number[];
}

export interface SweepChildResult {
  apiCalls: number;
  /** Calls per action, as the client counted them (the sweep's own: calibration subtracted). */
  byAction: Record<string, number>;
  retries: number;
  /** The measured sweep: the process's second, an instance that has run before (as one reused every minute). */
  wallMs: number;
  /** The process's first sweep, a `plan` of the same fleet: its code not yet compiled (a cold instance). */
  coldWallMs: number;
  /** CPU time of the child while the sweep ran (user + system), ms: near `wallMs` means CPU-bound. */
  cpuMs: number;
  /** The process's peak RSS over both sweeps (what an instance that ran them would show), MB. */
  maxRssMb: number;
  /** RSS once the code, the policy and the client are loaded, before any call, MB. */
  baselineRssMb: number;
  /** Highest JS heap (used, reserved) and external memory seen while the sweep ran (sampled every 10 ms), MB. */
  peakMb: { heapUsed: number; heapTotal: number; external: number };
  writes: number;
  failed: number;
  deferred: number;
  /** Services (or regions) whose listing failed: not collected, no decisions. */
  servicesFailed: number;
  decisions: number;
  /** Median time of one serial calibration call reading a full page of 50, ms (0 without calibration). */
  callMs: number;
  /**
   * Median time of one serial call of a write's size (a listing filtered to `calibrate.endpointId`: one
   * connection in the answer), ms; `callMs` without an endpoint to calibrate with.
   */
  smallCallMs: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[Math.floor((s.length - 1) / 2)] ?? 0);
}

/** Times `cal.calls` serial page reads (and write-sized reads) through `api`, appending to the arrays. */
async function calibrate(
  api: PrivateLinkApi,
  cal: SweepChildConfig['calibrate'],
  times: number[],
  smallTimes: number[],
): Promise<void> {
  for (let i = 0; cal !== undefined && i < cal.calls; i++) {
    const t = performance.now();
    await api.listVpcEndpointConnections({ regionId: cal.regionId, serviceId: cal.serviceId, maxResults: 50 });
    times.push(performance.now() - t);
    if (cal.endpointId === undefined) continue;
    const t2 = performance.now();
    const filter = { regionId: cal.regionId, serviceId: cal.serviceId, endpointId: cal.endpointId };
    await api.listVpcEndpointConnections({ ...filter, maxResults: 50 });
    smallTimes.push(performance.now() - t2);
  }
}

/**
 * Child mode: calibrate only; or sweep twice (a cold `plan`, then the measured sweep) and calibrate after;
 * prints the figures as one JSON line.
 */
async function child(config: SweepChildConfig): Promise<void> {
  const { loadPolicyText } = await import('../../functions/policy-file/load-policy-file.ts');
  const { createPrivateLinkClient } = await import('../../functions/client/pop-core-private-link-client.ts');
  const { staticCredentials } = await import('../../functions/client/credentials.ts');
  const { runSweep } = await import('../../functions/sweep/run-sweep.ts');
  const loaded = loadPolicyText(benchPolicy(config.pendingStatus), 'bench-policy.yaml');
  if (!loaded.ok) throw new Error(`bench policy invalid: ${JSON.stringify(loaded.errors)}`);
  const api = createPrivateLinkClient({
    credentials: staticCredentials(PROVIDER_KEY),
    endpoint: config.url,
    timeoutMs: 10_000,
  });
  const times: number[] = [...(config.timedBefore?.times ?? [])];
  const smallTimes: number[] = [...(config.timedBefore?.smallTimes ?? [])];
  if (config.role === 'calibrate') {
    await calibrate(api, config.calibrate, times, smallTimes);
    api.close();
    process.stdout.write(`${JSON.stringify({ times, smallTimes })}\n`);
    return;
  }
  const baselineRssMb = process.resourceUsage().maxRSS / 1024;
  const sweep = (mode: 'plan' | 'enforce') =>
    runSweep({
      policy: loaded.policy,
      api,
      mode,
      readConcurrency: config.readConcurrency,
      pageSize: config.pageSize,
      // Far enough never to cut a benchmark short: the figures are for a run that finishes.
      deadline: Date.now() + 3_600_000,
      ...(config.pagesPerRun === undefined ? {} : { pageBounds: { perRun: config.pagesPerRun } }),
      sink: () => undefined,
    });
  // The process's first sweep: a plan (it writes nothing), as an instance's first run, code not yet compiled.
  const coldStart = performance.now();
  await sweep('plan');
  const coldWallMs = performance.now() - coldStart;
  const before = api.stats().byAction;
  const peaks = { heapUsed: 0, heapTotal: 0, external: 0 };
  // getHeapStatistics, not process.memoryUsage: no /proc read, so sampling does not slow the sweep.
  const sampler = setInterval(() => {
    const h = getHeapStatistics();
    peaks.heapUsed = Math.max(peaks.heapUsed, h.used_heap_size);
    peaks.heapTotal = Math.max(peaks.heapTotal, h.total_heap_size);
    peaks.external = Math.max(peaks.external, h.external_memory);
  }, 10);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const result = await sweep('enforce');
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  clearInterval(sampler);
  // Profiling aid: what the finished sweep still holds (its result is alive here).
  const snapshotDir = process.env['BENCH_HEAP_SNAPSHOT_DIR'];
  if (snapshotDir !== undefined) writeHeapSnapshot(join(snapshotDir, `sweep-${process.pid}.heapsnapshot`));
  const after = api.stats().byAction;
  // Timed again after the sweep: the machine's load may have changed while it ran.
  await calibrate(api, config.calibrate, times, smallTimes);
  api.close();
  const byAction = Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );
  const o = result.summary.counts.byOutcome;
  const out: SweepChildResult = {
    apiCalls: result.summary.apiCalls,
    byAction,
    retries: result.summary.retries,
    wallMs,
    coldWallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb,
    baselineRssMb,
    peakMb: {
      heapUsed: peaks.heapUsed / 2 ** 20,
      heapTotal: peaks.heapTotal / 2 ** 20,
      external: peaks.external / 2 ** 20,
    },
    writes: o.applied + o['already-applied'],
    failed: o.failed,
    deferred: o.deferred,
    servicesFailed: result.summary.servicesFailed.length,
    decisions: result.plan.decisions.length,
    callMs: median(times),
    smallCallMs: smallTimes.length > 0 ? median(smallTimes) : median(times),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/**
 * Bundles this file into `dir` with esbuild; returns the bundle's path. esbuild itself stays out of the
 * bundle (imported here only), so the child loads what the function loads and no more.
 */
export async function bundleSweepChild(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'sweep-bench-child.mjs');
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
    external: ['esbuild'],
    // pop-core and friends are CommonJS: give the ESM bundle a require().
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

/**
 * Runs one sweep in a child process from the bundle; resolves with its figures. With `calibrate`, a
 * first child times the calls before the sweep, so the sweep's child makes its first call in its sweep.
 */
export async function runSweepChild(bundle: string, config: SweepChildConfig): Promise<SweepChildResult> {
  const timedBefore =
    config.calibrate === undefined
      ? undefined
      : await spawnChild<Calibration>(bundle, { ...config, role: 'calibrate' });
  return spawnChild<SweepChildResult>(bundle, { ...config, role: 'sweep', timedBefore });
}

/**
 * The node flags of the deployed full sweep: the reconcile function's NODE_OPTIONS in s.yaml (its heap
 * bounds, docs/deploy.md#memory), so the child runs as the function does. BENCH_DEPLOYED_NODE_OPTIONS=0
 * leaves them out (to compare).
 */
export function deployedNodeOptions(): string[] {
  if (process.env['BENCH_DEPLOYED_NODE_OPTIONS'] === '0') return [];
  // Called in the parent only: this file's own place in the repository.
  const sYaml = fileURLToPath(new URL('../../s.yaml', import.meta.url));
  const doc = parse(readFileSync(sYaml, 'utf8')) as {
    resources: Record<string, { props: { environmentVariables: Record<string, string> } }>;
  };
  const options = doc.resources['privatelink-approver']?.props.environmentVariables['NODE_OPTIONS'] ?? '';
  return options.split(' ').filter((a) => a !== '');
}

/** Runs the bundle with `config`; resolves with the JSON of its last line. */
function spawnChild<T>(bundle: string, config: SweepChildConfig): Promise<T> {
  return new Promise((resolve, reject) => {
    // BENCH_CHILD_NODE_ARGS: extra node flags for profiling the sweep (e.g. --cpu-prof --cpu-prof-dir=DIR).
    const extra = (process.env['BENCH_CHILD_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    const nodeArgs = [...deployedNodeOptions(), ...extra];
    const proc = spawn(process.execPath, [...nodeArgs, bundle], {
      env: { ...process.env, SWEEP_BENCH_CHILD: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`bench child exited ${code}: ${out}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}

const childConfig = process.env['SWEEP_BENCH_CHILD'];
if (childConfig !== undefined) await child(JSON.parse(childConfig) as SweepChildConfig);
