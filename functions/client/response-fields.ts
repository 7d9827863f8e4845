/**
 * Reading fields of pop-core's parsed answers: objects have a null prototype, numbers longer than 15
 * digits are BigNumber objects (json-bigint), and the reference documents some numbers as strings.
 */

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** Any scalar as a string: BigNumber and long account IDs through String(), never Number(). */
export function str(x: unknown): string {
  if (x === undefined || x === null) return '';
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  // BigNumber: toFixed() never switches to exponent notation (toString() does from 21 digits on).
  if (isRecord(x) && typeof x.toFixed === 'function') return String((x.toFixed as () => unknown).call(x));
  return '';
}

/** A number from a number, a numeric string (the reference documents some as String) or a BigNumber. */
export function num(x: unknown, fallback: number): number {
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  const s = str(x).trim();
  if (s === '') return fallback;
  const n = Number(s);
  return Number.isFinite(n) ? n : fallback;
}

export function bool(x: unknown): boolean {
  return x === true || (typeof x === 'string' && x.toLowerCase() === 'true');
}

/** A JSON list that may come bare (`[...]`) or wrapped (`{Zone: [...]}`), as Alibaba's models vary. */
export function list(x: unknown, wrapper: string): Record<string, unknown>[] {
  const items = Array.isArray(x) ? x : isRecord(x) && Array.isArray(x[wrapper]) ? (x[wrapper] as unknown[]) : [];
  return items.filter(isRecord);
}
