/**
 * Runs the real CLI (`node bin/privatelink-approver.js ...`) and the function's bundle (through the local
 * FC harness) as child processes, and keeps everything they print: the soak scans it for secrets and
 * reads the records from it. Every child has a hard time bound.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/build.ts';
import { buildBundleOnce, runInFc, timerEvent } from '../fc/fc-harness.ts';
import type { FcCredentials } from '../../functions/fc/fc-context.ts';

/** A JSON line the product wrote: a decision, intent or run record (by `schema`). */
export type SoakRecord = Record<string, unknown> & { schema?: string };

export interface ChildRun {
  /** What ran, for messages: `apply #3`, `fc #2`, `apply broken/x.yaml`. */
  label: string;
  exitCode: number | null;
  signal: string | null;
  /** Killed by the soak on purpose (crash test) or past its time bound. */
  killed: 'crash' | 'timeout' | undefined;
  stdout: string;
  stderr: string;
  /** The --records file's text (CLI) or the function's stdout (FC). */
  recordsText: string;
  records: SoakRecord[];
  durationMs: number;
  /** Peak RSS in KiB (only when measured). */
  maxRssKb: number | undefined;
  /** The emulator log's last seq before the child started and after it ended. */
  seqFrom: number;
  seqTo: number;
}

/** Parses JSON lines, skipping a line cut off by a kill and anything that is not a record. */
export function parseRecords(text: string): SoakRecord[] {
  const out: SoakRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value !== null && typeof value === 'object' && 'schema' in value) out.push(value as SoakRecord);
    } catch {
      // a line cut off by SIGKILL
    }
  }
  return out;
}

export interface CliOptions {
  label: string;
  args: string[];
  credentials: FcCredentials;
  /** SIGKILL after this many ms (the crash test). */
  killAfterMs?: number | undefined;
  /** Hard bound: SIGKILL after this many ms and report `timeout`. */
  timeoutMs: number;
  /** Measure peak RSS with /usr/bin/time. */
  measure?: boolean;
  /** The emulator log's seq, read before start and after the end. */
  lastSeq: () => Promise<number>;
}

const BIN = join(REPO_ROOT, 'bin/privatelink-approver.js');

function credentialEnv(c: FcCredentials, home: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    ALIBABA_CLOUD_ACCESS_KEY_ID: c.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: c.accessKeySecret,
  };
  if (c.securityToken !== undefined) env['ALIBABA_CLOUD_SECURITY_TOKEN'] = c.securityToken;
  return env;
}

/** Runs one CLI command; `--records FILE` is added to apply and the records read back from it. */
export async function runCli(opts: CliOptions): Promise<ChildRun> {
  const work = mkdtempSync(join(tmpdir(), 'pla-soak-'));
  const recordsFile = join(work, 'records.jsonl');
  const rssFile = join(work, 'rss');
  const args = opts.args[0] === 'apply' ? [...opts.args, '--records', recordsFile] : opts.args;
  const command = opts.measure ? '/usr/bin/time' : process.execPath;
  const argv = opts.measure ? ['-f', '%M', '-o', rssFile, process.execPath, BIN, ...args] : [BIN, ...args];
  const seqFrom = await opts.lastSeq();
  const started = performance.now();
  const child = spawn(command, argv, {
    cwd: REPO_ROOT,
    env: credentialEnv(opts.credentials, work),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let killed: ChildRun['killed'];
  const kill = (why: 'crash' | 'timeout') => () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killed = why;
    child.kill('SIGKILL');
  };
  const timers = [setTimeout(kill('timeout'), opts.timeoutMs)];
  if (opts.killAfterMs !== undefined) timers.push(setTimeout(kill('crash'), opts.killAfterMs));
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => resolve([code, sig]));
  });
  timers.forEach(clearTimeout);
  const durationMs = performance.now() - started;
  const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  const recordsText = opts.args[0] === 'apply' ? read(recordsFile) : stdout;
  const rss = Number.parseInt(read(rssFile).trim().split('\n').pop() ?? '', 10);
  rmSync(work, { recursive: true, force: true });
  return {
    label: opts.label,
    exitCode,
    signal,
    killed,
    stdout,
    stderr,
    recordsText,
    records: parseRecords(recordsText),
    durationMs,
    maxRssKb: Number.isFinite(rss) ? rss : undefined,
    seqFrom,
    seqTo: await opts.lastSeq(),
  };
}

/** One scheduled invocation of the built function (timer trigger) with `policyPath` as POLICY_PATH. */
export async function runFunction(opts: {
  label: string;
  endpoint: string;
  policyPath: string;
  credentials: FcCredentials[];
  timeoutSeconds: number;
  lastSeq: () => Promise<number>;
}): Promise<ChildRun> {
  const bundle = await buildBundleOnce();
  const seqFrom = await opts.lastSeq();
  const started = performance.now();
  const run = await runInFc(bundle.outDir, { PRIVATELINK_ENDPOINT: opts.endpoint, POLICY_PATH: opts.policyPath }, [
    {
      event: timerEvent(''),
      requestId: opts.label.replace(/\W+/g, '-'),
      timeout: opts.timeoutSeconds,
      credentials: opts.credentials,
    },
  ]);
  return {
    label: opts.label,
    exitCode: run.exitCode,
    signal: null,
    killed: undefined,
    stdout: run.stdout,
    stderr: run.stderr,
    recordsText: run.stdout,
    records: parseRecords(run.stdout),
    durationMs: performance.now() - started,
    maxRssKb: undefined,
    seqFrom,
    seqTo: await opts.lastSeq(),
  };
}

/** A scratch directory for the soak's files (policy), removed by the caller. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'pla-soak-run-'));
}
