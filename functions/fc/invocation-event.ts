/**
 * Parses the event an invocation receives. FC 3.0 hands a nodejs20 event handler a Buffer. Two shapes
 * are accepted:
 * - a timer trigger event `{"triggerTime","triggerName","payload"}` whose `payload` is a string: empty,
 *   or a JSON object (the trigger's `payload` in s.yaml);
 * - a direct invocation (`privatelink-approver invoke`, the console's "Test function") whose body is that
 *   JSON object itself, or empty.
 *
 * The object may only narrow a run: `dryRun: true`, a subset of `services` (endpoint service IDs) or of
 * `regions`. Any other key is refused: a payload never replaces or widens the policy, and `dryRun: false`
 * cannot turn a dry-run policy into enforce (the handler runs dry whenever either asks for it).
 */

/** What a payload may ask for. */
export interface RunRequest {
  dryRun?: boolean;
  services?: string[];
  regions?: string[];
}

/** The timer trigger's envelope, when the event came from one. */
export interface TimerTrigger {
  triggerName: string;
  triggerTime: string;
}

export type ParsedEvent =
  { ok: true; trigger: TimerTrigger | undefined; request: RunRequest } | { ok: false; error: string };

export const RUN_REQUEST_KEYS = ['dryRun', 'services', 'regions'] as const;
const TIMER_KEYS = ['triggerTime', 'triggerName', 'payload'];
const SERVICE_ID = /^epsrv-[0-9a-z]{1,64}$/;
const REGION_ID = /^[a-z]{2,}(-[a-z0-9]+){1,3}$/;
const MAX_LIST = 200;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(
  text: string,
  what: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${what} is not valid JSON: ${(error as Error).message}` };
  }
  if (!isPlainObject(value))
    return {
      ok: false,
      error: `${what} must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`,
    };
  return { ok: true, value };
}

function stringList(
  value: unknown,
  key: string,
  pattern: RegExp,
  example: string,
): { ok: true; value: string[] } | { ok: false; error: string } {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST) {
    return {
      ok: false,
      error: `payload.${key}: must be a non-empty array of at most ${MAX_LIST} IDs such as "${example}"`,
    };
  }
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string' || !pattern.test(item)) {
      return {
        ok: false,
        error: `payload.${key}[${i}]: must be an ID such as "${example}", got ${JSON.stringify(item)}`,
      };
    }
  }
  return { ok: true, value: [...new Set(value as string[])] };
}

/** Checks a payload object: only the narrowing keys, each well-formed. */
export function parseRunRequest(
  payload: Record<string, unknown>,
): { ok: true; request: RunRequest } | { ok: false; error: string } {
  const unknown = Object.keys(payload).filter((k) => !(RUN_REQUEST_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    return {
      ok: false,
      error: `payload: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${RUN_REQUEST_KEYS.join(', ')}); a payload can only narrow a run, never change the policy`,
    };
  }
  const request: RunRequest = {};
  if (payload.dryRun !== undefined) {
    if (typeof payload.dryRun !== 'boolean')
      return { ok: false, error: `payload.dryRun: must be true or false, got ${JSON.stringify(payload.dryRun)}` };
    request.dryRun = payload.dryRun;
  }
  if (payload.services !== undefined) {
    const services = stringList(payload.services, 'services', SERVICE_ID, 'epsrv-bp1demoorders000001');
    if (!services.ok) return services;
    request.services = services.value;
  }
  if (payload.regions !== undefined) {
    const regions = stringList(payload.regions, 'regions', REGION_ID, 'cn-hangzhou');
    if (!regions.ok) return regions;
    request.regions = regions.value;
  }
  return { ok: true, request };
}

/** Parses the raw invocation event (Buffer as FC passes it; a string or nothing is also accepted). */
export function parseInvocationEvent(event: Buffer | string | Uint8Array | null | undefined): ParsedEvent {
  const text =
    event === null || event === undefined
      ? ''
      : typeof event === 'string'
        ? event
        : Buffer.from(event).toString('utf8');
  const outer = parseJsonObject(text, 'event');
  if (!outer.ok) return outer;
  const body = outer.value;
  const isTimer = 'triggerName' in body || 'triggerTime' in body;
  if (!isTimer) {
    const parsed = parseRunRequest(body);
    return parsed.ok ? { ok: true, trigger: undefined, request: parsed.request } : parsed;
  }
  const extra = Object.keys(body).filter((k) => !TIMER_KEYS.includes(k));
  if (extra.length > 0) {
    return {
      ok: false,
      error: `event: unexpected key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')} beside a timer trigger's triggerTime, triggerName and payload`,
    };
  }
  if (typeof body.triggerName !== 'string' || typeof body.triggerTime !== 'string') {
    return { ok: false, error: 'event: a timer trigger event needs string triggerName and triggerTime' };
  }
  const trigger: TimerTrigger = { triggerName: body.triggerName, triggerTime: body.triggerTime };
  let payload: Record<string, unknown> = {};
  if (body.payload !== undefined && body.payload !== null) {
    if (typeof body.payload === 'string') {
      const inner = parseJsonObject(body.payload, 'payload');
      if (!inner.ok) return inner;
      payload = inner.value;
    } else if (isPlainObject(body.payload)) {
      payload = body.payload;
    } else {
      return { ok: false, error: `payload must be a JSON object (as a string), got ${typeof body.payload}` };
    }
  }
  const parsed = parseRunRequest(payload);
  return parsed.ok ? { ok: true, trigger, request: parsed.request } : parsed;
}
