/**
 * The `requests` scope's listing (docs/cadences.md): per governed service, only the connections awaiting
 * a decision, through ListVpcEndpointConnections' `ConnectionStatus` filter, plus, for the accounts whose
 * allow entry has `maxConnections`, every connection of that account on the service (`EndpointOwnerId`
 * filter), read live in this run so that the count is never taken from a stale view.
 */
import type { InvalidItem } from '../client/private-link-api.ts';
import type { Decision, Plan } from '../engine/decision.ts';
import { connectionPhase } from '../engine/connection-phase.ts';
import { matchServiceRule } from '../engine/match-service.ts';
import type { ConnectionStatus, EndpointConnection, EndpointService } from '../engine/resources.ts';
import type { PendingStatusReading, Policy } from '../policy/policy.ts';
import { allPages } from './collect.ts';
import type { ConnectionLister } from './collect.ts';
import type { PageBounds } from './listing-bounds.ts';
import type { Limiter } from './limiter.ts';
import type { MeteredApi } from './metered-api.ts';
import type { Settled } from './settle.ts';

/** Which connections a run lists and decides: `all` is the full sweep (drift included). */
export type SweepScope = 'requests' | 'all';

/** The statuses a request can have under each `pendingStatus` reading (policies/README.md). */
export function requestStatuses(reading: PendingStatusReading): ConnectionStatus[] {
  if (reading === 'Connecting') return ['Connecting'];
  if (reading === 'Disconnected') return ['Disconnected'];
  return ['Connecting', 'Disconnected'];
}

interface ListerOptions {
  policy: Policy;
  api: MeteredApi;
  bounds: PageBounds;
  pageSize: number;
}

type Listed = Settled<{ items: EndpointConnection[]; invalid: InvalidItem[] }>;

/** The lister `collect` uses in the `requests` scope. */
export function requestsLister(options: ListerOptions): ConnectionLister {
  return async (service, read) => {
    const requests: Listed[] = [];
    for (const status of requestStatuses(options.policy.pendingStatus)) {
      const listed = await listFiltered(options, service, read, { connectionStatus: status });
      if (!listed.ok) return listed;
      requests.push(listed);
    }
    const items = requests.flatMap((r) => (r.ok ? r.value.items : []));
    const invalid = requests.flatMap((r) => (r.ok ? r.value.invalid : []));
    const counted = ownersToCount(options.policy, service, items);
    const owned = await Promise.all(
      [...counted].map((owner) => listFiltered(options, service, read, { endpointOwnerId: owner })),
    );
    const failed = owned.find((o) => !o.ok);
    if (failed !== undefined) return failed;
    // An owner's own listing has every connection of the account on the service, its requests included,
    // and was read after the request listing: it replaces that owner's requests.
    const kept = items.filter((c) => !counted.has(c.endpointOwnerId));
    for (const o of owned) {
      if (!o.ok) continue;
      kept.push(...o.value.items);
      invalid.push(...o.value.invalid);
    }
    return { ok: true, value: { items: kept, invalid } };
  };
}

/** The owners of `requests` whose allow entry on this service has `maxConnections`. */
function ownersToCount(policy: Policy, service: EndpointService, requests: EndpointConnection[]): Set<string> {
  const rule = matchServiceRule(policy, service);
  const limited = new Set((rule?.allow ?? []).filter((e) => e.maxConnections !== undefined).map((e) => e.accountId));
  return new Set(requests.map((c) => c.endpointOwnerId).filter((owner) => limited.has(owner)));
}

function listFiltered(
  options: ListerOptions,
  service: EndpointService,
  read: Limiter,
  filter: { connectionStatus: ConnectionStatus } | { endpointOwnerId: string },
): Promise<Listed> {
  return allPages('ListVpcEndpointConnections', options.bounds, (token) =>
    read(() =>
      options.api.listVpcEndpointConnections({
        regionId: service.regionId,
        serviceId: service.serviceId,
        maxResults: options.pageSize,
        ...filter,
        ...token,
      }),
    ),
  );
}

/**
 * Warnings about live connections, of which the requests scope lists only a part: the full sweep reports
 * them.
 */
const LIVE_VIEW_WARNINGS: ReadonlySet<string> = new Set(['access-expiring', 'revocation-scheduled']);

/**
 * The `requests` scope acts on requests only: the decisions of the other connections an owner's listing
 * brought in (Connected ones, for the count) are dropped, so drift stays the reconcile's. So are the
 * warnings computed on that partial view: a `safety-limit` stays only while a kept decision is blocked by it.
 */
export function requestsOnly(plan: Plan, reading: PendingStatusReading): Plan {
  const decisions = plan.decisions.filter((d) => isRequestDecision(d, reading));
  const blocks = new Set(decisions.flatMap((d) => (d.blocked === undefined ? [] : [d.blocked.reason])));
  const warnings = plan.warnings.filter((w) =>
    w.code === 'safety-limit' ? blocks.has(w.message) : !LIVE_VIEW_WARNINGS.has(w.code),
  );
  return { ...plan, decisions, warnings, governedConnections: decisions.length };
}

/** Whether a decision is about a connection awaiting (or maybe awaiting) a decision under `reading`. */
export function isRequestDecision(d: Pick<Decision, 'statusBefore'>, reading: PendingStatusReading): boolean {
  const phase = connectionPhase(d.statusBefore, reading);
  return phase === 'awaiting' || phase === 'maybe-awaiting';
}
