/**
 * The committed standalone validator is exactly what `npm run generate` produces from
 * policies/schema.json, is plain ESM (no require), and bundles with esbuild into a loader that works
 * without tsx or schema compilation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  appendErrorsInPlace,
  generatePolicyValidator,
  VALIDATOR_DTS,
  VALIDATOR_JS,
} from '../../scripts/generate-policy-validator.ts';
import { validate } from '../../functions/policy/generated/validate-policy-schema.js';

const ROOT = join(import.meta.dirname, '..', '..');

test('regenerating the validator from the schema gives byte-identical files', () => {
  const { js, dts } = generatePolicyValidator();
  assert.equal(readFileSync(VALIDATOR_JS, 'utf8'), js, 'stale: run `npm run generate` and commit the result');
  assert.equal(readFileSync(VALIDATOR_DTS, 'utf8'), dts);
});

test('the generated validator is ESM without require()', () => {
  const js = readFileSync(VALIDATOR_JS, 'utf8');
  assert.doesNotMatch(js, /\brequire\(/);
  assert.match(js, /^export const validate = /m);
});

test('the generated validator appends errors in place (linear), never re-copying the list with concat', () => {
  const js = readFileSync(VALIDATOR_JS, 'utf8');
  assert.doesNotMatch(js, /\.concat\(/);
  assert.match(
    js,
    /if \(vErrors === null\) vErrors = validate\d+\.errors; else for \(const e of validate\d+\.errors\) vErrors\.push\(e\);/,
  );
  assert.equal(
    appendErrorsInPlace('vErrors = vErrors === null ? validate19.errors : vErrors.concat(validate19.errors);'),
    'if (vErrors === null) vErrors = validate19.errors; else for (const e of validate19.errors) vErrors.push(e);',
  );
  assert.throws(() => appendErrorsInPlace('vErrors = vErrors.concat(other.errors);'), /still concatenates/);
  // Every error of many broken items still arrives, in order.
  const rules = Array.from({ length: 300 }, (_, i) => ({ region: `x${i}` }));
  assert.equal(validate({ version: 1, mode: 'enforce', services: rules }), false);
  const paths = (validate.errors ?? []).filter((e) => e.keyword === 'pattern').map((e) => e.instancePath);
  assert.deepEqual(
    paths,
    rules.map((_, i) => `/services/${i}/region`),
  );
});

test('the generated validator imports under plain node (no tsx) as an ES module', () => {
  const script = `const m = await import(${JSON.stringify(VALIDATOR_JS)}); console.log(JSON.stringify([m.validate({ version: 1 }), m.validate.errors.map((e) => e.keyword)]));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), [false, ['required', 'required']]);
});

test('the loader bundles with esbuild and loads the demo policy in plain node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-bundle-'));
  try {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { loadPolicyFile } from ${JSON.stringify(join(ROOT, 'functions/policy-file/load-policy-file.ts'))};
void loadPolicyFile(process.argv[2] ?? '', { commit: 'bundle' }).then((result) => {
  console.log(JSON.stringify(result.ok ? { ok: true, services: result.policy.services.length, hash: result.policy.revision.hash } : { ok: false }));
});
`,
    );
    // The same shape as scripts/build.ts builds the function: one CommonJS file for node20.
    const outfile = join(dir, 'bundle.cjs');
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      logLevel: 'silent',
    });
    const bundle = readFileSync(outfile, 'utf8');
    assert.doesNotMatch(bundle, /new Ajv|ajv\.compile/, 'the bundle must not compile schemas');
    const out = execFileSync(process.execPath, [outfile, join(ROOT, 'policies', 'demo.yaml')], { encoding: 'utf8' });
    const parsed = JSON.parse(out) as { ok: boolean; services: number; hash: string };
    assert.equal(parsed.ok, true);
    assert.equal(parsed.services, 4);
    assert.match(parsed.hash, /^sha256:[0-9a-f]{16}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
