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
import type { AllowEntry, Policy, ServiceRule } from '../policy/policy.ts';
import { accountName, accountStanding } from './account-standing.ts';
import type { AccountStanding } from './account-standing.ts';
import { acceptBandwidth, driftBandwidth } from './bandwidth.ts';
import { connectionPhase, countsAsConnection } from './connection-phase.ts';
import type { ConnectionPhase } from './connection-phase.ts';
import type { Decision, DecisionKind, Plan, PlanWarning, Snapshot } from './decision.ts';
import { matchServiceRule } from './match-service.ts';
import { applySafetyLimits } from './safety-limits.ts';

/**
 * Decides every connection of every governed service in `snapshot` under `policy` at `now` (ms since
 * the epoch; the only notion of time the engine has, used for allow entries' `expires`).
 *
 * One decision per governed connection, `skip` included, sorted by region, service, endpoint (ordinal
 * string order, independent of locale). Services no rule governs (see {@link matchServiceRule}) are
 * ignored. The inputs are not modified.
 *
 * ## Statuses and the pending-status reading (`policy.pendingStatus`, see ./connection-phase.ts)
 * - `Pending`, `Disconnecting`, `Deleting`, `ServiceDeleted`: `skip` (`builtin.in-transition`).
 * - `Connecting`: awaiting a decision under the `Connecting` and `auto` readings; under `Disconnected`,
 *   an accept in progress: `skip` (`builtin.accept-in-progress`).
 * - `Disconnected`: under `Connecting`, closed (rejected or disconnected earlier): `skip`
 *   (`builtin.disconnected`). Under `Disconnected` and `auto`, maybe a new request: accepted when the
 *   policy allows the account (subject to `maxConnections` and bandwidth, else `hold`), otherwise `skip`.
 * - `Connected`: drift rules (below).
 *
 * ## Why a `Disconnected` request the policy does not allow is `skip`, not `reject` or `hold`
 * Under the newer reading a new request and a rejected one are both `Disconnected`, and nothing tells
 * them apart. Rejecting would call Disable on something that is not connected, and write a `reject`
 * audit record for the same connection on every run (every 5 minutes, forever). Holding would flag
 * "a person must act" on connections a person may already have rejected, a flag nobody could clear.
 * Skipping changes nothing and connects nothing; its reason still names the account and the rule, so
 * `plan` shows a newly arrived request from an unknown account. The audit consequences per reading:
 * - `Connecting` reading: a denied request gets one `reject` record; afterwards it is `Disconnected`,
 *   closed, and only `skip`. A held request stays `Connecting` and gets a `hold` record each run until
 *   a person acts: that repetition is the point of `hold`.
 * - `Disconnected` reading: no `reject` or `hold` records for requests the policy does not allow,
 *   only `skip`; allowed ones get one `accept` (then `Connecting`, then `Connected`). A person who
 *   disconnects an allowed account's connection by hand sees it enabled again on the next run: the
 *   policy in git is the source of truth; deny the endpoint to keep it off.
 * - `auto`: as `Connecting` for `Connecting` requests (one `reject` record, then `skip`), as
 *   `Disconnected` for `Disconnected` ones.
 * policies/README.md ("Pending status") explains these trade-offs to the people choosing a reading;
 * test/engine/pending-status.test.ts pins every status under every reading.
 *
 * ## Requests awaiting a decision
 * Deny wins (global, then the rule's; accounts, then endpoints): `reject`. An account the rule does not
 * name, an expired allow entry (`now >= expires`: "no longer allowed") and a VPC outside the entry's
 * `vpcs` are all "not allowed": `reject` or `hold` per the rule's `unknownAccounts`, with the reason
 * naming the expiry or the VPC (an expired customer is most often renewed late, and `hold` policies
 * mean "let a person look"). An allowed request is accepted with the bandwidth of ./bandwidth.ts, or
 * held when no bandwidth fits the cap and the service range.
 *
 * `maxConnections` is per account and per service (a selector rule governing three services allows that
 * many on each; other services never count): the account's connections already counting (see
 * `countsAsConnection`) plus the accepts decided earlier in this plan, with requests taken oldest
 * `modifiedTime` first (then by endpoint ID); a request beyond the limit is `hold`.
 *
 * Under `Connecting` and `auto`, an accept in progress looks like a request (`Connecting`) and is not
 * counted; our own Enable moved its `modifiedTime` to the time of the accept. Without contention (every
 * request of the account fits) it is accepted again, which is harmless. With contention, oldest-first
 * would put it behind the competitors held when it was accepted and give them its slot while it connects
 * anyway. So when a `Connecting` request the limit would hold changed less than
 * {@link ACCEPT_SETTLE_WINDOW_MS} (10 minutes) ago and later than a request this plan would accept for
 * the same account, none of the account's contested requests on that service is accepted in this run:
 * all are `hold`, with a reason naming the change; a later run decides oldest-first once the accept has
 * settled (see `holdUnsettledContention`). The engine keeps no state between runs, so this is the only
 * way to tell. What is left: an accept still not `Connected` after the window, or a competitor that
 * changed within the same second as our accept (`ModifiedTime` has one-second resolution; requests that
 * arrived together tie and are decided at once, by endpoint ID). Under `Disconnected` an accept in
 * progress is counted and nothing of this applies.
 *
 * ## Drift (`Connected` connections)
 * With `drift.revoke`: `revoke` when the account or endpoint is denied, the entry expired, the VPC is
 * not allowed, or the account is unknown and `unknownAccounts` is `reject`. Unknown with `hold` is
 * `skip`: a person may have accepted it by hand. With `drift.reduceBandwidth`: `resize` down to the cap
 * (never up; not below the service minimum). Drift turned off: `skip`, with a reason saying what drift
 * would do, so `plan` can show it.
 *
 * ## Safety limits and warnings
 * See ./safety-limits.ts: too many revokes or resizes are all `blocked`. Warnings: `auto-accept` (a
 * governed service accepts everything without review; its connections are still decided),
 * `no-services` (the policy governs services but the snapshot holds none), `duplicate-service`,
 * `duplicate-connection` and `inconsistent-listing` (the listing looks wrong; conflicting copies of a
 * connection are only `skip`ped, yet still counted against `maxConnections`). A governed service with no connections gets no warning: that is normal
 * for a new service, and an empty or partial listing can only yield fewer decisions, never a revocation
 * (the collector drops a service whose listing failed part-way; see ../sweep/run-sweep.ts).
 */
export function decide(policy: Policy, snapshot: Snapshot, now: number): Plan {
  const warnings: PlanWarning[] = [];
  const governed = governedServices(policy, snapshot, warnings);
  if (governed.length === 0 && policy.services.length > 0) {
    const regions = [...new Set([...policy.regions, ...policy.services.map((r) => r.match.regionId)])].sort();
    for (const regionId of regions) {
      warnings.push({
        code: 'no-services',
        regionId,
        serviceId: undefined,
        message: `no service governed by the policy is in this run's listing (policy regions: ${regions.join(', ')}): nothing to decide; check the service IDs, selectors, region and credentials`,
      });
    }
  }

  const decisions: Decision[] = [];
  let connected = 0;
  for (const { service, rule, connections } of governed) {
    const result = decideService(policy, rule, service, connections, now, warnings);
    decisions.push(...result.decisions);
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

interface GovernedService {
  service: EndpointService;
  rule: ServiceRule;
  connections: EndpointConnection[];
}

/** The snapshot's services that a rule governs, each once (a service listed twice has its connections merged). */
function governedServices(policy: Policy, snapshot: Snapshot, warnings: PlanWarning[]): GovernedService[] {
  const byKey = new Map<string, GovernedService>();
  for (const { service, connections } of snapshot.services) {
    const rule = matchServiceRule(policy, service);
    if (rule === undefined) continue;
    const key = `${service.regionId}/${service.serviceId}`;
    const seen = byKey.get(key);
    if (seen) {
      warnings.push({
        code: 'duplicate-service',
        regionId: service.regionId,
        serviceId: service.serviceId,
        message: `service ${service.serviceId} is listed more than once; its connections are decided once`,
      });
      seen.connections.push(...connections);
      continue;
    }
    byKey.set(key, { service, rule, connections: [...connections] });
    if (service.autoAcceptEnabled) {
      warnings.push({
        code: 'auto-accept',
        regionId: service.regionId,
        serviceId: service.serviceId,
        message: `service ${service.serviceId} (${service.serviceName}) has AutoAcceptEnabled: every connection request is accepted without review, bypassing ${rule.source}; its connections are still checked against the policy`,
      });
    }
  }
  return [...byKey.values()];
}

/** Everything the per-connection rules need to know. */
interface Context {
  policy: Policy;
  rule: ServiceRule;
  service: EndpointService;
  now: number;
}

function decideService(
  policy: Policy,
  rule: ServiceRule,
  service: EndpointService,
  listed: EndpointConnection[],
  now: number,
  warnings: PlanWarning[],
): { decisions: Decision[]; connected: number } {
  const ctx: Context = { policy, rule, service, now };
  const decisions: Decision[] = [];
  const inDoubt: EndpointConnection[][] = [];
  const usable = usableConnections(service, listed, warnings, decisions, ctx, inDoubt);

  // Connections that already count against maxConnections, per owner account. A connection whose copies
  // conflict is not acted on, but still counts for each owner any copy would count it for: doubt can
  // only hold a request back, never connect one too many.
  const counted = new Map<string, number>();
  for (const copies of inDoubt) {
    const owners = new Set(
      copies
        .filter((c) =>
          countsAsConnection(connectionPhase(c.connectionStatus, policy.pendingStatus), c.connectionStatus),
        )
        .map((c) => c.endpointOwnerId),
    );
    for (const owner of owners) counted.set(owner, (counted.get(owner) ?? 0) + 1);
  }
  const requests: { c: EndpointConnection; phase: 'awaiting' | 'maybe-awaiting' }[] = [];
  let connected = 0;
  for (const c of usable) {
    const phase = connectionPhase(c.connectionStatus, policy.pendingStatus);
    if (countsAsConnection(phase, c.connectionStatus)) {
      counted.set(c.endpointOwnerId, (counted.get(c.endpointOwnerId) ?? 0) + 1);
    }
    if (phase === 'connected') connected += 1;
    if (phase === 'awaiting' || phase === 'maybe-awaiting') requests.push({ c, phase });
    else decisions.push(decideSettled(ctx, c, phase));
  }

  // Requests in arrival order, so maxConnections lets the earliest ones in.
  requests.sort((a, b) => modifiedAt(a.c) - modifiedAt(b.c) || ordinal(a.c.endpointId, b.c.endpointId));
  const acceptedHere = new Map<string, number>();
  const decided: DecidedRequest[] = [];
  for (const { c, phase } of requests) {
    const r = decideRequest(
      ctx,
      c,
      phase,
      counted.get(c.endpointOwnerId) ?? 0,
      acceptedHere.get(c.endpointOwnerId) ?? 0,
    );
    if (r.decision.kind === 'accept')
      acceptedHere.set(c.endpointOwnerId, (acceptedHere.get(c.endpointOwnerId) ?? 0) + 1);
    decided.push(r);
  }
  decisions.push(...holdUnsettledContention(ctx, decided));
  return { decisions, connected };
}

/**
 * How long after its last change (`ModifiedTime`) a `Connecting` connection may still be an accept in
 * progress rather than a request awaiting a decision, under the `Connecting` and `auto` readings: two
 * schedule intervals (the function runs every 5 minutes). The emulator completes an accept in seconds
 * (`enableDelayMs`); the API reference gives no bound, so the window is generous: waiting it out only
 * delays a contested accept, while a window too short lets an account exceed its `maxConnections`.
 */
export const ACCEPT_SETTLE_WINDOW_MS = 10 * 60 * 1000;

/** A request's decision, and whether it was held only because the account's `maxConnections` was reached. */
interface DecidedRequest {
  c: EndpointConnection;
  phase: 'awaiting' | 'maybe-awaiting';
  decision: Decision;
  /** set when held by the limit: the allow entry with the limit, and the slots it had left before this plan */
  limit: { entry: AllowEntry; free: number } | undefined;
}

/**
 * Under the `Connecting` and `auto` readings an accept still in progress shows `Connecting`, exactly like
 * a request, and our own Enable moves its `ModifiedTime` to the time of the accept. A run that starts
 * before the accept settles sees it as the newest request: oldest-first gives the account's remaining
 * slots to older requests held earlier, and holding the in-progress one does not stop it connecting: one
 * over the limit. The signature of that state: a `Connecting` request held by `maxConnections` changed
 * recently (less than {@link ACCEPT_SETTLE_WINDOW_MS} ago, or at an unreadable or future time) and later
 * than a request this plan accepts for the same account. Then none of the account's requests on the
 * service is accepted in this run: all are held, and the next runs decide once the change is old enough
 * (by then an accept in progress is `Connected` and counted).
 *
 * Not affected: the `Disconnected` reading (an accept in progress is `Connecting`, counted, never a
 * request); an account without contention (everything fits: accepting an accept in progress again is
 * harmless); requests that tie on `ModifiedTime` (requests that arrived together: an accept moves its
 * connection's time past every competitor held with it, except one that changed within the same second,
 * the resolution of `ModifiedTime`).
 */
function holdUnsettledContention(ctx: Context, decided: DecidedRequest[]): Decision[] {
  const reading = ctx.policy.pendingStatus;
  // Under the Disconnected reading no request is Connecting (that is an accept in progress, counted), so
  // nothing below applies there.
  const unsettled = new Map<
    string,
    { held: EndpointConnection; limit: NonNullable<DecidedRequest['limit']>; competitors: number }
  >();
  const firstAccepted = new Map<string, number>();
  for (const r of decided) {
    const owner = r.c.endpointOwnerId;
    if (r.decision.kind === 'accept' && !firstAccepted.has(owner)) firstAccepted.set(owner, modifiedAt(r.c));
    const first = firstAccepted.get(owner);
    if (r.limit === undefined || first === undefined || r.c.connectionStatus !== 'Connecting') continue;
    const at = modifiedAt(r.c);
    const unreadable = !Number.isFinite(at);
    // The last one found is the newest: the one whose change is the last to settle.
    if (unreadable || (ctx.now - at < ACCEPT_SETTLE_WINDOW_MS && at > first))
      unsettled.set(owner, { held: r.c, limit: r.limit, competitors: 0 });
  }
  if (unsettled.size === 0) return decided.map((r) => r.decision);
  for (const r of decided) {
    const u = unsettled.get(r.c.endpointOwnerId);
    if (u !== undefined && (r.decision.kind === 'accept' || r.limit !== undefined)) u.competitors += 1;
  }
  return decided.map((r) => {
    const u = unsettled.get(r.c.endpointOwnerId);
    if (u === undefined || !(r.decision.kind === 'accept' || r.limit !== undefined)) return r.decision;
    const { entry, free } = u.limit;
    const y = u.held;
    const when = Number.isFinite(modifiedAt(y))
      ? `changed at ${y.modifiedTime}, less than ${ACCEPT_SETTLE_WINDOW_MS / 60_000} minutes ago`
      : `changed at an unreadable time (${JSON.stringify(y.modifiedTime)})`;
    return make(
      ctx,
      r.c,
      'hold',
      entry.source,
      `${seenAs(ctx, r.c, r.phase)}: ${who(ctx, r.c)} is allowed by ${entry.source}, but ${u.competitors} requests compete for ${plural(free, 'slot')} of maxConnections ${entry.maxConnections ?? '?'} and ${y.endpointId} ${when}: it may be an accept still in progress, which looks the same under pendingStatus ${reading}; accepting none of them in this run, deciding in a later run`,
    );
  });
}

/**
 * The connections that can be decided: one per endpoint, belonging to this service. A listing that
 * looks wrong changes nothing: exact duplicates (a page boundary shifting) are decided once; conflicting
 * copies, or a connection of another service, get only a `skip` and a warning; their copies are added to
 * `inDoubt` so that maxConnections still counts them.
 */
function usableConnections(
  service: EndpointService,
  listed: EndpointConnection[],
  warnings: PlanWarning[],
  decisions: Decision[],
  ctx: Context,
  inDoubt: EndpointConnection[][],
): EndpointConnection[] {
  const byEndpoint = new Map<string, EndpointConnection[]>();
  for (const c of listed) {
    const copies = byEndpoint.get(c.endpointId);
    if (copies) copies.push(c);
    else byEndpoint.set(c.endpointId, [c]);
  }
  const usable: EndpointConnection[] = [];
  for (const [endpointId, copies] of byEndpoint) {
    const first = copies[0]!;
    const foreign = copies.some((c) => c.regionId !== service.regionId || c.serviceId !== service.serviceId);
    const conflicting = copies.length > 1 && copies.some((c) => JSON.stringify(c) !== JSON.stringify(first));
    if (foreign || conflicting) {
      const why = foreign
        ? `connection ${endpointId} is listed under service ${service.serviceId} in ${service.regionId} but names another service or region`
        : `connection ${endpointId} is listed ${copies.length} times with different contents`;
      warnings.push({
        code: 'inconsistent-listing',
        regionId: service.regionId,
        serviceId: service.serviceId,
        message: `${why}: it is not acted on in this run`,
      });
      const shown = { ...first, regionId: service.regionId, serviceId: service.serviceId };
      decisions.push(
        make(ctx, shown, 'skip', 'builtin.inconsistent-listing', `${why}; never act on doubt: nothing done`),
      );
      inDoubt.push(copies);
      continue;
    }
    if (copies.length > 1) {
      warnings.push({
        code: 'duplicate-connection',
        regionId: service.regionId,
        serviceId: service.serviceId,
        message: `connection ${endpointId} is listed ${copies.length} times (identical); it is decided once`,
      });
    }
    usable.push(first);
  }
  return usable;
}

/** Decisions for connections that are not requests: connected (drift), in transition, closed. */
function decideSettled(ctx: Context, c: EndpointConnection, phase: ConnectionPhase): Decision {
  const reading = ctx.policy.pendingStatus;
  switch (phase) {
    case 'connected':
      return decideConnected(ctx, c);
    case 'accept-in-progress':
      return make(
        ctx,
        c,
        'skip',
        'builtin.accept-in-progress',
        `Connecting: under pendingStatus ${reading} this is an accept in progress; nothing to do until it settles`,
      );
    case 'closed':
      return make(
        ctx,
        c,
        'skip',
        'builtin.disconnected',
        `Disconnected: under pendingStatus ${reading} this connection was rejected or disconnected earlier, not a request awaiting a decision; nothing to do (enable it by hand, or use pendingStatus auto to have allowed accounts' Disconnected connections enabled again)`,
      );
    case 'in-transition':
      return make(
        ctx,
        c,
        'skip',
        'builtin.in-transition',
        `${c.connectionStatus}: ${TRANSITIONS[c.connectionStatus] ?? 'in transition'}; nothing to do until it settles`,
      );
    default:
      return make(
        ctx,
        c,
        'skip',
        'builtin.unknown-status',
        `status ${JSON.stringify(c.connectionStatus)} is not one the API documents; never act on doubt: nothing done`,
      );
  }
}

const TRANSITIONS: Partial<Record<string, string>> = {
  Pending: 'the connection is being modified',
  Disconnecting: 'the connection is being disconnected',
  Deleting: 'the endpoint is being deleted',
  ServiceDeleted: 'the service was deleted',
};

/** A request awaiting a decision (`awaiting`), or a `Disconnected` connection that may be one. */
function decideRequest(
  ctx: Context,
  c: EndpointConnection,
  phase: 'awaiting' | 'maybe-awaiting',
  counted: number,
  acceptedHere: number,
): DecidedRequest {
  const { rule, service } = ctx;
  const standing = accountStanding(ctx.policy, rule, c, ctx.now);
  const seen = seenAs(ctx, c, phase);
  const done = (decision: Decision, limit?: DecidedRequest['limit']): DecidedRequest => ({ c, phase, decision, limit });

  if (standing.kind !== 'allowed') {
    const na = notAllowed(ctx, c, standing);
    if (phase === 'maybe-awaiting') {
      return done(make(ctx, c, 'skip', na.rule, `${seen}: ${na.why}; it is not connected, so nothing to do`));
    }
    const action = na.kind === 'reject' ? 'reject' : `hold for a person (${unknownAccountsAt(rule)} is hold)`;
    return done(make(ctx, c, na.kind, na.rule, `${seen}: ${na.why}: ${action}`));
  }

  const entry = standing.entry;
  const allowedBy = `${who(ctx, c)} is allowed by ${entry.source}`;
  const bw = acceptBandwidth(rule, entry, service);
  if (!bw.ok) return done(make(ctx, c, 'hold', entry.source, `${seen}: ${allowedBy}, but ${bw.reason}`));

  if (entry.maxConnections !== undefined && counted + acceptedHere >= entry.maxConnections) {
    const parts = [`${counted} connected or being connected`];
    if (acceptedHere > 0) parts.push(`${acceptedHere} accepted earlier in this run`);
    return done(
      make(
        ctx,
        c,
        'hold',
        entry.source,
        `${seen}: ${allowedBy}, but the limit of ${plural(entry.maxConnections, 'connection')} reached (${entry.source} maxConnections): it already has ${parts.join(' + ')} on ${service.serviceId}; hold until one goes or the limit is raised`,
      ),
      { entry, free: Math.max(0, entry.maxConnections - counted) },
    );
  }
  return done(
    make(
      ctx,
      c,
      'accept',
      entry.source,
      `${seen}: ${allowedBy}: accept at ${bw.bandwidth} Mbit/s (${bw.explanation})`,
      bw.bandwidth,
    ),
  );
}

/** How a request is described at the start of its reason. */
function seenAs(ctx: Context, c: EndpointConnection, phase: 'awaiting' | 'maybe-awaiting'): string {
  return phase === 'awaiting'
    ? `request awaiting a decision (${c.connectionStatus})`
    : `Disconnected (a new request, or one rejected or disconnected earlier: indistinguishable under pendingStatus ${ctx.policy.pendingStatus})`;
}

/** Drift rules for a `Connected` connection. */
function decideConnected(ctx: Context, c: EndpointConnection): Decision {
  const { policy, rule, service } = ctx;
  const standing = accountStanding(policy, rule, c, ctx.now);
  if (standing.kind === 'allowed') {
    const entry = standing.entry;
    const drift = driftBandwidth(rule, entry, service, c.bandwidth);
    if (drift.kind === 'within') {
      return make(
        ctx,
        c,
        'skip',
        entry.source,
        `Connected: ${who(ctx, c)} is allowed by ${entry.source} and ${drift.explanation}; nothing to do`,
      );
    }
    if (policy.drift.reduceBandwidth) {
      return make(
        ctx,
        c,
        'resize',
        'drift.reduceBandwidth',
        `Connected: ${who(ctx, c)}: ${drift.explanation}: resize to ${drift.target} Mbit/s`,
        drift.target,
      );
    }
    return make(
      ctx,
      c,
      'skip',
      'drift.reduceBandwidth',
      `Connected: ${who(ctx, c)}: ${drift.explanation}; drift.reduceBandwidth is off (it would resize to ${drift.target} Mbit/s)`,
    );
  }

  const na = notAllowed(ctx, c, standing);
  if (standing.kind === 'unknown' && rule.unknownAccounts === 'hold') {
    const how = service.autoAcceptEnabled
      ? 'the service accepted it automatically (AutoAcceptEnabled) or a person accepted it by hand'
      : 'a person may have accepted it by hand';
    return make(
      ctx,
      c,
      'skip',
      na.rule,
      `Connected: ${na.why}, and ${unknownAccountsAt(rule)} is hold: ${how}; left as it is`,
    );
  }
  if (policy.drift.revoke) {
    return make(ctx, c, 'revoke', na.rule, `Connected, but ${na.why}: revoke (drift.revoke is on)`);
  }
  return make(ctx, c, 'skip', na.rule, `Connected, but ${na.why}; drift.revoke is off (it would revoke)`);
}

/** Why an account (or endpoint) is not allowed, which rule says so, and what a request gets for it. */
function notAllowed(
  ctx: Context,
  c: EndpointConnection,
  standing: Exclude<AccountStanding, { kind: 'allowed' }>,
): { rule: string; why: string; kind: 'reject' | 'hold' } {
  const { rule } = ctx;
  switch (standing.kind) {
    case 'denied': {
      const subject = standing.by === 'account' ? who(ctx, c) : `endpoint ${c.endpointId} of ${who(ctx, c)}`;
      const note = standing.entry.reason === undefined ? '' : ` (${standing.entry.reason})`;
      return {
        rule: standing.entry.source,
        why: `${subject} is denied by ${standing.entry.source}${note}`,
        kind: 'reject',
      };
    }
    case 'unknown':
      return {
        rule: unknownAccountsAt(rule),
        why: `${who(ctx, c)} is not named by ${rule.source}.allow`,
        kind: rule.unknownAccounts,
      };
    case 'expired':
      return {
        rule: standing.entry.source,
        why: `${who(ctx, c)} is no longer allowed: its entry ${standing.entry.source} expired at ${standing.entry.expires ?? '?'}`,
        kind: rule.unknownAccounts,
      };
    case 'vpc-not-allowed':
      return {
        rule: standing.entry.source,
        why: `VPC ${c.endpointVpcId} of ${who(ctx, c)} is not among the VPCs ${standing.entry.source} allows (${(standing.entry.vpcs ?? []).join(', ')})`,
        kind: rule.unknownAccounts,
      };
  }
}

/** Where the rule's `unknownAccounts` is written: the rule's own key, or `defaults.unknownAccounts`. */
function unknownAccountsAt(rule: ServiceRule): string {
  return rule.unknownAccountsSource ?? `${rule.source}.unknownAccounts`;
}

/** `account 2000000000000001 (acme)`, or without the name when the policy has none. */
function who(ctx: Context, c: EndpointConnection): string {
  const name = accountName(ctx.policy, ctx.rule, c.endpointOwnerId);
  return name === undefined ? `account ${c.endpointOwnerId}` : `account ${c.endpointOwnerId} (${name})`;
}

function make(
  ctx: Context,
  c: EndpointConnection,
  kind: DecisionKind,
  rule: string,
  reason: string,
  bandwidthAfter?: number,
): Decision {
  return {
    kind,
    regionId: c.regionId,
    serviceId: c.serviceId,
    endpointId: c.endpointId,
    endpointOwnerId: c.endpointOwnerId,
    endpointVpcId: c.endpointVpcId,
    accountName: accountName(ctx.policy, ctx.rule, c.endpointOwnerId),
    statusBefore: c.connectionStatus,
    bandwidthBefore: c.bandwidth,
    bandwidthAfter: kind === 'accept' || kind === 'resize' ? bandwidthAfter : undefined,
    rule,
    reason,
    blocked: undefined,
  };
}

/** ModifiedTime as a number; an unreadable one sorts last (it cannot claim to be the oldest). */
function modifiedAt(c: EndpointConnection): number {
  const t = Date.parse(c.modifiedTime);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
