/**
 * Keeping synced whitelists in step (`whitelist: sync`, README "Keep the whitelist in step"): list each
 * synced service's whitelist (every page, within the run's paging bounds), plan the adds and removes
 * (../engine/whitelist-plan.ts), and apply them like connection writes: one at a time, an intent record
 * before each write, one decision record per change (`whitelist-add` / `whitelist-remove`, `endpointId`
 * null, `ownerAccountId` the account) with the same outcomes. A service whose whitelist cannot be listed
 * gets a failure record and no whitelist changes (never act on a partial view).
 */
import type { ApiError } from '../client/api-error.ts';
import { errorKind } from '../client/error-kinds.ts';
import type { WriteResult } from '../client/private-link-api.ts';
import type { Decision } from '../engine/decision.ts';
import type { Sha256Hex } from '../engine/decision-id.ts';
import type { EndpointService } from '../engine/resources.ts';
import { planWhitelists, syncedRule } from '../engine/whitelist-plan.ts';
import type { ListedWhitelist, WhitelistChange, WhitelistPlan } from '../engine/whitelist-plan.ts';
import type { Logger } from '../log/logger.ts';
import { serializeError } from '../log/logger.ts';
import type { Policy } from '../policy/policy.ts';
import type { AuditRecord, IntentRecord, Outcome, RecordContext, ServiceFailure } from '../audit/audit-records.ts';
import { DECISION_SCHEMA, INTENT_SCHEMA, invalidItemRecord, serviceFailureRecord } from '../audit/audit-records.ts';
import { allPages } from './collect.ts';
import { createLimiter } from './limiter.ts';
import type { PageBounds } from './listing-bounds.ts';
import { handedOver } from './apply.ts';
import { DeadlineError } from './metered-api.ts';
import type { MeteredApi } from './metered-api.ts';
import type { SweepMode } from './run-mode.ts';
import { outcomeOf } from './settle.ts';
import { isCredentialsFailure } from './sweep-aborted-error.ts';

export interface WhitelistSyncOptions {
  policy: Policy;
  api: MeteredApi;
  mode: SweepMode;
  /** The collected services (only those whose rule says `whitelist: sync` are touched). */
  services: EndpointService[];
  /** The run's connection decisions: a service whose disconnects a safety limit blocked keeps its entries. */
  connections?: readonly Decision[];
  /** The provider's own account ID (never removed); undefined: no removals, with a warning. */
  providerAccountId: string | undefined;
  pageSize: number;
  bounds: PageBounds;
  readConcurrency: number;
  now: () => number;
  context: RecordContext;
  sha256: Sha256Hex;
  logger: Logger;
  /** Receives each record as soon as it is known (decision, failure and invalid-item records). */
  emit: (record: AuditRecord) => void;
  /** Receives a write's intent before it is sent; the write waits until a returned promise settles. */
  intend: (record: IntentRecord) => unknown;
}

export interface WhitelistSyncResult {
  plan: WhitelistPlan;
  failures: ServiceFailure[];
  /** The credentials failure that stopped the run, if one did. */
  stopped: ApiError | undefined;
}

const KEY_FORMAT = 'plk-whitelist-v1';
const TOKEN_FORMAT = 'plk-whitelist-token-v1';

/** Lists, plans and (in enforce) applies every synced service's whitelist changes. */
export async function syncWhitelists(options: WhitelistSyncOptions): Promise<WhitelistSyncResult> {
  const synced = options.services.filter((s) => syncedRule(options.policy, s) !== undefined);
  const failures: ServiceFailure[] = [];
  if (synced.length === 0) return { plan: { changes: [], warnings: [] }, failures, stopped: undefined };
  const listed = await listWhitelists(synced, failures, options);
  if (options.api.credentialsFailure !== undefined) {
    return { plan: { changes: [], warnings: [] }, failures, stopped: options.api.credentialsFailure };
  }
  const plan = planWhitelists(options.policy, listed, options.now(), options.providerAccountId, options.connections);
  let stopped: ApiError | undefined;
  let unrecorded = false;
  for (const change of plan.changes) {
    const decisionId = whitelistDecisionId(change, options.context.policyRevision.hash, options.sha256);
    const outcome = await applyChange(change, decisionId, stopped !== undefined || unrecorded, options);
    options.emit(whitelistRecord(change, options.context, { decisionId, ...outcome.detail }));
    stopped ??= outcome.abort;
    unrecorded ||= outcome.unrecorded === true;
  }
  return { plan, failures, stopped };
}

/** Every synced service's whitelist, all pages; a failed or bounded listing is a failure record. */
async function listWhitelists(
  services: EndpointService[],
  failures: ServiceFailure[],
  options: WhitelistSyncOptions,
): Promise<ListedWhitelist[]> {
  const { api, pageSize, bounds, context } = options;
  const read = createLimiter(options.readConcurrency);
  const listed = await Promise.all(
    services.map(async (service) => {
      const { regionId, serviceId } = service;
      const pages = await allPages('ListVpcEndpointServiceUsers', bounds, (token) =>
        read(() => api.listVpcEndpointServiceUsers({ regionId, serviceId, maxResults: pageSize, ...token })),
      );
      if (!pages.ok) {
        if (api.credentialsFailure === pages.error) return undefined;
        const failure = { region: regionId, serviceId, errorCode: pages.error.code, errorMessage: pages.error.message };
        failures.push(failure);
        const reason = 'whitelist listing failed: no whitelist changes for this service in this run';
        options.emit({ ...serviceFailureRecord(failure, context, options.now()), reason });
        options.logger.warn('whitelist not collected', {
          region: regionId,
          serviceId,
          error: serializeError(pages.error),
        });
        return undefined;
      }
      for (const item of pages.value.invalid) {
        options.emit(invalidItemRecord({ region: regionId, serviceId, ...item }, context, options.now()));
      }
      return { service, users: pages.value.items.map((u) => u.userId) };
    }),
  );
  return listed.filter((l) => l !== undefined);
}

/** Stable key of (service, change, account, policy revision): the record's decisionId. */
export function whitelistDecisionId(change: WhitelistChange, policyRevisionHash: string, sha256: Sha256Hex): string {
  return sha256(
    JSON.stringify([KEY_FORMAT, change.regionId, change.serviceId, change.kind, change.accountId, policyRevisionHash]),
  );
}

interface ChangeDetail {
  outcome: Outcome;
  time: number;
  attempts: number;
  clientToken: string | null;
  requestId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

/**
 * What becomes of one change under the mode, and in enforce its write; `halted`: the run sends no more
 * writes (credentials refused, or an intent record could not be written).
 */
async function applyChange(
  change: WhitelistChange,
  decisionId: string,
  halted: boolean,
  options: WhitelistSyncOptions,
): Promise<{ detail: ChangeDetail; abort?: ApiError; unrecorded?: true }> {
  const { api, now, mode } = options;
  const none = { attempts: 0, clientToken: null, requestId: null, errorCode: null, errorMessage: null };
  const without = (outcome: Outcome) => ({ detail: { ...none, outcome, time: now() } });
  if (change.blocked !== undefined) return without('blocked');
  if (mode === 'plan') return without('planned');
  if (mode === 'dry-run') return without('dry-run');
  if (halted || !api.timeLeft()) return without('deferred');
  // A whitelist entry has no ModifiedTime: the token is per run, so a retry within the run replays the
  // first answer, and an entry a person changed back since is changed again by the next run.
  const clientToken = options.sha256(JSON.stringify([TOKEN_FORMAT, decisionId, options.context.runId]));
  const action = actionOf(change);
  const intent = whitelistIntent(change, options.context, { decisionId, time: now(), action, clientToken });
  if (!(await handedOver(options.intend(intent), options.logger, decisionId))) {
    return { ...without('deferred'), unrecorded: true };
  }
  const before = api.stats().calls;
  const result = await outcomeOf(send(api, change, clientToken), action);
  const attempts = api.stats().calls - before;
  const base = { attempts, clientToken, time: now() };
  if (result.ok) {
    const requestId = result.value.requestId;
    return { detail: { ...none, ...base, outcome: 'applied', requestId } };
  }
  const error = result.error;
  const failed = {
    ...base,
    outcome: 'failed' as Outcome,
    requestId: error.requestId ?? null,
    errorCode: error.code,
    errorMessage: error.message,
  };
  if (isCredentialsFailure(error.code)) return { detail: failed, abort: error };
  if (error instanceof DeadlineError || errorKind(error.code, error.httpStatus) === 'busy') {
    return { detail: { ...failed, outcome: 'deferred' } };
  }
  const there = await alreadyThere(change, options);
  if (there.abort !== undefined) return { detail: failed, abort: there.abort };
  if (there.proven) return { detail: { ...failed, outcome: 'already-applied', time: now() } };
  options.logger.warn('whitelist write failed; the next run tries again', {
    decisionId,
    action,
    serviceId: change.serviceId,
    error: serializeError(error),
  });
  return { detail: failed };
}

function actionOf(change: WhitelistChange): string {
  return change.kind === 'whitelist-add' ? 'AddUserToVpcEndpointService' : 'RemoveUserFromVpcEndpointService';
}

function send(api: MeteredApi, change: WhitelistChange, clientToken: string): Promise<WriteResult> {
  const req = { regionId: change.regionId, serviceId: change.serviceId, userId: change.accountId, clientToken };
  return change.kind === 'whitelist-add'
    ? api.addUserToVpcEndpointService(req)
    : api.removeUserFromVpcEndpointService(req);
}

/** After a failed write, re-read the entry (UserId filter): proven there for an add, proven absent for a remove. */
async function alreadyThere(
  change: WhitelistChange,
  { api, logger }: WhitelistSyncOptions,
): Promise<{ proven: boolean; abort?: ApiError }> {
  const { regionId, serviceId, accountId } = change;
  const page = await outcomeOf(
    api.listVpcEndpointServiceUsers({ regionId, serviceId, userId: accountId }),
    'ListVpcEndpointServiceUsers',
  );
  if (!page.ok) {
    if (isCredentialsFailure(page.error.code)) return { proven: false, abort: page.error };
    logger.warn('re-read after a failed whitelist write failed too', { serviceId, error: serializeError(page.error) });
    return { proven: false };
  }
  // Only a complete, fully believed answer proves anything.
  if (page.value.nextToken !== undefined || page.value.invalid.length > 0) return { proven: false };
  const listed = page.value.items.some((u) => u.userId === accountId);
  return { proven: change.kind === 'whitelist-add' ? listed : !listed };
}

/** What a whitelist change's decision and intent records share, in the records' field order. */
function recordHead(change: WhitelistChange, context: RecordContext, decisionId: string, time: number) {
  return {
    decisionId,
    runId: context.runId,
    time: new Date(time).toISOString(),
    mode: context.mode,
    policyRevision: context.policyRevision,
    region: change.regionId,
    serviceId: change.serviceId,
    endpointId: null,
    ownerAccountId: change.accountId,
  };
}

/** The decision record of one whitelist change (`privatelink-approver/decision/v1`, docs/audit-records.md). */
export function whitelistRecord(
  change: WhitelistChange,
  context: RecordContext,
  detail: ChangeDetail & { decisionId: string },
): AuditRecord {
  const { blocked } = change;
  return {
    schema: DECISION_SCHEMA,
    ...recordHead(change, context, detail.decisionId, detail.time),
    accountName: change.accountName ?? null,
    vpcId: null,
    statusBefore: null,
    bandwidthBefore: null,
    decision: change.kind,
    rule: change.rule,
    reason: blocked === undefined ? change.reason : `${change.reason}; blocked: ${blocked.reason}`,
    bandwidthAfter: null,
    outcome: detail.outcome,
    blockedBy: blocked?.limit ?? null,
    errorCode: detail.errorCode,
    errorMessage: detail.errorMessage,
    requestId: detail.requestId,
    attempts: detail.attempts,
    modifiedTime: null,
    clientToken: detail.clientToken,
    waitMs: null,
  };
}

function whitelistIntent(
  change: WhitelistChange,
  context: RecordContext,
  write: { decisionId: string; time: number; action: string; clientToken: string },
): IntentRecord {
  return {
    schema: INTENT_SCHEMA,
    ...recordHead(change, context, write.decisionId, write.time),
    decision: change.kind,
    action: write.action,
    bandwidthAfter: null,
    modifiedTime: null,
    clientToken: write.clientToken,
  };
}
