/** `privatelink-approver validate` in real temporary directories: exit codes, formats, discovery, colour. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../cli/command.ts';
import { render, validateCommand } from '../../cli/commands/validate.ts';

const VALID =
  'version: 1\nmode: enforce\nservices:\n  - region: cn-hangzhou\n    serviceId: epsrv-bp1demoorders000001\n    unknownAccounts: reject\n    allow:\n      - account: "2000000000000001"\n';
const WARNS = VALID.replace('"2000000000000001"', '"12345"');
const INVALID = VALID.replace('    unknownAccounts: reject\n', '').replace(
  'mode: enforce',
  'mode: enforce\nmods: dry-run',
);

function run(
  argv: string[],
  cwd: string,
  options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; out: string; err: string }> {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const io: CliIO = { stdout, stderr, stdin: new PassThrough(), env: options.env ?? {}, cwd };
  return validateCommand.run(argv, io).then((code) => ({ code, out, err }));
}

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'validate-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('valid files exit 0; warnings are printed', async (t) => {
  const dir = workspace({ 'policies/a.yaml': VALID, 'policies/b.yml': WARNS });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { code, out } = await run([], dir);
  assert.equal(code, 0);
  assert.equal(
    out,
    [
      'policies/b.yml:8:18 services[0].allow[0].account: warning: account ID "12345" has 5 digits; Alibaba Cloud account IDs have 16 (check it against the customer\'s account)',
      '2 files checked: 2 valid, 0 invalid (0 errors, 1 warning)',
      '',
    ].join('\n'),
  );
});

test('an invalid file exits 65 and prints every error with its position', async (t) => {
  const dir = workspace({ 'p.yaml': INVALID });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { code, out } = await run(['p.yaml'], dir);
  assert.equal(code, 65);
  assert.equal(
    out,
    [
      'p.yaml:3:1 mods: unknown key "mods" (did you mean "mode"?)',
      '1 file checked: 0 valid, 1 invalid (1 error, 0 warnings)',
      '',
    ].join('\n'),
  );
  // Structure errors stop before meaning: once the unknown key is fixed, the missing unknownAccounts shows.
  writeFileSync(join(dir, 'p.yaml'), INVALID.replace('mods: dry-run\n', ''));
  const second = await run(['p.yaml'], dir);
  assert.equal(second.code, 65);
  assert.match(second.out, /^p\.yaml:4:5 services\[0\]: unknownAccounts is not set/);
});

test('directories are searched recursively for *.yaml and *.yml; other files and hidden entries are skipped', async (t) => {
  const dir = workspace({
    'pol/a.yaml': VALID,
    'pol/sub/b.yml': VALID,
    'pol/schema.json': '{}',
    'pol/README.md': '# x',
    'pol/.hidden/c.yaml': 'broken: [',
    'pol/node_modules/d.yaml': 'broken: [',
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { code, out } = await run(['pol', '--format', 'json'], dir);
  assert.equal(code, 0);
  const report = JSON.parse(out) as { valid: boolean; files: { file: string; ok: boolean }[] };
  assert.equal(report.valid, true);
  assert.deepEqual(
    report.files.map((f) => f.file),
    ['pol/a.yaml', 'pol/sub/b.yml'],
  );
});

test('a linked *.yaml is checked as its target, a dangling link is an error, a linked directory is not followed', async (t) => {
  const dir = workspace({ 'shared/real.yaml': INVALID, 'pol/a.yaml': VALID });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(join(dir, 'shared', 'real.yaml'), join(dir, 'pol', 'linked.yaml'));
  symlinkSync(join(dir, 'shared', 'gone.yaml'), join(dir, 'pol', 'dangling.yaml'));
  symlinkSync(join(dir, 'pol'), join(dir, 'pol', 'loop'));
  const { code, out } = await run(['pol'], dir);
  assert.equal(code, 65);
  assert.equal(
    out,
    [
      'pol/dangling.yaml:1:1 no such file',
      'pol/linked.yaml:3:1 mods: unknown key "mods" (did you mean "mode"?)',
      '3 files checked: 1 valid, 2 invalid (2 errors, 0 warnings)',
      '',
    ].join('\n'),
  );
});

test('--format json carries every diagnostic as data', async (t) => {
  const dir = workspace({ 'p.yaml': INVALID });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { code, out } = await run(['--format=json', 'p.yaml'], dir);
  assert.equal(code, 65);
  assert.deepEqual(JSON.parse(out), {
    valid: false,
    errorCount: 1,
    warningCount: 0,
    files: [
      {
        file: 'p.yaml',
        ok: false,
        errors: [
          {
            severity: 'error',
            file: 'p.yaml',
            line: 3,
            column: 1,
            path: 'mods',
            message: 'unknown key "mods"',
            hint: 'did you mean "mode"?',
          },
        ],
        warnings: [],
      },
    ],
  });
});

test('--format github prints escaped workflow commands', async (t) => {
  const dir = workspace({ 'p.yaml': INVALID, 'w.yaml': WARNS });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { code, out } = await run(['--format', 'github', 'p.yaml', 'w.yaml'], dir);
  assert.equal(code, 65);
  assert.equal(
    out,
    [
      '::error file=p.yaml,line=3,col=1,title=mods::unknown key "mods" (did you mean "mode"?)',
      '::warning file=w.yaml,line=8,col=18,title=services[0].allow[0].account::account ID "12345" has 5 digits; Alibaba Cloud account IDs have 16 (check it against the customer\'s account)',
      '',
    ].join('\n'),
  );
});

test('colours only on a TTY, and never with NO_COLOR', async (t) => {
  const dir = workspace({ 'p.yaml': INVALID });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ESC = '\u001b[';
  assert.ok(!(await run(['p.yaml'], dir)).out.includes(ESC));
  assert.ok((await run(['p.yaml'], dir, { tty: true })).out.startsWith(`${ESC}31mp.yaml:3:1`));
  assert.ok(!(await run(['p.yaml'], dir, { tty: true, env: { NO_COLOR: '1' } })).out.includes(ESC));
});

test('--quiet prints errors only', async (t) => {
  const dir = workspace({ 'w.yaml': WARNS });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { code, out } = await run(['--quiet', 'w.yaml'], dir);
  assert.equal(code, 0);
  assert.equal(out, '1 file checked: 1 valid, 0 invalid (0 errors, 0 warnings)\n');
});

test('bad usage exits 64 with a message on stderr', async (t) => {
  const dir = workspace({ 'empty/readme.txt': 'x' });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [argv, message] of [
    [['--frobnicate'], /unknown option --frobnicate/],
    [['--format', 'xml'], /--format must be text, json or github, not "xml"/],
    [['--format'], /--format must be text, json or github$/m],
    [['missing.yaml'], /missing\.yaml: no such file or directory/],
    [['empty'], /empty: no \*\.yaml or \*\.yml files found/],
    [[], /policies: no such file or directory/],
  ] as const) {
    const { code, out, err } = await run([...argv], dir);
    assert.equal(code, 64, argv.join(' '));
    assert.equal(out, '');
    assert.match(err, message);
  }
});

test('the repository policies validate with the default arguments', async () => {
  const { code, out } = await run([], join(import.meta.dirname, '..', '..'));
  assert.equal(code, 0, out);
  assert.match(out, /5 files checked: 5 valid, 0 invalid \(0 errors, 0 warnings\)\n$/);
  // The demo, the three examples and the deployed skeleton (policies/policy.yaml), each without a warning.
  const json = await run(['--format', 'json'], join(import.meta.dirname, '..', '..'));
  assert.equal(json.code, 0, json.out);
  const report = JSON.parse(json.out) as {
    files: Array<{ file: string; ok: boolean; errors: unknown[]; warnings: unknown[] }>;
  };
  assert.deepEqual(
    report.files.map((f) => [f.file, f.ok, f.errors.length, f.warnings.length]),
    [
      ['policies/demo.yaml', true, 0, 0],
      ['policies/examples/locked-down.yaml', true, 0, 0],
      ['policies/examples/many-customers.yaml', true, 0, 0],
      ['policies/examples/small-saas.yaml', true, 0, 0],
      ['policies/policy.yaml', true, 0, 0],
    ],
  );
});

test('--help documents the formats and exit codes', () => {
  assert.match(validateCommand.help, /--format FORMAT/);
  assert.match(validateCommand.help, /github/);
  // The exit-code table lists codes in ascending order (cli/help.ts).
  assert.match(validateCommand.help, /^ {2}0 +every file is valid/m);
  assert.match(validateCommand.help, /^ {2}64 +bad usage/m);
  assert.match(validateCommand.help, /^ {2}65 +some file has errors/m);
});

test('github workflow commands escape %, newlines, and : and , in properties', () => {
  const out = render(
    [
      {
        file: 'a,b:c.yaml',
        ok: false,
        errors: [
          {
            severity: 'error',
            file: 'a,b:c.yaml',
            line: 1,
            column: 2,
            path: 'groups["x:y"]',
            message: '100% wrong\nsecond line',
          },
        ],
        warnings: [],
      },
    ],
    'github',
    false,
  );
  assert.equal(out, '::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=groups["x%3Ay"]::100%25 wrong%0Asecond line\n');
});
