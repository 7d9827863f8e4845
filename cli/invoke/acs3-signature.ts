/**
 * Alibaba Cloud's request signature V3 (`ACS3-HMAC-SHA256`), which Function Compute 3.0's API (2023-03-30)
 * uses, with node:crypto only. As documented ("Request syntax and signature method V3", Alibaba Cloud
 * API reference; test/fc/acs3-signature.test.ts reproduces its worked example byte for byte):
 *
 *   CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n
 *                      SignedHeaders \n HashedRequestPayload
 *   StringToSign     = "ACS3-HMAC-SHA256" \n hex(SHA256(CanonicalRequest))
 *   Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))
 *   Authorization    = ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<names>,Signature=<hex>
 *
 * CanonicalHeaders are `name:value\n` for host, content-type (when sent) and every x-acs-* header, names in
 * lower case and sorted, values trimmed; SignedHeaders are those names joined by `;`. HashedRequestPayload
 * is hex(SHA256(body)), also sent as x-acs-content-sha256. Keys and values in the URI and query are
 * percent-encoded per RFC 3986 (space %20, `*` %2A, `~` kept); `/` in the path is kept.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface Acs3Key {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
}

export interface Acs3Request {
  method: string;
  /** The request's path, not yet encoded: `/2023-03-30/functions/my-fn/invocations`. */
  path: string;
  query: Record<string, string>;
  /** Header names in any case; host and the x-acs-* headers of the API are added by signAcs3. */
  headers: Record<string, string>;
  body: Buffer;
}

/** RFC 3986 percent-encoding as the V3 signature wants it. */
export function acs3Encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Which headers the signature covers: host, content-type and every x-acs-* header. */
export function acs3SignedHeaderNames(headers: Record<string, string>): string[] {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
    .sort();
}

/** The canonical request of a request whose headers already hold host, the x-acs-* headers and the body hash. */
export function acs3CanonicalRequest(request: Acs3Request, signedHeaders: string[]): string {
  const lower = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const uri = request.path.split('/').map(acs3Encode).join('/') || '/';
  const query = Object.keys(request.query)
    .sort()
    .map((k) => `${acs3Encode(k)}=${acs3Encode(request.query[k] ?? '')}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${lower[name] ?? ''}\n`).join('');
  return [
    request.method.toUpperCase(),
    uri,
    query,
    canonicalHeaders,
    signedHeaders.join(';'),
    lower['x-acs-content-sha256'] ?? sha256Hex(request.body),
  ].join('\n');
}

/** hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(SHA256(canonicalRequest)))). */
export function acs3Signature(accessKeySecret: string, canonicalRequest: string): string {
  return createHmac('sha256', accessKeySecret)
    .update(`${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`)
    .digest('hex');
}

export interface Acs3Stamp {
  /** `yyyy-MM-ddTHH:mm:ssZ`, UTC. */
  date: string;
  nonce: string;
}

/** A fresh stamp: now, and 16 random bytes as the nonce (the API refuses a nonce it has seen). */
export function acs3Stamp(now: Date = new Date()): Acs3Stamp {
  return { date: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), nonce: randomBytes(16).toString('hex') };
}

/**
 * The headers to send: the request's own plus host, x-acs-action/-version/-date/-signature-nonce,
 * x-acs-content-sha256, x-acs-security-token (STS keys) and Authorization.
 */
export function signAcs3(
  request: Acs3Request,
  host: string,
  api: { action: string; version: string },
  key: Acs3Key,
  stamp: Acs3Stamp,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...request.headers,
    host,
    'x-acs-action': api.action,
    'x-acs-version': api.version,
    'x-acs-date': stamp.date,
    'x-acs-signature-nonce': stamp.nonce,
    'x-acs-content-sha256': sha256Hex(request.body),
  };
  if (key.securityToken !== undefined && key.securityToken !== '') headers['x-acs-security-token'] = key.securityToken;
  const signed = acs3SignedHeaderNames(headers);
  const signature = acs3Signature(key.accessKeySecret, acs3CanonicalRequest({ ...request, headers }, signed));
  const credential = `Credential=${key.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}`;
  headers.authorization = `${ACS3_ALGORITHM} ${credential}`;
  return headers;
}
