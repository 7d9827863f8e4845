/**
 * What one pop-core call learns on the way, and the keep-alive agent that sees it.
 *
 * pop-core reads the response but never looks at its status, and for a non-JSON body it rejects with
 * json-bigint's parse error, from which the status is gone. pop-core passes request options through to
 * httpx, and httpx uses `opts.agent` for `http.request`. So each endpoint gets its own keep-alive agent
 * whose `addRequest` (called synchronously by `http.ClientRequest` for every request it sends) attaches
 * a 'response' listener to the request. The listener records the status on the call that is running:
 * the call's record lives in an AsyncLocalStorage entered around `pop.request(...)`, and the store
 * follows pop-core's awaits into httpx. This sees the status for every outcome (success body, error
 * body, non-JSON body, body read timeout) without patching pop-core or parsing bodies twice.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AccessKeyCredentials } from './credentials.ts';

/** What one call learns on the way: the HTTP status, and the credentials it signed with (to scrub them). */
export interface CallRecord {
  action: string;
  httpStatus: number | undefined;
  credentials: AccessKeyCredentials | undefined;
}

/** The call running in this async context (entered around `pop.request`). */
export const currentCall = new AsyncLocalStorage<CallRecord>();

interface AgentWithAddRequest {
  addRequest(req: http.ClientRequest, options: unknown): void;
}

/** A keep-alive agent that records each response's status on the running call. */
export function callObservingAgent(secure: boolean): http.Agent {
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const target = agent as unknown as AgentWithAddRequest;
  const addRequest = target.addRequest.bind(agent);
  target.addRequest = (req, options) => {
    const call = currentCall.getStore();
    if (call !== undefined) {
      req.once('response', (res: IncomingMessage) => {
        call.httpStatus = res.statusCode;
      });
    }
    addRequest(req, options);
  };
  return agent;
}
