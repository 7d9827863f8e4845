/**
 * Operational logs: one JSON object per line with fixed base keys (`level`, `message`, `timestamp`,
 * `service`, and `runId`/`requestId` when known), in the style of the aws-powertools Logger. Errors are
 * serialised with name, message, code and cause. Keys that could carry a secret (AccessKey secret,
 * security token, signature, signed URL) are redacted wherever they appear.
 *
 * Pure: the caller supplies where lines go and the clock (no process, no console here).
 */
import { jsonLine } from '../audit/json-line.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines also carry these keys (e.g. `{ runId }`). */
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** Receives one complete JSON line (without the newline). */
  write: (line: string) => void;
  /** Lowest level written; default `info`. */
  level?: LogLevel;
  now?: () => number;
  /** Keys on every line. */
  base?: Record<string, unknown>;
}

/** Key names whose values are never written: secrets, and pop-core's `url`/`entry` (the signed request). */
const SECRET_KEY = /secret|securitytoken|password|signature|authorization|^url$|^entry$|^accesskeysecret$/i;

/** Serialises an error for a log line: name, message, code, and its cause chain (depth-limited). */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (error instanceof Error) {
    const out: Record<string, unknown> = { name: error.name, message: error.message };
    const extra = error as Error & { code?: unknown; requestId?: unknown; action?: unknown; retryable?: unknown };
    if (extra.code !== undefined) out['code'] = extra.code;
    if (extra.action !== undefined) out['action'] = extra.action;
    if (extra.requestId !== undefined) out['requestId'] = extra.requestId;
    if (extra.retryable !== undefined) out['retryable'] = extra.retryable;
    if (error.cause !== undefined && depth < 3) out['cause'] = serializeError(error.cause, depth + 1);
    return out;
  }
  if (typeof error === 'object' && error !== null) {
    const plain = error as { name?: unknown; message?: unknown; code?: unknown };
    return { name: String(plain.name ?? 'Error'), message: String(plain.message ?? ''), code: plain.code };
  }
  return { name: 'Error', message: String(error) };
}

function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return serializeError(value);
  if (depth > 6 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

/** Creates a JSON-lines logger. */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const base = { service: 'privatelink-approver', ...options.base };
  const emit = (level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void => {
    if (LEVELS[level] < threshold) return;
    const line = {
      level: level.toUpperCase(),
      message,
      timestamp: new Date(now()).toISOString(),
      ...(redact(base) as Record<string, unknown>),
      ...(fields === undefined ? {} : (redact(fields) as Record<string, unknown>)),
    };
    options.write(jsonLine(line));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that writes nothing. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
