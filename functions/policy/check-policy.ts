/**
 * Checks a policy's text: YAML with positions -> structure (generated ajv validator) -> meaning (small
 * rule functions) -> the resolved Policy. Pure: the file, its hash, its commit and the clock come from
 * the caller (../policy-file/load-policy-file.ts). A policy with any error is never returned: callers act
 * only on `ok: true`.
 */
import { compareDiagnostics } from './diagnostic.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { Policy } from './policy.ts';
import { parsePolicyDocument } from './policy-document.ts';
import { formatPath } from './policy-path.ts';
import { POLICY_RULES } from './policy-rules.ts';
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
  const warnings = [...parsed.warnings];
  if (parsed.errors.length > 0) return failure(parsed.errors, warnings);

  const structural = schemaDiagnostics(parsed, file);
  if (structural.length > 0) return failure(structural, warnings);

  const raw = parsed.data as RawPolicy;
  const errors: Diagnostic[] = [];
  const seen = new Set<string>();
  const context = {
    policy: raw,
    now: options.now,
    report: (finding: {
      severity: 'error' | 'warning';
      path: readonly (string | number)[];
      message: string;
      hint?: string;
      at?: 'key' | 'value';
    }) => {
      const path = formatPath(finding.path);
      const key = `${finding.severity}\u0000${path}\u0000${finding.message}`;
      if (seen.has(key)) return;
      seen.add(key);
      const diagnostic: Diagnostic = {
        severity: finding.severity,
        file,
        ...parsed.locate(finding.path, finding.at ?? 'value'),
        path,
        message: finding.message,
        ...(finding.hint === undefined ? {} : { hint: finding.hint }),
      };
      (finding.severity === 'error' ? errors : warnings).push(diagnostic);
    },
  };
  for (const rule of Object.values(POLICY_RULES)) rule(context);
  if (errors.length > 0) return failure(errors, warnings);

  const commit = options.commit === '' ? undefined : options.commit;
  const policy = resolvePolicy(raw, { hash: options.hash, commit, file });
  return { ok: true, policy, warnings: warnings.sort(compareDiagnostics) };
}

export function failure(errors: Diagnostic[], warnings: Diagnostic[]): PolicyLoadResult {
  return { ok: false, errors: errors.sort(compareDiagnostics), warnings: warnings.sort(compareDiagnostics) };
}
