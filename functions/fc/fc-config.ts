/**
 * The function's configuration, read once at cold start from environment variables (set in s.yaml
 * `environmentVariables`). Every problem is reported at once, naming the variable, so a bad deployment
 * says what to fix in its first log line instead of failing somewhere inside a run.
 *
 * | variable | meaning |
 * | --- | --- |
 * | `POLICY_PATH` | The policy file. Default `policies/policy.yaml`; a relative path is resolved against the code directory (where `index.js` is), so the default is the policy bundled by `npm run build`. |
 * | `POLICY_OVERRIDE_PATH` | Optional. A policy file, or a directory holding `policy.yaml` (e.g. an OSS bucket mounted into the function). When set and present it replaces `POLICY_PATH`; when it is present but does not load, the run changes nothing (fail closed, never a fallback to the bundled policy). |
 * | `LOG_LEVEL` | `debug`, `info` (default), `warn` or `error`: operational logs only; decision and summary records are always written. |
 * | `PRIVATELINK_ENDPOINT` | Optional `http(s)://host[:port]` that replaces `privatelink.<region>.aliyuncs.com`. For tests against the emulator only. |
 * | `POLICY_COMMIT` | Optional. The git commit of the policy; default the commit stamped into the bundle at build. |
 *
 * No region variable: every service rule of the policy names its region (policy.regions), and a
 * payload's `regions` can only narrow them.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { EndpointOverrideError, resolveEndpointOverride } from '../client/endpoint-override.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_POLICY_PATH = 'policies/policy.yaml';
/** The file looked for when POLICY_OVERRIDE_PATH names a directory. */
export const OVERRIDE_FILE_NAME = 'policy.yaml';

export interface FcConfig {
  /** Absolute path of the bundled (or configured) policy file. */
  policyPath: string;
  /** Absolute path of the override file or directory, when configured. */
  policyOverridePath: string | undefined;
  logLevel: LogLevel;
  /** Endpoint override for the PrivateLink client (tests). */
  privatelinkEndpoint: string | undefined;
  /** The policy's git commit, when known. */
  policyCommit: string | undefined;
}

/** Thrown by readFcConfig with one line per bad variable. */
export class FcConfigError extends Error {
  override readonly name = 'FcConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid function configuration: ${problems.join('; ')}`);
  }
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads and checks the function's environment. `codeDir` is the directory holding the bundle, against
 * which a relative POLICY_PATH is resolved; `buildCommit` is the commit stamped at build, if any.
 * Throws FcConfigError listing every problem.
 */
export function readFcConfig(env: NodeJS.ProcessEnv, codeDir: string, buildCommit?: string): FcConfig {
  const problems: string[] = [];

  const rawPolicyPath = optional(env, 'POLICY_PATH') ?? DEFAULT_POLICY_PATH;
  const policyPath = isAbsolute(rawPolicyPath) ? rawPolicyPath : resolve(codeDir, rawPolicyPath);

  const rawOverride = optional(env, 'POLICY_OVERRIDE_PATH');
  let policyOverridePath: string | undefined;
  if (rawOverride !== undefined) {
    if (isAbsolute(rawOverride)) policyOverridePath = rawOverride;
    else problems.push(`POLICY_OVERRIDE_PATH: must be an absolute path (e.g. /mnt/policy), got "${rawOverride}"`);
  }

  const rawLevel = optional(env, 'LOG_LEVEL')?.toLowerCase() ?? 'info';
  const logLevel = (LOG_LEVELS as readonly string[]).includes(rawLevel) ? (rawLevel as LogLevel) : undefined;
  if (logLevel === undefined) problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got "${rawLevel}"`);

  let privatelinkEndpoint: string | undefined;
  try {
    privatelinkEndpoint = resolveEndpointOverride(undefined, env);
  } catch (error) {
    if (!(error instanceof EndpointOverrideError)) throw error;
    problems.push(error.message);
  }

  const rawCommit = optional(env, 'POLICY_COMMIT') ?? (buildCommit === '' ? undefined : buildCommit);
  let policyCommit: string | undefined;
  if (rawCommit !== undefined) {
    if (/^[0-9A-Za-z._/-]{1,64}$/.test(rawCommit)) policyCommit = rawCommit;
    else
      problems.push(`POLICY_COMMIT: must be a git revision (1-64 characters of [0-9A-Za-z._/-]), got "${rawCommit}"`);
  }

  if (problems.length > 0 || logLevel === undefined) throw new FcConfigError(problems);
  return { policyPath, policyOverridePath, logLevel, privatelinkEndpoint, policyCommit };
}

/** readFcConfig's outcome as data: the handler reports problems on every invocation instead of failing to load. */
export type FcConfigResult = { ok: true; config: FcConfig } | { ok: false; problems: string[] };

/** readFcConfig, with FcConfigError turned into `{ ok: false, problems }`. */
export function loadFcConfig(env: NodeJS.ProcessEnv, codeDir: string, buildCommit?: string): FcConfigResult {
  try {
    return { ok: true, config: readFcConfig(env, codeDir, buildCommit) };
  } catch (error) {
    if (error instanceof FcConfigError) return { ok: false, problems: error.problems };
    throw error;
  }
}

/** The file an override path designates: the path itself, or `<dir>/policy.yaml` for a directory. */
export function overrideFile(path: string, isDirectory: boolean): string {
  return isDirectory ? join(path, OVERRIDE_FILE_NAME) : path;
}
