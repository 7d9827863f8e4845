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
 * Run: npm run bench -- sweep
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { generateFleet } from '../../emulator/index.ts';
import { startEmulator } from '../../emulator/index.ts';

const SERVICES = 200;
const CONNECTIONS = 50;
const PENDING_SHARE = 0.2;
const LATENCY_MS = 20;

/** Allows acme, globex and consumers 5-12; everyone else's requests are rejected: every pending request is a write. */
const POLICY = `version: 1
mode: enforce
pendingStatus: Connecting
services:
  - region: cn-hangzhou
    match: { name: "svc-*" }
    unknownAccounts: reject
    allow:
${[
  '2000000000000001',
  '2000000000000002',
  ...Array.from({ length: 8 }, (_, i) => `30000000000${String(i + 5).padStart(5, '0')}`),
]
  .map((id) => `      - account: "${id}"\n        bandwidth: 1024`)
  .join('\n')}
`;

interface ChildConfig {
  url: string;
  readConcurrency: number;
  pageSize: number;
}

interface ChildResult {
  apiCalls: number;
  retries: number;
  wallMs: number;
  maxRssMb: number;
  baselineRssMb: number;
  writes: number;
  failed: number;
  decisions: number;
}

/** Child mode: run one sweep against the emulator at `url` and print the figures as one JSON line. */
async function child(config: ChildConfig): Promise<void> {
  const baselineRssMb = process.resourceUsage().maxRSS / 1024;
  const { loadPolicyText } = await import('../../functions/policy-file/load-policy-file.ts');
  const { createPrivateLinkClient } = await import('../../functions/client/pop-core-private-link-client.ts');
  const { staticCredentials } = await import('../../functions/client/credentials.ts');
  const { runSweep } = await import('../../functions/sweep/run-sweep.ts');
  const loaded = loadPolicyText(POLICY, 'bench-policy.yaml');
  if (!loaded.ok) throw new Error(`bench policy invalid: ${JSON.stringify(loaded.errors)}`);
  const api = createPrivateLinkClient({
    credentials: staticCredentials({ accessKeyId: 'LTAIdemoProvider0001', accessKeySecret: 'demo-provider-secret' }),
    endpoint: config.url,
    timeoutMs: 10_000,
  });
  let records = 0;
  const start = performance.now();
  const result = await runSweep({
    policy: loaded.policy,
    api,
    mode: 'enforce',
    readConcurrency: config.readConcurrency,
    pageSize: config.pageSize,
    sink: () => {
      records += 1;
    },
  });
  const wallMs = performance.now() - start;
  api.close();
  const o = result.summary.counts.byOutcome;
  const out: ChildResult = {
    apiCalls: result.summary.apiCalls,
    retries: result.summary.retries,
    wallMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    baselineRssMb,
    writes: o.applied + o['already-applied'],
    failed: o.failed,
    decisions: result.plan.decisions.length,
  };
  void records;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/**
 * Bundles this file with esbuild, as the function is deployed (one ESM file, no tsx at run time), so the
 * child's RSS is the sweep's and not the TypeScript loader's.
 */
async function bundleChild(dir: string): Promise<string> {
  const outfile = join(dir, 'sweep-bench-child.mjs');
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
    // pop-core and friends are CommonJS: give the ESM bundle a require().
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

function runChild(bundle: string, config: ChildConfig): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [bundle], {
      env: { ...process.env, SWEEP_BENCH_CHILD: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`bench child exited ${code}: ${out}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

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
    const r = await runChild(bundle, { url: emu.url, readConcurrency, pageSize });
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
    const bundle = await bundleChild(dir);
    await sweepOnce(bundle, 'sweep', 8, 50);
    await sweepOnce(bundle, 'naive sweep', 1, 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childConfig = process.env['SWEEP_BENCH_CHILD'];
if (childConfig !== undefined) await child(JSON.parse(childConfig) as ChildConfig);
