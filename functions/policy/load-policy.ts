/**
 * Loads a policy: YAML with positions -> structure (generated ajv validator) -> meaning (small rule
 * functions) -> the resolved Policy. A policy with any error is never returned: callers (the CLI and the
 * Function Compute handler) act only on `ok: true`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { compareDiagnostics } from './diagnostic.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { Policy } from './policy.ts';
import { MAX_POLICY_BYTES, parsePolicyDocument } from './policy-document.ts';
import { formatPath } from './policy-path.ts';
import { POLICY_RULES } from './policy-rules.ts';
import type { RawPolicy } from './raw-policy.ts';
import { resolvePolicy } from './resolve-policy.ts';
import { schemaDiagnostics } from './schema-diagnostics.ts';

export type PolicyLoadResult =
  | { ok: true; policy: Policy; warnings: Diagnostic[] }
  | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

export interface LoadPolicyOptions {
  /** The git commit the file is at; loadPolicyFile looks it up when not given. `''`: unknown, do not
   *  look it up (the revision then has no commit). */
  commit?: string;
  /** The clock for expiry warnings (default: now). */
  now?: Date;
}

/** `sha256:` + the first 16 hex digits of the SHA-256 of the file's bytes. */
export function policyHash(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
}

/**
 * Validates and resolves policy text (the content of `file`, which is only used in messages). Pure.
 * Never throws: even a bug in a check becomes an error diagnostic, so a caller fails closed.
 */
export function loadPolicyText(text: string, file: string, options: LoadPolicyOptions = {}): PolicyLoadResult {
  try {
    return load(text, file, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failure([{ severity: 'error', file, line: 1, column: 1, path: '', message: `internal error while checking the policy (${message}); it is not used`, hint: 'please report this with the policy file' }], []);
  }
}

function load(text: string, file: string, options: LoadPolicyOptions): PolicyLoadResult {
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
    now: options.now ?? new Date(),
    report: (finding: { severity: 'error' | 'warning'; path: readonly (string | number)[]; message: string; hint?: string; at?: 'key' | 'value' }) => {
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
  const policy = resolvePolicy(raw, { hash: policyHash(text), commit, file });
  return { ok: true, policy, warnings: warnings.sort(compareDiagnostics) };
}

/**
 * Reads and loads a policy file, refusing files over 1 MiB before reading them. The revision's commit
 * is `options.commit`, else `POLICY_COMMIT` from the environment, else `git rev-parse HEAD` in the file's
 * directory when it is in a git checkout, else undefined.
 */
export async function loadPolicyFile(path: string, options: LoadPolicyOptions = {}): Promise<PolicyLoadResult> {
  const fileError = (message: string): PolicyLoadResult => failure([{ severity: 'error', file: path, line: 1, column: 1, path: '', message }], []);
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return fileError('is a directory, not a policy file');
    // A FIFO or device would block the read or never end: only regular files (links to them included).
    if (!info.isFile()) return fileError('is not a regular file (a pipe, socket or device), not a policy file');
    if (info.size > MAX_POLICY_BYTES) return fileError(`the file is ${info.size} bytes; a policy may be at most ${MAX_POLICY_BYTES} bytes (1 MiB)`);
    bytes = await readLimited(path, MAX_POLICY_BYTES + 1);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fileError(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read the file (${code ?? String(error)})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fileError('the file is not valid UTF-8 text');
  }
  const commit = options.commit ?? process.env.POLICY_COMMIT ?? (await gitCommit(dirname(path)));
  return loadPolicyText(text, path, { ...options, commit });
}

/** Reads at most `limit` bytes (the file may grow between stat and read). */
async function readLimited(path: string, limit: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      const { bytesRead } = await handle.read(buffer, length, limit - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** `git rev-parse HEAD` in `directory`, or undefined when it is not a git checkout or git is missing. */
function gitCommit(directory: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd: directory, timeout: 2000 }, (error, stdout) => {
      const commit = stdout.trim();
      resolve(error === null && /^[0-9a-f]{40,64}$/.test(commit) ? commit : undefined);
    });
  });
}

function failure(errors: Diagnostic[], warnings: Diagnostic[]): PolicyLoadResult {
  return { ok: false, errors: errors.sort(compareDiagnostics), warnings: warnings.sort(compareDiagnostics) };
}
