/**
 * The audit trail: one versioned JSON record per decision that changes or holds something, and one
 * summary record per run. These are the lines an auditor queries in SLS (docs/audit-records.md), so
 * their shape is a contract: add fields freely, never rename or remove one without a new schema version.
 *
 * This module is pure data and small builders: no I/O.
 */
import type { Decision } from '../engine/decision.ts';
import type { WhitelistChangeKind } from '../engine/whitelist-plan.ts';

export const DECISION_SCHEMA = 'privatelink-approver/decision/v1';
export const RUN_SCHEMA = 'privatelink-approver/run/v1';
export const INTENT_SCHEMA = 'privatelink-approver/intent/v1';
export const SETTLED_SCHEMA = 'privatelink-approver/settled/v1';

/** What happened to a decision in this run. */
export const OUTCOMES = [
  /** The write was made and the API accepted it. */
  'applied',
  /** Dry-run mode: the write would have been made. */
  'dry-run',
  /** The write failed (after retries); `errorCode`/`errorMessage` say why. The next run tries again. */
  'failed',
  /** The connection went away before the write (EndpointConnectionNotFound). */
  'gone',
  /** The connection was already in the wanted state (another run, or a person, got there first). */
  'already-applied',
  /** Not attempted, or its retries cut short, because the run's deadline came (or a credentials failure stopped the run); the next run picks it up. */
  'deferred',
  /** A safety limit of the policy stopped it. */
  'blocked',
  /** A `hold` decision: left for a person, nothing written. */
  'held',
  /** A `flag` decision: drift that is turned off would change it (changed by hand?); nothing written. */
  'flagged',
  /** `plan`: what apply would do; nothing written. */
  'planned',
  /** A listed item that failed validation (`errorMessage` names the field): never decided on (decision `skip`). */
  'invalid',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** A record's decision: a connection decision's kind, or a whitelist change (../engine/whitelist-plan.ts). */
export type DecisionKind = Decision['kind'];
export type RecordDecision = DecisionKind | WhitelistChangeKind;
/** The `mode` of a record: `dry-run` when nothing is written under the policy or the request. */
export type RecordMode = 'enforce' | 'dry-run';

export interface PolicyRevisionRef {
  hash: string;
  commit: string | null;
}

/**
 * One decision record (`privatelink-approver/decision/v1`). Service-level failures (a service whose
 * listing failed, so it got no decisions) use the same shape with `endpointId: null` and `decision: 'skip'`.
 */
export interface AuditRecord {
  schema: typeof DECISION_SCHEMA;
  /**
   * decisionKey(decision, policy revision): the same in every run that reaches this decision. The write's
   * ClientToken is derived from it and the connection's ModifiedTime (`clientToken` in
   * ../sweep/run-sweep.ts). Null for service-level records.
   */
  decisionId: string | null;
  runId: string;
  /** ISO 8601, when the outcome was known. */
  time: string;
  mode: RecordMode;
  policyRevision: PolicyRevisionRef;
  region: string;
  /** Null when a whole region's service listing failed. */
  serviceId: string | null;
  endpointId: string | null;
  ownerAccountId: string | null;
  /** The account's display name from the policy, when it names it. */
  accountName: string | null;
  vpcId: string | null;
  statusBefore: string | null;
  bandwidthBefore: number | null;
  decision: RecordDecision;
  /** The policy path that made the decision (`services[0].allow[1]`, `deny.accounts[0]`, ...). */
  rule: string | null;
  reason: string;
  bandwidthAfter: number | null;
  outcome: Outcome;
  /** For `blocked`: the limit that stopped it (`limits.maxDisconnects`, ...). */
  blockedBy: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** The API's RequestId of the write (or of the failed call). */
  requestId: string | null;
  /** Write attempts made (0 when no call was made). */
  attempts: number;
  /** The connection's ModifiedTime as listed (the ClientToken's other input); null on service-level records. */
  modifiedTime: string | null;
  /** The ClientToken sent with the write; null when no write was sent. */
  clientToken: string | null;
  /**
   * A request's wait (time to decision): ms from its ModifiedTime as listed to this record's `time`;
   * null when the record is not about a request (docs/cadences.md).
   */
  waitMs: number | null;
}

/**
 * The record sunk before a write is sent (`privatelink-approver/intent/v1`): what is about to be
 * attempted. Its decision record (same `runId` and `decisionId`) follows once the outcome is known; an
 * intent without one means the run was cut off mid-write: in doubt, the next run's listing settles it.
 */
export interface IntentRecord {
  schema: typeof INTENT_SCHEMA;
  decisionId: string;
  runId: string;
  /** ISO 8601, just before the write was sent. */
  time: string;
  mode: RecordMode;
  policyRevision: PolicyRevisionRef;
  region: string;
  serviceId: string;
  /** Null for a whitelist change. */
  endpointId: string | null;
  ownerAccountId: string;
  decision: RecordDecision;
  /** The API action about to be sent (`EnableVpcEndpointConnection`, ...). */
  action: string;
  bandwidthAfter: number | null;
  /** Null for a whitelist change (an entry has no ModifiedTime). */
  modifiedTime: string | null;
  clientToken: string;
}

/**
 * A connection the policy leaves alone that changed recently and is now exactly where one of our writes
 * would have put it (`privatelink-approver/settled/v1`): `settles` names those writes' decision ids. An
 * earlier intent in doubt whose `decisionId` is among them took effect (docs/audit-records.md).
 */
export interface SettledRecord {
  schema: typeof SETTLED_SCHEMA;
  runId: string;
  time: string;
  mode: RecordMode;
  policyRevision: PolicyRevisionRef;
  region: string;
  serviceId: string;
  endpointId: string;
  ownerAccountId: string;
  /** The connection as listed by this run. */
  connectionStatus: string;
  bandwidth: number;
  modifiedTime: string;
  settles: string[];
}

/** Any line a sweep sinks: intents and decision records as they happen, settlements, the summary last. */
export type SweepRecord = AuditRecord | IntentRecord | SettledRecord | RunSummaryRecord;

export interface ServiceFailure {
  region: string;
  serviceId: string | null;
  errorCode: string;
  errorMessage: string;
  /** The policy rule concerned (`ServiceNotFound`: the serviceId rule whose service is not listed). */
  rule?: string;
}

export interface RunWarning {
  code: string;
  region: string;
  serviceId: string | null;
  message: string;
}

/** The run summary (`privatelink-approver/run/v1`): one per run, last. */
export interface RunSummaryRecord {
  schema: typeof RUN_SCHEMA;
  runId: string;
  /** ISO 8601, end of the run. */
  time: string;
  startedAt: string;
  mode: RecordMode;
  /** False for `plan` (collect + decide only). */
  apply: boolean;
  policyRevision: PolicyRevisionRef;
  regions: string[];
  counts: {
    byDecision: Record<DecisionKind, number>;
    byOutcome: Record<Outcome, number>;
  };
  servicesScanned: number;
  servicesFailed: ServiceFailure[];
  connectionsSeen: number;
  governedConnections: number;
  /** API calls made by this run (every attempt, reads and writes). */
  apiCalls: number;
  /** Of those, repeats after a retryable error. */
  retries: number;
  durationMs: number;
  deadlineReached: boolean;
  /** Set when a credentials/permission failure stopped the run. */
  aborted: { errorCode: string; errorMessage: string } | null;
  /** Services with AutoAcceptEnabled (they bypass this policy), services not found, engine warnings. */
  warnings: RunWarning[];
  /** `requests`: only connections awaiting a decision; `all`: the full sweep, drift included. */
  scope: 'requests' | 'all';
  /** The Function Compute handler that ran (`requests`, `reconcile`); null outside FC. */
  handler: string | null;
  /** Waits of the requests this run accepted or rejected (ms, nearest rank); null when there were none. */
  timeToDecision: { decisions: number; p50Ms: number | null; p95Ms: number | null };
}

/** Zeroed counters, every key present so that SLS queries never meet a missing field. */
export function emptyCounts(): RunSummaryRecord['counts'] {
  return {
    byDecision: { accept: 0, reject: 0, hold: 0, resize: 0, revoke: 0, flag: 0, skip: 0 },
    byOutcome: {
      applied: 0,
      'dry-run': 0,
      failed: 0,
      gone: 0,
      'already-applied': 0,
      deferred: 0,
      blocked: 0,
      held: 0,
      flagged: 0,
      planned: 0,
      invalid: 0,
    },
  };
}

/** The run-level context every record of a run shares. */
export interface RecordContext {
  runId: string;
  mode: RecordMode;
  policyRevision: PolicyRevisionRef;
}

/** What the apply step learned about one decision. */
export interface OutcomeDetail {
  outcome: Outcome;
  time: number;
  decisionId: string;
  errorCode?: string | undefined;
  errorMessage?: string | undefined;
  requestId?: string | undefined;
  attempts?: number | undefined;
  /** The connection's ModifiedTime as listed. */
  modifiedTime?: string | undefined;
  /** The ClientToken sent, when a write was sent. */
  clientToken?: string | undefined;
}

/**
 * The connection as the decision saw it, and the decision's kind, under the names a record uses: what a
 * decision record and a `plan --format json` line share.
 */
export function decisionSubject(decision: Decision) {
  return {
    region: decision.regionId,
    serviceId: decision.serviceId,
    endpointId: decision.endpointId,
    ownerAccountId: decision.endpointOwnerId,
    accountName: decision.accountName ?? null,
    vpcId: decision.endpointVpcId,
    statusBefore: decision.statusBefore,
    bandwidthBefore: decision.bandwidthBefore,
    decision: decision.kind,
  };
}

let lastMs = NaN;
let lastIso = '';

/** `new Date(ms).toISOString()`, remembering the last one: a run writes many records within one millisecond. */
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

/** Builds the record of one decision. */
export function decisionRecord(decision: Decision, context: RecordContext, detail: OutcomeDetail): AuditRecord {
  return {
    schema: DECISION_SCHEMA,
    decisionId: detail.decisionId,
    runId: context.runId,
    time: isoTime(detail.time),
    mode: context.mode,
    policyRevision: context.policyRevision,
    ...decisionSubject(decision),
    rule: decision.rule ?? null,
    reason:
      decision.blocked === undefined ? decision.reason : `${decision.reason}; blocked: ${decision.blocked.reason}`,
    bandwidthAfter: decision.bandwidthAfter ?? null,
    outcome: detail.outcome,
    blockedBy: decision.blocked?.limit ?? null,
    errorCode: detail.errorCode ?? null,
    errorMessage: detail.errorMessage ?? null,
    requestId: detail.requestId ?? null,
    attempts: detail.attempts ?? 0,
    modifiedTime: detail.modifiedTime ?? null,
    clientToken: detail.clientToken ?? null,
    waitMs: null,
  };
}

/** Builds the intent record of a write about to be sent. */
export function intentRecord(
  decision: Decision,
  context: RecordContext,
  write: { decisionId: string; time: number; action: string; modifiedTime: string; clientToken: string },
): IntentRecord {
  return {
    schema: INTENT_SCHEMA,
    decisionId: write.decisionId,
    runId: context.runId,
    time: isoTime(write.time),
    mode: context.mode,
    policyRevision: context.policyRevision,
    region: decision.regionId,
    serviceId: decision.serviceId,
    endpointId: decision.endpointId,
    ownerAccountId: decision.endpointOwnerId,
    decision: decision.kind,
    action: write.action,
    bandwidthAfter: decision.bandwidthAfter ?? null,
    modifiedTime: write.modifiedTime,
    clientToken: write.clientToken,
  };
}

/** Builds the record of a service (or a whole region's listing) that could not be collected. */
export function serviceFailureRecord(failure: ServiceFailure, context: RecordContext, time: number): AuditRecord {
  return {
    schema: DECISION_SCHEMA,
    decisionId: null,
    runId: context.runId,
    time: isoTime(time),
    mode: context.mode,
    policyRevision: context.policyRevision,
    region: failure.region,
    serviceId: failure.serviceId,
    endpointId: null,
    ownerAccountId: null,
    accountName: null,
    vpcId: null,
    statusBefore: null,
    bandwidthBefore: null,
    decision: 'skip',
    rule: failure.rule ?? null,
    reason:
      failure.errorCode === 'ServiceNotFound'
        ? 'service named by the policy not found: its rule governs nothing in this run (fail closed)'
        : 'listing failed: no decisions for this service in this run (never decide on a partial view)',
    bandwidthAfter: null,
    outcome: 'failed',
    blockedBy: null,
    errorCode: failure.errorCode,
    errorMessage: failure.errorMessage,
    requestId: null,
    attempts: 0,
    modifiedTime: null,
    clientToken: null,
    waitMs: null,
  };
}

/** A listed item that failed validation, as the sweep records it (see InvalidListing in ../sweep/collect.ts). */
export interface InvalidListedItem {
  region: string;
  serviceId: string | null;
  field: string;
  problem: string;
  endpointId?: string | undefined;
  ownerId?: string | undefined;
}

/** Builds the record of a listed item that failed validation: a `skip` naming the field, never decided on. */
export function invalidItemRecord(item: InvalidListedItem, context: RecordContext, time: number): AuditRecord {
  return {
    ...serviceFailureRecord(
      { region: item.region, serviceId: item.serviceId, errorCode: 'InvalidListedItem', errorMessage: '' },
      context,
      time,
    ),
    endpointId: item.endpointId ?? null,
    ownerAccountId: item.ownerId ?? null,
    reason: `listed ${item.field} failed validation: never decided on (never act on doubt)`,
    outcome: 'invalid',
    errorMessage: `${item.field}: ${item.problem}`,
  };
}

/** Builds a settled record (see SettledRecord). */
export function settledRecord(
  decision: Decision,
  context: RecordContext,
  settled: { time: number; modifiedTime: string; settles: string[] },
): SettledRecord {
  return {
    schema: SETTLED_SCHEMA,
    runId: context.runId,
    time: isoTime(settled.time),
    mode: context.mode,
    policyRevision: context.policyRevision,
    region: decision.regionId,
    serviceId: decision.serviceId,
    endpointId: decision.endpointId,
    ownerAccountId: decision.endpointOwnerId,
    connectionStatus: decision.statusBefore,
    bandwidth: decision.bandwidthBefore,
    modifiedTime: settled.modifiedTime,
    settles: settled.settles,
  };
}

/** True for a settled record. */
export function isSettledRecord(value: unknown): value is SettledRecord {
  return typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === SETTLED_SCHEMA;
}

/** True for an intent record. */
export function isIntentRecord(value: unknown): value is IntentRecord {
  return typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === INTENT_SCHEMA;
}

/** True for a decision record of this schema (used by `audit` to pick records out of mixed log lines). */
export function isAuditRecord(value: unknown): value is AuditRecord {
  return typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === DECISION_SCHEMA;
}

/** True for a run summary record. */
export function isRunSummaryRecord(value: unknown): value is RunSummaryRecord {
  return typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === RUN_SCHEMA;
}
