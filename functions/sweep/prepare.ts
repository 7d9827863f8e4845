/**
 * Work on each service as soon as its listing is complete, while the other reads are still on the wire
 * (README "How a sweep runs"): its decisions (../engine/decide.ts `decideService`), their decision ids
 * (../engine/decision-id.ts) and, in `enforce`, its settlement candidates (./settled.ts). The sweep then
 * takes these as they are and computes whatever is missing the usual way (a service listed twice, a
 * decision that a later step replaced), so preparing moves work earlier and never changes a result:
 * every service is decided at the run's one decision time (`decidedAt`), prepared or not, and a
 * settlement is checked against its window when its record is written, as one computed then would be.
 */
import { decideService } from '../engine/decide.ts';
import type { PreparedServices, ServiceDecisions } from '../engine/decide.ts';
import type { Decision, Plan } from '../engine/decision.ts';
import { decisionKey } from '../engine/decision-id.ts';
import type { Sha256Hex } from '../engine/decision-id.ts';
import type { EndpointConnection, EndpointService } from '../engine/resources.ts';
import type { Policy } from '../policy/policy.ts';
import { inSettleWindow, listedLookup, settlementCandidate, settlementOf } from './settled.ts';
import type { ListedLookup, Settlement } from './settled.ts';

export interface PrepareOptions {
  policy: Policy;
  /** The run's decision time: `decide` is given the same (ms since the epoch). */
  decidedAt: number;
  sha256: Sha256Hex;
  /** Whether settlements are recorded (enforce runs only). */
  settle: boolean;
}

/** The prepared results of one run (see the module doc). */
export class PreparedWork {
  private readonly byList = new Map<readonly EndpointConnection[], ServiceDecisions>();
  private readonly ids = new WeakMap<Decision, string>();
  /** Each prepared decision's settlement, null when it makes none. */
  private readonly settled = new WeakMap<Decision, Settlement | null>();
  private pending = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly options: PrepareOptions) {}

  /** The services decided so far, for `decide`. */
  get services(): PreparedServices {
    return this.byList;
  }

  /**
   * Prepares a listed service once the current turn of the event loop is over: by then the reads that
   * its completion let start have been sent, so deciding it does not delay them.
   */
  add(service: EndpointService, connections: EndpointConnection[]): void {
    this.pending += 1;
    setImmediate(() => {
      try {
        this.prepare(service, connections);
      } catch {
        // Computed again, the usual way, when the sweep needs it: an error surfaces there.
      } finally {
        this.pending -= 1;
        if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
      }
    });
  }

  /** Resolves once every service added so far is prepared. */
  ready(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  /** A decision's id: prepared, or computed now. */
  idOf(decision: Decision): string {
    return this.ids.get(decision) ?? decisionKey(decision, this.options.policy.revision.hash, this.options.sha256);
  }

  /** The settlements of `plan` at `now` (./settled.ts): prepared ones if in the window, the others computed. */
  settlementsOf(plan: Plan, listed: () => readonly EndpointConnection[], now: number): Settlement[] {
    let lookup: ListedLookup | undefined;
    const hash = this.options.policy.revision.hash;
    return plan.decisions.flatMap((d) => {
      const prepared = this.settled.get(d);
      if (prepared !== undefined) return prepared !== null && inSettleWindow(prepared, now) ? prepared : [];
      lookup ??= listedLookup(listed());
      return settlementOf(d, lookup, now, hash, this.options.sha256) ?? [];
    });
  }

  private prepare(service: EndpointService, connections: EndpointConnection[]): void {
    const { policy, sha256, decidedAt } = this.options;
    const result = decideService(policy, service, connections, decidedAt);
    if (result === undefined) return;
    this.byList.set(connections, result);
    const hash = policy.revision.hash;
    // A plain skip has no record (./run-mode.ts): no id needed.
    for (const d of result.decisions) if (d.kind !== 'skip') this.ids.set(d, decisionKey(d, hash, sha256));
    // A connection listed under another service is looked up plan-wide, as the sweep always did.
    const own = connections.every((c) => c.regionId === service.regionId && c.serviceId === service.serviceId);
    if (!this.options.settle || !own) return;
    const lookup = listedLookup(connections);
    // Candidates at the decision time include every settlement at the later time its record is written.
    for (const d of result.decisions) {
      this.settled.set(d, settlementCandidate(d, lookup, decidedAt, hash, sha256) ?? null);
    }
  }
}
