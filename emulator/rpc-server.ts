/**
 * The RPC path (`/`): what @alicloud/pop-core 1.8 sends (GET query or POST form body, merged), checked
 * like Alibaba's OpenAPI gateway checks it (common parameters, signature v1, nonce, timestamp, STS
 * token), then faults, the per-account write lock, and the model. Every request lands in the log.
 *
 * Error codes follow the platform notes' list of common OpenAPI errors; where the reference leaves a
 * choice open the choice is recorded in emulator/README.md ("Protocol").
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { loggableParams } from './request-log.ts';
import { NonceWindow, authenticate, missingParam } from './rpc-auth.ts';
import type { RpcServerState } from './rpc-execute.ts';
import { createExecutor } from './rpc-execute.ts';
import type { Exchange } from './rpc-response.ts';
import { sendError } from './rpc-response.ts';
import { EmulatorApiError } from './types.ts';
import { actionNotFound } from './model/api-errors.ts';

export { API_VERSION } from './rpc-auth.ts';
export type { RpcModel, RpcServerState } from './rpc-execute.ts';

/**
 * Every action of the 2020-04-15 reference ("API overview"). An action outside this list is rejected
 * before authentication, as the gateway does (InvalidApi.NotFound, 404).
 */
export const PRIVATELINK_ACTIONS: ReadonlySet<string> = new Set([
  'DescribeRegions',
  'DescribeZones',
  'CreateVpcEndpointService',
  'UpdateVpcEndpointServiceAttribute',
  'GetVpcEndpointServiceAttribute',
  'ListVpcEndpointServices',
  'DeleteVpcEndpointService',
  'AddUserToVpcEndpointService',
  'ListVpcEndpointServiceUsers',
  'RemoveUserFromVpcEndpointService',
  'AttachResourceToVpcEndpointService',
  'ListVpcEndpointServiceResources',
  'DetachResourceFromVpcEndpointService',
  'CreateVpcEndpoint',
  'UpdateVpcEndpointAttribute',
  'GetVpcEndpointAttribute',
  'ListVpcEndpoints',
  'ListVpcEndpointServicesByEndUser',
  'DeleteVpcEndpoint',
  'EnableVpcEndpointConnection',
  'UpdateVpcEndpointConnectionAttribute',
  'ListVpcEndpointConnections',
  'DisableVpcEndpointConnection',
  'AddZoneToVpcEndpoint',
  'ListVpcEndpointZones',
  'RemoveZoneFromVpcEndpoint',
  'AttachSecurityGroupToVpcEndpoint',
  'ListVpcEndpointSecurityGroups',
  'DetachSecurityGroupFromVpcEndpoint',
]);

/** Largest accepted POST body; real requests of this API are a few hundred bytes. */
const MAX_BODY_BYTES = 1 << 20;

/** The request parameters: the query string and the form body, merged (the body wins). */
function mergedParams(query: string, body: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  if (query.length > 0) for (const [k, v] of new URLSearchParams(query)) params[k] = v;
  if (body.length > 0) for (const [k, v] of new URLSearchParams(body)) params[k] = v;
  return params;
}

function newExchange(state: RpcServerState, method: string, params: Record<string, string>): Exchange {
  return {
    started: performance.now(),
    format: 'JSON',
    regionId: params['RegionId'],
    entry: {
      seq: state.log.nextSeq(),
      requestId: randomUUID().toUpperCase(),
      time: new Date(state.clock.now()).toISOString(),
      method,
      action: params['Action'],
      accessKeyId: undefined,
      accountId: undefined,
      params: loggableParams(params),
      status: 0,
      code: undefined,
      durationMs: 0,
      fault: undefined,
    },
  };
}

/** Format, method and action: what the gateway checks before it looks at credentials. */
function checkRequestShape(method: string, params: Record<string, string>, ex: Exchange): string {
  const format = (params['Format'] ?? 'JSON').toUpperCase();
  if (format !== 'JSON' && format !== 'XML')
    throw new EmulatorApiError(
      'InvalidParameter.Format',
      'The specified parameter "Format" is not valid: use JSON or XML.',
      400,
    );
  ex.format = format;
  if (method !== 'GET' && method !== 'POST')
    throw new EmulatorApiError('UnsupportedHTTPMethod', 'This http method is not supported: use GET or POST.', 405);
  const action = params['Action'];
  if (action === undefined || action === '') throw missingParam('Action');
  if (!PRIVATELINK_ACTIONS.has(action)) throw actionNotFound();
  return action;
}

/** An error that is not an API error is a bug in the emulator: answered like the real API's 500. */
function internalError(ex: Exchange, error: unknown): EmulatorApiError {
  process.stderr.write(
    `emulator: internal error on ${ex.entry.action ?? '(no action)'}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return new EmulatorApiError(
    'InternalError',
    'The request processing has failed due to some unknown error, exception or failure.',
    500,
  );
}

/** Creates the request handler of the RPC path. */
export function createRpcHandler(
  state: RpcServerState,
): (req: IncomingMessage, res: ServerResponse, query: string) => void {
  const auth = {
    findAccessKey: (id: string) => state.model.findAccessKey(id),
    clock: state.clock,
    settings: state.settings,
    nonces: new NonceWindow(),
  };
  const execute = createExecutor(state);

  async function handle(req: IncomingMessage, res: ServerResponse, query: string, body: string): Promise<void> {
    const params = mergedParams(query, body);
    const method = req.method ?? 'GET';
    const ex = newExchange(state, method, params);
    try {
      const action = checkRequestShape(method, params, ex);
      const key = authenticate(auth, method, params, ex.entry);
      await execute(res, ex, action, params, key);
    } catch (error) {
      sendError(state.log, res, ex, error instanceof EmulatorApiError ? error : internalError(ex, error));
    }
  }

  return (req, res, query) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > MAX_BODY_BYTES) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ Code: 'RequestTooLarge', Message: 'The request body is too large.' }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      void handle(req, res, query, chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8'));
    });
  };
}
