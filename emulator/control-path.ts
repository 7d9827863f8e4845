/**
 * The control path (`/__emulator/...`): unsigned JSON routes for tests and people to look at and steer
 * the emulator (state, request log, clock, settings, accounts, health). Loopback callers only; never
 * subject to faults. Every route is documented in emulator/README.md ("Control path").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateFaultSettings } from './faults.ts';
import type { RequestLog } from './request-log.ts';
import type { AccountInfo, EmulatorClock, EmulatorSettings, FaultSettings } from './types.ts';

/** The control path's URL prefix. */
export const CONTROL_PREFIX = '/__emulator';

/** What the control path needs. */
export interface ControlState {
  model: { snapshot(): unknown; regions(): string[] };
  accounts: AccountInfo[];
  clock: EmulatorClock;
  settings: EmulatorSettings;
  log: RequestLog;
  startedAt: number;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** True for a loopback peer address (127.0.0.0/8, ::1). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return LOOPBACK.has(address) || /^(::ffff:)?127\./.test(address);
}

const DELAY_KEYS = [
  'enableDelayMs',
  'disableDelayMs',
  'updateDelayMs',
  'deleteDelayMs',
  'createDelayMs',
  'maxClockSkewMs',
] as const;

/** Settings with a fixed set of values. */
const CHOICES: Record<string, readonly string[]> = {
  pendingStatus: ['Connecting', 'Disconnected'],
  writeLock: ['request', 'task'],
  writeLockScope: ['account', 'region'],
};

/** The problem with one setting of a patch, or undefined. */
function settingProblem(key: string, value: unknown): string[] {
  const choices = CHOICES[key];
  if (choices !== undefined)
    return choices.includes(value as string) ? [] : [`${key} must be ${choices.map((c) => `"${c}"`).join(' or ')}`];
  if ((DELAY_KEYS as readonly string[]).includes(key))
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? [] : [`${key} must be a number >= 0`];
  if (key === 'allowSts') return typeof value === 'boolean' ? [] : ['allowSts must be true or false'];
  if (key === 'faults') return validateFaultSettings(value);
  return [`${key} is not a known setting`];
}

/**
 * Merges a settings patch into the live settings object (in place: the model reads the same object).
 * `faults` merges one level deep: `seed` and `rules` each replace their old value when given.
 * Throws on an unknown key or a bad value, changing nothing.
 */
export function patchSettings(settings: EmulatorSettings, patch: unknown): void {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw new ControlError(400, 'the settings patch must be a JSON object');
  const p = patch as Record<string, unknown>;
  const problems = Object.entries(p).flatMap(([key, value]) => settingProblem(key, value));
  if (problems.length > 0) throw new ControlError(400, problems.join('; '));
  const { faults, ...rest } = p as Partial<EmulatorSettings> & { faults?: Partial<FaultSettings> };
  Object.assign(settings, rest);
  if (faults !== undefined) settings.faults = { ...settings.faults, ...faults };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1 << 20) {
        reject(new ControlError(413, 'request body too large'));
        req.destroy();
      } else {
        chunks.push(c);
      }
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ControlError(400, 'the request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

function clockView(clock: EmulatorClock): Record<string, unknown> {
  const now = clock.now();
  return { now, iso: new Date(now).toISOString(), paused: clock.paused };
}

/** GET /health: liveness, request count, clock, and this process's memory and CPU time. */
function health(state: ControlState): Record<string, unknown> {
  const memory = process.memoryUsage();
  return {
    ok: true,
    uptimeMs: Date.now() - state.startedAt,
    requests: state.log.last,
    clock: clockView(state.clock),
    // This process's memory (the emulator's, when it runs on its own): for the benchmark and the curious.
    memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal },
    // CPU time this process has used, µs: per-request cost measured this way ignores other load.
    cpuMicros: process.cpuUsage(),
  };
}

/** POST /clock: `{advanceMs}`, `{pause: true}` or `{resume: true}` (pause and advance may combine). */
function moveClock(clock: EmulatorClock, body: unknown): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ControlError(400, 'the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const known = ['advanceMs', 'pause', 'resume'];
  const unknown = Object.keys(b).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new ControlError(400, `unknown field(s): ${unknown.join(', ')}; use advanceMs, pause or resume`);
  if (Object.keys(b).length === 0) throw new ControlError(400, 'give one of advanceMs, pause, resume');
  const advance = b['advanceMs'];
  if (advance !== undefined && (typeof advance !== 'number' || !Number.isFinite(advance) || advance < 0))
    throw new ControlError(400, 'advanceMs must be a number >= 0');
  if (b['pause'] !== undefined && b['pause'] !== true) throw new ControlError(400, 'pause must be true');
  if (b['resume'] !== undefined && b['resume'] !== true) throw new ControlError(400, 'resume must be true');
  if (b['pause'] === true && b['resume'] === true)
    throw new ControlError(400, 'pause and resume together make no sense');
  if (b['pause'] === true) clock.pause();
  if (typeof advance === 'number') clock.advance(advance);
  if (b['resume'] === true) clock.resume();
}

/** Creates the control path's handler. */
export function createControlHandler(
  state: ControlState,
): (req: IncomingMessage, res: ServerResponse, url: URL) => void {
  async function route(req: IncomingMessage, url: URL): Promise<[number, unknown]> {
    const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const allow = (...methods: string[]): void => {
      if (!methods.includes(method))
        throw new ControlError(
          405,
          `${method} is not allowed on ${CONTROL_PREFIX}${path}; use ${methods.join(' or ')}`,
        );
    };
    switch (path) {
      case '/health':
        allow('GET');
        return [200, health(state)];
      case '/state':
        allow('GET');
        return [200, state.model.snapshot()];
      case '/accounts':
        allow('GET');
        return [200, { regions: state.model.regions(), accounts: state.accounts }];
      case '/requests': {
        allow('GET', 'DELETE');
        if (method === 'DELETE') return [200, { cleared: state.log.clear(), last: state.log.last }];
        const sinceText = url.searchParams.get('since') ?? '0';
        const since = Number(sinceText);
        if (!Number.isInteger(since) || since < 0) throw new ControlError(400, 'since must be a non-negative integer');
        return [200, { requests: state.log.list(since), last: state.log.last }];
      }
      case '/clock':
        allow('GET', 'POST');
        if (method === 'POST') moveClock(state.clock, await readJson(req));
        return [200, clockView(state.clock)];
      case '/settings':
        allow('GET', 'PATCH');
        if (method === 'PATCH') patchSettings(state.settings, await readJson(req));
        return [200, state.settings];
      default:
        throw new ControlError(404, `no such control route: ${CONTROL_PREFIX}${path}`);
    }
  }

  return (req, res, url) => {
    if (!isLoopback(req.socket.remoteAddress)) {
      sendJson(res, 403, { error: 'the control path answers loopback callers only' });
      req.resume();
      return;
    }
    route(req, url).then(
      ([status, body]) => sendJson(res, status, body),
      (error: unknown) => {
        if (error instanceof ControlError) sendJson(res, error.status, { error: error.message });
        else sendJson(res, 500, { error: `internal error: ${error instanceof Error ? error.message : String(error)}` });
      },
    );
  };
}
