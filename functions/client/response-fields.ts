/**
 * Reading and checking fields of pop-core's parsed answers (./answer-json.ts: plain JSON values, with a
 * long number a double cannot hold exactly as a string of its text), where the reference documents some
 * numbers as strings too. A checker returns the value, or a `Problem` saying what is wrong without echoing
 * much of it.
 */

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** An object that is not a list (a listed item, a wrapper). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return isRecord(x) && !Array.isArray(x);
}

/** Any scalar as a string (a long account ID arrives as one already); an object or list as ''. */
export function str(x: unknown): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  return '';
}

/** Why a field was not believed. */
export class Problem {
  constructor(readonly problem: string) {}
}

/** A short, printable description of a refused value (at most 40 characters of it, escaped). */
export function describe(x: unknown, scrub: (text: string) => string): string {
  if (x === undefined) return 'missing';
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a list';
  if (typeof x === 'string' || typeof x === 'number') {
    const text = scrub(str(x));
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    const escaped = JSON.stringify(shown).replace(
      /[^\x20-\x7e]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    return typeof x === 'string' ? escaped : escaped.slice(1, -1);
  }
  return isRecord(x) ? 'an object' : typeof x;
}

/** The largest owner ID: the API's EndpointOwnerId is a signed 64-bit integer (Long). */
const MAX_LONG = '9223372036854775807';

/**
 * An account ID (EndpointOwnerId): an integer of 1-19 digits, no sign, no leading zero, at most 2^63-1.
 * From a string (the parse's form of any longer number, ./answer-json.ts) or a safe-integer number: a
 * fractional one such as 2000000000000002.9 is refused, never rounded.
 */
export function accountId(x: unknown): string | Problem {
  // A number above 2^53 may not be the number sent (1e17): the parse keeps every exact one a string.
  const exact = typeof x === 'string' || (typeof x === 'number' && Number.isSafeInteger(x));
  const text = exact ? str(x) : '';
  // Digits of the same length compare as numbers do; fewer than 19 are below 2^63 anyway.
  if (/^[1-9][0-9]{0,18}$/.test(text) && (text.length < MAX_LONG.length || text <= MAX_LONG)) return text;
  return new Problem('must be an account ID: an integer of 1-19 digits, at most 9223372036854775807');
}

/**
 * A resource ID of the given prefix (`ep`, `epsrv`, `vpc`): the prefix, a dash, then lower-case letters
 * and digits (the reference's `ep-hp33b2e43fays7s8****` with the stars filled). At most 64 characters.
 */
export function resourceId(x: unknown, prefix: string): string | Problem {
  if (typeof x === 'string' && x.length <= 64 && idPattern(prefix).test(x)) return x;
  return new Problem(`must be an ID like ${prefix}-hp3vpx8yqxblby3i (lower-case letters and digits)`);
}

const ID_PATTERNS = new Map<string, RegExp>();

/** `^<prefix>-[a-z0-9]+$`, made once per prefix (the prefixes are the few this client names). */
function idPattern(prefix: string): RegExp {
  let pattern = ID_PATTERNS.get(prefix);
  if (pattern === undefined) {
    pattern = new RegExp(`^${prefix.replace(/[^a-z0-9]/g, '\\$&')}-[a-z0-9]+$`);
    ID_PATTERNS.set(prefix, pattern);
  }
  return pattern;
}

/** An integer within min..max, from a number or a numeric string (some are documented as String). */
export function integerIn(x: unknown, min: number, max: number): number | Problem {
  const problem = new Problem(`must be an integer from ${min} to ${max}`);
  if (typeof x === 'number') return Number.isInteger(x) && x >= min && x <= max ? x : problem;
  if (typeof x !== 'string') return problem;
  const text = x;
  if (!/^[0-9]{1,16}$/.test(text)) return problem;
  const n = Number(text);
  return n >= min && n <= max ? n : problem;
}

/** ISO 8601 with a zone, as the API writes times (`2020-09-10T01:03:38Z`). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A time the engine can compare: ISO 8601 with a zone that `Date.parse` reads. */
export function isoTime(x: unknown): string | Problem {
  if (typeof x === 'string' && ISO_TIME.test(x) && Number.isFinite(Date.parse(x))) return x;
  return new Problem('must be an ISO 8601 time such as 2020-09-10T01:03:38Z');
}

/** A boolean, or the strings true/false in any case. */
export function boolean(x: unknown): boolean | Problem {
  if (typeof x === 'boolean') return x;
  if (typeof x === 'string' && /^(true|false)$/i.test(x)) return x.toLowerCase() === 'true';
  return new Problem('must be true or false');
}

/** The value when it is one of `known` (case-insensitively: the reference spells it "DisConnected" once). */
export function oneOf<T extends string>(x: unknown, known: readonly T[]): T | Problem {
  // The spelling asked for first: what real answers carry.
  const exact = typeof x === 'string' ? known.find((k) => k === x) : undefined;
  if (exact !== undefined) return exact;
  const lower = typeof x === 'string' ? x.toLowerCase() : undefined;
  return known.find((k) => k.toLowerCase() === lower) ?? new Problem(`must be one of ${known.join(', ')}`);
}

/**
 * The items of a JSON list that may come bare (`[...]`) or wrapped (`{Zone: [...]}`), as Alibaba's models
 * vary; undefined when `x` is neither.
 */
export function listItems(x: unknown, wrapper: string): unknown[] | undefined {
  if (Array.isArray(x)) return x;
  if (isPlainObject(x) && Array.isArray(x[wrapper])) return x[wrapper] as unknown[];
  return undefined;
}
