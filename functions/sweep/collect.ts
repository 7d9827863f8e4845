/**
 * Collect: list the governed services of each region, then every connection of each service, reads
 * concurrent within a bound. A service whose listing fails is "not collected": it gets a failure and no
 * decisions at all (never decide on a partial view, never revoke on doubt). README "How a sweep runs".
 */
import { ApiError } from '../client/api-error.ts';
import type { InvalidItem, Page } from '../client/private-link-api.ts';
import type { Snapshot } from '../engine/decision.ts';
import { matchServiceRule } from '../engine/match-service.ts';
import type { EndpointConnection, EndpointService } from '../engine/resources.ts';
import type { Logger } from '../log/logger.ts';
import { serializeError } from '../log/logger.ts';
import type { Policy } from '../policy/policy.ts';
import type { RunWarning, ServiceFailure } from '../audit/audit-records.ts';
import type { Limiter } from './limiter.ts';
import { createLimiter } from './limiter.ts';
import type { MeteredApi } from './metered-api.ts';
import { outcomeOf } from './settle.ts';
import type { Settled } from './settle.ts';
import { overBound } from './listing-bounds.ts';
import type { PageBounds } from './listing-bounds.ts';

export interface CollectOptions {
  policy: Policy;
  api: MeteredApi;
  /** Narrows to these service IDs / regions (never widens). */
  services: string[] | undefined;
  regions: string[] | undefined;
  pageSize: number;
  /** Bounds on paging (see ./listing-bounds.ts). */
  bounds: PageBounds;
  readConcurrency: number;
  logger: Logger;
  onProgress: ((event: { phase: 'collect'; done: number; total: number }) => void) | undefined;
  /** Lists one governed service's connections; default: all of them (./collect-requests.ts narrows it). */
  listConnections?: ConnectionLister | undefined;
  /** Called with each service whose listing is complete, with the list the snapshot will hold (./prepare.ts). */
  onListed?: ((service: EndpointService, connections: EndpointConnection[]) => void) | undefined;
}

/** What one governed service's connection listing gave (every page), or the error that failed it. */
export type ConnectionLister = (
  service: EndpointService,
  read: Limiter,
) => Promise<Settled<{ items: EndpointConnection[]; invalid: InvalidItem[] }>>;

/** A listed item the client refused to believe, and where it was listed (serviceId null: a service). */
export interface InvalidListing extends Omit<InvalidItem, 'serviceId'> {
  region: string;
  serviceId: string | null;
}

export interface Collected {
  snapshot: Snapshot;
  failures: ServiceFailure[];
  warnings: RunWarning[];
  regions: string[];
  /** Items of collected listings that failed validation: never decided on. */
  invalid: InvalidListing[];
}

/** What a region's service listing gave: the governed services, and what to record about the rest. */
interface RegionServices {
  governed: EndpointService[];
  failures: ServiceFailure[];
  warnings: RunWarning[];
  invalid: InvalidListing[];
}

/**
 * Lists the governed services and their connections. A single service's failure becomes a ServiceFailure;
 * after a credentials failure (`api.credentialsFailure`) the result is partial and the caller stops.
 */
export async function collect(options: CollectOptions): Promise<Collected> {
  const { policy, api } = options;
  const read = createLimiter(options.readConcurrency);
  const regions = policy.regions.filter((r) => options.regions === undefined || options.regions.includes(r));
  const perRegion = await Promise.all(regions.map((region) => listRegionServices(region, read, options)));
  const governed = perRegion.flatMap((r) => r.governed);
  const failures = perRegion.flatMap((r) => r.failures);
  const warnings = [...perRegion.flatMap((r) => r.warnings), ...notGoverned(options, governed, failures, regions)];
  const invalid = perRegion.flatMap((r) => r.invalid);
  const partial = (): Collected => ({ snapshot: { services: [] }, failures, warnings, regions, invalid });
  if (api.credentialsFailure !== undefined) return partial();

  let done = 0;
  options.onProgress?.({ phase: 'collect', done, total: governed.length });
  const services = await Promise.all(
    governed.map(async (service) => {
      const listed = await (options.listConnections ?? listEveryConnection(options))(service, read);
      if (!listed.ok) return failed(options, failures, service.regionId, service.serviceId, listed.error);
      done += 1;
      options.onProgress?.({ phase: 'collect', done, total: governed.length });
      const where = { region: service.regionId, serviceId: service.serviceId };
      invalid.push(...listed.value.invalid.map((item) => ({ ...where, ...item })));
      options.onListed?.(service, listed.value.items);
      return { service, connections: listed.value.items };
    }),
  );
  if (api.credentialsFailure !== undefined) return partial();
  const snapshot = { services: sortServices(services) };
  return { snapshot, failures: sortFailures(failures), warnings, regions, invalid: sortInvalid(invalid) };
}

/** The full sweep's listing: every connection of the service, every page. */
function listEveryConnection(options: CollectOptions): ConnectionLister {
  return (service, read) =>
    allPages('ListVpcEndpointConnections', options.bounds, (token) =>
      read(() =>
        options.api.listVpcEndpointConnections({
          regionId: service.regionId,
          serviceId: service.serviceId,
          maxResults: options.pageSize,
          ...token,
        }),
      ),
    );
}

/**
 * One region's governed services. When the run concerns exactly one known ID (one ID rule, or one
 * --service), a listing filtered by ServiceId is one call and never more than paging the region's whole
 * listing; for two or more IDs the whole listing (usually one page of 50) is no more calls than one per ID.
 */
async function listRegionServices(region: string, read: Limiter, options: CollectOptions): Promise<RegionServices> {
  const { policy, api, pageSize } = options;
  const result: RegionServices = { governed: [], failures: [], warnings: [], invalid: [] };
  const narrowIds = options.services === undefined ? undefined : new Set(options.services);
  const rules = policy.services.filter((r) => r.match.regionId === region);
  const idRules = rules.flatMap((r) => (r.match.kind === 'id' ? [r.match.serviceId] : []));
  const candidateIds = candidateServiceIds(idRules, rules.length, narrowIds);
  if (candidateIds !== undefined && candidateIds.length === 0) return result;
  const listed =
    candidateIds !== undefined && candidateIds.length === 1
      ? await outcomeOf(
          read(() =>
            api.listVpcEndpointServices({ regionId: region, serviceId: candidateIds[0], maxResults: pageSize }),
          ),
        ).then((r) => (r.ok ? { ok: true as const, value: { items: r.value.items, invalid: r.value.invalid } } : r))
      : await allPages('ListVpcEndpointServices', options.bounds, (token) =>
          read(() => api.listVpcEndpointServices({ regionId: region, maxResults: pageSize, ...token })),
        );
  if (!listed.ok) {
    // The region's listing failed: every service it would have governed is not collected.
    for (const id of candidateIds ?? [null]) failed(options, result.failures, region, id, listed.error);
    return result;
  }
  result.invalid.push(...listed.value.invalid.map((item) => ({ region, serviceId: null, ...item })));
  for (const service of listed.value.items) {
    if (narrowIds !== undefined && !narrowIds.has(service.serviceId)) continue;
    if (matchServiceRule(policy, service) !== undefined) result.governed.push(service);
  }
  // Fail closed: a serviceId rule whose service the listing lacks is an error for that rule (issue 9).
  for (const rule of rules) {
    if (rule.match.kind !== 'id') continue;
    const id = rule.match.serviceId;
    if (narrowIds !== undefined && !narrowIds.has(id)) continue;
    if (listed.value.items.some((s) => s.serviceId === id)) continue;
    const message =
      `${rule.source}: service ${id} is not in the ${region} listing of these credentials: wrong account, ` +
      'wrong region, a deleted service, or a RAM policy without ListVpcEndpointServices';
    result.failures.push({
      region,
      serviceId: id,
      errorCode: 'ServiceNotFound',
      errorMessage: message,
      rule: rule.source,
    });
    options.logger.error('service named by the policy not found: its rule governs nothing in this run', {
      region,
      serviceId: id,
      rule: rule.source,
    });
  }
  return result;
}

/**
 * The service IDs a region's listing can be narrowed to, or undefined when any service may match (a
 * selector rule without --service). With only ID rules, a narrowed run needs just the IDs both name.
 */
function candidateServiceIds(
  idRules: string[],
  ruleCount: number,
  narrowIds: Set<string> | undefined,
): string[] | undefined {
  const onlyIds = idRules.length === ruleCount;
  if (narrowIds === undefined) return onlyIds ? idRules : undefined;
  return onlyIds ? idRules.filter((id) => narrowIds.has(id)) : [...narrowIds];
}

/** Warnings for --service IDs that no rule of the policy governs (narrowing never widens the policy). */
function notGoverned(
  options: CollectOptions,
  governed: EndpointService[],
  failures: ServiceFailure[],
  regions: string[],
): RunWarning[] {
  return (options.services ?? [])
    .filter((id) => !governed.some((s) => s.serviceId === id) && !failures.some((f) => f.serviceId === id))
    .map((id) => ({
      code: 'service-not-governed',
      region: regions.join(','),
      serviceId: id,
      message: `service ${id} was asked for, but no rule of the policy governs it in ${regions.join(', ') || 'the selected regions'}: nothing to do for it (narrowing never widens the policy)`,
    }));
}

/** Notes a service (or region) not collected; a credentials failure is not noted (the run stops). */
function failed(
  options: CollectOptions,
  failures: ServiceFailure[],
  region: string,
  serviceId: string | null,
  error: ApiError,
): undefined {
  if (options.api.credentialsFailure === error) return undefined;
  failures.push({ region, serviceId, errorCode: error.code, errorMessage: error.message });
  options.logger.warn('service not collected: it gets no decisions in this run', {
    region,
    serviceId,
    error: serializeError(error),
  });
  return undefined;
}

/**
 * Every item of a paged listing (`NextToken`; empty or absent on the last page), within hard bounds: a
 * token that comes back (`InconsistentPaging`), more pages than one listing may have (`ListingTooLong`),
 * or the run's page budget spent (`PageBudgetSpent`) fail the listing, so its service is not collected.
 */
export async function allPages<T>(
  action: string,
  bounds: PageBounds,
  page: (token: { nextToken?: string }) => Promise<Page<T>>,
): Promise<Settled<{ items: T[]; invalid: InvalidItem[] }>> {
  const items: T[] = [];
  const invalid: InvalidItem[] = [];
  const seen = new Set<string>();
  let nextToken: string | undefined;
  do {
    const over = overBound(action, bounds, seen.size + 1);
    if (over !== undefined) return { ok: false, error: over };
    bounds.budget.pagesLeft -= 1;
    const result = await outcomeOf(page(nextToken === undefined ? {} : { nextToken }));
    if (!result.ok) return result;
    items.push(...result.value.items);
    invalid.push(...result.value.invalid);
    nextToken = result.value.nextToken === '' ? undefined : result.value.nextToken;
    if (nextToken !== undefined && seen.has(nextToken)) {
      const message = `InconsistentPaging: ${action} returned the NextToken of an earlier page again`;
      return { ok: false, error: new ApiError({ code: 'InconsistentPaging', message, action }) };
    }
    if (nextToken !== undefined) seen.add(nextToken);
  } while (nextToken !== undefined);
  return { ok: true, value: { items, invalid } };
}

/** A sorted copy, whatever order the concurrent reads finished in (undefined: a service not collected). */
function sortServices(services: (Snapshot['services'][number] | undefined)[]): Snapshot['services'] {
  const kept = services.filter((s) => s !== undefined);
  kept.sort(
    (a, b) =>
      a.service.regionId.localeCompare(b.service.regionId) || a.service.serviceId.localeCompare(b.service.serviceId),
  );
  for (const s of kept) s.connections.sort((a, b) => a.endpointId.localeCompare(b.endpointId));
  return kept;
}

function sortInvalid(invalid: InvalidListing[]): InvalidListing[] {
  const key = (i: InvalidListing): string => [i.region, i.serviceId ?? '', i.endpointId ?? '', i.field].join('\u0000');
  return invalid.sort((a, b) => key(a).localeCompare(key(b)));
}

function sortFailures(failures: ServiceFailure[]): ServiceFailure[] {
  return failures.sort(
    (a, b) => a.region.localeCompare(b.region) || (a.serviceId ?? '').localeCompare(b.serviceId ?? ''),
  );
}
