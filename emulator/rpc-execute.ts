/**
 * What happens to an authenticated RPC request: the faults it meets (latency, throttling, failures),
 * the per-account write lock, then the model's action and the answer. Injected latency holds the
 * answer, not the work: the action runs (and its answer is encoded) on arrival, and the answer leaves
 * `latencyMs` after the request arrived (emulator/README.md, "Faults"), so concurrent requests do not
 * queue behind each other's work once their latency has passed.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FaultDecision, FaultInjector } from './faults.ts';
import { describeFaults } from './faults.ts';
import type { RequestLog } from './request-log.ts';
import type { Exchange } from './rpc-response.ts';
import { encodeBody, finish, send } from './rpc-response.ts';
import { concurrentCall, lockKey } from './model/task-lock.ts';
import {
  FaultTokens,
  changedBody,
  echoedCredentials,
  sendEchoedCredentials,
  sendMalformed,
  streamHugeBody,
} from './answer-faults.ts';
import type { AccessKeyRecord, ActionContext, EmulatorClock, EmulatorSettings } from './types.ts';
import { EmulatorApiError } from './types.ts';

/** What the RPC path needs from the model (emulator/model/private-link-model.ts implements it). */
export interface RpcModel {
  findAccessKey(accessKeyId: string): AccessKeyRecord | undefined;
  dispatch(action: string, params: Record<string, string>, ctx: ActionContext): Record<string, unknown>;
  isConnectionWrite(action: string): boolean;
}

/** Shared state of the RPC path, owned by startEmulator(). */
export interface RpcServerState {
  model: RpcModel;
  clock: EmulatorClock;
  settings: EmulatorSettings;
  log: RequestLog;
  faults: FaultInjector;
  /** Aborted by close(): ends injected latency and hanging requests. */
  closing: AbortSignal;
  /** Responses held open by the `hang` fault, ended by close(). */
  hanging: Set<ServerResponse>;
}

/** The HTML a gateway answers with when its upstream fails (fault `badGateway`). */
const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n';

/** Resolves at `until` (performance.now() time), or at once when the emulator closes. */
function sleepUntil(closing: AbortSignal, until: number): Promise<void> {
  return new Promise((resolve) => {
    const ms = until - performance.now();
    if (closing.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      closing.removeEventListener('abort', done);
      resolve();
    }
    closing.addEventListener('abort', done, { once: true });
  });
}

/** Writes a prepared answer (and completes the log entry) once its latency has passed. */
type Delivery = () => void | Promise<void>;

/**
 * The failure outcome a fault decided: an answer without effect, or thrown as an API error; undefined
 * when the request goes on to the model.
 */
function outcomeAnswer(
  state: RpcServerState,
  res: ServerResponse,
  ex: Exchange,
  d: FaultDecision,
): Delivery | undefined {
  if (d.throttled) throw new EmulatorApiError('Throttling.User', 'Request was denied due to user flow control.', 400);
  switch (d.outcome) {
    case 'internalError':
      throw new EmulatorApiError(
        'InternalError',
        'The request processing has failed due to some unknown error, exception or failure.',
        500,
      );
    case 'serviceUnavailable':
      throw new EmulatorApiError(
        'ServiceUnavailable',
        'The request has failed due to a temporary failure of the server.',
        503,
      );
    case 'badGateway':
      return () => {
        if (!res.destroyed) {
          res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(BAD_GATEWAY_HTML) });
          res.end(BAD_GATEWAY_HTML);
        }
        finish(state.log, ex, 502, undefined);
      };
    case 'hang':
      // No answer and no effect, until the client gives up or close() ends it.
      return () => {
        state.hanging.add(res);
        res.on('close', () => state.hanging.delete(res));
        finish(state.log, ex, 0, undefined);
      };
    case 'drop':
      return () => {
        res.socket?.destroy();
        finish(state.log, ex, 0, undefined);
      };
    case undefined:
      return undefined;
  }
}

interface Call {
  res: ServerResponse;
  ex: Exchange;
  action: string;
  params: Record<string, string>;
  key: AccessKeyRecord;
  decision: FaultDecision;
  tokens: FaultTokens;
}

/**
 * Runs the model's action and prepares its answer, with the decision's hostile answer if any:
 * credentials echoed and huge bodies answer without running the action; the others change the answer
 * it gave. A plain answer is encoded here, so that only the write waits for the latency.
 */
function answer(state: RpcServerState, call: Call): Delivery {
  const { res, ex, action, params, key, decision, tokens } = call;
  const kind = decision.answer;
  const rule = decision.answerRule ?? {};
  if (kind === 'credentialsInCode' || kind === 'credentialsInRequestId' || kind === 'credentialsInMessage') {
    const echo = echoedCredentials(rule, key, params);
    return () => sendEchoedCredentials(state.log, res, ex, kind, echo);
  }
  if (kind === 'hugeBody') return () => streamHugeBody(state.log, res, ex, rule);
  // A NextToken a paging fault minted leads to the first page again, with the next minted token.
  const token = params['NextToken'];
  const minted = tokens.kindOf(token);
  const paging = kind === 'endlessPaging' || kind === 'cyclingPaging' ? kind : minted;
  const modelParams = minted === undefined ? params : withoutToken(params);
  const ctx: ActionContext = {
    accountId: key.accountId,
    accessKeyId: key.accessKeyId,
    requestId: ex.entry.requestId,
    now: state.clock.now(),
  };
  const result = state.model.dispatch(action, modelParams, ctx);
  // A ClientToken replay carries the first answer's RequestId: keep it.
  let body = 'RequestId' in result ? result : { RequestId: ex.entry.requestId, ...result };
  const nextToken = paging === undefined ? undefined : tokens.mint(paging, token);
  if (kind !== undefined || nextToken !== undefined) body = changedBody(kind, rule, body, nextToken);
  const root = `${action}Response`;
  if (kind === 'malformedPage') {
    const changed = body;
    return () => sendMalformed(state.log, res, ex, changed, root);
  }
  const bytes = encodeBody(ex, body, root);
  return () => {
    const sent = send(res, ex, 200, bytes);
    finish(state.log, ex, sent ? 200 : 0, undefined);
  };
}

function withoutToken(params: Record<string, string>): Record<string, string> {
  const copy = { ...params };
  delete copy['NextToken'];
  return copy;
}

/** Creates the executor of authenticated requests; it keeps the write lock's state. */
export function createExecutor(
  state: RpcServerState,
): (
  res: ServerResponse,
  ex: Exchange,
  action: string,
  params: Record<string, string>,
  key: AccessKeyRecord,
) => Promise<void> {
  /** Accounts with a connection write in flight (ConcurrentCallNotSupported for a second one). */
  const writesInFlight = new Set<string>();
  const tokens = new FaultTokens();

  return async (res, ex, action, params, key) => {
    const decision = state.faults.decide(action, key.accessKeyId, performance.now());
    ex.entry.fault = describeFaults(decision);
    // Newer docs: connection writes cannot run concurrently within one account; Alibaba's Terraform
    // provider retries ConcurrentCallNotSupported, so that is the code a client must be ready for. Both
    // readings refuse overlapping requests; `task` also locks while a task runs (model/task-lock.ts).
    const lock = state.model.isConnectionWrite(action)
      ? lockKey(state.settings, key.accountId, params['RegionId'])
      : undefined;
    if (lock !== undefined) {
      if (writesInFlight.has(lock)) throw concurrentCall();
      writesInFlight.add(lock);
    }
    // The answer leaves `latencyMs` after arrival, an error answer too; the lock is held until then. A
    // connection write reaches the service halfway (its task starts there, as a real one starts when the
    // request arrives); any other action is worked on arrival, so concurrent reads never queue behind one
    // another's wait (emulator/README.md, "Faults").
    const due = ex.started + decision.latencyMs;
    try {
      if (lock !== undefined && decision.latencyMs > 0) {
        await sleepUntil(state.closing, ex.started + decision.latencyMs / 2);
        if (state.closing.aborted) {
          res.destroy();
          finish(state.log, ex, 0, undefined);
          return;
        }
      }
      let deliver: Delivery;
      try {
        deliver =
          outcomeAnswer(state, res, ex, decision) ?? answer(state, { res, ex, action, params, key, decision, tokens });
      } catch (error) {
        if (decision.latencyMs > 0) await sleepUntil(state.closing, due);
        if (!state.closing.aborted) throw error;
        deliver = () => undefined;
      }
      if (decision.latencyMs > 0) await sleepUntil(state.closing, due);
      // A client that gave up during the latency does not undo its call (the answer is lost, the effect
      // is not, as with a real service); close() ends the request without an answer.
      if (state.closing.aborted) {
        res.destroy();
        finish(state.log, ex, 0, undefined);
        return;
      }
      await deliver();
    } finally {
      if (lock !== undefined) writesInFlight.delete(lock);
    }
  };
}
