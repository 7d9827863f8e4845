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
import { clientToken } from '../engine/decision-id.ts';
import { orderWrites } from '../engine/write-order.ts';
import type { Sha256Hex } from '../engine/decision-id.ts';
import type { EndpointConnection } from '../engine/resources.ts';
import type { Logger } from '../log/logger.ts';
import { serializeError } from '../log/logger.ts';
import type { OutcomeDetail } from '../audit/audit-records.ts';
import { DeadlineError } from './metered-api.ts';
import type { MeteredApi, WriteAttempt } from './metered-api.ts';
import { dispositionOf, isWrite } from './run-mode.ts';
import type { SweepMode } from './run-mode.ts';
import { WritePacer } from './pacer.ts';
import { outcomeOf } from './settle.ts';
import { isCredentialsFailure } from './sweep-aborted-error.ts';
import { errorKind } from '../client/error-kinds.ts';

export interface ApplyOptions {
  api: MeteredApi;
  mode: SweepMode;
  sha256: Sha256Hex;
  /** A decision's id (../engine/decision-id.ts `decisionKey`), prepared while the reads ran (./prepare.ts). */
  idOf: (decision: Decision) => string;
  now: () => number;
  /** Waits between reads while pacing (./pacer.ts). */
  sleep: (ms: number) => Promise<void>;
  logger: Logger;
  /** Receives each decision's outcome as soon as it is known. */
  emit: (decision: Decision, detail: OutcomeDetail) => void;
  /** Receives a write's intent before it is sent; the write waits until a returned promise settles. */
  intend: (decision: Decision, write: WriteIntent) => unknown;
  onProgress: ((event: { phase: 'apply'; done: number; total: number; decision: Decision }) => void) | undefined;
}

/** A write about to be sent: what its intent record says. */
export interface WriteIntent {
  decisionId: string;
  time: number;
  action: string;
  modifiedTime: string;
  clientToken: string;
}

/**
 * What one write came to; `abort` is set when the credentials were refused (the run stops), `unrecorded`
 * when its intent record could not be handed over (nothing more is sent in this run).
 */
interface WriteOutcome {
  detail: OutcomeDetail;
  abort?: ApiError | undefined;
  unrecorded?: true;
}

/**
 * Gives every decision of the plan its outcome. Returns the credentials failure that stopped the writes
 * (every later write is then `deferred`, holds and blocked decisions recorded as usual), else undefined.
 */
export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApiError | undefined> {
  const { api, now } = options;
  const pacer = new WritePacer({ api, now, logger: options.logger, sleep: options.sleep });
  const total = plan.decisions.filter((d) => d.blocked === undefined && isWrite(d)).length;
  let stopped: ApiError | undefined;
  let unrecorded = false;
  let outOfTime = false;
  let done = 0;
  // Most urgent first (stop access, reject, accept oldest first, reduce bandwidth, other revokes), so a
  // run cut short has done what matters most; decisions that write nothing come last.
  for (const decision of orderWrites(plan.decisions)) {
    const disposition = dispositionOf(decision, options.mode);
    if (disposition === undefined) continue;
    const decisionId = options.idOf(decision);
    // As listed: it goes into the ClientToken (../engine/decision-id.ts).
    const listedModifiedTime = decision.modifiedTime;
    if (disposition !== 'write') {
      options.emit(decision, { decisionId, modifiedTime: listedModifiedTime, time: now(), outcome: disposition });
      continue;
    }
    const base = { decisionId, modifiedTime: listedModifiedTime };
    // Once writes are known to lock the account for their task, each waits for the last one's (./pacer.ts).
    const halted = stopped !== undefined || unrecorded;
    if (halted || outOfTime || !api.timeLeft() || !(await pacer.ready())) {
      if (!halted) outOfTime = true;
      options.emit(decision, { ...base, time: now(), outcome: 'deferred' });
      continue;
    }
    const result = await applyOne(decision, decisionId, listedModifiedTime, { ...options, pacer });
    options.emit(decision, result.detail);
    unrecorded ||= result.unrecorded === true;
    stopped = result.abort;
    if (stopped !== undefined) continue;
    done += 1;
    options.onProgress?.({ phase: 'apply', done, total, decision });
  }
  return stopped;
}

/** The API action that carries out a decision. */
function actionOf(decision: Decision): string {
  if (decision.kind === 'accept') return 'EnableVpcEndpointConnection';
  if (decision.kind === 'resize') return 'UpdateVpcEndpointConnectionAttribute';
  return 'DisableVpcEndpointConnection';
}

/** Sends the write that carries out a decision. */
function send(api: MeteredApi, decision: Decision, clientToken: string): Promise<WriteResult> {
  const target = { regionId: decision.regionId, serviceId: decision.serviceId, endpointId: decision.endpointId };
  const bandwidth = decision.bandwidthAfter ?? decision.bandwidthBefore;
  if (decision.kind === 'accept') return api.enableVpcEndpointConnection({ ...target, clientToken, bandwidth });
  if (decision.kind === 'resize')
    return api.updateVpcEndpointConnectionAttribute({ ...target, clientToken, bandwidth });
  return api.disableVpcEndpointConnection({ ...target, clientToken });
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
  options: ApplyOptions & { pacer: WritePacer },
): Promise<WriteOutcome> {
  const { now, logger, api, pacer } = options;
  const before = api.stats().calls - pacer.pollReads;
  const writesBefore = api.writeAttempts().length;
  const token = clientToken(decisionId, listedModifiedTime, options.sha256);
  const action = actionOf(decision);
  // Intent before effect: a run cut off from here on leaves a record that this write may have been made.
  // No intent record, no write: this one and every later one are deferred.
  const intent = { decisionId, time: now(), action, modifiedTime: listedModifiedTime, clientToken: token };
  if (!(await handedOver(options.intend(decision, intent), logger, decisionId))) {
    return {
      detail: { decisionId, modifiedTime: listedModifiedTime, outcome: 'deferred', time: now() },
      unrecorded: true,
    };
  }
  const write = (paced: MeteredApi) => send(writeApi(paced, decision), decision, token);
  const result = await outcomeOf(pacer.send(decision, action, write), action);
  const attempts = api.stats().calls - pacer.pollReads - before;
  const base = { decisionId, modifiedTime: listedModifiedTime, clientToken: token, attempts };
  if (result.ok) {
    logger.debug('applied', { decisionId, action, endpointId: decision.endpointId, requestId: result.value.requestId });
    return { detail: { ...base, outcome: 'applied', time: now(), requestId: result.value.requestId } };
  }
  const error = result.error;
  const failed: OutcomeDetail = {
    ...base,
    outcome: 'failed',
    time: now(),
    errorCode: error.code,
    errorMessage: error.message,
    requestId: error.requestId,
  };
  if (isCredentialsFailure(error.code)) return { detail: failed, abort: error };
  if (error.code === 'EndpointConnectionNotFound') return { detail: { ...failed, outcome: 'gone' } };
  // Retryable, but the deadline leaves no time to wait for another attempt: the next run picks it up.
  if (error instanceof DeadlineError) return { detail: { ...failed, outcome: 'deferred' } };
  const sent = api.writeAttempts().slice(writesBefore);
  const reread = await rereadAfterFailure(decision, decisionId, movedAfter(listedModifiedTime, sent), options);
  if (reread.abort !== undefined) return { detail: failed, abort: reread.abort };
  if (reread.outcome !== undefined) return { detail: { ...failed, outcome: reread.outcome, time: now() } };
  // Not proven done. Busy (another task of the connection or the account): the next run tries again.
  if (errorKind(error.code, error.httpStatus) === 'busy') return { detail: { ...failed, outcome: 'deferred' } };
  logger.warn('write failed; the next run tries again', {
    decisionId,
    action,
    endpointId: decision.endpointId,
    error: serializeError(error),
  });
  return { detail: failed };
}

/** Whether an intent record was handed over (its sink's promise, if any, resolved); logs when not. */
export async function handedOver(intent: unknown, logger: Logger, decisionId: string): Promise<boolean> {
  try {
    await intent;
    return true;
  } catch (error) {
    logger.error('intent record not written: no more writes in this run', { decisionId, error: serializeError(error) });
    return false;
  }
}

/**
 * "Already there is a success", but only when proven: after a failed write, re-read the connection (by
 * EndpointId) and see whether it is gone or provably in the wanted state. A credentials failure on the
 * re-read (an STS token expired in between) stops the run as on a write; any other failure leaves the
 * write's failure standing.
 */
async function rereadAfterFailure(
  decision: Decision,
  decisionId: string,
  movedSince: number | undefined,
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
  // Gone only when the answer is complete and fully believed (as the whitelist re-read).
  const complete = page.value.nextToken === undefined && page.value.invalid.length === 0;
  if (current === undefined) return complete ? { outcome: 'gone' } : {};
  const modified = Date.parse(current.modifiedTime);
  const movedSinceOurWrite = movedSince !== undefined && Number.isFinite(modified) && modified >= movedSince;
  return alreadyThere(decision, current, movedSinceOurWrite) ? { outcome: 'already-applied' } : {};
}

/**
 * The time (ms) from which a changed ModifiedTime may be our own write's doing, or undefined when no
 * change can be: only an attempt whose answer was lost may have reached the API; attempts refused with an
 * answer (busy, ...) did not (issue 9). A change must be later than the listed time and not before the
 * first attempt was sent (whole seconds: the API's times may have no milliseconds).
 */
function movedAfter(listedModifiedTime: string, sent: readonly WriteAttempt[]): number | undefined {
  const listed = Date.parse(listedModifiedTime);
  const first = sent[0];
  if (first === undefined || !sent.some((a) => a.answerLost) || !Number.isFinite(listed)) return undefined;
  return Math.max(listed + 1, Math.floor(first.sentAt / 1000) * 1000);
}

/**
 * Whether a connection provably is where the decision wanted it. Under the 2020-04-15 reading an
 * untouched request awaiting acceptance is also `Connecting`, so `Connecting` proves an accept only when
 * the connection changed after this run sent its accept (its ModifiedTime moved: a write whose answer was
 * lost). A busy code alone proves nothing: the request may be untouched (issue 9).
 */
function alreadyThere(decision: Decision, current: EndpointConnection, movedSinceOurWrite: boolean): boolean {
  switch (decision.kind) {
    case 'accept':
      return (
        current.connectionStatus === 'Connected' || (movedSinceOurWrite && current.connectionStatus === 'Connecting')
      );
    case 'reject':
    case 'revoke':
      return current.connectionStatus === 'Disconnected' || current.connectionStatus === 'Disconnecting';
    case 'resize':
      return current.connectionStatus === 'Connected' && current.bandwidth === decision.bandwidthAfter;
    default:
      return false;
  }
}
