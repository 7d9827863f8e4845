/**
 * `invoke`'s flags, checked before any call: where the function is (an {@link InvokeTarget}) and the
 * payload, checked with the function's own rules (it may only narrow a run).
 */
import type { ParsedFlags } from '../parse-flags.ts';
import { booleanFlag, listFlag, stringFlag } from '../parse-flags.ts';
import { EndpointOverrideError, parseEndpointOrigin } from '../../functions/client/endpoint-override.ts';
import { parseRunRequest } from '../../functions/fc/invocation-event.ts';
import type { FcApi, InvokeTarget } from './invoke-target.ts';
import { FC_APIS } from './invoke-target.ts';

export const DEFAULT_FUNCTION = 'privatelink-approver';
/** Waits out the full sweep's function (timeout 600 s in s.yaml) with a margin for FC's own queueing. */
export const DEFAULT_TIMEOUT_SECONDS = 660;

export const INVOKE_FLAGS = {
  function: { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
  api: { type: 'string' },
  'fc-service': { type: 'string' },
  'dry-run': { type: 'boolean' },
  service: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  endpoint: { type: 'string' },
} as const;

export type InvokeOptions = { ok: true; target: InvokeTarget; body: string } | { ok: false; message: string };

const FC_NAME = /^[a-zA-Z_][a-zA-Z0-9_$-]{0,127}$/;

function refuse(message: string): InvokeOptions {
  return { ok: false, message };
}

/** The event: `{"dryRun":true,"services":[...]}`, or empty (the policy as it is). */
function readBody(flags: ParsedFlags): { body: string } | { error: string } {
  const payload: Record<string, unknown> = {};
  if (booleanFlag(flags, 'dry-run')) payload.dryRun = true;
  const services = listFlag(flags, 'service');
  if (services !== undefined) payload.services = services;
  const checked = parseRunRequest(payload);
  if (!checked.ok) return { error: checked.error.replace(/^payload\.services/, '--service') };
  return { body: Object.keys(checked.request).length === 0 ? '' : JSON.stringify(checked.request) };
}

/** Which API, and the FC 2.0 service it needs (FC 3.0 has none). */
function readApi(flags: ParsedFlags): { api: FcApi; fcService: string | undefined } | { error: string } {
  const api = stringFlag(flags, 'api') ?? '2023-03-30';
  if (!(FC_APIS as readonly string[]).includes(api)) {
    return { error: `--api must be ${FC_APIS.join(' (FC 3.0, the default) or ')} (FC 2.0), got "${api}"` };
  }
  const fcService = stringFlag(flags, 'fc-service');
  if (api === '2016-08-15' && fcService === undefined) {
    return { error: '--api 2016-08-15 needs --fc-service NAME: the FC 2.0 service the function is in' };
  }
  if (api === '2023-03-30' && fcService !== undefined) {
    return { error: '--fc-service names an FC 2.0 service: use it with --api 2016-08-15 (FC 3.0 has no services)' };
  }
  if (fcService !== undefined && !FC_NAME.test(fcService)) {
    return { error: `--fc-service must be an FC service name (letters, digits, _ and -), got "${fcService}"` };
  }
  return { api: api as FcApi, fcService };
}

/** Reads and checks every flag; the first problem is the message. */
export function readInvokeOptions(flags: ParsedFlags): InvokeOptions {
  const functionName = stringFlag(flags, 'function') ?? DEFAULT_FUNCTION;
  const region = stringFlag(flags, 'region');
  const accountId = stringFlag(flags, 'account-id');
  if (region === undefined || !/^[a-z]{2,}(-[a-z0-9]+){1,3}$/.test(region)) {
    const got = region === undefined ? '' : `, got "${region}"`;
    return refuse(`--region is required and must be a region ID such as cn-hangzhou${got}`);
  }
  if (accountId === undefined || !/^[0-9]{5,20}$/.test(accountId)) {
    const got = accountId === undefined ? '' : `, got "${accountId}"`;
    return refuse(`--account-id is required and must be your account ID (digits)${got}`);
  }
  if (!FC_NAME.test(functionName)) return refuse(`--function must be an FC function name, got "${functionName}"`);
  const api = readApi(flags);
  if ('error' in api) return refuse(api.error);
  const timeout = stringFlag(flags, 'timeout');
  const timeoutSeconds = timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 86400) {
    return refuse(`--timeout must be a whole number of seconds between 1 and 86400, got "${String(timeout)}"`);
  }
  let endpoint = `https://${accountId}.${region}.fc.aliyuncs.com`;
  const override = stringFlag(flags, 'endpoint');
  if (override !== undefined) {
    try {
      endpoint = parseEndpointOrigin(override, '--endpoint');
    } catch (error) {
      if (!(error instanceof EndpointOverrideError)) throw error;
      return refuse(error.message);
    }
  }
  const body = readBody(flags);
  if ('error' in body) return refuse(body.error);
  const target: InvokeTarget = { ...api, endpoint, region, accountId, functionName, timeoutSeconds };
  return { ok: true, target, body: body.body };
}
