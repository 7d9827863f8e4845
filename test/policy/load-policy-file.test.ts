/** loadPolicyFile: reading with a size limit, encodings, and where the revision's commit comes from. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyFile, policyHash } from '../../functions/policy-file/load-policy-file.ts';

const VALID =
  'version: 1\nmode: enforce\nservices:\n  - region: cn-hangzhou\n    serviceId: epsrv-bp1demoorders000001\n    unknownAccounts: reject\n';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'policy-file-'));
}

function withoutPolicyCommit<T>(run: () => Promise<T>): Promise<T> {
  const saved = process.env.POLICY_COMMIT;
  delete process.env.POLICY_COMMIT;
  return run().finally(() => {
    if (saved !== undefined) process.env.POLICY_COMMIT = saved;
  });
}

test('the commit is taken from options, then POLICY_COMMIT, then git, else undefined', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'p.yaml');
  writeFileSync(file, VALID);
  await withoutPolicyCommit(async () => {
    const outside = await loadPolicyFile(file);
    assert.ok(outside.ok);
    assert.equal(outside.policy.revision.commit, undefined, 'not a git checkout');
    assert.equal(outside.policy.revision.hash, policyHash(VALID));
    assert.equal(outside.policy.revision.file, file);

    const git = (...args: string[]): string =>
      execFileSync('git', args, {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@example.com',
        },
      }).trim();
    git('init', '-q');
    git('add', 'p.yaml');
    git('commit', '-q', '-m', 'policy');
    const head = git('rev-parse', 'HEAD');
    const inGit = await loadPolicyFile(file);
    assert.ok(inGit.ok);
    assert.equal(inGit.policy.revision.commit, head);

    process.env.POLICY_COMMIT = 'from-env';
    const fromEnv = await loadPolicyFile(file);
    assert.ok(fromEnv.ok);
    assert.equal(fromEnv.policy.revision.commit, 'from-env');

    const given = await loadPolicyFile(file, { commit: 'given' });
    assert.ok(given.ok);
    assert.equal(given.policy.revision.commit, 'given');

    // '' says "unknown, do not look it up" (validate, an override policy): the revision has no commit,
    // so records carry null rather than an empty string.
    const unknown = await loadPolicyFile(file, { commit: '' });
    assert.ok(unknown.ok);
    assert.equal(unknown.policy.revision.commit, undefined);
    delete process.env.POLICY_COMMIT;
  });
});

test('the git commit is stamped only on a file that commit holds: marked modified, or left out when untracked', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    }).trim();
  mkdirSync(join(dir, 'policies'));
  const file = join(dir, 'policies', 'p.yaml');
  writeFileSync(file, VALID);
  writeFileSync(join(dir, '.gitignore'), 'ignored.yaml\n');
  git('init', '-q');
  git('add', '.gitignore', 'policies/p.yaml');
  git('commit', '-q', '-m', 'policy');
  const head = git('rev-parse', 'HEAD');
  const commitOf = async (path: string): Promise<string | undefined> => {
    const result = await loadPolicyFile(path);
    assert.ok(result.ok, path);
    return result.policy.revision.commit;
  };
  await withoutPolicyCommit(async () => {
    assert.equal(await commitOf(file), head, 'clean: the commit');

    writeFileSync(file, `${VALID}# edited after the commit\n`);
    assert.equal(await commitOf(file), `${head}-modified`, 'changed in the working tree');
    git('add', 'policies/p.yaml');
    assert.equal(await commitOf(file), `${head}-modified`, 'changed and staged');
    git('commit', '-q', '-m', 'edit');
    assert.equal(await commitOf(file), git('rev-parse', 'HEAD'), 'committed again: clean');

    const untracked = join(dir, 'policies', 'new.yaml');
    writeFileSync(untracked, VALID);
    assert.equal(await commitOf(untracked), undefined, 'untracked: no commit holds it');
    const ignored = join(dir, 'policies', 'ignored.yaml');
    writeFileSync(ignored, VALID);
    assert.equal(await commitOf(ignored), undefined, 'ignored: no commit holds it');
  });
});

test('files over 1 MiB are refused without being read; missing files, directories and bad UTF-8 are errors', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'big.yaml'), `${VALID}#${'x'.repeat(1024 * 1024)}\n`);
  writeFileSync(join(dir, 'latin1.yaml'), Buffer.concat([Buffer.from(VALID), Buffer.from([0x23, 0x20, 0xe9, 0x0a])]));
  const cases: [string, string][] = [
    [
      'big.yaml',
      `the file is ${Buffer.byteLength(VALID) + 1024 * 1024 + 2} bytes; a policy may be at most 1048576 bytes (1 MiB)`,
    ],
    ['missing.yaml', 'no such file'],
    ['.', 'is a directory, not a policy file'],
    ['latin1.yaml', 'the file is not valid UTF-8 text'],
  ];
  for (const [name, message] of cases) {
    const result = await loadPolicyFile(join(dir, name), { commit: 'x' });
    assert.equal(result.ok, false, name);
    assert.deepEqual(result.ok ? [] : result.errors, [
      { severity: 'error', file: join(dir, name), line: 1, column: 1, path: '', message },
    ]);
  }
});

test('a UTF-8 byte order mark is accepted and hashed as written', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID)]);
  writeFileSync(join(dir, 'bom.yaml'), bytes);
  const result = await loadPolicyFile(join(dir, 'bom.yaml'), { commit: 'x' });
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.policy.revision.hash, policyHash(bytes));
});

test('a pipe or device is refused before reading (a FIFO would block the read forever)', async () => {
  const result = await loadPolicyFile('/dev/null', { commit: 'x' });
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? [] : result.errors.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`), [
    '/dev/null:1:1 is not a regular file (a pipe, socket or device), not a policy file',
  ]);
});
