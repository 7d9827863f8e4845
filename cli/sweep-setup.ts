/**
 * What `plan` and `apply` share before a sweep: flags, the policy (a policy that does not load never
 * reaches the sweep: exit 65), and the API client (live API with the default credential chain, or the
 * emulator through `--endpoint` / PRIVATELINK_ENDPOINT).
 */
import { isAbsolute, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { ApiError } from '../functions/client/api-error.ts';
import { errorHint } from '../functions/client/error-kinds.ts';
import type { CredentialsSource } from '../functions/client/credentials.ts';
import {
  EndpointOverrideError,
  credentialsFromDefaultChain,
  resolveEndpointOverride,
} from '../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../functions/client/pop-core-private-link-client.ts';
import { createLogger } from '../functions/log/logger.ts';
import type { LogLevel, Logger } from '../functions/log/logger.ts';
import { formatDiagnostic } from '../functions/policy/diagnostic.ts';
import { loadPolicyFile } from '../functions/policy-file/load-policy-file.ts';
import type { Policy } from '../functions/policy/policy.ts';
import { SweepAbortedError } from '../functions/sweep/sweep-aborted-error.ts';
import type { CliIO } from './command.ts';
import { EXIT } from './exit-codes.ts';
import type { ParsedFlags } from './parse-flags.ts';
import { listFlag, parseFlags, stringFlag } from './parse-flags.ts';

/** pop-core's own default per-call timeout, kept as ours. */
export const DEFAULT_CALL_TIMEOUT_MS = 3000;

/** Flags every sweep command takes. */
export const SWEEP_FLAGS = {
  policy: { type: 'string', short: 'p' },
  region: { type: 'string', multiple: true },
  service: { type: 'string', multiple: true },
  endpoint: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'log-level': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The help lines for SWEEP_FLAGS. */
export const SWEEP_FLAGS_HELP = `  -p, --policy FILE      the policy file (required)
  --region R             only this region (repeatable; narrows the policy, never widens it)
  --service ID           only this service (repeatable; narrows, never widens)
  --endpoint URL         send every API call to URL (the emulator); default: PRIVATELINK_ENDPOINT,
                         else the real regional endpoints
  --timeout-ms N         per-call timeout (default 3000)
  --log-level LEVEL      operational JSON logs on stderr: debug|info|warn|error (default: none)

Credentials come from the standard Alibaba Cloud chain: ALIBABA_CLOUD_ACCESS_KEY_ID /
ALIBABA_CLOUD_ACCESS_KEY_SECRET (/ ALIBABA_CLOUD_SECURITY_TOKEN), the aliyun CLI profile, the
credentials file, OIDC, ECS RAM role (ALIBABA_CLOUD_ECS_METADATA).`;

export interface PreparedSweep {
  flags: ParsedFlags;
  policy: Policy;
  /** Close it when done (idle keep-alive sockets would hold the process open). */
  api: PrivateLinkClient;
  regions: string[] | undefined;
  services: string[] | undefined;
  logger: Logger | undefined;
  callTimeoutMs: number;
}

/** Test seam: how the CLI builds its client and finds credentials. */
export interface ApiFactory {
  credentials?: CredentialsSource;
}

/**
 * Parses flags, loads the policy and builds the client. Returns an exit code instead when something
 * stops the command before it starts (64 bad flags, 65 invalid policy, 69 no usable endpoint).
 */
export async function prepareSweep(
  command: string,
  argv: string[],
  io: CliIO,
  extraFlags: NonNullable<ParseArgsConfig['options']>,
  factory: ApiFactory = {},
  validate?: (flags: ParsedFlags) => string | undefined,
): Promise<PreparedSweep | number> {
  const flags = parseFlags(command, argv, { ...SWEEP_FLAGS, ...extraFlags }, io);
  if (flags === undefined) return EXIT.usage;
  const invalid = validate?.(flags);
  if (invalid !== undefined) {
    io.stderr.write(`privatelink-approver ${command}: ${invalid}\n`);
    return EXIT.usage;
  }
  const policyPath = stringFlag(flags, 'policy');
  if (policyPath === undefined) {
    io.stderr.write(`privatelink-approver ${command}: --policy FILE is required\n`);
    return EXIT.usage;
  }
  const timeoutText = stringFlag(flags, 'timeout-ms');
  const callTimeoutMs = timeoutText === undefined ? DEFAULT_CALL_TIMEOUT_MS : Number(timeoutText);
  if (!Number.isInteger(callTimeoutMs) || callTimeoutMs < 1) {
    io.stderr.write(`privatelink-approver ${command}: --timeout-ms must be a positive integer, got "${timeoutText}"\n`);
    return EXIT.usage;
  }
  const levelText = stringFlag(flags, 'log-level');
  if (levelText !== undefined && !['debug', 'info', 'warn', 'error'].includes(levelText)) {
    io.stderr.write(`privatelink-approver ${command}: --log-level must be one of debug, info, warn, error\n`);
    return EXIT.usage;
  }
  const logger =
    levelText === undefined
      ? undefined
      : createLogger({ level: levelText as LogLevel, write: (line) => io.stderr.write(`${line}\n`) });

  const policy = await loadPolicyForCli(command, policyPath, io);
  if (typeof policy === 'number') return policy;

  let endpoint: string | undefined;
  try {
    endpoint = resolveEndpointOverride(stringFlag(flags, 'endpoint'), io.env);
  } catch (error) {
    if (error instanceof EndpointOverrideError) {
      io.stderr.write(`privatelink-approver ${command}: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  const api = createPrivateLinkClient({
    credentials: factory.credentials ?? credentialsFromDefaultChain(),
    ...(endpoint === undefined ? {} : { endpoint }),
    timeoutMs: callTimeoutMs,
  });
  return {
    flags,
    policy,
    api,
    regions: listFlag(flags, 'region'),
    services: listFlag(flags, 'service'),
    logger,
    callTimeoutMs,
  };
}

/**
 * Loads a policy and prints its diagnostics (`file:line:col path: message`); returns 65 when it does not
 * load (invalid, unreadable or missing). Paths are shown as given when they resolve against the
 * process's own working directory.
 */
export async function loadPolicyForCli(command: string, path: string, io: CliIO): Promise<Policy | number> {
  const file = isAbsolute(path) || io.cwd === process.cwd() ? path : resolve(io.cwd, path);
  const loaded = await loadPolicyFile(file);
  for (const w of loaded.warnings) io.stderr.write(`${formatDiagnostic(w)}\n`);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.stderr.write(`${formatDiagnostic(e)}\n`);
    io.stderr.write(
      `privatelink-approver ${command}: the policy ${path} cannot be used; nothing was read or changed\n`,
    );
    return EXIT.policyInvalid;
  }
  return loaded.policy;
}

/**
 * The message and exit code for a failure that stopped a run (credentials, permissions): 69.
 * Anything else is re-thrown (an internal error).
 */
export function reportStop(command: string, error: unknown, io: CliIO): number {
  if (error instanceof SweepAbortedError || error instanceof ApiError) {
    const code = error.code;
    const hint = errorHint(code);
    io.stderr.write(
      `privatelink-approver ${command}: stopped: ${error.message}\n${hint === undefined ? '' : `  ${hint}\n`}  Nothing more was changed.\n`,
    );
    return EXIT.apiFailure;
  }
  throw error;
}
