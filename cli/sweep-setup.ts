/**
 * What `plan` and `apply` share before a sweep: flags, the policy (a policy that does not load never
 * reaches the sweep: exit 65), and the API client (live API with the default credential chain, or the
 * emulator through `--endpoint` / PRIVATELINK_ENDPOINT).
 */
import { isAbsolute, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { RunSummaryRecord } from '../functions/audit/audit-records.ts';
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
import { safeText } from './safe-text.ts';
import { DEFAULT_TIMEOUT_MS } from '../functions/client/private-link-api.ts';

/** pop-core's own default per-call timeout, kept as ours. */
/** The project's one default call timeout (../functions/client/private-link-api.ts). */
export const DEFAULT_CALL_TIMEOUT_MS = DEFAULT_TIMEOUT_MS;

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
  --timeout-ms N         per-call timeout (default ${DEFAULT_CALL_TIMEOUT_MS})
  --log-level LEVEL      operational JSON logs on stderr: debug|info|warn|error (default: none)`;

/** The credentials paragraph of plan's and apply's help (after the options). */
export const CREDENTIALS_NOTE = `Credentials come from the standard Alibaba Cloud chain: ALIBABA_CLOUD_ACCESS_KEY_ID /
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
  /** ALIBABA_CLOUD_ACCOUNT_ID: the provider's account, kept on synced whitelists (README "Keep the whitelist in step"). */
  providerAccountId: string | undefined;
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
  const regions = listFlag(flags, 'region');
  const services = listFlag(flags, 'service');
  const outside = notGoverned(policy, regions, services);
  if (outside !== undefined) {
    io.stderr.write(`privatelink-approver ${command}: ${outside}\n`);
    return EXIT.usage;
  }

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
    regions,
    services,
    logger,
    callTimeoutMs,
    providerAccountId: io.env.ALIBABA_CLOUD_ACCOUNT_ID || undefined,
  };
}

const NEVER_WIDENS = '(narrowing never widens the policy)';
/** Commands that only read: a stop means no plan, not "nothing more was changed". */
const READ_ONLY = ['plan', 'propose'];

/** What the policy governs, for a person: `cn-hangzhou: epsrv-a, services matching services[2]; cn-shanghai: ...`. */
export function governedText(policy: Policy, regions: string[] = policy.regions): string {
  return regions
    .map((region) => {
      const rules = policy.services.filter((r) => r.match.regionId === region);
      const parts = rules.map((r) => (r.match.kind === 'id' ? r.match.serviceId : `services matching ${r.source}`));
      return `${region}: ${parts.join(', ')}`;
    })
    .join('; ');
}

/**
 * Why `--region`/`--service` name something the policy does not govern (narrowing never widens), or
 * undefined. A service is governed when a rule of a selected region names its ID; when a region also has
 * selector rules, only the listing can tell, so such a service passes here (the sweep warns
 * `service-not-governed`).
 */
export function notGoverned(policy: Policy, regions?: string[], services?: string[]): string | undefined {
  const unknownRegions = (regions ?? []).filter((r) => !policy.regions.includes(r));
  if (unknownRegions.length > 0) {
    return (
      `--region ${unknownRegions.join(', ')}: not governed by the policy, which governs ` +
      `${policy.regions.join(', ')} ${NEVER_WIDENS}`
    );
  }
  const inScope = policy.services.filter((r) => regions === undefined || regions.includes(r.match.regionId));
  if (services === undefined || inScope.some((r) => r.match.kind === 'selector')) return undefined;
  const named = new Set(inScope.flatMap((r) => (r.match.kind === 'id' ? [r.match.serviceId] : [])));
  const unknown = services.filter((id) => !named.has(id));
  if (unknown.length === 0) return undefined;
  const where = regions === undefined ? '' : ` in ${regions.join(', ')}`;
  return (
    `--service ${unknown.join(', ')}: not governed by the policy${where}; ` +
    `it governs ${governedText(policy, regions ?? policy.regions)} ${NEVER_WIDENS}`
  );
}

/**
 * After a run narrowed by `--service`: a named service that no rule governed (a selector region, so the
 * listing had to tell) is a usage error. Prints what the policy governs; true when it did.
 */
export function notGovernedAfterRun(
  command: string,
  summary: RunSummaryRecord,
  prepared: PreparedSweep,
  io: CliIO,
): boolean {
  const ids = summary.warnings.filter((w) => w.code === 'service-not-governed').map((w) => w.serviceId ?? '');
  if (ids.length === 0) return false;
  io.stderr.write(
    `privatelink-approver ${command}: --service ${ids.map(safeText).join(', ')}: not governed by the policy; ` +
      `it governs ${governedText(prepared.policy, prepared.regions)} ${NEVER_WIDENS}\n`,
  );
  return true;
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
    const hint = errorHint(error.code);
    const after = READ_ONLY.includes(command) ? 'No plan was made.' : 'Nothing more was changed.';
    io.stderr.write(
      `privatelink-approver ${command}: stopped: ${safeText(error.message)}\n` +
        `${hint === undefined ? '' : `  ${hint}\n`}  ${after}\n`,
    );
    return EXIT.apiFailure;
  }
  throw error;
}
