import { EmulatorApiError } from '../types.ts';

/** `MissingParameter` (400) naming the parameter, in the wording of Alibaba Cloud's gateways. */
export function missingParameter(name: string): EmulatorApiError {
  return new EmulatorApiError(
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    400,
  );
}

/** `InvalidParameter` (400) naming the parameter and what it must be. */
export function invalidParameter(name: string, expectation: string): EmulatorApiError {
  return new EmulatorApiError(
    'InvalidParameter',
    `The specified parameter "${name}" is not valid: ${expectation}.`,
    400,
  );
}

/**
 * Typed reads of an RPC request's flat string parameters. Empty strings count as absent: pop-core and
 * the console send optional parameters empty rather than leave them out.
 */
export class Params {
  constructor(readonly raw: Record<string, string>) {}

  optional(name: string): string | undefined {
    const v = this.raw[name];
    return v === undefined || v === '' ? undefined : v;
  }

  required(name: string): string {
    const v = this.optional(name);
    if (v === undefined) throw missingParameter(name);
    return v;
  }

  /** An ID-like string: required, and matching `pattern` when given (else `InvalidParameter`). */
  id(name: string, pattern?: RegExp, hint?: string): string {
    const v = this.required(name);
    if (pattern && !pattern.test(v)) throw invalidParameter(name, `must look like ${hint ?? pattern.source}`);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (v === 'true' || v === 'True') return true;
    if (v === 'false' || v === 'False') return false;
    throw invalidParameter(name, 'must be true or false');
  }

  int(name: string, min: number, max: number): number | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    const n = /^-?\d{1,15}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw invalidParameter(name, `must be an integer between ${min} and ${max}`);
    return n;
  }

  requiredInt(name: string, min: number, max: number): number {
    const n = this.int(name, min, max);
    if (n === undefined) throw missingParameter(name);
    return n;
  }

  /** A Long account ID (digits). */
  accountId(name: string, required: boolean): string | undefined {
    const v = required ? this.required(name) : this.optional(name);
    if (v === undefined) return undefined;
    if (!/^[1-9]\d{0,15}$/.test(v)) throw invalidParameter(name, 'must be an account ID (a Long of up to 16 digits)');
    return v;
  }

  /** A value from a fixed list. */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    const hit = allowed.find((a) => a === v);
    if (hit === undefined) throw invalidParameter(name, `must be one of ${allowed.join(', ')}`);
    return hit;
  }

  /**
   * A repeated parameter in flat form: `SecurityGroupId.1`, `SecurityGroupId.2`, ... N runs 1..maxN.
   * Returned in N order; gaps are allowed (as the gateways do).
   */
  repeated(prefix: string, maxN: number): string[] {
    const found = new Map<number, string>();
    const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)$`);
    for (const [k, v] of Object.entries(this.raw)) {
      const m = re.exec(k);
      if (!m || v === '') continue;
      const n = Number(m[1]);
      if (n < 1 || n > maxN) throw invalidParameter(k, `N must be between 1 and ${maxN}`);
      found.set(n, v);
    }
    return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  /**
   * A repeated structure in flat form: `Zone.1.ZoneId`, `Zone.1.VSwitchId`, ... Returns one record per
   * N (in N order) with the given fields (absent fields undefined).
   */
  repeatedStruct<F extends string>(
    prefix: string,
    fields: readonly F[],
    maxN: number,
  ): Array<{ n: number } & Partial<Record<F, string>>> {
    const found = new Map<number, Partial<Record<F, string>>>();
    const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.([A-Za-z]+)$`);
    for (const [k, v] of Object.entries(this.raw)) {
      const m = re.exec(k);
      if (!m || v === '') continue;
      const n = Number(m[1]);
      const field = fields.find((f) => f === m[2]);
      if (field === undefined) continue;
      if (n < 1 || n > maxN) throw invalidParameter(k, `N must be between 1 and ${maxN}`);
      const rec: Partial<Record<F, string>> = found.get(n) ?? {};
      rec[field] = v;
      found.set(n, rec);
    }
    return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([n, rec]) => ({ n, ...rec }));
  }
}
