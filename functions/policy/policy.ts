/**
 * The resolved policy: what the loader (./check-policy.ts) produces from a valid YAML file and what the
 * pure engine (../engine) consumes. Groups are already expanded, defaults already applied, every value
 * checked. The YAML format itself is documented in policies/README.md; `source` fields point back into
 * the file so decisions can name the rule that made them (e.g. `services[0].allow[2]`,
 * `groups.acme.accounts[1]`, `deny.accounts[0]`).
 *
 * This module is pure data: no I/O.
 */

/** Where a policy came from and which exact content it is. */
export interface PolicyRevision {
  /** `sha256:` + first 16 hex digits of the SHA-256 of the file's bytes. */
  hash: string;
  /**
   * The git commit the file was loaded at, when known (build stamp, env, or git): `<commit>-modified` when
   * the file differs from that commit; undefined when git does not track it (../policy-file/load-policy-file.ts).
   */
  commit: string | undefined;
  /** The file path as given. */
  file: string;
}

/** How the API shows a connection request awaiting acceptance (see platform notes "pending status").
 *  `auto` is right under both readings. */
export type PendingStatusReading = 'Connecting' | 'Disconnected' | 'auto';

export interface Policy {
  /** The policy format version (`version: 1` in the file). */
  version: 1;
  /** `dry-run` applies nothing; records say `dry-run`. */
  mode: 'enforce' | 'dry-run';
  revision: PolicyRevision;
  pendingStatus: PendingStatusReading;
  /** Regions the policy governs (union of every service rule's region). */
  regions: string[];
  /** Global denies: they win over every allow in every service. */
  deny: DenyList;
  /** Service rules in file order; a service is governed by the first rule that matches it. */
  services: ServiceRule[];
  drift: DriftSettings;
  limits: SafetyLimits;
  /** Days before an allow entry's `expires` that live connections get an `access-expiring` warning; 0: none. */
  expiryWarningDays: number;
}

/** `defaults.expiryWarningDays` when the file does not say. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 14;

export interface DenyList {
  accounts: DenyEntry[];
  endpoints: DenyEntry[];
}

export interface DenyEntry {
  /** An account ID (digits) in `accounts`, an endpoint ID (`ep-...`) in `endpoints`. */
  id: string;
  reason: string | undefined;
  /** ISO 8601 instant from which the entry applies; before it, it denies nothing (plans show what it will revoke). */
  from?: string | undefined;
  /** Path in the policy file, used as the decision's rule. */
  source: string;
}

/** Which services a rule governs. Both forms are confined to one region. */
export type ServiceMatch =
  | { kind: 'id'; regionId: string; serviceId: string }
  | {
      kind: 'selector';
      regionId: string;
      /** Glob (`*`, `?`) over ServiceName; undefined matches any. */
      name: string | undefined;
      /** Glob over ServiceDescription; undefined matches any. */
      description: string | undefined;
      /** Every listed tag must be present with this value. */
      tags: Record<string, string>;
    };

export interface ServiceRule {
  /** Path in the policy file, e.g. `services[1]`. */
  source: string;
  /** Optional display name given in the file. */
  name: string | undefined;
  match: ServiceMatch;
  /** Allowed owner accounts, groups expanded; an account appears at most once per rule. */
  allow: AllowEntry[];
  /** Denies specific to this rule (they also win over allow). */
  deny: DenyList;
  /** What happens to a request from an account that `allow` does not name. Always stated in the file. */
  unknownAccounts: 'reject' | 'hold';
  /** Where `unknownAccounts` is written (`services[1].unknownAccounts` or `defaults.unknownAccounts`),
   *  for decisions' rule and reason. The loader always sets it; hand-built policies may leave it out. */
  unknownAccountsSource?: string;
  /** `sync`: the service's account whitelist is kept equal to the allowed accounts (another module does it). */
  whitelist?: 'sync' | 'manual';
  bandwidth: BandwidthSettings;
}

export interface AllowEntry {
  accountId: string;
  /** Display name (customer name) for records. */
  name: string | undefined;
  /** Bandwidth to give on accept, Mbit/s; falls back to the rule's default. */
  bandwidth: number | undefined;
  /** Cap for this account's connections, Mbit/s; falls back to the rule's cap. */
  maxBandwidth: number | undefined;
  /** Most connections this account may have on each service the rule governs, counted per service
   *  (Connected + being connected or modified): a selector matching three services allows this many on each. */
  maxConnections: number | undefined;
  /** When set, only endpoints in these VPCs are allowed. */
  vpcs: string[] | undefined;
  /** ISO 8601 instant; from then on the account is no longer allowed. */
  expires: string | undefined;
  /** Path in the policy file, e.g. `services[0].allow[2]` or `groups.acme.accounts[1]` (via services[0]). */
  source: string;
}

export interface BandwidthSettings {
  /** Bandwidth given on accept when the account entry has none, Mbit/s. Undefined: the service's ConnectBandwidth. */
  default: number | undefined;
  /** Cap for every connection of the rule, Mbit/s; an account's maxBandwidth overrides it. */
  max: number | undefined;
  /** Where `default` is written (`services[1].bandwidth` or `defaults.bandwidth`), for reasons. The
   *  loader always sets it; hand-built policies may leave it out (reasons then name the rule's key). */
  defaultSource?: string;
  /** Where `max` is written (`services[1].maxBandwidth` or `defaults.maxBandwidth`); as defaultSource. */
  maxSource?: string;
}

export interface DriftSettings {
  /** Disconnect `Connected` connections that the policy no longer allows. Off unless turned on. */
  revoke: boolean;
  /** Reduce the bandwidth of `Connected` connections above their cap. Off unless turned on. */
  reduceBandwidth: boolean;
}

export interface SafetyLimits {
  /** Most revocations (disconnects of Connected connections) a single run may make; undefined = no absolute limit. */
  maxDisconnects: number | undefined;
  /** Same, as a percentage (0-100) of the governed connections. */
  maxDisconnectsPercent: number | undefined;
  /** Most bandwidth changes a single run may make. */
  maxResizes: number | undefined;
  maxResizesPercent: number | undefined;
}
