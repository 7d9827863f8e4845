/**
 * Apply: each decision's outcome under the run mode, and in `enforce` its write, strictly one at a time
 * (all writes of a run come from one provider account, and the API refuses concurrent connection writes
 * within an account: ConcurrentCallNotSupported). Each write carries a ClientToken from the decision's
 * key and the connection's state as listed (../engine/decision-id.ts), so that a retried or overlapping
 * run that saw the same state has no second effect. README "How a sweep runs".
 */
import type { ApiError } from '../client/api-error.ts';
import type { WriteResult } from '../client/private-link-api.ts';
import type { Decision, Plan } from '../engine/decision.ts';
import { clientToken, decisionKey } from '../engine/decision-id.ts';
import type { Sha256Hex } from '../engine/decision-id.ts';
import type { EndpointConnection } from '../engine/resources.ts';
import type { Logger } from '../log/logger.ts';
import { serializeError } from '../log/logger.ts';
import type { OutcomeDetail } from '../audit/audit-records.ts';
import { DeadlineError } from './metered-api.ts';
import type { MeteredApi } from './metered-api.ts';
import { dispositionOf, isWrite } from './run-mode.ts';
import type { SweepMode } from './run-mode.ts';
import { outcomeOf } from './settle.ts';
import { isCredentialsFailure } from './sweep-aborted-error.ts';

export interface ApplyOptions {
  api: MeteredApi;
  mode: SweepMode;
  policyRevisionHash: string;
  sha256: Sha256Hex;
  /** The connections as listed (their ModifiedTime goes into the ClientToken). */
  listed: EndpointConnection[];
  now: () => number;
  logger: Logger;
  /** Receives each decision's outcome as soon as it is known. */
  emit: (decision: Decision, detail: OutcomeDetail) => void;
  onProgress: ((event: { phase: 'apply'; done: number; total: number; decision: Decision }) => void) | undefined;
}

/** What one write came to; `abort` is set when the credentials were refused (the run stops). */
interface WriteOutcome {
  detail: OutcomeDetail;
  abort?: ApiError | undefined;
}

/**
 * Gives every decision of the plan its outcome. Returns the credentials failure that stopped the writes
 * (every later write is then `deferred`, holds and blocked decisions recorded as usual), else undefined.
 */
export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApiError | undefined> {
  const { api, now } = options;
  const total = plan.decisions.filter((d) => d.blocked === undefined && isWrite(d)).length;
  const modifiedTimes = new Map(options.listed.map((c) => [connectionKey(c), c.modifiedTime]));
  let stopped: ApiError | undefined;
  let outOfTime = false;
  let done = 0;
  for (const decision of plan.decisions) {
    const disposition = dispositionOf(decision, options.mode);
    if (disposition === undefined) continue;
    const decisionId = decisionKey(decision, options.policyRevisionHash, options.sha256);
    if (disposition !== 'write') {
      options.emit(decision, { decisionId, time: now(), outcome: disposition });
      continue;
    }
    if (stopped !== undefined || outOfTime || !api.timeLeft()) {
      if (stopped === undefined) outOfTime = true;
      options.emit(decision, { decisionId, time: now(), outcome: 'deferred' });
      continue;
    }
    const listedModifiedTime = modifiedTimes.get(connectionKey(decision)) ?? '';
    const result = await applyOne(decision, decisionId, listedModifiedTime, options);
    options.emit(decision, result.detail);
    stopped = result.abort;
    if (stopped !== undefined) continue;
    done += 1;
    options.onProgress?.({ phase: 'apply', done, total, decision });
  }
  return stopped;
}

function connectionKey(c: { regionId: string; serviceId: string; endpointId: string }): string {
  return `${c.regionId}\u0000${c.serviceId}\u0000${c.endpointId}`;
}

/** The API call that carries out a decision. */
function send(
  api: MeteredApi,
  decision: Decision,
  clientToken: string,
): { action: string; sent: Promise<WriteResult> } {
  const target = { regionId: decision.regionId, serviceId: decision.serviceId, endpointId: decision.endpointId };
  const bandwidth = decision.bandwidthAfter ?? decision.bandwidthBefore;
  switch (decision.kind) {
    case 'accept':
      return {
        action: 'EnableVpcEndpointConnection',
        sent: api.enableVpcEndpointConnection({ ...target, clientToken, bandwidth }),
      };
    case 'resize':
      return {
        action: 'UpdateVpcEndpointConnectionAttribute',
        sent: api.updateVpcEndpointConnectionAttribute({ ...target, clientToken, bandwidth }),
      };
    default:
      return {
        action: 'DisableVpcEndpointConnection',
        sent: api.disableVpcEndpointConnection({ ...target, clientToken }),
      };
  }
}

/**
 * An accept of a connection listed `Connecting` that the API calls busy (EndpointConnectionOperationDenied)
 * is being connected already: waiting cannot change the answer, so the write goes straight to the re-read.
 */
function writeApi(api: MeteredApi, decision: Decision): MeteredApi {
  return decision.kind === 'accept' && decision.statusBefore === 'Connecting'
    ? api.withoutRetryOn(['EndpointConnectionOperationDenied'])
    : api;
}

/** Makes one decision's write and works out its outcome. */
async function applyOne(
  decision: Decision,
  decisionId: string,
  listedModifiedTime: string,
  options: ApplyOptions,
): Promise<WriteOutcome> {
  const { now, logger } = options;
  const api = writeApi(options.api, decision);
  const before = api.stats().calls;
  const token = clientToken(decisionId, listedModifiedTime, options.sha256);
  const { action, sent } = send(api, decision, token);
  const result = await outcomeOf(sent, action);
  const attempts = api.stats().calls - before;
  if (result.ok) {
    logger.debug('applied', { decisionId, action, endpointId: decision.endpointId, requestId: result.value.requestId });
    return { detail: { outcome: 'applied', time: now(), decisionId, requestId: result.value.requestId, attempts } };
  }
  const error = result.error;
  const failed: OutcomeDetail = {
    outcome: 'failed',
    time: now(),
    decisionId,
    errorCode: error.code,
    errorMessage: error.message,
    requestId: error.requestId,
    attempts,
  };
  if (isCredentialsFailure(error.code)) return { detail: failed, abort: error };
  if (error.code === 'EndpointConnectionNotFound') return { detail: { ...failed, outcome: 'gone' } };
  // Retryable, but the deadline leaves no time to wait for another attempt: the next run picks it up.
  if (error instanceof DeadlineError) return { detail: { ...failed, outcome: 'deferred' } };
  const reread = await rereadAfterFailure(decision, decisionId, error, listedModifiedTime, options);
  if (reread.abort !== undefined) return { detail: failed, abort: reread.abort };
  if (reread.outcome !== undefined) return { detail: { ...failed, outcome: reread.outcome, time: now() } };
  logger.warn('write failed; the next run tries again', {
    decisionId,
    action,
    endpointId: decision.endpointId,
    error: serializeError(error),
  });
  return { detail: failed };
}

const BUSY_CODES = new Set(['EndpointConnectionOperationDenied', 'EndpointLocked', 'ConcurrentCallNotSupported']);

/**
 * "Already there is a success": after a failed write, re-read the connection (by EndpointId) and see
 * whether it is gone or in the wanted state. A credentials failure on the re-read (an STS token expired
 * in between) stops the run as on a write; any other failure leaves the write's failure standing.
 */
async function rereadAfterFailure(
  decision: Decision,
  decisionId: string,
  error: ApiError,
  listedModifiedTime: string,
  { api, logger }: ApplyOptions,
): Promise<{ outcome?: 'gone' | 'already-applied'; abort?: ApiError }> {
  const page = await outcomeOf(
    api.listVpcEndpointConnections({
      regionId: decision.regionId,
      serviceId: decision.serviceId,
      endpointId: decision.endpointId,
    }),
    'ListVpcEndpointConnections',
  );
  if (!page.ok) {
    if (isCredentialsFailure(page.error.code)) return { abort: page.error };
    logger.warn('re-read after a failed write failed too', { decisionId, error: serializeError(page.error) });
    return {};
  }
  const current = page.value.items.find((c) => c.endpointId === decision.endpointId);
  if (current === undefined) return { outcome: 'gone' };
  const inTransition = BUSY_CODES.has(error.code) || current.modifiedTime !== listedModifiedTime;
  return alreadyThere(decision, current, inTransition) ? { outcome: 'already-applied' } : {};
}

/**
 * Whether a connection already is where the decision wanted it. `Connecting` counts as "being
 * connected" only when it is known to be in transition: the API said so (a busy code), or the connection
 * changed since it was listed (its ModifiedTime moved: a write whose answer was lost, or another run).
 * Under the 2020-04-15 reading an untouched request awaiting acceptance is also `Connecting`.
 */
function alreadyThere(decision: Decision, current: EndpointConnection, inTransition: boolean): boolean {
  switch (decision.kind) {
    case 'accept':
      return current.connectionStatus === 'Connected' || (inTransition && current.connectionStatus === 'Connecting');
    case 'reject':
    case 'revoke':
      return current.connectionStatus === 'Disconnected' || current.connectionStatus === 'Disconnecting';
    case 'resize':
      return current.connectionStatus === 'Connected' && current.bandwidth === decision.bandwidthAfter;
    default:
      return false;
  }
}
