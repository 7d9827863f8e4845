/**
 * Where the AccessKey that signs PrivateLink requests comes from. A `CredentialsSource` is called once per
 * request (pop-core's `credentialsProvider`), so rotating credentials - Function Compute's
 * `context.credentials`, STS sessions - are picked up without rebuilding the client.
 *
 * Failures become a `CredentialsError` (code `CredentialsUnavailable`) that lists the sources tried and
 * why each gave nothing, never a secret: the library's own messages can embed a whole
 * `~/.aliyun/config.json` or an STS response body, so only their harmless head is kept.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CredentialSourceAttempt } from './api-error.ts';
import { CredentialsError } from './api-error.ts';

/** An AccessKey pair, with the STS token when it is a temporary one. */
export interface AccessKeyCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
}

/** Called before every request; rejects with `CredentialsError` when nothing usable is available. */
export type CredentialsSource = () => Promise<AccessKeyCredentials>;

/** Checks a pair is usable and drops an empty token (pop-core would otherwise skip or send it oddly). */
function usable(source: string, c: Partial<AccessKeyCredentials> | null | undefined): AccessKeyCredentials {
  const missing = [
    typeof c?.accessKeyId === 'string' && c.accessKeyId !== '' ? undefined : 'accessKeyId',
    typeof c?.accessKeySecret === 'string' && c.accessKeySecret !== '' ? undefined : 'accessKeySecret',
  ].filter((x): x is string => x !== undefined);
  if (missing.length > 0 || c == null) {
    const reason = `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} empty`;
    throw new CredentialsError({
      message: `no usable Alibaba Cloud credentials: ${source}: ${reason}`,
      sources: [{ source, reason }],
    });
  }
  const token = typeof c.securityToken === 'string' && c.securityToken !== '' ? c.securityToken : undefined;
  return { accessKeyId: c.accessKeyId as string, accessKeySecret: c.accessKeySecret as string, securityToken: token };
}

/** A fixed AccessKey (or STS triple), e.g. the emulator's printed keys. */
export function staticCredentials(credentials: AccessKeyCredentials): CredentialsSource {
  const copy = { ...credentials };
  return async () => usable('static', copy);
}

/**
 * Function Compute's `context.credentials` (STS, rotated by the platform): `get` is called on every
 * request, so pass a function that reads the current context, not a copy.
 */
export function fcContextCredentials(
  get: () => { accessKeyId?: string; accessKeySecret?: string; securityToken?: string } | null | undefined,
): CredentialsSource {
  return async () => {
    try {
      return usable('fc_context', get());
    } catch (error) {
      if (!(error instanceof CredentialsError)) throw error;
      // FC hands over empty credentials when the function has no role: say where to fix it.
      const why = error.sources[0]?.reason ?? 'unusable';
      const reason = `context.credentials: ${why}; does the function have a RAM role (s.yaml props.role)?`;
      throw new CredentialsError({
        message: `no usable Alibaba Cloud credentials: fc_context: ${reason}`,
        sources: [{ source: 'fc_context', reason }],
      });
    }
  };
}

export interface DefaultChainOptions {
  /**
   * The ECS instance metadata service (100.100.100.200, the `ecs_ram_role` source).
   * - `undefined` (default): only when `ALIBABA_CLOUD_ECS_METADATA` names the role. Off a cloud host
   *   the metadata address does not answer and each lookup waits for its 1 s timeouts before the
   *   chain can report "no credentials"; someone on ECS who relies on the role sets that variable
   *   (the library reads it too) or passes `true`.
   * - `true`: try it even without a role name (the role is discovered from the metadata service).
   * - `false`: never.
   * `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` always wins (the library honours it as well).
   */
  imds?: boolean | undefined;
}

interface ChainProvider {
  getCredentials(): Promise<{ accessKeyId: string; accessKeySecret: string; securityToken: string }>;
}

interface ChainEntry {
  source: string;
  /** Builds the library provider, or returns why the source is skipped. */
  build(): ChainProvider | { skip: string };
}

/** Loaded lazily: see `credentialsFromDefaultChain`. */
const loadLibrary = () => import('@alicloud/credentials');
type CredentialsLibrary = Awaited<ReturnType<typeof loadLibrary>>;

/** Keeps the harmless head of a library message: it may go on with a config file's or a response's content. */
function safeReason(message: string): string {
  const firstLine = message.split('\n')[0] ?? '';
  const cut = firstLine.search(/: |=|\{|\[/);
  const head = (cut === -1 ? firstLine : firstLine.slice(0, cut)).trim();
  return head.length > 200 ? `${head.slice(0, 200)}...` : head;
}

function isTrue(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}

/** The library's default chain, in its order (dist/src/providers/default.js). */
function chainEntries(lib: CredentialsLibrary, options: DefaultChainOptions): ChainEntry[] {
  const env = process.env;
  return [
    {
      source: 'env',
      build: () => {
        if (!env.ALIBABA_CLOUD_ACCESS_KEY_ID) return { skip: 'ALIBABA_CLOUD_ACCESS_KEY_ID is not set' };
        if (!env.ALIBABA_CLOUD_ACCESS_KEY_SECRET) return { skip: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set' };
        return lib.EnvironmentVariableCredentialsProvider.builder().build();
      },
    },
    {
      source: 'oidc_role_arn',
      build: () => {
        if (!env.ALIBABA_CLOUD_ROLE_ARN) return { skip: 'ALIBABA_CLOUD_ROLE_ARN is not set' };
        return lib.OIDCRoleArnCredentialsProvider.builder().build();
      },
    },
    {
      source: 'cli_profile',
      build: () => {
        if (isTrue(env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED))
          return { skip: 'disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED' };
        const path = join(homedir(), '.aliyun', 'config.json');
        if (!existsSync(path)) return { skip: `${path} does not exist` };
        return lib.CLIProfileCredentialsProvider.builder().build();
      },
    },
    {
      source: 'profile',
      build: () => {
        const path = env.ALIBABA_CLOUD_CREDENTIALS_FILE || join(homedir(), '.alibabacloud', 'credentials');
        if (!existsSync(path)) return { skip: `${path} does not exist` };
        return lib.ProfileCredentialsProvider.builder().build();
      },
    },
    {
      source: 'ecs_ram_role',
      build: () => {
        if (isTrue(env.ALIBABA_CLOUD_ECS_METADATA_DISABLED))
          return { skip: 'disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED' };
        if (options.imds === false) return { skip: 'disabled' };
        if (options.imds === undefined && !env.ALIBABA_CLOUD_ECS_METADATA) {
          return { skip: 'not tried: ALIBABA_CLOUD_ECS_METADATA (the role name) is not set' };
        }
        return lib.ECSRAMRoleCredentialsProvider.builder()
          .withRoleName(env.ALIBABA_CLOUD_ECS_METADATA as string)
          .build();
      },
    },
    {
      source: 'credentials_uri',
      build: () => {
        if (!env.ALIBABA_CLOUD_CREDENTIALS_URI) return { skip: 'ALIBABA_CLOUD_CREDENTIALS_URI is not set' };
        return lib.URICredentialsProvider.builder().withCredentialsURI(env.ALIBABA_CLOUD_CREDENTIALS_URI).build();
      },
    },
  ];
}

/**
 * The default credential chain of `@alicloud/credentials`: environment variables
 * (`ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, `ALIBABA_CLOUD_SECURITY_TOKEN`),
 * OIDC role (`ALIBABA_CLOUD_ROLE_ARN`, ...), the aliyun CLI's `~/.aliyun/config.json` (profile from
 * `ALIBABA_CLOUD_PROFILE` or its `current`), the credentials ini file, the ECS RAM role (see
 * `options.imds`), and `ALIBABA_CLOUD_CREDENTIALS_URI`.
 *
 * Assembled here from the library's own providers, in the library's order, rather than through its
 * `DefaultCredentialsProvider`, because that one (2.4.x) joins the providers' raw messages - which can
 * contain a whole CLI config file - into its error, and after one failure keeps retrying only the last
 * provider of the chain. Here the first source that yields credentials is kept for later calls (its
 * sessions refresh themselves; the env source re-reads the environment each time); after a failure,
 * of the chain or of the kept source, the whole chain is walked again on the next call. The library is
 * loaded on first use, so code that never needs the chain (the Function Compute handler) does not pay for it.
 */
export function credentialsFromDefaultChain(options: DefaultChainOptions = {}): CredentialsSource {
  let chosen: { source: string; provider: ChainProvider } | undefined;

  return async () => {
    if (chosen !== undefined) {
      const { source, provider } = chosen;
      try {
        return usable(source, await provider.getCredentials());
      } catch (error) {
        // The source stopped yielding (variables unset, profile removed, session refused): this call
        // fails, and the next one walks the whole chain again instead of asking the same source forever.
        chosen = undefined;
        if (error instanceof CredentialsError) throw error;
        const reason = safeReason(error instanceof Error ? error.message : String(error));
        throw new CredentialsError({
          message: `no usable Alibaba Cloud credentials: ${source}: ${reason}`,
          sources: [{ source, reason }],
        });
      }
    }

    const lib = await loadLibrary();
    const tried: CredentialSourceAttempt[] = [];
    for (const entry of chainEntries(lib, options)) {
      let reason: string;
      try {
        const built = entry.build();
        if ('skip' in built) {
          reason = built.skip;
        } else {
          const credentials = usable(entry.source, await built.getCredentials());
          chosen = { source: entry.source, provider: built };
          return credentials;
        }
      } catch (error) {
        reason =
          error instanceof CredentialsError
            ? (error.sources[0]?.reason ?? 'unusable')
            : safeReason(error instanceof Error ? error.message : String(error));
      }
      tried.push({ source: entry.source, reason });
    }
    throw new CredentialsError({
      message: `no usable Alibaba Cloud credentials; tried ${tried.map((t) => `${t.source} (${t.reason})`).join(', ')}`,
      sources: tried,
    });
  };
}

// The endpoint override lives beside the credentials for its callers' sake (one import for a CLI's setup).
export { EndpointOverrideError, resolveEndpointOverride } from './endpoint-override.ts';
