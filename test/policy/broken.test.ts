/**
 * The corpus of broken policies: every file in test/policy/broken/ starts with the diagnostics it must
 * produce, one per line, in order:
 *   # expect: LINE:COL PATH: MESSAGE (HINT)          an error
 *   # expect-warning: LINE:COL PATH: MESSAGE (HINT)  a warning
 * Line numbers count the header lines too (they are YAML comments, part of the file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicyText } from '../../functions/policy-file/load-policy-file.ts';
import type { Diagnostic } from '../../functions/policy/diagnostic.ts';

const DIR = join(import.meta.dirname, 'broken');
const NOW = new Date('2026-11-25T00:00:00Z');

function show(d: Diagnostic): string {
  return `${d.line}:${d.column} ${d.path === '' ? '' : `${d.path}: `}${d.message}${d.hint === undefined ? '' : ` (${d.hint})`}`;
}

function expectations(text: string, marker: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`# ${marker}: `))
    .map((line) => line.slice(`# ${marker}: `.length));
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

test('the corpus has at least 40 broken policies, each with an expected error', () => {
  assert.ok(files.length >= 40, `only ${files.length} files`);
  for (const file of files)
    assert.ok(expectations(readFileSync(join(DIR, file), 'utf8'), 'expect').length > 0, `${file} expects no error`);
});

for (const file of files) {
  test(`broken/${file}`, () => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const result = loadPolicyText(text, file, { now: NOW });
    assert.equal(result.ok, false, `${file} loaded without errors`);
    if (result.ok) return;
    assert.deepEqual(result.errors.map(show), expectations(text, 'expect'));
    assert.deepEqual(result.warnings.map(show), expectations(text, 'expect-warning'));
    for (const d of [...result.errors, ...result.warnings]) assert.equal(d.file, file);
  });
}
