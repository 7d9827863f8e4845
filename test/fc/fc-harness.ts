/**
 * A local Function Compute harness: runs the *built* bundle (scripts/build.ts output) the way FC's
 * nodejs20 runtime does - `require` it, then `handler(Buffer, context)` - in a child process, so that its
 * stdout is captured exactly as FC would ship it to SLS. The context carries a request id, the function
 * timeout, and credentials that rotate: `context.credentials` is a getter that hands out the next key of
 * a list on every read, which is only harmless when the client re-reads them per request.
 *
 * The child gets no ALIBABA_CLOUD_* variables: credentials can only come from the context.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, REPO_ROOT } from '../../scripts/build.ts';
import type { BuildResult } from '../../scripts/build.ts';
import type { FcCredentials } from '../../functions/fc/fc-context.ts';

/** The demo fleet's provider keys (brief: demo fleet) and a second, STS-style key for the same account. */
export const PROVIDER_KEY: FcCredentials = {
  accessKeyId: 'LTAIdemoProvider0001',
  accessKeySecret: 'demo-provider-secret',
};
export const ROTATED_KEY: FcCredentials = {
  accessKeyId: 'STS.harnessRotated0002',
  accessKeySecret: 'harness-rotated-secret',
  securityToken: 'harness-rotated-token',
};
export const DEMO_POLICY = join(REPO_ROOT, 'policies/demo.yaml');

let built: Promise<BuildResult> | undefined;

/** Builds the bundle (demo policy) into a fresh temp directory, once per test process. */
export function buildBundleOnce(): Promise<BuildResult> {
  built ??= buildBundle({ outDir: mkdtempSync(join(tmpdir(), 'pla-bundle-')), policyFile: DEMO_POLICY, quiet: true });
  return built;
}

export interface FcInvocation {
  /** The raw event: an object is JSON-encoded, a string sent as is; FC hands it over as a Buffer. */
  event: unknown;
  requestId: string;
  /** context.function.timeout, seconds. */
  timeout: number;
  /** Handed out in turn, one per read of context.credentials. */
  credentials: FcCredentials[];
}

export interface FcInvocationResult {
  startedAt: number;
  endedAt: number;
  result: unknown;
  /** How many times the handler read context.credentials. */
  credentialReads: number;
}

export interface FcRun {
  results: FcInvocationResult[];
  stdout: string;
  stderr: string;
  /** stdout split into lines (the trailing empty one dropped). */
  lines: string[];
  exitCode: number | null;
}

/** The child: plain CommonJS, like FC's runtime loading `index.handler`. */
const RUNNER = `'use strict';
const fs = require('fs');
const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { handler } = require(spec.bundle);
(async () => {
  const results = [];
  for (const inv of spec.invocations) {
    let reads = 0;
    const context = {
      requestId: inv.requestId,
      get credentials() { const c = inv.credentials[reads % inv.credentials.length]; reads += 1; return c; },
      function: { name: 'privatelink-approver', handler: 'index.handler', memory: 256, timeout: inv.timeout },
      region: 'cn-hangzhou',
      accountId: '1000000000000001',
    };
    const event = typeof inv.event === 'string' ? inv.event : JSON.stringify(inv.event);
    const startedAt = Date.now();
    const result = await handler(Buffer.from(event), context);
    results.push({ startedAt, endedAt: Date.now(), result, credentialReads: reads });
  }
  fs.writeFileSync(spec.out, JSON.stringify(results));
})().catch((error) => { fs.writeSync(2, String((error && error.stack) || error) + '\\n'); process.exitCode = 1; });
`;

/**
 * Runs invocations of the bundle in `bundleDir` in one child process (one cold start, then warm calls,
 * as one FC instance would). `env` is the function's environment (s.yaml environmentVariables).
 * Asynchronous on purpose: the emulator answering the child lives in this process's event loop.
 */
export async function runInFc(
  bundleDir: string,
  env: Record<string, string>,
  invocations: FcInvocation[],
): Promise<FcRun> {
  const work = mkdtempSync(join(tmpdir(), 'pla-fc-run-'));
  try {
    const runner = join(work, 'runner.cjs');
    const specPath = join(work, 'spec.json');
    const out = join(work, 'results.json');
    writeFileSync(runner, RUNNER);
    writeFileSync(specPath, JSON.stringify({ bundle: join(bundleDir, 'index.js'), invocations, out }));
    const child = spawn(process.execPath, [runner, specPath], {
      cwd: bundleDir,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    let results: FcInvocationResult[] = [];
    try {
      results = JSON.parse(readFileSync(out, 'utf8')) as FcInvocationResult[];
    } catch {
      results = [];
    }
    const lines = stdout.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return { results, stdout, stderr, lines, exitCode };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A timer trigger event as FC sends it: the payload is a string. */
export function timerEvent(
  payload: unknown = '',
  triggerTime = '2026-11-25T08:00:00Z',
): { triggerTime: string; triggerName: string; payload: string } {
  return {
    triggerTime,
    triggerName: 'sweep-every-5-minutes',
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  };
}
