/**
 * Docs and examples cannot drift from the validator: every example policy and policies/demo.yaml load
 * without errors or warnings, and every ```yaml block in README.md and policies/README.md is a valid
 * policy, unless its first line is `# fragment` (then its keys must be allowed where they stand, and
 * placed into a minimal policy it must load without errors) or `# not-a-policy` (other YAML, e.g. a CI workflow: well-formed only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { formatDiagnostic } from '../../functions/policy/diagnostic.ts';
import { loadPolicyFile, loadPolicyText } from '../../functions/policy-file/load-policy-file.ts';
import { schemaAt } from '../../functions/policy/schema-diagnostics.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const NOW = new Date('2026-11-25T00:00:00Z');

const policyFiles = [
  'policies/demo.yaml',
  'policies/policy.yaml',
  ...readdirSync(join(ROOT, 'policies', 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `policies/examples/${f}`),
];

test('there are at least three example policies', () => {
  assert.ok(policyFiles.length >= 5, policyFiles.join(', '));
});

for (const file of policyFiles) {
  test(`${file} is valid, without warnings, and declares its schema`, async () => {
    const result = await loadPolicyFile(join(ROOT, file), { commit: 'test', now: NOW });
    const shown = [...(result.ok ? [] : result.errors), ...result.warnings].map(formatDiagnostic);
    assert.equal(result.ok, true, shown.join('\n'));
    assert.deepEqual(shown, []);
    const schemaRef = file.startsWith('policies/examples/') ? '../schema.json' : './schema.json';
    assert.equal(readFileSync(join(ROOT, file), 'utf8').split('\n')[0], `# yaml-language-server: $schema=${schemaRef}`);
  });
}

/** The ```yaml blocks of a Markdown file, with the line each starts on. */
function yamlBlocks(markdown: string): { line: number; text: string }[] {
  const blocks: { line: number; text: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== '```yaml') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== '```') end++;
    blocks.push({ line: start + 1, text: `${lines.slice(start, end).join('\n')}\n` });
    i = end;
  }
  return blocks;
}

/** Every key in a fragment must be one the schema allows where it stands (fragments start at the top level or in a rule). */
function unknownKeys(value: unknown, path: (string | number)[]): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownKeys(item, [...path, i]));
  return Object.entries(value).flatMap(([key, child]) =>
    schemaAt([...path, key]) === undefined ? [`${path.join('.')}.${key}`] : unknownKeys(child, [...path, key]),
  );
}

for (const doc of ['README.md', 'policies/README.md']) {
  const blocks = yamlBlocks(readFileSync(join(ROOT, doc), 'utf8'));
  test(`${doc} has yaml blocks`, () => assert.ok(blocks.length > 0));
  for (const block of blocks) {
    test(`${doc}:${block.line} yaml block`, () => {
      if (block.text.startsWith('# not-a-policy')) {
        // Other YAML (a CI workflow): only well-formedness is checked.
        assert.deepEqual(
          parseDocument(block.text).errors.map((e) => e.message),
          [],
        );
        return;
      }
      if (block.text.startsWith('# fragment')) {
        const parsed = parseDocument(block.text);
        assert.deepEqual(
          parsed.errors.map((e) => e.message),
          [],
        );
        const data = parsed.toJS() as Record<string, unknown>;
        // `allow:` fragments sit inside a service rule; everything else at the top level.
        const base = Object.keys(data).length === 1 && 'allow' in data ? ['services', 0] : [];
        assert.deepEqual(unknownKeys(data, base), []);
        // And its values are valid: placed into a minimal policy, it loads without errors.
        const group = (account: string) => ({ accounts: [{ account }] });
        const policy: Record<string, unknown> = {
          version: 1,
          mode: 'enforce',
          defaults: { unknownAccounts: 'reject' },
          services: [{ region: 'cn-hangzhou', serviceId: 'epsrv-docs1', ...(base.length > 0 ? data : {}) }],
          ...(base.length > 0 ? {} : data),
        };
        policy.groups = {
          customers: group('1000000000000001'),
          gold: group('1000000000000002'),
          ...(policy.groups as object | undefined),
        };
        const result = loadPolicyText(stringify(policy), `${doc}:${block.line}`, { now: NOW });
        assert.deepEqual(result.ok ? [] : result.errors.map(formatDiagnostic), []);
        return;
      }
      const result = loadPolicyText(block.text, `${doc}:${block.line}`, { now: NOW });
      const shown = [...(result.ok ? [] : result.errors), ...result.warnings].map(formatDiagnostic);
      assert.equal(result.ok, true, shown.join('\n'));
      assert.deepEqual(shown, []);
    });
  }
}
