/**
 * Loads a policy from a file (the I/O around the pure ../policy/check-policy.ts): reads it within its size
 * limit, hashes it, finds its git commit. Used by the CLI and the Function Compute handler.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { checkPolicyText, failure } from '../policy/check-policy.ts';
import type { PolicyLoadResult } from '../policy/check-policy.ts';
import { MAX_POLICY_BYTES } from '../policy/policy-document.ts';

export type { PolicyLoadResult } from '../policy/check-policy.ts';

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

/** Checks policy text (see checkPolicyText) with its hash and the clock filled in. Never throws. */
export function loadPolicyText(text: string, file: string, options: LoadPolicyOptions = {}): PolicyLoadResult {
  return checkPolicyText(text, file, {
    hash: policyHash(text),
    commit: options.commit,
    now: options.now ?? new Date(),
  });
}

/**
 * Reads and loads a policy file, refusing files over 1 MiB before reading them. The revision's commit
 * is `options.commit`, else `POLICY_COMMIT` from the environment, else the git commit of the file's
 * checkout: `<commit>-modified` when the file differs from it, undefined when git does not track the file.
 */
export async function loadPolicyFile(path: string, options: LoadPolicyOptions = {}): Promise<PolicyLoadResult> {
  const fileError = (message: string): PolicyLoadResult =>
    failure([{ severity: 'error', file: path, line: 1, column: 1, path: '', message }], []);
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return fileError('is a directory, not a policy file');
    // A FIFO or device would block the read or never end: only regular files (links to them included).
    if (!info.isFile()) return fileError('is not a regular file (a pipe, socket or device), not a policy file');
    if (info.size > MAX_POLICY_BYTES)
      return fileError(`the file is ${info.size} bytes; a policy may be at most ${MAX_POLICY_BYTES} bytes (1 MiB)`);
    bytes = await readLimited(path, MAX_POLICY_BYTES + 1);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fileError(
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : `cannot read the file (${code ?? String(error)})`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fileError('the file is not valid UTF-8 text');
  }
  const commit = options.commit ?? process.env.POLICY_COMMIT ?? (await gitCommit(path));
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

/** Runs git in `directory`; undefined when it fails (not a checkout, git missing, too slow). */
function git(directory: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd: directory, timeout: 2000 }, (error, stdout) => {
      resolve(error === null ? stdout : undefined);
    });
  });
}

/** Appended to the commit of a tracked policy file whose content differs from that commit. */
export const MODIFIED_SUFFIX = '-modified';

/**
 * The commit `path` is at: `git rev-parse HEAD` in its directory, marked `<commit>-modified` when the
 * file differs from that commit (changed, staged, or in a merge), and left out (undefined) when git does
 * not track the file (untracked or ignored: no commit holds it) or the directory is not a checkout.
 */
async function gitCommit(path: string): Promise<string | undefined> {
  const directory = dirname(path);
  const head = (await git(directory, ['rev-parse', 'HEAD']))?.trim();
  if (head === undefined || !/^[0-9a-f]{40,64}$/.test(head)) return undefined;
  const status = await git(directory, ['status', '--porcelain', '--ignored', '--', basename(path)]);
  if (status === undefined || /^(\?\?|!!) /m.test(status)) return undefined;
  return status.trim() === '' ? head : `${head}${MODIFIED_SUFFIX}`;
}
