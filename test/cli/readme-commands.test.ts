/**
 * Every `sh` block of README.md runs as written (issue 12): each is marked `<!-- readme-test: run -->`,
 * `keep-running` (started in the background, like a first terminal) or `skip (why)`; only the Deploy
 * section (a cloud account) is exempt. A command's expected exit code is its `# exit N` comment, else 0.
 * Two substitutions, so parallel test runs cannot collide on a port: the demo's 8931 and the emulator
 * block's 8080 become free ports (`--port 0` is added to the keep-running command).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';

interface Block {
  marker: string | undefined;
  section: string;
  code: string;
}

function readmeBlocks(): Block[] {
  const readme = readFileSync('README.md', 'utf8');
  const blocks: Block[] = [];
  for (const m of readme.matchAll(/(?:<!-- readme-test: ([^>]*?) -->\n)?```sh\n([\s\S]*?)```/g)) {
    const before = readme.slice(0, m.index);
    const section = [...before.matchAll(/^## (.*)$/gm)].at(-1)?.[1] ?? '';
    blocks.push({ marker: m[1], section, code: m[2] ?? '' });
  }
  return blocks;
}

/** Environment without the developer's cloud credentials or endpoint. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(env))
    if (key.startsWith('ALIBABA_CLOUD_') || key === 'PRIVATELINK_ENDPOINT') delete env[key];
  return env;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Each command line followed by a report of its exit code and expected one (from `# exit N`). */
function instrument(code: string): string {
  const lines = code.trimEnd().split('\n');
  return [
    'set -o pipefail',
    ...lines.map((raw, i) => {
      const expected = /#\s*exit (\d+)/.exec(raw)?.[1] ?? '0';
      const line = raw.replace(/\s{2,}#.*$/, '').trimEnd();
      if (line === '' || line.startsWith('#') || line.endsWith('&')) return line;
      return `${line}; echo "__rc=$? expected=${expected} line=${i + 1}" >&2`;
    }),
  ].join('\n');
}

/** Runs a script in its own process group; after bash exits, anything it left running is stopped. */
async function runScript(script: string, env: NodeJS.ProcessEnv): Promise<{ out: string; err: string }> {
  const child = spawn('bash', ['-c', script], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => killGroup(child), 120_000);
  await new Promise<void>((done) => child.once('exit', () => done()));
  clearTimeout(timer);
  killGroup(child);
  return { out, err };
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

function assertExitCodes(err: string, out: string, what: string): void {
  const reports = [...err.matchAll(/^__rc=(\d+) expected=(\d+) line=(\d+)$/gm)];
  assert.ok(reports.length > 0, `${what}: no command ran\n${err}`);
  for (const [, rc, expected, line] of reports) {
    assert.equal(rc, expected, `${what}, line ${line}: exit ${rc}, expected ${expected}\n${out}\n${err}`);
  }
  assert.doesNotMatch(err, /internal error/, what);
}

/** Starts the keep-running block (a first terminal) on a free port; resolves with its URL. */
async function startKeepRunning(code: string, env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn('bash', ['-c', `${code.trim()} --port 0`], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "keeps running" line in 90 s\n${out}\n${err}`)), 90_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /keeps running on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1] !== undefined && out.includes('npx privatelink-approver plan')) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (c) => reject(new Error(`the demo ended (${c}) before keeping running\n${out}\n${err}`)));
  });
  assert.match(out, /Converged: the second run changed nothing/);
  assert.match(out, /New requests have arrived:\n {2}ep-\S+ {2}acme asks for search-api/);
  return { url, child };
}

const hasTools = ['curl', 'jq'].every((tool) => spawnSync('bash', ['-c', `command -v ${tool}`]).status === 0);

test('every README sh block outside Deploy is marked: run, keep-running, or skip with a reason', () => {
  for (const block of readmeBlocks()) {
    if (block.section === 'Deploy') continue;
    assert.match(block.marker ?? '', /^(run|keep-running|skip \(.+\))$/, `unmarked block in ${block.section}`);
  }
});

test('README blocks run as written against the emulator', { skip: !hasTools && 'needs curl and jq' }, async () => {
  const env = cleanEnv();
  const blocks = readmeBlocks().filter((b) => b.section !== 'Deploy');
  const keep = blocks.find((b) => b.marker === 'keep-running');
  assert.ok(keep !== undefined, 'the walkthrough has a keep-running block');
  const demo = await startKeepRunning(keep.code, env);
  try {
    for (const block of blocks.filter((b) => b.marker === 'run')) {
      const port = await freePort();
      const script = block.code
        .replaceAll('http://127.0.0.1:8931', demo.url)
        .replaceAll(':8080', `:${port}`)
        .replaceAll('--port 8080', `--port ${port}`);
      const { out, err } = await runScript(instrument(script), env);
      assertExitCodes(err, out, `README block in ${block.section}`);
      if (block.code.includes('plan --policy')) {
        assert.match(out, /^ {2}ACCEPT\s+ep-\S+\s+acme \(2000000000000001\)/m, 'the new request from acme');
        assert.match(out, /^ {2}REJECT\s+ep-\S+\s+2000000000000003/m, 'the new request from initech');
        assert.match(err, /--region eu-west-1: not governed by the policy, which governs cn-hangzhou, cn-shanghai/);
        assert.match(out, /^accept\tep-\S+\tacme$/m, 'plan --format json parses (no banner before it)');
        const diff = /```diff\n([\s\S]*?)```/.exec(readFileSync('README.md', 'utf8'))?.[1] ?? '';
        // The request's time is the emulator's clock: the one part that differs from run to run.
        const time = (text: string): string => text.replace(/requested [0-9-]+T[0-9:.]+Z/g, 'requested TIME');
        assert.ok(
          diff !== '' && time(out).includes(time(diff)),
          `README's propose example is what propose prints:\n${out}`,
        );
      }
      if (block.code.includes('emulator --port')) assert.match(out, /^4$/m);
    }
  } finally {
    killGroup(demo.child);
    rmSync('.tmp/plan.json', { force: true });
    rmSync('.tmp/records.jsonl', { force: true });
  }
});
