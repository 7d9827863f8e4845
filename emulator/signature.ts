/**
 * Alibaba Cloud RPC signature v1 (HMAC-SHA1), as the API reference describes it ("Signature
 * introduction", ../shared/reference/privatelink-api-2020-04-15.txt) and as @alicloud/pop-core 1.8
 * computes it (lib/rpc.js): sort every parameter but `Signature` by key, percent-encode keys and values
 * per RFC 3986, join as `k=v&...`, sign `METHOD&%2F&` + percentEncode(that) with key `secret + "&"`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * RFC 3986 percent-encoding as Alibaba uses it: unreserved `A-Z a-z 0-9 - _ . ~` stay literal,
 * everything else is `%XX` of its UTF-8 bytes (so space is `%20`, `*` is `%2A`).
 */
export function percentEncode(value: string): string {
  const encoded = encodeURIComponent(value);
  // encodeURIComponent leaves !'()* literal; RFC 3986 (and Alibaba) encode them. Most values have none.
  return RESERVED_LEFT.test(encoded)
    ? encoded.replace(RESERVED_LEFT_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    : encoded;
}

const RESERVED_LEFT = /[!'()*]/;
const RESERVED_LEFT_ALL = /[!'()*]/g;

/** The canonicalized query: every parameter except `Signature`, sorted by key, percent-encoded, `&`-joined. */
export function canonicalQuery(params: Record<string, string>): string {
  const keys = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort();
  let out = '';
  for (const key of keys) {
    if (out.length > 0) out += '&';
    out += `${percentEncode(key)}=${percentEncode(params[key] as string)}`;
  }
  return out;
}

/** The string-to-sign: `METHOD&%2F&` + percentEncode(canonicalQuery(params)). */
export function stringToSign(method: string, params: Record<string, string>): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
}

/** The base64 HMAC-SHA1 signature of a request, keyed with `secret + "&"`. */
export function signRpc(method: string, params: Record<string, string>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign(method, params)).digest('base64');
}

/** True when `params.Signature` is the signature of the request; compares in constant time. */
export function verifyRpcSignature(method: string, params: Record<string, string>, accessKeySecret: string): boolean {
  const given = params['Signature'];
  if (given === undefined) return false;
  const expected = Buffer.from(signRpc(method, params, accessKeySecret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
