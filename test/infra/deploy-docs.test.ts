/**
 * docs/deploy.md and the infra READMEs stay in step with the repository: every relative link points at a
 * file that exists, the steps from zero are a numbered list that says what each step creates, and the
 * README's Deploy section stays short and points to docs/deploy.md.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../scripts/build.ts';

const DOCS = ['docs/deploy.md', 'infra/terraform/README.md', 'infra/pipeline/README.md', 'infra/sls/alerts.md'];
const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

describe('deploy documentation', () => {
  for (const doc of DOCS) {
    it(`${doc}: every relative link resolves`, () => {
      const links = [...read(doc).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]!);
      const local = links.filter((l) => !/^[a-z]+:/.test(l));
      assert.ok(local.length > 0);
      const missing = local.filter((l) => !existsSync(join(REPO_ROOT, dirname(doc), l)));
      assert.deepEqual(missing, []);
    });
  }

  it('docs/deploy.md: the steps from zero are numbered, and each says what it creates', () => {
    const text = read('docs/deploy.md');
    const section = text.slice(text.indexOf('## From zero'), text.indexOf('\n## ', text.indexOf('## From zero') + 1));
    const steps = section.split(/\n(?=\d+\. )/).filter((s) => /^\d+\. /.test(s));
    assert.ok(steps.length >= 8, `${steps.length} steps`);
    steps.forEach((step, i) =>
      assert.ok(step.startsWith(`${i + 1}. `), `step ${i + 1} is numbered ${step.slice(0, 4)}`),
    );
    for (const step of steps.slice(0, -1)) assert.match(step, /\*Creates[: ]/, step.slice(0, 60));
    assert.match(text, /## What was verified offline, and what was not/);
    assert.match(text, /## Who writes the logs/);
  });

  it("the README's Deploy section is short and points to docs/deploy.md", () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Deploy\n'), readme.indexOf('<!-- /section: deploy -->'));
    assert.match(section, /\(docs\/deploy\.md\)/);
    assert.ok(section.split('\n').length <= 30, `${section.split('\n').length} lines`);
  });
});
