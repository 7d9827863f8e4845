/**
 * Checks a policy's text: YAML with positions -> structure (generated ajv validator) -> meaning (small
 * rule functions) -> the resolved Policy. Pure: the file, its hash, its commit and the clock come from
 * the caller (../policy-file/load-policy-file.ts). A policy with any error is never returned: callers act
 * only on `ok: true`.
 */
import { compareDiagnostics, MAX_DIAGNOSTICS, moreDiagnostics } from './diagnostic.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { Policy } from './policy.ts';
import { parsePolicyDocument } from './policy-document.ts';
import type { ParsedPolicyDocument } from './policy-document.ts';
import { formatPath } from './policy-path.ts';
import { POLICY_RULES } from './policy-rules.ts';
import type { Finding } from './policy-rules.ts';
import type { RawPolicy } from './raw-policy.ts';
import { resolvePolicy } from './resolve-policy.ts';
import { schemaDiagnostics } from './schema-diagnostics.ts';

export type PolicyLoadResult =
  { ok: true; policy: Policy; warnings: Diagnostic[] } | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

export interface CheckPolicyOptions {
  /** The revision hash of the text (`policyHash`, computed by the caller: this module does no I/O). */
  hash: string;
  /** The git commit the file is at; `''` or undefined: unknown (the revision then has no commit). */
  commit?: string | undefined;
  /** The clock for expiry warnings. */
  now: Date;
}

/**
 * Validates and resolves policy text (the content of `file`, which is only used in messages).
 * Never throws: even a bug in a check becomes an error diagnostic, so a caller fails closed.
 */
export function checkPolicyText(text: string, file: string, options: CheckPolicyOptions): PolicyLoadResult {
  try {
    return load(text, file, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failure(
      [
        {
          severity: 'error',
          file,
          line: 1,
          column: 1,
          path: '',
          message: `internal error while checking the policy (${message}); it is not used`,
          hint: 'please report this with the policy file',
        },
      ],
      [],
    );
  }
}

function load(text: string, file: string, options: CheckPolicyOptions): PolicyLoadResult {
  const parsed = parsePolicyDocument(text, file);
  if (parsed.errors.length > 0) return failure(parsed.errors, [...parsed.warnings]);

  const structural = schemaDiagnostics(parsed, file);
  if (structural.length > 0) return failure(structural, [...parsed.warnings]);

  const raw = parsed.data as RawPolicy;
  const { errors, warnings } = semanticDiagnostics(parsed, raw, file, options.now);
  warnings.unshift(...parsed.warnings);
  if (errors.length > 0) return failure(errors, warnings);

  const commit = options.commit === '' ? undefined : options.commit;
  const policy = resolvePolicy(raw, { hash: options.hash, commit, file });
  return { ok: true, policy, warnings: warnings.sort(compareDiagnostics) };
}

/**
 * Runs every semantic rule; each finding once, located in the file. Past MAX_DIAGNOSTICS of a severity,
 * findings are counted and said in one diagnostic at the first of them (locating each is the cost).
 */
function semanticDiagnostics(
  parsed: ParsedPolicyDocument,
  raw: RawPolicy,
  file: string,
  now: Date,
): { errors: Diagnostic[]; warnings: Diagnostic[] } {
  const found = { error: [] as Diagnostic[], warning: [] as Diagnostic[] };
  const unlisted = { error: { count: 0, at: undefined }, warning: { count: 0, at: undefined } } as Record<
    Finding['severity'],
    { count: number; at: { line: number; column: number } | undefined }
  >;
  const seen = new Set<string>();
  const report = (finding: Finding): void => {
    const path = formatPath(finding.path);
    const key = `${finding.severity}\u0000${path}\u0000${finding.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const where = (): { line: number; column: number } => parsed.locate(finding.path, finding.at ?? 'value');
    if (found[finding.severity].length >= MAX_DIAGNOSTICS) {
      const more = unlisted[finding.severity];
      more.count += 1;
      more.at ??= where();
      return;
    }
    found[finding.severity].push({
      severity: finding.severity,
      file,
      ...where(),
      path,
      message: finding.message,
      ...(finding.hint === undefined ? {} : { hint: finding.hint }),
    });
  };
  for (const rule of Object.values(POLICY_RULES)) rule({ policy: raw, now, report });
  for (const severity of ['error', 'warning'] as const) {
    const { count, at } = unlisted[severity];
    if (at !== undefined) found[severity].push(moreDiagnostics(file, severity, count, at));
  }
  return { errors: found.error, warnings: found.warning };
}

export function failure(errors: Diagnostic[], warnings: Diagnostic[]): PolicyLoadResult {
  return { ok: false, errors: errors.sort(compareDiagnostics), warnings: warnings.sort(compareDiagnostics) };
}
