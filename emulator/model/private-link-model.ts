/**
 * The in-memory model of Alibaba Cloud PrivateLink (API 2020-04-15): services, whitelists, service
 * resources, endpoints, their zones and security groups, and the connections between endpoints and
 * services with their asynchronous lifecycle. The protocol layer authenticates a request and calls
 * `dispatch(action, params, ctx)`; the model answers the response body (without RequestId) or throws
 * EmulatorApiError. Behaviour follows the API reference (shared/reference/privatelink-api-2020-04-15.txt,
 * document version 20210429): parameters, response fields and error codes per action; where it is
 * silent, the choices are listed in emulator/README.md (section "choices").
 *
 * This class is the facade: state lives in a Store (store.ts), the actions in the *-actions.ts modules,
 * ClientToken replay in idempotency.ts.
 */
import type { AccessKeyRecord, AccountInfo, ActionContext, EmulatorClock, EmulatorSettings } from '../types.ts';
import { CONNECTION_ACTIONS } from './connection-actions.ts';
import { ENDPOINT_ACTIONS } from './endpoint-actions.ts';
import { ENDPOINT_ZONE_ACTIONS } from './endpoint-zone-actions.ts';
import { ClientTokens } from './idempotency.ts';
import { loadScenario } from './load-scenario.ts';
import { Params } from './params.ts';
import { isoTime } from './records.ts';
import { REGIONS } from './regions.ts';
import type { Scenario } from './scenario.ts';
import type { Handler } from './service-actions.ts';
import { SERVICE_ACTIONS } from './service-actions.ts';
import { SERVICE_USER_RESOURCE_ACTIONS } from './service-users-resources.ts';
import { Store } from './store.ts';
import { actionNotFound } from './api-errors.ts';

const HANDLERS: Record<string, Handler> = {
  ...SERVICE_ACTIONS,
  ...SERVICE_USER_RESOURCE_ACTIONS,
  ...ENDPOINT_ACTIONS,
  ...ENDPOINT_ZONE_ACTIONS,
  ...CONNECTION_ACTIONS,
};

/** Actions that change a connection: the write lock serialises them per provider account. */
const CONNECTION_WRITES: ReadonlySet<string> = new Set([
  'EnableVpcEndpointConnection',
  'DisableVpcEndpointConnection',
  'UpdateVpcEndpointConnectionAttribute',
]);

/** The in-memory PrivateLink model. See the file comment. */
export class PrivateLinkModel {
  readonly accounts: AccountInfo[];
  private readonly store: Store;
  private readonly clientTokens = new ClientTokens();

  constructor(
    scenario: Scenario,
    private readonly clock: EmulatorClock,
    /** Shared with the protocol layer and changed live by the control path: read at call time. */
    settings: EmulatorSettings,
  ) {
    this.store = new Store(clock, settings);
    loadScenario(this.store, scenario);
    this.accounts = this.store.accounts;
  }

  /** The AccessKey record for an AccessKey ID, if any account has it. */
  findAccessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.store.keys.get(accessKeyId);
  }

  /** Actions that change a connection: the protocol layer serialises them per provider account. */
  isConnectionWrite(action: string): boolean {
    return CONNECTION_WRITES.has(action);
  }

  /** Region IDs the emulator knows (DescribeRegions). */
  regions(): string[] {
    return REGIONS.map((r) => r.regionId);
  }

  /**
   * Run one API action for the authenticated caller. Returns the response body without RequestId,
   * except for a ClientToken replay, whose body carries the first response's RequestId (the protocol
   * layer keeps a RequestId already present).
   * @throws EmulatorApiError with the API's code and HTTP status.
   */
  dispatch(action: string, params: Record<string, string>, ctx: ActionContext): Record<string, unknown> {
    const handler = Object.hasOwn(HANDLERS, action) ? HANDLERS[action] : undefined;
    if (!handler) throw actionNotFound();
    const p = new Params(params);
    // Checked before DryRun: a DryRun answers DryRunOperation only when every check passes.
    const clientToken = this.clientTokens.tokenOf(action, params);
    if (clientToken === undefined || p.bool('DryRun') === true) return handler(this.store, p, ctx);
    return this.clientTokens.once(action, clientToken, params, ctx, () => handler(this.store, p, ctx));
  }

  /** A JSON-able dump of the whole state, statuses as of the clock's now (no secrets). */
  snapshot(): unknown {
    const now = this.clock.now();
    this.store.settleAll(now);
    return {
      now: isoTime(now),
      accounts: this.accounts.map((a) => ({
        accountId: a.accountId,
        name: a.name,
        accessKeyIds: a.accessKeys.map((k) => k.accessKeyId),
      })),
      services: this.servicesSnapshot(now),
      endpoints: this.endpointsSnapshot(now),
      // The providers' view: one entry per connection whose service still exists.
      connections: [...this.store.services.values()].flatMap((s) =>
        s.conns.map((e) => ({
          regionId: s.regionId,
          serviceId: s.serviceId,
          endpointId: e.endpointId,
          endpointOwnerId: e.ownerId,
          connectionStatus: this.store.connectionStatus(e),
          awaitingDecision: e.conn.phase === 'awaiting',
          bandwidth: e.conn.bandwidth,
          modifiedTime: isoTime(e.conn.modifiedMs),
        })),
      ),
    };
  }

  private servicesSnapshot(now: number): unknown[] {
    return [...this.store.services.values()].map((s) => ({
      serviceId: s.serviceId,
      regionId: s.regionId,
      ownerId: s.ownerId,
      name: s.name,
      description: s.description,
      status: this.store.serviceStatus(s, now),
      businessStatus: s.businessStatus,
      autoAcceptEnabled: s.autoAcceptEnabled,
      minBandwidth: s.minBandwidth,
      maxBandwidth: s.maxBandwidth,
      connectBandwidth: s.connectBandwidth,
      tags: Object.fromEntries(s.tags.map((t) => [t.Key, t.Value])),
      whitelist: [...s.whitelist.keys()],
      zones: [...s.zones],
      resources: s.resources.map((r) => ({ resourceId: r.resourceId, resourceType: r.resourceType, zoneId: r.zoneId })),
    }));
  }

  private endpointsSnapshot(now: number): unknown[] {
    return [...this.store.endpoints.values()].map((e) => ({
      endpointId: e.endpointId,
      regionId: e.regionId,
      ownerId: e.ownerId,
      serviceId: e.serviceId,
      vpcId: e.vpcId,
      name: e.name,
      status: this.store.endpointStatus(e, now),
      connectionStatus: this.store.connectionStatus(e),
      awaitingDecision: e.conn.phase === 'awaiting',
      bandwidth: e.conn.bandwidth,
      modifiedTime: isoTime(e.conn.modifiedMs),
      zones: e.zones.map((z) => z.zoneId),
      securityGroupIds: e.securityGroups.map((g) => g.securityGroupId),
    }));
  }
}
