/**
 * Time to decision (issue 14): requests arrive at random over 30 minutes of emulator time into a fleet
 * of 10,000 connections (200 services x 50), and the approver runs on its schedule. Each request's wait
 * runs from its creation (the connection's ModifiedTime) to the time its decision was applied, as the
 * decision record says. Printed: p50 / p95 / max of the waits and the approver's API calls per hour.
 *
 * Time: the emulator's ManualClock is paused between runs and moved to each arrival and each scheduled
 * run (so 30 minutes take seconds); while a run sweeps, the clock follows real time, so a run's own
 * duration (20 ms injected per call) counts in the waits. A request due while a run was sweeping is
 * created right after it (at most one run's duration late, shortening its wait by that much).
 *
 * Schedules: today's design (one full sweep every 5 minutes), a full sweep every minute, and issue 14's
 * two cadences (the `requests` scope every minute, a full reconcile every 15 minutes; docs/cadences.md).
 *
 * Run: npm run bench -- decision-time
 */
import { loadavg } from 'node:os';
import { ManualClock, generateFleet, seededRandom, startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator, Scenario } from '../../emulator/index.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { loadPolicyText } from '../../functions/policy-file/load-policy-file.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import { benchPolicy } from './sweep-child.ts';

const SERVICES = 200;
const PER_SERVICE = 50;
const WINDOW_MS = 30 * 60_000;
const REQUESTS = 300;
const LATENCY_MS = 20;
const MINUTE = 60_000;

/**
 * Runs on a timer every `everyMs`, the first at time 0: a full sweep (scope `all`, drift included), or,
 * with `reconcileEveryMs`, the `requests` scope (docs/cadences.md) except every `reconcileEveryMs`.
 */
interface Schedule {
  name: string;
  everyMs: number;
  reconcileEveryMs?: number;
}

const SCHEDULES: Schedule[] = [
  { name: "today's design: full sweep every 5 minutes", everyMs: 5 * MINUTE },
  { name: 'full sweep every minute (same latency)', everyMs: MINUTE },
  { name: 'two cadences: requests every minute + reconcile every 15', everyMs: MINUTE, reconcileEveryMs: 15 * MINUTE },
];

interface Arrival {
  at: number;
  ownerId: string;
  serviceId: string;
  endpointId?: string;
}

/** Requests at random times, each from an account on its service's whitelist (emulator/README.md). */
function arrivals(scenario: Scenario, start: number): Arrival[] {
  const rnd = seededRandom(14);
  return Array.from({ length: REQUESTS }, () => {
    const service = scenario.services[Math.floor(rnd() * scenario.services.length)];
    const whitelist = service?.whitelist ?? [];
    return {
      at: start + Math.floor(rnd() * WINDOW_MS),
      ownerId: whitelist[Math.floor(rnd() * whitelist.length)] ?? '',
      serviceId: service?.serviceId ?? '',
    };
  }).sort((a, b) => a.at - b.at);
}

/** The consumer creates its endpoint (a new connection request) at the clock's now. */
function create(emu: RunningEmulator, a: Arrival, i: number): void {
  const key = emu.accounts.find((x) => x.accountId === a.ownerId)?.accessKeys[0]?.accessKeyId ?? '';
  const now = emu.clock.now();
  a.at = now;
  const body = emu.model.dispatch(
    'CreateVpcEndpoint',
    { RegionId: 'cn-hangzhou', ServiceId: a.serviceId, VpcId: `vpc-ttd${i}`, 'SecurityGroupId.1': `sg-ttd${i}` },
    { accountId: a.ownerId, accessKeyId: key, requestId: `ttd-${i}`, now },
  );
  a.endpointId = String(body['EndpointId']);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Runs one schedule over the window; prints its waits and call rate. */
async function simulate(schedule: Schedule): Promise<void> {
  const start = Date.now();
  const clock = new ManualClock(start);
  clock.pause();
  const scenario = generateFleet({ services: SERVICES, connectionsPerService: PER_SERVICE, pendingShare: 0 });
  const emu = await startEmulator({
    scenario,
    clock,
    // The clock runs ahead of real time: pop-core's real Timestamps must stay acceptable.
    settings: { maxClockSkewMs: 24 * 3_600_000, faults: { seed: 1, rules: [{ latencyMs: LATENCY_MS }] } },
    requestLogCapacity: 100,
  });
  const loaded = loadPolicyText(benchPolicy(), 'bench-policy.yaml');
  if (!loaded.ok) throw new Error('bench policy invalid');
  const api = createPrivateLinkClient({
    credentials: staticCredentials({ accessKeyId: 'LTAIdemoProvider0001', accessKeySecret: 'demo-provider-secret' }),
    endpoint: emu.url,
    timeoutMs: 10_000,
  });
  const todo = arrivals(scenario, start);
  const decidedAt = new Map<string, number>();
  let calls = 0;
  const byAction: Record<string, number> = {};
  let runs = 0;
  let created = 0;
  try {
    for (let t = start; created < todo.length || decidedAt.size < todo.length; t += schedule.everyMs) {
      for (; created < todo.length && (todo[created]?.at ?? Infinity) <= t; created++) {
        const a = todo[created];
        if (!a) break;
        if (a.at > clock.now()) clock.advance(a.at - clock.now());
        create(emu, a, created);
      }
      if (t > clock.now()) clock.advance(t - clock.now());
      clock.resume();
      const reconcile = schedule.reconcileEveryMs === undefined || (t - start) % schedule.reconcileEveryMs === 0;
      const result = await runSweep({
        scope: reconcile ? 'all' : 'requests',
        policy: loaded.policy,
        api,
        mode: 'enforce',
        now: () => clock.now(),
        sink: (r) => {
          if ('outcome' in r && 'endpointId' in r && r.endpointId !== null && r.outcome === 'applied')
            decidedAt.set(r.endpointId, Date.parse(r.time));
        },
      });
      clock.pause();
      if (t < start + WINDOW_MS) {
        calls += result.summary.apiCalls;
        for (const [k, v] of Object.entries(api.stats().byAction)) byAction[k] = v;
      }
      runs += 1;
      if (runs > WINDOW_MS / schedule.everyMs + 10) throw new Error('requests left undecided');
    }
  } finally {
    api.close();
    await emu.close();
  }
  const waits = todo.map((a) => ((decidedAt.get(a.endpointId ?? '') ?? NaN) - a.at) / 1000).sort((x, y) => x - y);
  console.log(`${schedule.name}:`);
  console.log(
    `  ${REQUESTS} requests over ${WINDOW_MS / MINUTE} min, ${runs} runs: ` +
      `wait p50 ${percentile(waits, 50).toFixed(0)} s, ` +
      `p95 ${percentile(waits, 95).toFixed(0)} s, max ${(waits.at(-1) ?? NaN).toFixed(0)} s ` +
      (schedule.reconcileEveryMs === undefined
        ? '(issue 14 target, for the two cadences: p95 <= 70 s)'
        : `${percentile(waits, 95) <= 70 ? 'ok' : 'MISS'} (issue 14 target: p95 <= 70 s)`),
  );
  console.log(
    `  approver API calls per hour: ${Math.round((calls * 3_600_000) / WINDOW_MS).toLocaleString('en-US')} ` +
      `(${calls} in the ${WINDOW_MS / MINUTE} min window, ${LATENCY_MS} ms per call: ${JSON.stringify(byAction)})`,
  );
}

/** `npm run bench` entry. */
export default async function decisionTimeBench(): Promise<void> {
  console.log(
    `fleet ${SERVICES} x ${PER_SERVICE} connections; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const schedule of SCHEDULES) await simulate(schedule);
}
