import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EmulatorApiError } from '../types.ts';

/** Query hashes by query text; cleared when full. */
const queryHashes = new Map<string, string>();
const QUERY_HASH_CACHE = 20_000;

/**
 * Opaque, tamper-evident NextToken values. A token is `base64url(payload).base64url(mac)`, where the
 * payload holds the position after the last item returned and a hash of the query (action, caller,
 * region, filters), and the MAC is an HMAC-SHA256 with a key drawn at random per model. A token that
 * was altered, comes from another emulator run, or is replayed against a different query is refused with
 * `InvalidNextToken` (the reference names no code for this: see the README's list of choices).
 */
export class PageTokens {
  private readonly key = randomBytes(32);

  /**
   * A short hash identifying a query; the same query across pages yields the same hash. Remembered per
   * query (bounded): a sweep asks the same few thousand queries every run, one SHA-256 each otherwise.
   */
  static queryHash(parts: ReadonlyArray<string | undefined>): string {
    const key = parts.map((p) => p ?? '\u0000').join('\u0001');
    let hash = queryHashes.get(key);
    if (hash === undefined) {
      if (queryHashes.size >= QUERY_HASH_CACHE) queryHashes.clear();
      hash = createHash('sha256').update(key).digest('base64url').slice(0, 16);
      queryHashes.set(key, hash);
    }
    return hash;
  }

  encode(position: number[], query: string): string {
    const payload = Buffer.from(JSON.stringify({ p: position, q: query })).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The position a token carries. @throws EmulatorApiError InvalidNextToken. */
  decode(token: string, query: string): number[] {
    const invalid = new EmulatorApiError(
      'InvalidNextToken',
      'The specified NextToken is invalid or does not belong to this query.',
      400,
    );
    const dot = token.indexOf('.');
    if (dot <= 0) throw invalid;
    const payload = token.slice(0, dot);
    // Compare the MAC's text, not its decoded bytes: base64url decoding ignores the last character's low
    // bits, so a byte comparison would accept some altered tokens.
    const given = Buffer.from(token.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.mac(payload), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid;
    }
    const o = parsed as { p?: unknown; q?: unknown };
    if (o.q !== query || !Array.isArray(o.p) || !o.p.every((x) => typeof x === 'number')) throw invalid;
    return o.p as number[];
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 22);
  }
}
