/**
 * `validate` is linear (issue 10): for every hostile shape of test/policy/hostile-policies.ts, four times
 * the input takes at most eight times as long (linear: 4, quadratic: 16; the margin absorbs a busy
 * machine), and the largest policy a file may
 * be (1 MiB) of each shape is refused or accepted with a bounded list of findings. Absolute figures are
 * for `npm run bench -- policy`, not for a test on a shared machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { loadPolicyText } from '../../functions/policy-file/load-policy-file.ts';
import { MAX_DIAGNOSTICS } from '../../functions/policy/diagnostic.ts';
import { MAX_POLICY_BYTES } from '../../functions/policy/policy-document.ts';
import { HOSTILE_SHAPES } from './hostile-policies.ts';

const NOW = new Date('2026-11-25T00:00:00Z');
const SMALL = 48 * 1024;

function timeOf(text: string): number {
  const start = performance.now();
  loadPolicyText(text, 'hostile.yaml', { now: NOW });
  return performance.now() - start;
}

/** The faster of two runs: a busy machine only ever adds time. */
const best = (text: string): number => Math.min(timeOf(text), timeOf(text));

test('every hostile shape: four times the policy takes at most eight times as long to validate (quadratic: 16)', () => {
  for (const shape of HOSTILE_SHAPES) timeOf(shape.generate(16 * 1024)); // warm up the JIT
  for (const shape of HOSTILE_SHAPES) {
    const small = shape.generate(SMALL);
    const large = shape.generate(4 * SMALL);
    // 5 ms of slack: tiny figures (a nesting refused before parsing) are all noise.
    let ratio = (best(large) + 5) / (best(small) + 5);
    if (ratio > 8) ratio = (best(large) + 5) / (best(small) + 5); // one retry: another process may have run
    assert.ok(ratio <= 8, `${shape.name}: four times the policy took ${ratio.toFixed(1)}x the time`);
  }
});

test('a 1 MiB policy of every hostile shape gets a bounded list of findings', () => {
  for (const shape of HOSTILE_SHAPES) {
    const text = shape.generate(MAX_POLICY_BYTES - 1024);
    const result = loadPolicyText(text, 'hostile.yaml', { now: NOW });
    const errors = result.ok ? [] : result.errors;
    assert.ok(errors.length <= MAX_DIAGNOSTICS + 1, `${shape.name}: ${errors.length} errors`);
    assert.ok(result.warnings.length <= MAX_DIAGNOSTICS + 1, `${shape.name}: ${result.warnings.length} warnings`);
    if (errors.length > MAX_DIAGNOSTICS)
      assert.ok(errors.some((d) => /more errors from here on/.test(d.message), shape.name));
  }
});

test('flow collections nested past the limit are refused before parsing; brackets in text are not nesting', () => {
  const head = 'version: 1\nmode: enforce\ndefaults:\n  unknownAccounts: reject\n';
  const rule = 'services:\n  - region: cn-hangzhou\n    serviceId: epsrv-bp1demoorders000001\n';
  const brackets = '['.repeat(300);
  // Quoted, commented and mid-word brackets open nothing: this policy is valid.
  const valid =
    `${head}${rule}    name: a${brackets} # ${brackets}\n` +
    `    allow: [{account: "2000000000000001", name: "${brackets}"}, {account: '2000000000000002', name: '${brackets}'}]\n`;
  const ok = loadPolicyText(valid, 'p.yaml', { now: NOW });
  assert.equal(ok.ok, true, ok.ok ? '' : JSON.stringify(ok.errors));
  const deep = loadPolicyText(`${head}${rule}    allow: ${brackets}\n`, 'p.yaml', { now: NOW });
  assert.equal(deep.ok, false);
  if (!deep.ok)
    assert.deepEqual(
      deep.errors.map((d) => [d.line, d.column, d.message.split(' (')[0]]),
      [[8, 1, 'the YAML nests too deeply to be read']],
    );
});
