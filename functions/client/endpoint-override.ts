/**
 * Endpoint overrides: `--endpoint` / `PRIVATELINK_ENDPOINT` for the PrivateLink client (the emulator),
 * `invoke --endpoint` for Function Compute. One parser, so every place accepts the same values and says
 * the same thing about a bad one. Kept free of other imports: the function reads PRIVATELINK_ENDPOINT at
 * cold start (../fc/fc-config.ts).
 */

/** A bad endpoint override: a usage or configuration error. */
export class EndpointOverrideError extends Error {
  override readonly name = 'EndpointOverrideError';
}

const EXPECTED = 'expected an http(s) URL such as http://127.0.0.1:8080';

/**
 * `value` as an origin without a trailing slash (`http://127.0.0.1:8080`). Throws `EndpointOverrideError`,
 * its message starting with `label` (the flag or variable it came from), unless it is a plain http(s)
 * URL: no user info, query or fragment, path `/` at most.
 */
export function parseEndpointOrigin(value: string, label: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new EndpointOverrideError(`${label}: "${value}" is not a URL; ${EXPECTED}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EndpointOverrideError(`${label}: unsupported scheme "${url.protocol.replace(/:$/, '')}"; ${EXPECTED}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new EndpointOverrideError(`${label}: must not contain user info; ${EXPECTED}`);
  }
  if (url.search !== '' || url.hash !== '' || url.pathname !== '/') {
    throw new EndpointOverrideError(`${label}: must not have a path, query or fragment; ${EXPECTED}`);
  }
  return url.origin;
}

/**
 * The PrivateLink API endpoint override from `--endpoint` (wins) or `PRIVATELINK_ENDPOINT`, or undefined
 * when neither is set (an empty variable counts as unset). Every region's requests then go to it (the
 * emulator). Throws `EndpointOverrideError` naming where the bad value came from.
 */
export function resolveEndpointOverride(flag?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag !== undefined) return parseEndpointOrigin(flag, '--endpoint');
  const value = env.PRIVATELINK_ENDPOINT;
  if (value === undefined || value.trim() === '') return undefined;
  return parseEndpointOrigin(value, 'PRIVATELINK_ENDPOINT');
}
