/**
 * Whole-string glob matching for service selectors: `*` matches any run of characters (including
 * none), `?` exactly one character, everything else itself. Case-sensitive; no character classes, no
 * escapes (service names and descriptions never need them, and fewer special characters means fewer
 * surprises in a policy file). Pure.
 */

/**
 * Whether `text` matches `pattern` as a whole. Characters are compared as code points, so `?` matches
 * one CJK character in a description, not half of a surrogate pair.
 *
 * Linear-time greedy matcher with single-star backtracking (the classic wildcard algorithm): no regular
 * expression is built from policy text, so no pattern can be slow or need escaping.
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  let starP = -1; // position in p just after the last `*` seen
  let starT = 0; // position in t that this `*` has consumed up to
  while (ti < t.length) {
    const pc = p[pi];
    if (pc === '*') {
      starP = ++pi;
      starT = ti;
    } else if (pc !== undefined && (pc === '?' || pc === t[ti])) {
      pi++;
      ti++;
    } else if (starP !== -1) {
      // Let the last `*` swallow one more character and retry from just after it.
      pi = starP;
      ti = ++starT;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}
