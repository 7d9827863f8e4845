/**
 * Reads what happened from the emulator's own request log and state, never from the product's records:
 * which writes took effect, whether any was wrong or took effect twice, whether the end state is what
 * the policy wants, and (against the records) whether any effect went unrecorded. See docs/soak.md.
 */
import type { RequestLogEntry } from '../../emulator/index.ts';
import type { ChildRun } from './soak-child.ts';
import type { StateConnection } from './soak-emulator.ts';
import type { SoakFleet } from './soak-fleet.ts';

const WRITES = {
  EnableVpcEndpointConnection: 'accept',
  DisableVpcEndpointConnection: 'disable',
  UpdateVpcEndpointConnectionAttribute: 'resize',
} as const;
type WriteKind = (typeof WRITES)[keyof typeof WRITES];

/** A connection write that changed the emulator's state (a ClientToken replay is not one). */
export interface Effect {
  seq: number;
  requestId: string;
  kind: WriteKind;
  serviceId: string;
  endpointId: string;
  bandwidth: number | undefined;
  clientToken: string | undefined;
  /** The answer never reached the client (latency past its timeout). */
  lost: boolean;
}

function writeKind(action: string | undefined): WriteKind | undefined {
  return action !== undefined && action in WRITES ? WRITES[action as keyof typeof WRITES] : undefined;
}

/**
 * The effects in `entries`: a write the model carried out (answered 200, or no answer but no fault that
 * stops it and no error code: the client gave up during injected latency, the effect stands), minus
 * replays of an earlier (account, action, ClientToken).
 */
export function effectsOf(entries: RequestLogEntry[]): Effect[] {
  const seen = new Set<string>();
  const effects: Effect[] = [];
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    const kind = writeKind(e.action);
    if (kind === undefined || e.code !== undefined || e.params['DryRun'] === 'true') continue;
    const faulted = /hang|drop|badGateway|internalError|serviceUnavailable/.test(e.fault ?? '');
    if (e.status !== 200 && (e.status !== 0 || faulted || e.accountId === undefined)) continue;
    const token = e.params['ClientToken'];
    if (token !== undefined) {
      const key = `${e.accountId}\u0000${e.action}\u0000${token}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const bw = e.params['Bandwidth'];
    effects.push({
      seq: e.seq,
      requestId: e.requestId,
      kind,
      serviceId: e.params['ServiceId'] ?? '',
      endpointId: e.params['EndpointId'] ?? '',
      bandwidth: bw === undefined ? undefined : Number(bw),
      clientToken: token,
      lost: e.status === 0,
    });
  }
  return effects;
}

/** Effects the policy forbids: accepting an account it does not allow (or above its cap), disabling an allowed one, resizing above a cap. */
export function wrongEffects(effects: Effect[], fleet: SoakFleet): string[] {
  const wrong: string[] = [];
  for (const e of effects) {
    const owner = fleet.ownerOf.get(e.endpointId) ?? '?';
    const team = fleet.teamOf.get(e.serviceId);
    const s = team === undefined ? undefined : fleet.standing(team, owner);
    const at = `${e.kind} ${e.serviceId}/${e.endpointId} (owner ${owner}, log seq ${e.seq})`;
    if (s === undefined) wrong.push(`${at}: a service the policy does not govern`);
    else if (e.kind === 'accept' && s.kind !== 'allowed') wrong.push(`${at}: the policy does not allow ${owner}`);
    else if (e.kind === 'disable' && s.kind === 'allowed') wrong.push(`${at}: the policy allows ${owner}`);
    else if (e.kind !== 'disable' && s.kind === 'allowed' && (e.bandwidth ?? 0) > s.cap)
      wrong.push(`${at}: ${e.bandwidth} Mbit/s above the cap ${s.cap}`);
  }
  return wrong;
}

/** The same write on the same connection taking effect more than once (a resize: to the same bandwidth). */
export function doubleEffects(effects: Effect[]): string[] {
  const counts = new Map<string, number[]>();
  for (const e of effects) {
    const key = `${e.kind} ${e.serviceId}/${e.endpointId}${e.kind === 'resize' ? ` to ${e.bandwidth}` : ''}`;
    counts.set(key, [...(counts.get(key) ?? []), e.seq]);
  }
  return [...counts].filter(([, seqs]) => seqs.length > 1).map(([key, seqs]) => `${key}: log seq ${seqs.join(', ')}`);
}

/**
 * Where the state differs from what the policy wants once converged, read from the emulator's state:
 * an allowed request not accepted, a denied (or rejected-unknown) connection live, an allowed one above
 * its cap. `pending` is the emulator's reading: under Disconnected a rejected request cannot be told
 * from a new one, so denied requests may stay; under Connecting closed allowed ones stay closed.
 */
export function endStateProblems(
  conns: StateConnection[],
  fleet: SoakFleet,
  pending: 'Connecting' | 'Disconnected',
): string[] {
  const problems: string[] = [];
  for (const c of conns) {
    const team = fleet.teamOf.get(c.serviceId);
    if (team === undefined) continue;
    const s = fleet.standing(team, c.endpointOwnerId);
    const live = c.connectionStatus === 'Connected' && !c.awaitingDecision;
    const at = `${c.serviceId}/${c.endpointId} (owner ${c.endpointOwnerId}, ${c.connectionStatus})`;
    if (s.kind === 'allowed') {
      const wantsAccept = c.awaitingDecision || (pending === 'Disconnected' && c.connectionStatus === 'Disconnected');
      if (wantsAccept) problems.push(`${at}: allowed, not accepted`);
      else if (c.connectionStatus !== 'Connected' && c.connectionStatus !== 'Disconnected')
        problems.push(`${at}: still in transition`);
      else if (live && c.bandwidth > s.cap) problems.push(`${at}: ${c.bandwidth} Mbit/s above the cap ${s.cap}`);
    } else if (s.kind === 'denied' || !s.hold) {
      if (live) problems.push(`${at}: not allowed, still connected`);
      else if (c.awaitingDecision && pending === 'Connecting') problems.push(`${at}: not allowed, not rejected`);
    }
  }
  return problems;
}

/** Whether a record (intent or decision) of `run` speaks for effect `e`. */
function recordFor(run: ChildRun, e: Effect, intentOnly: boolean): boolean {
  const decision = { accept: ['accept'], disable: ['reject', 'revoke'], resize: ['resize'] }[e.kind];
  return run.records.some((r) => {
    if (intentOnly ? !String(r.schema).includes('/intent/') : String(r.schema).includes('/run/')) return false;
    if (r['endpointId'] !== e.endpointId || !decision.includes(String(r['decision']))) return false;
    const token = r['clientToken'];
    return typeof token !== 'string' || e.clientToken === undefined || token === e.clientToken;
  });
}

/**
 * Effects with no record (intent or outcome) from a run that was running when the log saw them. A
 * killed run must have left an intent: its outcome never came.
 */
export function unrecordedEffects(effects: Effect[], runs: ChildRun[]): string[] {
  const missing: string[] = [];
  for (const e of effects) {
    const during = runs.filter((r) => r.seqFrom < e.seq && e.seq <= r.seqTo);
    const ok = during.some((r) => recordFor(r, e, r.killed === 'crash'));
    if (!ok)
      missing.push(
        `${e.kind} ${e.serviceId}/${e.endpointId} (log seq ${e.seq}${e.lost ? ', answer lost' : ''}): ` +
          `no ${during.some((r) => r.killed) ? 'intent ' : ''}record in ${during.map((r) => r.label).join(', ') || 'no run'}`,
      );
  }
  return missing;
}

/** `applied` records whose RequestId is no effect of the log (a replay carries the first effect's). */
export function appliedWithoutEffect(effects: Effect[], runs: ChildRun[]): string[] {
  const ids = new Set(effects.map((e) => e.requestId));
  const out: string[] = [];
  for (const run of runs)
    for (const r of run.records)
      if (r['outcome'] === 'applied' && !ids.has(String(r['requestId'])))
        out.push(
          `${run.label}: ${String(r['decision'])} ${String(r['endpointId'])} requestId ${String(r['requestId'])}`,
        );
  return out;
}
