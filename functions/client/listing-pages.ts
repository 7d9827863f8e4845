/**
 * From a listing answer to a `Page` of plain records (../engine/resources.ts), believing nothing unchecked
 * (README "Never act on doubt"):
 * - a page whose shape is wrong (the list missing or not a list, an item that is not an object, more
 *   items than asked for, NextToken not a string, TotalCount nonsense) rejects with `MalformedResponse`,
 *   so the caller collects nothing of it;
 * - an item whose field fails its check goes to `page.invalid` naming the field, never into `items`.
 * Every free-text string is scrubbed of the call's secrets (./secret-scrubber.ts).
 */
import type { ConnectionZone, EndpointConnection, EndpointService } from '../engine/resources.ts';
import { CONNECTION_STATUSES } from '../engine/resources.ts';
import { ApiError } from './api-error.ts';
import type {
  InvalidItem,
  ListVpcEndpointConnectionsRequest,
  ListVpcEndpointServiceUsersRequest,
  ListVpcEndpointServicesRequest,
  Page,
  PrivateLinkAction,
  ServiceUser,
} from './private-link-api.ts';
import {
  Problem,
  accountId,
  boolean,
  describe,
  integerIn,
  isPlainObject,
  isoTime,
  listItems,
  oneOf,
  resourceId,
  str,
} from './response-fields.ts';
import type { Scrub } from './secret-scrubber.ts';

/** The reference's MaxResults default (and cap): the page size assumed when a request names none. */
const DEFAULT_PAGE_SIZE = 50;
/** Items a page may hold beyond the MaxResults asked for before it counts as malformed. */
const PAGE_SLACK = 5;
/** A NextToken longer than this is not a token (the API's are well under 100 characters). */
const MAX_NEXT_TOKEN_LENGTH = 1024;
/**
 * The largest connection bandwidth believed, Mbit/s: the largest any backend grants (NLB, 25600; CLB and
 * ALB 10240), as policies/README.md "Bandwidth" states. A connection above it is doubted, not acted on.
 */
export const MAX_CONNECTION_BANDWIDTH = 25_600;
/** Service bandwidth bounds are Integer in the reference: believed up to 2^31-1 (a policy caps lower). */
const MAX_SERVICE_BANDWIDTH = 2_147_483_647;

/** A checked answer of one listing call, with what its errors need. */
export interface ListingAnswer {
  action: PrivateLinkAction;
  body: Record<string, unknown>;
  httpStatus: number | undefined;
  /** Scrubs the call's secrets from a string that leaves the client. */
  scrub: Scrub;
}

function malformed(answer: ListingAnswer, what: string): ApiError {
  const { action, body, httpStatus, scrub } = answer;
  const requestId = scrub(str(body.RequestId));
  const message = `MalformedResponse: ${action} answered a page whose ${what}`;
  return new ApiError({ code: 'MalformedResponse', message, action, requestId, httpStatus });
}

/** The page's raw items and NextToken once its shape is right; throws MalformedResponse otherwise. */
function pageShape(answer: ListingAnswer, list: string, maxResults: number | undefined) {
  const { body, scrub } = answer;
  // A bare JSON list, as the reference documents every listing's JSON answer; the XML-shaped nesting
  // (`{"Connection": [...]}`) is not what a JSON answer of this API looks like.
  const items = body[list];
  if (!Array.isArray(items)) throw malformed(answer, `${list} is ${describe(items, scrub)}, not a list`);
  const allowed = (maxResults ?? DEFAULT_PAGE_SIZE) + PAGE_SLACK;
  if (items.length > allowed) throw malformed(answer, `${list} holds ${items.length} items, more than ${allowed}`);
  const bad = items.findIndex((item) => !isPlainObject(item));
  if (bad >= 0) throw malformed(answer, `${list}[${bad}] is ${describe(items[bad], scrub)}, not an object`);
  const token = body.NextToken;
  if (token !== undefined && (typeof token !== 'string' || token.length > MAX_NEXT_TOKEN_LENGTH)) {
    throw malformed(answer, `NextToken is ${describe(token, scrub)}, not a token`);
  }
  if (body.TotalCount !== undefined) {
    const total = integerIn(body.TotalCount, items.length, Number.MAX_SAFE_INTEGER);
    if (total instanceof Problem) {
      throw malformed(answer, `TotalCount is ${describe(body.TotalCount, scrub)} with ${items.length} items listed`);
    }
  }
  const nextToken = token === undefined || token === '' ? undefined : scrub(token);
  return { items: items as Record<string, unknown>[], nextToken };
}

/** Checks fields in order; the first that fails names the item's problem. */
class FieldChecks {
  failure: { field: string; problem: string } | undefined;

  constructor(
    private readonly item: Record<string, unknown>,
    private readonly scrub: Scrub,
  ) {}

  /** The checked value of `field`, or `fallback` once any field has failed. */
  get<T>(field: string, check: (x: unknown) => T | Problem, fallback: T): T {
    if (this.failure !== undefined) return fallback;
    const value = check(this.item[field]);
    if (!(value instanceof Problem)) return value;
    this.failure = { field, problem: `${value.problem}, got ${describe(this.item[field], this.scrub)}` };
    return fallback;
  }

  /** A free-text field: any scalar, scrubbed. */
  text(field: string, fallback = ''): string {
    return this.scrub(str(this.item[field])) || fallback;
  }
}

/** An item that was not believed: what `page.invalid` gets, with only the IDs that are valid themselves. */
class Refused {
  readonly item: InvalidItem;

  constructor(failure: { field: string; problem: string }, ids: Record<string, string | Problem>) {
    this.item = { field: failure.field, problem: failure.problem };
    for (const [key, id] of Object.entries(ids)) if (typeof id === 'string') Object.assign(this.item, { [key]: id });
  }
}

function tagsOf(item: Record<string, unknown>, scrub: Scrub): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of listItems(item.Tags, 'Tag') ?? []) {
    if (!isPlainObject(tag)) continue;
    const key = scrub(str(tag.Key));
    // `__proto__` would not become a key of a plain object (and is no tag anyone sets).
    if (key !== '' && key !== '__proto__') tags[key] = scrub(str(tag.Value));
  }
  return tags;
}

function serviceItem(
  item: Record<string, unknown>,
  req: ListVpcEndpointServicesRequest,
  scrub: Scrub,
): EndpointService | Refused {
  const c = new FieldChecks(item, scrub);
  const { regionId } = req;
  // Listed for the service asked for, when one was: another one is not believed.
  const wanted = req.serviceId;
  const serviceId = c.get('ServiceId', (x) => (wanted === undefined ? resourceId(x, 'epsrv') : oneOf(x, [wanted])), '');
  const bandwidth = (x: unknown) => integerIn(x, 0, MAX_SERVICE_BANDWIDTH);
  const service: EndpointService = {
    regionId: item.RegionId === undefined ? regionId : c.get('RegionId', (x) => oneOf(x, [regionId]), regionId),
    serviceId,
    serviceName: c.text('ServiceName'),
    serviceDescription: c.text('ServiceDescription'),
    serviceStatus: c.text('ServiceStatus'),
    serviceBusinessStatus: c.text('ServiceBusinessStatus', 'Normal'),
    autoAcceptEnabled: c.get('AutoAcceptEnabled', boolean, true),
    connectBandwidth: c.get('ConnectBandwidth', bandwidth, 0),
    minBandwidth: c.get('MinBandwidth', bandwidth, 0),
    maxBandwidth: c.get('MaxBandwidth', bandwidth, 0),
    tags: tagsOf(item, scrub),
  };
  if (c.failure === undefined) return service;
  return new Refused(c.failure, { serviceId: resourceId(item.ServiceId, 'epsrv') });
}

function zoneOf(z: Record<string, unknown>, scrub: Scrub): ConnectionZone {
  return {
    zoneId: scrub(str(z.ZoneId)),
    vSwitchId: scrub(str(z.VSwitchId)),
    eniId: scrub(str(z.EniId)),
    resourceId: scrub(str(z.ResourceId)),
    zoneDomain: scrub(str(z.ZoneDomain)),
    zoneStatus: scrub(str(z.ZoneStatus)),
  };
}

/** A connection's zones: the objects of its `Zones` list (bare or wrapped), each as a record. */
function zonesOf(item: Record<string, unknown>, scrub: Scrub): ConnectionZone[] {
  const zones: ConnectionZone[] = [];
  for (const z of listItems(item.Zones, 'Zone') ?? []) if (isPlainObject(z)) zones.push(zoneOf(z, scrub));
  return zones;
}

// The field checks of a connection, made once (a page holds up to 50 connections, a sweep thousands).
const endpointIdCheck = (x: unknown) => resourceId(x, 'ep');
const vpcIdCheck = (x: unknown) => resourceId(x, 'vpc');
const statusCheck = (x: unknown) => oneOf(x, CONNECTION_STATUSES);
const connectionBandwidthCheck = (x: unknown) => integerIn(x, 0, MAX_CONNECTION_BANDWIDTH);

function connectionItem(
  item: Record<string, unknown>,
  req: ListVpcEndpointConnectionsRequest,
  scrub: Scrub,
): EndpointConnection | Refused {
  const c = new FieldChecks(item, scrub);
  const endpointId = c.get('EndpointId', endpointIdCheck, '');
  const connection: EndpointConnection = {
    regionId: req.regionId,
    endpointId,
    endpointOwnerId: c.get('EndpointOwnerId', accountId, ''),
    // Listed under the service asked for: an item naming another service is not believed.
    serviceId: item.ServiceId === undefined ? req.serviceId : c.get('ServiceId', (x) => oneOf(x, [req.serviceId]), ''),
    endpointVpcId: c.get('EndpointVpcId', vpcIdCheck, ''),
    connectionStatus: c.get('ConnectionStatus', statusCheck, 'Pending'),
    bandwidth: c.get('Bandwidth', connectionBandwidthCheck, 0),
    modifiedTime: c.get('ModifiedTime', isoTime, ''),
    zones: zonesOf(item, scrub),
  };
  if (c.failure === undefined) return connection;
  return new Refused(c.failure, {
    endpointId: resourceId(item.EndpointId, 'ep'),
    ownerId: accountId(item.EndpointOwnerId),
  });
}

function toPage<T>(answer: ListingAnswer, checked: (T | Refused)[], nextToken: string | undefined): Page<T> {
  const items: T[] = [];
  const invalid: InvalidItem[] = [];
  for (const x of checked) {
    if (x instanceof Refused) invalid.push(x.item);
    else items.push(x);
  }
  return { items, invalid, nextToken, requestId: answer.scrub(str(answer.body.RequestId)) };
}

/** A ListVpcEndpointServices answer as a page. */
export function servicesPage(answer: ListingAnswer, req: ListVpcEndpointServicesRequest): Page<EndpointService> {
  const { items, nextToken } = pageShape(answer, 'Services', req.maxResults);
  return toPage(
    answer,
    items.map((s) => serviceItem(s, req, answer.scrub)),
    nextToken,
  );
}

/** A ListVpcEndpointConnections answer as a page. */
export function connectionsPage(
  answer: ListingAnswer,
  req: ListVpcEndpointConnectionsRequest,
): Page<EndpointConnection> {
  const { items, nextToken } = pageShape(answer, 'Connections', req.maxResults);
  return toPage(
    answer,
    items.map((c) => connectionItem(c, req, answer.scrub)),
    nextToken,
  );
}

/**
 * A ListVpcEndpointServiceUsers answer as a page: each `UserId` an account ID (a Long: 1-19 digits, from a
 * string or a safe number), the one asked for when the request named one.
 */
export function serviceUsersPage(answer: ListingAnswer, req: ListVpcEndpointServiceUsersRequest): Page<ServiceUser> {
  const { items, nextToken } = pageShape(answer, 'Users', req.maxResults);
  const wanted = req.userId;
  const checked = items.map((item): ServiceUser | Refused => {
    const c = new FieldChecks(item, answer.scrub);
    const userId = c.get('UserId', (x) => (wanted === undefined ? accountId(x) : oneOf(str(x), [wanted])), '');
    if (c.failure === undefined) return { userId };
    return new Refused(c.failure, { ownerId: accountId(item.UserId) });
  });
  return toPage(answer, checked, nextToken);
}
