/**
 * The secret scan: every text the soak produced (each child's stdout and stderr, every records file,
 * the soak's own report) searched for the run's secrets in every form they could leak in.
 */
import { percentEncode } from '../../emulator/index.ts';

/** A secret and the forms it can take on the way out: raw, URL-encoded (both flavours), and decoded. */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), percentEncode(secret)]);
  try {
    forms.add(decodeURIComponent(secret));
  } catch {
    // not URL-encoded
  }
  // Short values would match by chance; every real secret, token and signature is longer.
  return [...forms].filter((f) => f.length >= 12);
}

export interface SecretHit {
  where: string;
  /** Which secret (its kind, never its value). */
  what: string;
}

/**
 * Where `texts` contain any form of any secret. Thousands of signatures make a plain `includes` per
 * needle too slow, so texts are cut into runs of the characters a secret form is made of (base64, URL
 * encoding and the key alphabets), and every window of a needle's length within a run is looked up.
 */
export function scanForSecrets(
  texts: Array<{ where: string; text: string }>,
  secrets: Array<{ what: string; value: string }>,
): SecretHit[] {
  const needles = new Map<string, string>();
  for (const s of secrets) for (const form of secretForms(s.value)) needles.set(form, s.what);
  const lengths = [...new Set([...needles.keys()].map((f) => f.length))];
  const shortest = Math.min(...lengths);
  const hits: SecretHit[] = [];
  for (const { where, text } of texts) {
    const found = new Set<string>();
    for (const m of text.matchAll(/[A-Za-z0-9+/=%._-]+/g)) {
      const run = m[0];
      if (run.length < shortest) continue;
      for (const len of lengths)
        for (let i = 0; i + len <= run.length; i++) {
          const what = needles.get(run.slice(i, i + len));
          if (what !== undefined) found.add(what);
        }
    }
    for (const what of found) hits.push({ where, what });
  }
  return hits;
}

/** `text` with every form of every secret replaced by `[secret]`: the soak never prints what it found. */
export function redactSecrets(text: string, secrets: Array<{ what: string; value: string }>): string {
  const needles = new Set(secrets.flatMap((s) => secretForms(s.value)));
  const lengths = [...new Set([...needles].map((f) => f.length))].sort((a, b) => b - a);
  return text.replace(/[A-Za-z0-9+/=%._-]+/g, (run) => {
    let out = run;
    for (const len of lengths)
      for (let i = 0; i + len <= out.length; i++)
        if (needles.has(out.slice(i, i + len))) out = `${out.slice(0, i)}[secret]${out.slice(i + len)}`;
    return out;
  });
}
