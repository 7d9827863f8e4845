/**
 * The policy file as written (after the schema passed): the shape of policies/schema.json. The loader
 * turns it into the resolved model in ./policy.ts.
 */
export interface RawPolicy {
  version: 1;
  mode: 'enforce' | 'dry-run';
  pendingStatus?: 'auto' | 'Connecting' | 'Disconnected';
  defaults?: RawDefaults;
  groups?: Record<string, RawGroup>;
  deny?: RawDenyList;
  services: RawServiceRule[];
  drift?: { revoke?: boolean; reduceBandwidth?: boolean };
  limits?: { maxDisconnects?: number; maxDisconnectsPercent?: number; maxResizes?: number; maxResizesPercent?: number };
}

export interface RawDefaults {
  unknownAccounts?: 'reject' | 'hold';
  bandwidth?: number;
  maxBandwidth?: number;
  expiryWarningDays?: number;
}

export interface RawGroup {
  description?: string;
  accounts: RawAccountEntry[];
}

export interface RawAccountEntry {
  account: string;
  name?: string;
  bandwidth?: number;
  maxBandwidth?: number;
  maxConnections?: number;
  vpcs?: string[];
  expires?: string;
}

/** An allow list item: an account entry, or `{group: NAME}`. */
export interface RawAllowItem extends Partial<RawAccountEntry> {
  group?: string;
}

export interface RawDenyList {
  accounts?: { account: string; reason?: string; from?: string }[];
  endpoints?: { endpoint: string; reason?: string; from?: string }[];
}

export interface RawSelector {
  name?: string;
  description?: string;
  tags?: Record<string, string>;
}

export interface RawServiceRule {
  name?: string;
  region: string;
  serviceId?: string;
  match?: RawSelector;
  unknownAccounts?: 'reject' | 'hold';
  whitelist?: 'sync' | 'manual';
  bandwidth?: number;
  maxBandwidth?: number;
  allow?: RawAllowItem[];
  deny?: RawDenyList;
}
