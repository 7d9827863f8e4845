/**
 * The GitHub Actions template (infra/pipeline/github-actions.yml): a pull request validates and plans
 * with read-only credentials only; a merge builds, deploys, then invokes - in that order.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { REPO_ROOT } from '../../scripts/build.ts';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
interface Job {
  if: string;
  steps: Step[];
}

const doc = parseDocument(readFileSync(join(REPO_ROOT, 'infra/pipeline/github-actions.yml'), 'utf8'));
const workflow = doc.toJS() as { on: Record<string, unknown>; jobs: { plan: Job; deploy: Job } };
const runs = (job: Job): string => job.steps.map((s) => s.run ?? '').join('\n');
const secrets = (job: Job): string[] =>
  [...JSON.stringify(job.steps).matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1] as string);

describe('infra/pipeline/github-actions.yml', () => {
  it('parses', () => assert.deepEqual(doc.errors, []));

  it('on a pull request: validate --format github, then plan (markdown and json) with read-only credentials, published', () => {
    const plan = workflow.jobs.plan;
    assert.match(plan.if, /pull_request/);
    const text = runs(plan);
    assert.match(text, /privatelink-approver validate "\$POLICY" --format github/);
    assert.match(text, /privatelink-approver plan --policy "\$POLICY" --format markdown/);
    assert.match(text, /privatelink-approver plan --policy "\$POLICY" --format json/);
    assert.match(text, /gh pr comment/);
    assert.deepEqual([...new Set(secrets(plan))].sort(), ['PLAN_ACCESS_KEY_ID', 'PLAN_ACCESS_KEY_SECRET']);
  });

  it('on merge to main: build, s deploy, then invoke', () => {
    const deploy = workflow.jobs.deploy;
    assert.match(deploy.if, /refs\/heads\/main/);
    const text = runs(deploy);
    const order = ['npm run build', 's deploy -y', 'privatelink-approver invoke'].map((s) => text.indexOf(s));
    assert.ok(
      order.every((i) => i >= 0),
      text,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
    // What is deployed is what was validated: the same file, named by the same variable.
    assert.match(text, /privatelink-approver validate "\$POLICY"/);
    assert.match(text, /npm run build -- --policy "\$POLICY"/);
    assert.equal(
      secrets(deploy).some((s) => s.startsWith('PLAN_')),
      false,
    );
  });
});
