/**
 * The pure decision engine: what to do with every connection of every governed service, given the
 * policy, what the collector saw, and the time. No I/O, no clock, no environment: `plan` and `apply`
 * call it the same way, and tests call it with hand-built data.
 *
 * Correctness comes first, in this order: never connect what the policy does not allow; never accept
 * twice (see ./decision-id.ts for the ClientToken); never revoke on doubt (revocations only come from
 * `Connected` connections present in the snapshot and positively not allowed).
 */
import type { EndpointConnection, EndpointService } from './resources.ts';
import type { Policy, ServiceRule } from '../policy/policy.ts';
import { accountStanding, scheduledDeny } from './account-standing.ts';
import { driftBandwidth } from './bandwidth.ts';
import { connectionPhase, countsAsConnection } from './connection-phase.ts';
import type { ConnectionPhase } from './connection-phase.ts';
import { decideRequests, ordinal } from './decide-request.ts';
import type { Context } from './decision-context.ts';
import { accountOf, make, notAllowed, unknownAccountsAt } from './decision-context.ts';
import type { Decision, Plan, PlanWarning, Snapshot } from './decision.ts';
import { matchServiceRule } from './match-service.ts';
import { accessExpiringText, listingProblemText, revocationScheduledText } from './reason-text.ts';
import type { ListingProblem } from './reason-text.ts';
import { applySafetyLimits } from './safety-limits.ts';

export { ACCEPT_SETTLE_WINDOW_MS } from './decide-request.ts';

/**
 * Decides every connection of every governed service in `snapshot` under `policy` at `now` (ms since
 * the epoch, used for allow entries' `expires`): one decision per governed connection, `skip` included,
 * sorted by region, service, endpoint (ordinal order). Services no rule governs are ignored; the inputs
 * are not modified. What each status gets under each `pendingStatus` reading, requests, `maxConnections`,
 * drift and the warnings: policies/README.md ("Decisions and their reasons" and the sections it links);
 * test/engine/pending-status.test.ts pins every status under every reading. `prepared`: results of
 * {@link decideService} for this snapshot's lists, made with the same `now`; each is taken as it is.
 */
export function decide(policy: Policy, snapshot: Snapshot, now: number, prepared?: PreparedServices): Plan {
  const warnings: PlanWarning[] = [];
  const governed = governedServices(policy, snapshot, warnings);
  if (governed.length === 0 && policy.services.length > 0) warnings.push(...noServicesWarnings(policy));

  const decisions: Decision[] = [];
  let connected = 0;
  for (const { service, rule, connections, listed } of governed) {
    const result =
      (listed !== undefined ? prepared?.get(listed) : undefined) ??
      decideGoverned({ policy, rule, service, now }, connections);
    decisions.push(...result.decisions);
    warnings.push(...result.warnings);
    connected += result.connected;
  }
  decisions.sort(
    (a, b) =>
      ordinal(a.regionId, b.regionId) || ordinal(a.serviceId, b.serviceId) || ordinal(a.endpointId, b.endpointId),
  );
  const limited = applySafetyLimits(decisions, policy.limits, connected);
  return {
    decisions: limited.decisions,
    warnings: [...warnings, ...limited.warnings],
    governedConnections: decisions.length,
  };
}

/** One governed service's decisions, before the plan-wide safety limits (./safety-limits.ts). */
export interface ServiceDecisions {
  decisions: Decision[];
  /** its `Connected` connections (the safety limits' percentages are of the plan's total) */
  connected: number;
  warnings: PlanWarning[];
}

/**
 * Services decided ahead by {@link decideService}, by the connections list the snapshot holds for them
 * (the same array, not a copy): `decide` uses such a result as it is, unless the service is listed twice.
 */
export type PreparedServices = ReadonlyMap<readonly EndpointConnection[], ServiceDecisions>;

/**
 * Decides one service on its own, as `decide` does when the snapshot lists it once (undefined when no
 * rule governs it). The sweep decides each service as its listing arrives, so that the engine works while
 * the other reads are on the wire (README "How a sweep runs"), and hands the results to `decide`.
 */
export function decideService(
  policy: Policy,
  service: EndpointService,
  connections: EndpointConnection[],
  now: number,
): ServiceDecisions | undefined {
  const rule = matchServiceRule(policy, service);
  return rule === undefined ? undefined : decideGoverned({ policy, rule, service, now }, connections);
}

/** One `no-services` warning per region the policy names: it governs services, the listing holds none. */
function noServicesWarnings(policy: Policy): PlanWarning[] {
  const regions = [...new Set([...policy.regions, ...policy.services.map((r) => r.match.regionId)])].sort();
  const message =
    `no service governed by the policy is in this run's listing (policy regions: ${regions.join(', ')}): ` +
    'nothing to decide; check the service IDs, selectors, region and credentials';
  return regions.map((regionId) => ({ code: 'no-services', regionId, serviceId: undefined, message }));
}

interface GovernedService {
  service: EndpointService;
  rule: ServiceRule;
  connections: EndpointConnection[];
  /** the snapshot's own list, when the service is listed once (a prepared result may be used) */
  listed: readonly EndpointConnection[] | undefined;
}

/** The snapshot's services that a rule governs, each once (a service listed twice has its connections merged). */
function governedServices(policy: Policy, snapshot: Snapshot, warnings: PlanWarning[]): GovernedService[] {
  const byKey = new Map<string, GovernedService>();
  for (const { service, connections } of snapshot.services) {
    const rule = matchServiceRule(policy, service);
    if (rule === undefined) continue;
    const key = `${service.regionId}/${service.serviceId}`;
    const { regionId, serviceId } = service;
    const seen = byKey.get(key);
    if (seen) {
      const message = `service ${serviceId} is listed more than once; its connections are decided once`;
      warnings.push({ code: 'duplicate-service', regionId, serviceId, message });
      seen.connections.push(...connections);
      seen.listed = undefined;
      continue;
    }
    byKey.set(key, { service, rule, connections: [...connections], listed: connections });
    if (service.autoAcceptEnabled) {
      const message =
        `service ${serviceId} (${service.serviceName}) has AutoAcceptEnabled: every connection request is ` +
        `accepted without review, bypassing ${rule.source}; its connections are still checked against the policy`;
      warnings.push({ code: 'auto-accept', regionId, serviceId, message });
    }
  }
  return [...byKey.values()];
}

function decideGoverned(ctx: Context, listed: EndpointConnection[]): ServiceDecisions {
  const { policy } = ctx;
  const warnings: PlanWarning[] = [];
  const decisions: Decision[] = [];
  const inDoubt: EndpointConnection[][] = [];
  const usable = usableConnections(ctx, listed, warnings, decisions, inDoubt);
  const counts = (c: EndpointConnection): boolean =>
    countsAsConnection(connectionPhase(c.connectionStatus, policy.pendingStatus), c.connectionStatus);

  // Connections that already count against maxConnections, per owner account. A connection whose copies
  // conflict is not acted on, but still counts for each owner any copy would count it for: doubt can
  // only hold a request back, never connect one too many.
  const counted = new Map<string, number>();
  const count = (owner: string): void => void counted.set(owner, (counted.get(owner) ?? 0) + 1);
  for (const copies of inDoubt) new Set(copies.filter(counts).map((c) => c.endpointOwnerId)).forEach(count);

  const requests: { c: EndpointConnection; phase: 'awaiting' | 'maybe-awaiting' }[] = [];
  let connected = 0;
  for (const c of usable) {
    const phase = connectionPhase(c.connectionStatus, policy.pendingStatus);
    if (counts(c)) count(c.endpointOwnerId);
    if (phase === 'connected') {
      connected += 1;
      warnings.push(...connectedWarnings(ctx, c));
    }
    if (phase === 'awaiting' || phase === 'maybe-awaiting') requests.push({ c, phase });
    else decisions.push(decideSettled(ctx, c, phase));
  }
  decisions.push(...decideRequests(ctx, requests, counted));
  return { decisions, connected, warnings };
}

/**
 * What is about to happen to a live connection (policies/README.md, "Expiry and scheduled denies"):
 * `access-expiring` when its allow entry expires within `expiryWarningDays`, `revocation-scheduled` when
 * a deny entry with a `from` date will deny it.
 */
function connectedWarnings(ctx: Context, c: EndpointConnection): PlanWarning[] {
  const { policy, rule, now } = ctx;
  const { regionId, serviceId } = ctx.service;
  const out: PlanWarning[] = [];
  const standing = accountStanding(policy, rule, c, now);
  const then = policy.drift.revoke ? 'revoke' : 'flag';
  const expires = standing.kind === 'allowed' ? Date.parse(standing.entry.expires ?? '') : NaN;
  if (standing.kind === 'allowed' && expires > now && expires - now <= policy.expiryWarningDays * DAY_MS) {
    const params = { endpointId: c.endpointId, account: accountOf(ctx, c), entry: standing.entry.source };
    const at = standing.entry.expires ?? '';
    const message = accessExpiringText({ ...params, expires: at, days: Math.ceil((expires - now) / DAY_MS), then });
    out.push({ code: 'access-expiring', regionId, serviceId, message });
  }
  const scheduled = standing.kind === 'denied' ? undefined : scheduledDeny(policy, rule, c, now);
  if (scheduled !== undefined) {
    const params = { endpointId: c.endpointId, account: accountOf(ctx, c), entry: scheduled.entry.source };
    const message = revocationScheduledText({ ...params, by: scheduled.by, from: scheduled.entry.from ?? '', then });
    out.push({ code: 'revocation-scheduled', regionId, serviceId, message });
  }
  return out;
}

const DAY_MS = 86_400_000;

/**
 * The connections that can be decided: one per endpoint, belonging to this service. A listing that
 * looks wrong changes nothing: exact duplicates (a page boundary shifting) are decided once; conflicting
 * copies, or a connection of another service, get only a `skip` and a warning; their copies are added to
 * `inDoubt` so that maxConnections still counts them.
 */
function usableConnections(
  ctx: Context,
  listed: EndpointConnection[],
  warnings: PlanWarning[],
  decisions: Decision[],
  inDoubt: EndpointConnection[][],
): EndpointConnection[] {
  const { regionId, serviceId } = ctx.service;
  const byEndpoint = new Map<string, EndpointConnection[]>();
  for (const c of listed) {
    const copies = byEndpoint.get(c.endpointId);
    if (copies) copies.push(c);
    else byEndpoint.set(c.endpointId, [c]);
  }
  const usable: EndpointConnection[] = [];
  for (const [endpointId, copies] of byEndpoint) {
    const first = copies[0]!;
    const foreign = copies.some((c) => c.regionId !== regionId || c.serviceId !== serviceId);
    const conflicting = copies.length > 1 && copies.some((c) => JSON.stringify(c) !== JSON.stringify(first));
    if (foreign || conflicting) {
      const problem: ListingProblem = foreign
        ? { problem: 'foreign', endpointId, serviceId, regionId }
        : { problem: 'conflicting', endpointId, copies: copies.length };
      const message = `${listingProblemText(problem)}: it is not acted on in this run`;
      warnings.push({ code: 'inconsistent-listing', regionId, serviceId, message });
      const shown = { ...first, regionId, serviceId };
      decisions.push(
        make(ctx, shown, 'skip', 'builtin.inconsistent-listing', { code: 'inconsistent-listing', params: problem }),
      );
      inDoubt.push(copies);
      continue;
    }
    if (copies.length > 1) {
      const message = `connection ${endpointId} is listed ${copies.length} times (identical); it is decided once`;
      warnings.push({ code: 'duplicate-connection', regionId, serviceId, message });
    }
    usable.push(first);
  }
  return usable;
}

/** Decisions for connections that are not requests: connected (drift), in transition, closed. */
function decideSettled(ctx: Context, c: EndpointConnection, phase: ConnectionPhase): Decision {
  const reading = ctx.policy.pendingStatus;
  const status = c.connectionStatus;
  switch (phase) {
    case 'connected':
      return decideConnected(ctx, c);
    case 'accept-in-progress':
      return make(ctx, c, 'skip', 'builtin.accept-in-progress', { code: 'accept-in-progress', params: { reading } });
    case 'closed':
      return make(ctx, c, 'skip', 'builtin.disconnected', { code: 'disconnected', params: { reading } });
    case 'in-transition':
      return make(ctx, c, 'skip', 'builtin.in-transition', { code: 'in-transition', params: { status } });
    default:
      return make(ctx, c, 'skip', 'builtin.unknown-status', { code: 'unknown-status', params: { status } });
  }
}

/**
 * Drift rules for a `Connected` connection (policies/README.md, "Drift and revocation"): with drift off,
 * what it would change is a `flag` (seen, not acted on), every run.
 */
function decideConnected(ctx: Context, c: EndpointConnection): Decision {
  const { policy, rule, service } = ctx;
  const account = accountOf(ctx, c);
  const standing = accountStanding(policy, rule, c, ctx.now);
  if (standing.kind === 'allowed') {
    const entry = standing.entry;
    const drift = driftBandwidth(rule, entry, service, c.bandwidth);
    if (drift.kind === 'within') {
      const params = { account, entry: entry.source, drift: drift.assessment };
      return make(ctx, c, 'skip', entry.source, { code: 'within-cap', params });
    }
    const params = { account, drift: drift.assessment, target: drift.target };
    if (policy.drift.reduceBandwidth)
      return make(ctx, c, 'resize', 'drift.reduceBandwidth', { code: 'resize', params }, drift.target);
    return make(ctx, c, 'flag', 'drift.reduceBandwidth', { code: 'resize-off', params });
  }

  const na = notAllowed(ctx, c, standing);
  if (standing.kind === 'unknown' && rule.unknownAccounts === 'hold') {
    const params = {
      account,
      notAllowed: na.why,
      unknownAccountsAt: unknownAccountsAt(rule),
      autoAccept: service.autoAcceptEnabled,
    };
    return make(ctx, c, 'skip', na.rule, { code: 'unknown-connected', params });
  }
  const params = { account, notAllowed: na.why };
  if (policy.drift.revoke) return make(ctx, c, 'revoke', na.rule, { code: 'revoke', params });
  return make(ctx, c, 'flag', na.rule, { code: 'revoke-off', params });
}
