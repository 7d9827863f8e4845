/**
 * ClientToken idempotency: a write repeated with the same (caller, action, ClientToken) and the same
 * parameters answers the first response again (with its RequestId) and changes nothing; the same token
 * with other parameters is `IdempotentParameterMismatch`. Every write of the reference takes ClientToken.
 */
import { createHash } from 'node:crypto';
import type { ActionContext } from '../types.ts';
import { EmulatorApiError } from '../types.ts';
import { invalidParameter } from './params.ts';

/** The writes, all of which take ClientToken in the reference; reads ignore it. */
const WRITE_ACTIONS: ReadonlySet<string> = new Set([
  'CreateVpcEndpointService',
  'UpdateVpcEndpointServiceAttribute',
  'DeleteVpcEndpointService',
  'AddUserToVpcEndpointService',
  'RemoveUserFromVpcEndpointService',
  'AttachResourceToVpcEndpointService',
  'DetachResourceFromVpcEndpointService',
  'CreateVpcEndpoint',
  'UpdateVpcEndpointAttribute',
  'DeleteVpcEndpoint',
  'EnableVpcEndpointConnection',
  'DisableVpcEndpointConnection',
  'UpdateVpcEndpointConnectionAttribute',
  'AddZoneToVpcEndpoint',
  'RemoveZoneFromVpcEndpoint',
  'AttachSecurityGroupToVpcEndpoint',
  'DetachSecurityGroupFromVpcEndpoint',
]);

/** Parameters that belong to the transport, not to the request's meaning (excluded from matching). */
const COMMON_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
  'ClientToken',
  'DryRun',
  'RegionEndpoint',
  'product',
]);

/** Bound on remembered ClientTokens (oldest forgotten first). */
const CLIENT_TOKEN_CACHE = 100_000;

interface CachedResponse {
  hash: string;
  body: Record<string, unknown>;
}

/** A stable hash of the parameters that give a request its meaning. */
function requestHash(params: Record<string, string>): string {
  const entries = Object.entries(params)
    .filter(([k]) => !COMMON_PARAMS.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('base64url');
}

/** The remembered answers of writes sent with a ClientToken. */
export class ClientTokens {
  private readonly cache = new Map<string, CachedResponse>();

  /** The request's ClientToken when the action is a write that takes one (checked: 1 to 64 ASCII). */
  tokenOf(action: string, params: Record<string, string>): string | undefined {
    if (!WRITE_ACTIONS.has(action)) return undefined;
    const token = params['ClientToken'];
    if (token === undefined || token === '') return undefined;
    if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token))
      throw invalidParameter('ClientToken', 'must be 1 to 64 ASCII characters');
    return token;
  }

  /**
   * Runs `run` once per (caller, action, token): a replay answers the first body (with the first
   * RequestId) without running it. @throws EmulatorApiError IdempotentParameterMismatch.
   */
  once(
    action: string,
    token: string,
    params: Record<string, string>,
    ctx: ActionContext,
    run: () => Record<string, unknown>,
  ): Record<string, unknown> {
    const key = `${ctx.accountId}\u0000${action}\u0000${token}`;
    const hash = requestHash(params);
    const cached = this.cache.get(key);
    if (cached) {
      if (cached.hash !== hash) {
        throw new EmulatorApiError(
          'IdempotentParameterMismatch',
          'The request uses the same client token as a previous, but non-identical request.',
        );
      }
      return structuredClone(cached.body);
    }
    const body = run();
    if (this.cache.size >= CLIENT_TOKEN_CACHE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { hash, body: { ...structuredClone(body), RequestId: ctx.requestId } });
    return body;
  }
}
