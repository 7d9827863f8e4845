/**
 * The decision engine's output: one {@link Decision} per governed connection, gathered in a {@link Plan}.
 * Pure data, produced by `decide` (./decide.ts) and consumed by the sweep (apply + audit records) and by
 * the `plan` command. No I/O.
 */
import type { ConnectionStatus, EndpointConnection, EndpointService } from './resources.ts';
import type { ReasonFields } from './reason-text.ts';

/**
 * What to do with one connection.
 * - `accept`: EnableVpcEndpointConnection with `bandwidthAfter`.
 * - `reject`: DisableVpcEndpointConnection on a request awaiting a decision.
 * - `hold`: leave the request awaiting; a person must act (unknown account, limit reached, bandwidth).
 * - `resize`: UpdateVpcEndpointConnectionAttribute to `bandwidthAfter` (drift: above the cap).
 * - `revoke`: DisableVpcEndpointConnection on a `Connected` connection the policy no longer allows.
 * - `flag`: a `Connected` connection drift would revoke or resize, while that drift is turned off: seen,
 *   not acted on (changed by hand, or a policy change waiting for drift to be turned on).
 * - `skip`: nothing to do (in transition, closed, or already right).
 */
export type DecisionKind = 'accept' | 'reject' | 'hold' | 'resize' | 'revoke' | 'flag' | 'skip';

/** The safety limits that can block a decision (see `SafetyLimits` in ../policy/policy.ts). */
export type BlockingLimit = 'maxDisconnects' | 'maxDisconnectsPercent' | 'maxResizes' | 'maxResizesPercent';

/**
 * One decision. Its reason is data (`reasonCode`, `reasonParams`: see ./reason-text.ts) and the sentence
 * rendered from it (`reason`), always built together by ./reason-text.ts.
 */
export type Decision = DecisionFields & ReasonFields;

interface DecisionFields {
  kind: DecisionKind;
  regionId: string;
  serviceId: string;
  endpointId: string;
  endpointOwnerId: string;
  endpointVpcId: string;
  /** the account's display name from the policy, when known */
  accountName: string | undefined;
  statusBefore: ConnectionStatus;
  /** the connection's ModifiedTime as listed (orders requests oldest first; see ./write-order.ts) */
  modifiedTime: string;
  bandwidthBefore: number;
  /** accept: the bandwidth to give; resize: the new bandwidth; otherwise undefined */
  bandwidthAfter: number | undefined;
  /**
   * the policy path that decided (`deny.accounts[0]`, `services[1].allow[2]`, `defaults.unknownAccounts`,
   * `drift.reduceBandwidth`, ...) or a built-in rule id (`builtin.in-transition`, ...)
   */
  rule: string;
  /** set when a safety limit stops this decision from being applied */
  blocked: { limit: BlockingLimit; reason: string } | undefined;
}

/** One governed service as listed, with every connection listed on it. */
export interface ServiceSnapshot {
  service: EndpointService;
  connections: EndpointConnection[];
}

/** What the collector saw in one run. */
export interface Snapshot {
  services: ServiceSnapshot[];
}

/** Something about the whole plan (or one service) that a person should see; never stops the plan by itself. */
export interface PlanWarning {
  /**
   * `auto-accept`, `no-services`, `safety-limit`, `duplicate-service`, `duplicate-connection`,
   * `inconsistent-listing`, `access-expiring`, `revocation-scheduled`.
   */
  code: string;
  /** The region concerned; for a `safety-limit` warning, the regions of the blocked decisions joined by commas. */
  regionId: string;
  serviceId: string | undefined;
  message: string;
}

export interface Plan {
  decisions: Decision[];
  warnings: PlanWarning[];
  /**
   * Connections on governed services, every status (the number of decisions). The safety limits'
   * percentages are not of this number but of the `Connected` ones among them (./safety-limits.ts).
   */
  governedConnections: number;
  /** Whitelist changes of rules with `whitelist: sync` (./whitelist-plan.ts), planned by the sweep after `decide`. */
  whitelist?: WhitelistChange[];
}

export type WhitelistChangeKind = 'whitelist-add' | 'whitelist-remove';

/** One account to add to or remove from one service's whitelist. */
export interface WhitelistChange {
  kind: WhitelistChangeKind;
  regionId: string;
  serviceId: string;
  accountId: string;
  /** the account's display name from the policy, when it names it */
  accountName: string | undefined;
  /** add: the allow entry's path (`services[0].allow[1]`); remove: `services[0].whitelist` */
  rule: string;
  reason: string;
  /** set when the safety limit stops this change (removals only) */
  blocked: { limit: BlockingLimit; reason: string } | undefined;
}
