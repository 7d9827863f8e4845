/**
 * Decisions for requests awaiting a decision (and `Disconnected` connections that may be requests):
 * deny, allow, bandwidth and `maxConnections`, oldest request first. Pure. The rules are explained in
 * policies/README.md ("Allowed accounts", "Unknown accounts", "Pending status").
 */
import type { EndpointConnection } from './resources.ts';
import type { AllowEntry } from '../policy/policy.ts';
import { accountStanding } from './account-standing.ts';
import { acceptBandwidth } from './bandwidth.ts';
import type { Context } from './decision-context.ts';
import { accountOf, make, notAllowed, seenAs, unknownAccountsAt } from './decision-context.ts';
import type { Decision } from './decision.ts';

/**
 * How long after its last change (`ModifiedTime`) a `Connecting` connection may still be an accept in
 * progress rather than a request awaiting a decision, under the `Connecting` and `auto` readings: two
 * schedule intervals (the function runs every 5 minutes). The API reference gives no bound, so the
 * window is generous: waiting only delays a contested accept; too short a window lets an account exceed
 * its `maxConnections`.
 */
export const ACCEPT_SETTLE_WINDOW_MS = 10 * 60 * 1000;

/** A request's decision, and whether it was held only because the account's `maxConnections` was reached. */
export interface DecidedRequest {
  c: EndpointConnection;
  phase: 'awaiting' | 'maybe-awaiting';
  decision: Decision;
  /** set when held by the limit: the allow entry with the limit, and the slots it had left before this plan */
  limit: { entry: AllowEntry; free: number } | undefined;
}

/**
 * Decides `requests` oldest `ModifiedTime` first (then by endpoint ID), so `maxConnections` lets the
 * earliest in; `counted` holds each owner's connections already counting against it.
 */
export function decideRequests(
  ctx: Context,
  requests: { c: EndpointConnection; phase: 'awaiting' | 'maybe-awaiting' }[],
  counted: ReadonlyMap<string, number>,
): Decision[] {
  const ordered = [...requests].sort(
    (a, b) => modifiedAt(a.c) - modifiedAt(b.c) || ordinal(a.c.endpointId, b.c.endpointId),
  );
  const acceptedHere = new Map<string, number>();
  const decided: DecidedRequest[] = [];
  for (const { c, phase } of ordered) {
    const owner = c.endpointOwnerId;
    const r = decideRequest(ctx, c, phase, counted.get(owner) ?? 0, acceptedHere.get(owner) ?? 0);
    if (r.decision.kind === 'accept') acceptedHere.set(owner, (acceptedHere.get(owner) ?? 0) + 1);
    decided.push(r);
  }
  return holdUnsettledContention(ctx, decided);
}

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
  const request = { seen: seenAs(ctx, c, phase), account: accountOf(ctx, c) };
  const done = (decision: Decision, limit?: DecidedRequest['limit']): DecidedRequest => ({ c, phase, decision, limit });

  if (standing.kind !== 'allowed') {
    const na = notAllowed(ctx, c, standing);
    const why = { ...request, notAllowed: na.why };
    if (phase === 'maybe-awaiting')
      return done(make(ctx, c, 'skip', na.rule, { code: 'not-allowed-disconnected', params: why }));
    const params =
      na.kind === 'reject'
        ? { ...why, action: 'reject' as const }
        : { ...why, action: 'hold' as const, unknownAccountsAt: unknownAccountsAt(rule) };
    return done(make(ctx, c, na.kind, na.rule, { code: 'not-allowed', params }));
  }

  const entry = standing.entry;
  const allowed = { ...request, entry: entry.source };
  const bw = acceptBandwidth(rule, entry, service);
  if (!bw.ok) {
    return done(
      make(ctx, c, 'hold', entry.source, { code: 'bandwidth-unusable', params: { ...allowed, problem: bw.problem } }),
    );
  }
  if (entry.maxConnections !== undefined && counted + acceptedHere >= entry.maxConnections) {
    const params = {
      ...allowed,
      maxConnections: entry.maxConnections,
      counted,
      acceptedHere,
      serviceId: service.serviceId,
    };
    return done(make(ctx, c, 'hold', entry.source, { code: 'connection-limit', params }), {
      entry,
      free: Math.max(0, entry.maxConnections - counted),
    });
  }
  const params = { ...allowed, bandwidth: bw.bandwidth, steps: bw.steps };
  return done(make(ctx, c, 'accept', entry.source, { code: 'accept', params }, bw.bandwidth));
}

/**
 * Holds every contested request of an account when one it holds may be the previous run's accept still
 * in progress (policies/README.md, "maxConnections while an accept settles"): a `Connecting` request
 * held by `maxConnections` that changed less than {@link ACCEPT_SETTLE_WINDOW_MS} ago (or at an
 * unreadable time) and later than a request this plan accepts for the same account. Oldest-first would
 * give its slot to an older request while it connects anyway: one over the limit. Under the
 * `Disconnected` reading no request is `Connecting`, so nothing changes there.
 */
function holdUnsettledContention(ctx: Context, decided: DecidedRequest[]): Decision[] {
  const unsettled = unsettledOwners(ctx, decided);
  if (unsettled.size === 0) return decided.map((r) => r.decision);
  const contested = (r: DecidedRequest): boolean => r.decision.kind === 'accept' || r.limit !== undefined;
  for (const r of decided) {
    const u = unsettled.get(r.c.endpointOwnerId);
    if (u !== undefined && contested(r)) u.competitors += 1;
  }
  return decided.map((r) => {
    const u = unsettled.get(r.c.endpointOwnerId);
    if (u === undefined || !contested(r)) return r.decision;
    const { entry, free } = u.limit;
    const params = {
      seen: seenAs(ctx, r.c, r.phase),
      account: accountOf(ctx, r.c),
      entry: entry.source,
      competitors: u.competitors,
      free,
      maxConnections: entry.maxConnections,
      settling: {
        endpointId: u.held.endpointId,
        modifiedTime: u.held.modifiedTime,
        readable: Number.isFinite(modifiedAt(u.held)),
      },
      windowMinutes: ACCEPT_SETTLE_WINDOW_MS / 60_000,
      reading: ctx.policy.pendingStatus,
    };
    return make(ctx, r.c, 'hold', entry.source, { code: 'unsettled-contention', params });
  });
}

interface Unsettled {
  held: EndpointConnection;
  limit: NonNullable<DecidedRequest['limit']>;
  competitors: number;
}

/** Per owner, the newest held `Connecting` request that may be an accept still in progress. */
function unsettledOwners(ctx: Context, decided: DecidedRequest[]): Map<string, Unsettled> {
  const unsettled = new Map<string, Unsettled>();
  const firstAccepted = new Map<string, number>();
  for (const r of decided) {
    const owner = r.c.endpointOwnerId;
    if (r.decision.kind === 'accept' && !firstAccepted.has(owner)) firstAccepted.set(owner, modifiedAt(r.c));
    const first = firstAccepted.get(owner);
    if (r.limit === undefined || first === undefined || r.c.connectionStatus !== 'Connecting') continue;
    const at = modifiedAt(r.c);
    // The last one found is the newest: the one whose change is the last to settle.
    if (!Number.isFinite(at) || (ctx.now - at < ACCEPT_SETTLE_WINDOW_MS && at > first))
      unsettled.set(owner, { held: r.c, limit: r.limit, competitors: 0 });
  }
  return unsettled;
}

/** ModifiedTime as a number; an unreadable one sorts last (it cannot claim to be the oldest). */
function modifiedAt(c: EndpointConnection): number {
  const t = Date.parse(c.modifiedTime);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

export function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
