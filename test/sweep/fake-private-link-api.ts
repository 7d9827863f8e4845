/**
 * A small stateful PrivateLinkApi for the sweep's unit tests: services and connections in memory,
 * writes change state at once, and scripted errors per call. The end-to-end proof goes through the real
 * client and the emulator (test/scenarios); this one makes single failure paths easy to reach.
 */
import { ApiError } from '../../functions/client/api-error.ts';
import type {
  InvalidItem,
  DisableVpcEndpointConnectionRequest,
  EnableVpcEndpointConnectionRequest,
  ListVpcEndpointConnectionsRequest,
  ListVpcEndpointServiceUsersRequest,
  ListVpcEndpointServicesRequest,
  Page,
  PrivateLinkApi,
  ServiceUser,
  UpdateVpcEndpointConnectionAttributeRequest,
  WhitelistWriteRequest,
  WriteResult,
} from '../../functions/client/private-link-api.ts';
import type { EndpointConnection, EndpointService } from '../../functions/engine/resources.ts';

export interface FakeCall {
  action: string;
  params: Record<string, unknown>;
}

/** A scripted error; its kind comes from the code table. `retryable`, when given, must agree with it. */
export function apiError(code: string, retryable?: boolean, action = 'Test'): ApiError {
  const error = new ApiError({ code, message: `${code} (scripted)`, action, requestId: `req-${code}` });
  if (retryable !== undefined && error.retryable !== retryable) throw new Error(`${code} is ${error.kind}`);
  return error;
}

export class FakePrivateLinkApi implements PrivateLinkApi {
  readonly calls: FakeCall[] = [];
  /** Errors to throw, in order, per `Action` or `Action:id` (id = endpointId or serviceId). */
  readonly script = new Map<string, ApiError[]>();
  /** Called on every call (e.g. to advance a fake clock). */
  onCall: (call: FakeCall) => void = () => undefined;
  /** Per service ID: listed items that failed the client's validation (Page.invalid). */
  readonly invalid = new Map<string, InvalidItem[]>();
  private seq = 0;

  constructor(
    readonly services: EndpointService[],
    readonly connections: EndpointConnection[],
  ) {}

  fail(key: string, ...errors: ApiError[]): void {
    this.script.set(key, [...(this.script.get(key) ?? []), ...errors]);
  }

  stats(): { calls: number } {
    return { calls: this.calls.length };
  }

  writes(): FakeCall[] {
    return this.calls.filter((c) => !c.action.startsWith('List'));
  }

  private enter(action: string, params: Record<string, unknown>, id: string | undefined): void {
    const call = { action, params };
    this.calls.push(call);
    this.onCall(call);
    for (const key of [id === undefined ? undefined : `${action}:${id}`, action]) {
      if (key === undefined) continue;
      const queue = this.script.get(key);
      const next = queue?.shift();
      if (next !== undefined) throw next;
    }
  }

  private find(req: { serviceId: string; endpointId: string }): EndpointConnection {
    const c = this.connections.find((x) => x.serviceId === req.serviceId && x.endpointId === req.endpointId);
    if (c === undefined) throw apiError('EndpointConnectionNotFound');
    return c;
  }

  async listVpcEndpointServices(req: ListVpcEndpointServicesRequest): Promise<Page<EndpointService>> {
    this.enter('ListVpcEndpointServices', { ...req }, req.serviceId);
    const all = this.services.filter(
      (s) => s.regionId === req.regionId && (req.serviceId === undefined || s.serviceId === req.serviceId),
    );
    return this.page(all, req.maxResults ?? 10, req.nextToken);
  }

  async listVpcEndpointConnections(req: ListVpcEndpointConnectionsRequest): Promise<Page<EndpointConnection>> {
    this.enter('ListVpcEndpointConnections', { ...req }, req.serviceId);
    const all = this.connections.filter(
      (c) =>
        c.regionId === req.regionId &&
        c.serviceId === req.serviceId &&
        (req.endpointId === undefined || c.endpointId === req.endpointId),
    );
    const page = this.page(
      all.map((c) => ({ ...c })),
      req.maxResults ?? 10,
      req.nextToken,
    );
    // Items the client refused to believe, on the first page of their service's listing.
    if (req.nextToken === undefined && req.endpointId === undefined)
      page.invalid = [...(this.invalid.get(req.serviceId) ?? [])];
    return page;
  }

  async enableVpcEndpointConnection(req: EnableVpcEndpointConnectionRequest): Promise<WriteResult> {
    this.enter('EnableVpcEndpointConnection', { ...req }, req.endpointId);
    const c = this.find(req);
    c.connectionStatus = 'Connected';
    c.bandwidth = req.bandwidth;
    return { requestId: `req-${++this.seq}` };
  }

  async disableVpcEndpointConnection(req: DisableVpcEndpointConnectionRequest): Promise<WriteResult> {
    this.enter('DisableVpcEndpointConnection', { ...req }, req.endpointId);
    this.find(req).connectionStatus = 'Disconnected';
    return { requestId: `req-${++this.seq}` };
  }

  async updateVpcEndpointConnectionAttribute(req: UpdateVpcEndpointConnectionAttributeRequest): Promise<WriteResult> {
    this.enter('UpdateVpcEndpointConnectionAttribute', { ...req }, req.endpointId);
    this.find(req).bandwidth = req.bandwidth;
    return { requestId: `req-${++this.seq}` };
  }

  /** Per service ID: whitelisted account IDs. */
  readonly whitelists = new Map<string, string[]>();

  async listVpcEndpointServiceUsers(req: ListVpcEndpointServiceUsersRequest): Promise<Page<ServiceUser>> {
    this.enter('ListVpcEndpointServiceUsers', { ...req }, req.serviceId);
    const users = (this.whitelists.get(req.serviceId) ?? []).map((userId) => ({ userId }));
    return this.page(users, req.maxResults ?? 50, req.nextToken);
  }

  async addUserToVpcEndpointService(req: WhitelistWriteRequest): Promise<WriteResult> {
    this.enter('AddUserToVpcEndpointService', { ...req }, req.serviceId);
    const list = this.whitelists.get(req.serviceId) ?? [];
    if (!list.includes(req.userId)) this.whitelists.set(req.serviceId, [...list, req.userId]);
    return { requestId: `req-${++this.seq}` };
  }

  async removeUserFromVpcEndpointService(req: WhitelistWriteRequest): Promise<WriteResult> {
    this.enter('RemoveUserFromVpcEndpointService', { ...req }, req.serviceId);
    const list = this.whitelists.get(req.serviceId) ?? [];
    this.whitelists.set(
      req.serviceId,
      list.filter((u) => u !== req.userId),
    );
    return { requestId: `req-${++this.seq}` };
  }

  private page<T>(all: T[], size: number, token: string | undefined): Page<T> {
    const start = token === undefined ? 0 : Number(token);
    const items = all.slice(start, start + size);
    const next = start + size < all.length ? String(start + size) : undefined;
    return { items, invalid: [], nextToken: next, requestId: `req-${++this.seq}` };
  }
}
