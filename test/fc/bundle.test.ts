/**
 * What is inside the function bundle (esbuild's metafile): pop-core's RPC client module but never the
 * package root, the standalone policy validator but no ajv compiler, no @alicloud/fc2, no emulator code;
 * and what lies beside it: the policy, a CommonJS marker, the commit stamp.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, forbiddenInputs } from '../../scripts/build.ts';
import type { BuildResult } from '../../scripts/build.ts';
import { buildBundleOnce, DEMO_POLICY } from './fc-harness.ts';

describe('the function bundle', () => {
  let bundle: BuildResult;
  let inputs: string[];
  before(async () => {
    bundle = await buildBundleOnce();
    inputs = Object.keys(bundle.metafile.inputs);
  });

  it("contains the handler, the sweep and pop-core's RPC client module only", () => {
    // A package path may sit behind a symlinked node_modules (a git worktree): match it by its end.
    const has = (path: string): boolean => inputs.some((p) => p === path || p.endsWith(`/${path}`));
    assert.ok(inputs.includes('functions/handler.ts'));
    assert.ok(inputs.includes('functions/sweep/run-sweep.ts'));
    assert.ok(has('node_modules/@alicloud/pop-core/lib/rpc.js'), 'pop-core RPC client');
    assert.equal(has('node_modules/@alicloud/pop-core/index.js'), false, 'pop-core package root');
    assert.equal(has('node_modules/@alicloud/pop-core/lib/roa.js'), false, 'pop-core ROA client');
  });

  it('has no @alicloud/fc2, no emulator code, no ajv compiler, no credential chain library', () => {
    assert.deepEqual(
      inputs.filter((p) => p.includes('@alicloud/fc2')),
      [],
    );
    assert.deepEqual(
      inputs.filter((p) => p.startsWith('emulator/')),
      [],
    );
    assert.deepEqual(
      inputs.filter((p) => /node_modules\/ajv\/dist\/(core|ajv)\.js$|node_modules\/ajv\/dist\/compile\//.test(p)),
      [],
    );
    assert.deepEqual(
      inputs.filter((p) => p.includes('node_modules/@alicloud/credentials/') || p.includes('@alicloud/tea')),
      [],
    );
    assert.deepEqual(forbiddenInputs(bundle.metafile), []);
  });

  it('refuses to build without a policy to bundle, naming the fix', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pla-nobuild-'));
    try {
      await assert.rejects(
        buildBundle({ outDir: out, policyFile: join(out, 'policies/policy.yaml'), quiet: true }),
        (error: Error) => {
          assert.match(
            error.message,
            /^no policy to bundle: .*policies\/policy\.yaml does not exist \(create it, or pass --policy FILE, e\.g\. --policy policies\/demo\.yaml\)$/,
          );
          return true;
        },
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('the guard names a forbidden input', () => {
    const fake = {
      inputs: {
        'node_modules/@alicloud/fc2/lib/client.js': { bytes: 1, imports: [] },
        'emulator/start-emulator.ts': { bytes: 1, imports: [] },
        'node_modules/json-bigint/index.js': { bytes: 1, imports: [] },
        'node_modules/@alicloud/pop-core/node_modules/json-bigint/index.js': { bytes: 1, imports: [] },
      },
      outputs: {},
    };
    assert.deepEqual(forbiddenInputs(fake), [
      'node_modules/@alicloud/fc2/lib/client.js: @alicloud/fc2 is for the invoke command only',
      'emulator/start-emulator.ts: emulator code does not belong in the function',
      'node_modules/@alicloud/pop-core/node_modules/json-bigint/index.js: a second json-bigint: pop-core would ' +
        "parse with it, not with the client's (functions/client/answer-json.ts)",
    ]);
  });

  it('is one CommonJS file with the policy beside it and the commit stamped', () => {
    assert.deepEqual(JSON.parse(readFileSync(join(bundle.outDir, 'package.json'), 'utf8')), {
      type: 'commonjs',
      private: true,
    });
    assert.equal(readFileSync(join(bundle.outDir, 'policies/policy.yaml'), 'utf8'), readFileSync(DEMO_POLICY, 'utf8'));
    const code = readFileSync(bundle.bundlePath, 'utf8');
    assert.ok(bundle.commit !== undefined && /^[0-9a-f]{40}(-dirty)?$/.test(bundle.commit), String(bundle.commit));
    assert.ok(code.includes(JSON.stringify(bundle.commit)), 'commit stamped into the bundle');
    assert.ok(bundle.bundleBytes > 10_000);
    console.log(`# bundle ${(bundle.bundleBytes / 1024).toFixed(1)} KB`);
  });
});
