/**
 * Scrubbing what leaves the client: every string that came from the server or from an error (codes,
 * request IDs, messages, listed names) passes through a scrubber built from the call's known secrets.
 */

const SENSITIVE_PARAMS = 'Signature|SecurityToken|AccessKeySecret|SignatureNonce';

/** RFC 3986 encoding as pop-core signs with it (`*`, `!`, `'`, `(`, `)` encoded too). */
function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The forms a secret can take in an echo: literal, percent-encoded once and twice (a string to sign). */
function secretForms(secret: string): string[] {
  const forms = new Set<string>();
  for (const once of [encodeURIComponent(secret), rfc3986(secret)]) {
    forms.add(once);
    forms.add(encodeURIComponent(once));
  }
  forms.add(secret);
  return [...forms];
}

/** How many secrets' forms are remembered: a run's keys and tokens stay, each call's signature passes. */
const REMEMBERED_FORMS = 32;
const formsOf = new Map<string, string[]>();

/** `secretForms(secret)`, remembered: a scrubber is built per call, its secrets mostly the same. */
function rememberedForms(secret: string): string[] {
  const forms = formsOf.get(secret) ?? secretForms(secret);
  // Most recently used last: the oldest goes first.
  formsOf.delete(secret);
  formsOf.set(secret, forms);
  if (formsOf.size > REMEMBERED_FORMS) formsOf.delete(formsOf.keys().next().value as string);
  return forms;
}

const SENSITIVE_PAIR = new RegExp(`(?<![A-Za-z])(${SENSITIVE_PARAMS})(=|%3D|%253D)(.*?)(?=&|%26|%2526|\\s|$)`, 'gi');
const URL_QUERY = /(https?:\/\/[^\s?#]*)[?#][^\s]*/gi;

/** A scrubber bound to one call's secrets. */
export type Scrub = (text: string) => string;

/**
 * A scrubber for these secrets: it removes the literal secrets (also percent-encoded, once and twice, as
 * in a server's "string to sign" echo), `Signature=...`/`SecurityToken=...` pairs in any encoding, and
 * the query part of any URL. Secrets shorter than 4 characters are ignored (they would shred any text).
 */
export function scrubberFor(secrets: readonly (string | undefined)[]): Scrub {
  const forms = secrets.flatMap((s) => (s === undefined || s.length < 4 ? [] : rememberedForms(s)));
  // Longest first, so a longer form is not left half-replaced by a shorter one inside it.
  forms.sort((a, b) => b.length - a.length);
  const shortest = forms.at(-1)?.length ?? Infinity;
  return (text) => {
    let out = text;
    if (out.length >= shortest)
      for (const form of forms) if (out.includes(form)) out = out.split(form).join('[redacted]');
    // The whole pair goes, key included, so no `Signature=` is left for a log scanner to trip on. Not
    // `\b`: in an encoded string to sign the key follows `%26`, a word character.
    if (/[=%]/.test(out)) out = out.replace(SENSITIVE_PAIR, '[redacted]');
    if (out.includes('://')) out = out.replace(URL_QUERY, '$1?[redacted]');
    return out;
  };
}

/** `scrubberFor(secrets)(text)`. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  return scrubberFor(secrets)(text);
}
