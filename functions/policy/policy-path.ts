/** A location in the policy document: keys and array indexes from the root. */
export type PolicyPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `services[1].allow[0].maxBandwidth`; keys that are not identifiers are quoted: `tags["k8s.io/app"]`. */
export function formatPath(path: PolicyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Splits an ajv `instancePath` (a JSON Pointer, `/services/1/allow/0`) into segments, walking `data` so
 * that an index into an array becomes a number while a digit-only mapping key stays a string.
 */
export function fromJsonPointer(pointer: string, data: unknown): (string | number)[] {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let here: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(here)) {
      out.push(Number(key));
      here = here[Number(key)];
    } else {
      out.push(key);
      here = here !== null && typeof here === 'object' ? (here as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}
