/**
 * The faults the soak injects: a share of every call fails with each kind the emulator has, and a
 * toggle makes some writes lose their answer (latency past the client's timeout: the effect stands,
 * the answer is lost, and the account's write lock stays held, so retries meet ConcurrentCallNotSupported).
 */
import { seededRandom } from '../../emulator/index.ts';
import type { RequestLogEntry } from '../../emulator/index.ts';
import type { SoakEmulator } from './soak-emulator.ts';
import { setSettings } from './soak-emulator.ts';

const CONNECTION_WRITES = [
  'EnableVpcEndpointConnection',
  'DisableVpcEndpointConnection',
  'UpdateVpcEndpointConnectionAttribute',
];

/**
 * The always-on rules: about 20% of calls meet one of the failures (with throttling, measured). `hang`
 * is kept small: each costs the caller a whole timeout (the function's is 3 s).
 */
export function faultRules(hang = 0.01): Array<Record<string, unknown>> {
  return [
    { internalError: 0.035, serviceUnavailable: 0.035, badGateway: 0.035, hang, drop: 0.035 },
    { rateLimitPerSecond: 12 },
  ];
}

/**
 * Every `periodMs`, with probability `share`, writes lose their answers for one period (latency
 * `lostLatencyMs`); the fault seed changes on every switch so the generators never replay one pattern.
 * Returns a stop function. Bounded: it stops itself after `maxMs`.
 */
export function startFaultToggle(
  emu: SoakEmulator,
  opts: { seed: number; share: number; lostLatencyMs: number; hang?: number; periodMs?: number; maxMs: number },
): () => Promise<void> {
  const random = seededRandom(opts.seed);
  let tick = 0;
  let pending: Promise<void> = Promise.resolve();
  const apply = (lost: boolean): Promise<void> => {
    tick += 1;
    const rules = lost
      ? [...faultRules(opts.hang), { actions: CONNECTION_WRITES, latencyMs: opts.lostLatencyMs }]
      : faultRules(opts.hang);
    return setSettings(emu, { faults: { seed: opts.seed * 7919 + tick, rules } });
  };
  const timer = setInterval(() => {
    pending = pending.then(() => apply(random() < opts.share)).catch(() => undefined);
  }, opts.periodMs ?? 250);
  const bound = setTimeout(() => clearInterval(timer), opts.maxMs);
  return async () => {
    clearInterval(timer);
    clearTimeout(bound);
    await pending;
    await apply(false);
  };
}

/** Turns every fault off. */
export function faultsOff(emu: SoakEmulator): Promise<void> {
  return setSettings(emu, { faults: { seed: 1, rules: [] } });
}

/** Calls by what they met: ok, a fault kind, or an API code (Throttling.User, ConcurrentCallNotSupported...). */
export function faultCounts(entries: RequestLogEntry[]): {
  calls: number;
  failed: number;
  byKind: Map<string, number>;
} {
  const byKind = new Map<string, number>();
  let failed = 0;
  for (const e of entries) {
    const kind = /hang|drop|badGateway|internalError|serviceUnavailable/.exec(e.fault ?? '')?.[0];
    const lost = e.status === 0 && kind === undefined && e.code === undefined ? 'lost answer' : undefined;
    const label = kind ?? lost ?? (e.code !== undefined && isFaultCode(e.code) ? e.code : undefined);
    if (label === undefined) continue;
    failed += 1;
    byKind.set(label, (byKind.get(label) ?? 0) + 1);
  }
  return { calls: entries.length, failed, byKind };
}

/** Codes that come from the injected faults or from contention, not from the model's verdict on a write. */
function isFaultCode(code: string): boolean {
  return /^(Throttling|ConcurrentCallNotSupported|ServiceBusy|.*Busy|InternalError|ServiceUnavailable)/.test(code);
}
