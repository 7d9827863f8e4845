/**
 * The GitHub Actions template (infra/pipeline/github-actions.yml) and its two helper scripts: a pull
 * request validates and plans with read-only credentials, keeps one plan comment up to date, and fails red
 * when the plan is partial or a governed service is missing (checked by running the real `plan` against
 * the emulator and the gate on its output); a merge builds, deploys, then invokes - with the region and
 * the function's name read from s.yaml, never repeated.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { StartEmulatorOptions } from '../../emulator/index.ts';
import { startEmulator } from '../../emulator/index.ts';
import { main } from '../../cli/main.ts';
import { testIO, withEnv } from '../cli/cli-io.ts';
import { REPO_ROOT } from '../../scripts/build.ts';
import { planOnEmulator } from '../infra/plan-on-emulator.ts';
import { DEMO_POLICY, PROVIDER_KEY } from './fc-harness.ts';

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
interface Job {
  if: string;
  steps: Step[];
  needs?: string;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { matrix: Record<string, string>; 'max-parallel'?: number };
}
interface UsesStep extends Step {
  with?: Record<string, string | boolean>;
}

const WORKFLOW = readFileSync(join(REPO_ROOT, 'infra/pipeline/github-actions.yml'), 'utf8');
const doc = parseDocument(WORKFLOW);
const workflow = doc.toJS() as {
  on: Record<string, { paths: string[] }>;
  env: Record<string, string>;
  jobs: { plan: Job; terraform: Job; deploy: Job; propose: Job; 'propose-pr': Job };
};
const triggers = doc.toJS() as { on: { schedule?: { cron: string }[]; workflow_dispatch?: unknown } };
const runs = (job: Job): string => job.steps.map((s) => s.run ?? '').join('\n');
const secrets = (job: Job): string[] =>
  [...JSON.stringify(job.steps).matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1] as string);
const stepIndex = (job: Job, pattern: RegExp): number => job.steps.findIndex((s) => pattern.test(s.run ?? ''));

/** Runs one of the pipeline's node scripts; its exit code and output. */
function script(name: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'infra/pipeline', name), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('infra/pipeline/github-actions.yml', () => {
  it('parses', () => assert.deepEqual(doc.errors, []));

  it('watches the same paths on pull_request and push, code included: what deploys was planned', () => {
    const { pull_request, push } = workflow.on;
    assert.deepEqual(pull_request!.paths, push!.paths);
    for (const path of ['functions/**', 'cli/**', 'policies/**', 's.yaml', 'infra/**', 'package*.json'])
      assert.ok(push!.paths.includes(path), path);
  });

  it('never repeats the region or the function name: both come from s.yaml', () => {
    const sYaml = parseDocument(readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8')).toJS() as {
      vars: { region: string };
    };
    assert.doesNotMatch(WORKFLOW, new RegExp(`\\b${sYaml.vars.region}\\b`));
    assert.doesNotMatch(WORKFLOW, /--function "?privatelink-approver/);
    const deploy = workflow.jobs.deploy;
    const read = deploy.steps.find((s) => s.id === 's');
    assert.equal(read?.run, 'node infra/pipeline/s-yaml-values.mjs s.yaml >> "$GITHUB_OUTPUT"');
    const invoke = deploy.steps.find((s) => /privatelink-approver invoke/.test(s.run ?? ''))!;
    assert.deepEqual(
      [invoke.env?.FC_REGION, invoke.env?.FUNCTION],
      ['${{ steps.s.outputs.region }}', '${{ steps.s.outputs.function }}'],
    );
    assert.match(invoke.run!, /--function "\$FUNCTION" --region "\$FC_REGION" --account-id "\$ACCOUNT_ID"/);
    assert.doesNotMatch(invoke.run!, /--api|--fc-service/, 'a function deployed by s.yaml is reached through FC 3.0');
  });

  it('on a pull request: validate, plan (json and markdown) with read-only credentials, one comment edited in place, then the gate', () => {
    const plan = workflow.jobs.plan;
    assert.match(plan.if, /pull_request/);
    const text = runs(plan);
    assert.match(text, /privatelink-approver validate "\$POLICY" --format github/);
    assert.match(text, /privatelink-approver plan --policy "\$POLICY" --format json > plan\.json/);
    assert.match(text, /privatelink-approver plan --policy "\$POLICY" --format markdown > plan\.md/);
    assert.deepEqual([...new Set(secrets(plan))].sort(), ['PLAN_ACCESS_KEY_ID', 'PLAN_ACCESS_KEY_SECRET']);
    // The comment: found by its marker among the bot's comments and PATCHed, created only when there is none.
    assert.doesNotMatch(text, /gh pr comment/);
    assert.match(text, /marker='<!-- privatelink-approver plan -->'/);
    assert.match(
      text,
      /select\(\.user\.login == \\"github-actions\[bot\]\\" and \(\.body \| startswith\(\\"\$marker\\"\)\)\)/,
    );
    assert.match(
      text,
      /if \[ -n "\$id" \]; then\n\s+gh api --method PATCH "repos\/\$GITHUB_REPOSITORY\/issues\/comments\/\$id"/,
    );
    assert.match(text, /else\n\s+gh api --method POST "repos\/\$GITHUB_REPOSITORY\/issues\/\$PR\/comments"/);
    const [planAt, publishAt, gateAt] = [/--format json/, /gh api/, /plan-gate\.mjs/].map((p) =>
      stepIndex(plan, p),
    ) as [number, number, number];
    assert.ok(planAt < publishAt && publishAt < gateAt, 'plan, then the comment, then the gate');
    const gate = plan.steps[gateAt]!;
    assert.equal(
      gate.run,
      'node infra/pipeline/plan-gate.mjs plan.json "${{ steps.plan.outputs.json }}" "${{ steps.plan.outputs.markdown }}"',
    );
    // A failed plan is still published (saying why) and still fails the check.
    assert.match(gate.if ?? '', /always\(\)/);
    assert.match(plan.steps[publishAt]!.if ?? '', /always\(\)/);
  });

  it('on a pull request: the Terraform module is validated against the provider, with no credentials', () => {
    const job = workflow.jobs.terraform;
    assert.match(job.if, /pull_request/);
    assert.deepEqual(secrets(job), []);
    assert.deepEqual(
      job.steps.filter((s) => s.run !== undefined).map((s) => s.run),
      [
        'terraform -chdir=infra/terraform fmt -check -diff',
        'terraform -chdir=infra/terraform init -backend=false -input=false',
        'terraform -chdir=infra/terraform validate',
      ],
    );
  });

  it('on merge to main: read s.yaml, build, s deploy, then invoke', () => {
    const deploy = workflow.jobs.deploy;
    assert.match(deploy.if, /refs\/heads\/main/);
    const text = runs(deploy);
    const order = ['s-yaml-values.mjs', 'npm run build', 's deploy -y', 'privatelink-approver invoke'].map((s) =>
      text.indexOf(s),
    );
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

describe('the scheduled propose job (README "Approve by pull request")', () => {
  const propose = workflow.jobs.propose;
  const pr = workflow.jobs['propose-pr'];

  it('runs on a schedule (and by hand), never on a pull request or a push', () => {
    assert.equal(triggers.on.schedule?.length, 1);
    assert.match(triggers.on.schedule?.[0]?.cron ?? '', /^\d+ \* \* \* \*$/, 'hourly');
    assert.ok('workflow_dispatch' in triggers.on);
    for (const job of [propose]) {
      assert.equal(job.if, "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'");
    }
    // The other jobs keep to their own events.
    for (const job of [workflow.jobs.plan, workflow.jobs.terraform, workflow.jobs.deploy])
      assert.doesNotMatch(job.if, /schedule/);
  });

  it('proposes per account with the read-only plan key only, and stops on anything but 0 or 2', () => {
    assert.deepEqual([...new Set([...secrets(propose)])].sort(), ['PLAN_ACCESS_KEY_ID', 'PLAN_ACCESS_KEY_SECRET']);
    const text = runs(propose);
    assert.match(
      text,
      /privatelink-approver propose --policy "\$POLICY" --per-account --format json > proposals\.json/,
    );
    assert.match(text, /if \[ "\$code" != 0 \] && \[ "\$code" != 2 \]; then .*exit 1; fi/);
    assert.deepEqual(propose.permissions, { contents: 'write' });
    // The branches of accounts no longer proposed are deleted (closing their pull requests), after propose.
    const [proposeAt, staleAt] = [/--per-account/, /proposals\.mjs proposals\.json stale/].map((p) =>
      stepIndex(propose, p),
    ) as [number, number];
    assert.ok(proposeAt >= 0 && proposeAt < staleAt);
    assert.match(propose.steps[staleAt]!.run!, /git ls-remote --heads origin 'propose\/\*'/);
    assert.match(propose.steps[staleAt]!.run!, /git push origin --delete "\$branch"/);
    assert.equal(propose.steps[staleAt]!.if, undefined, 'only after a successful propose (no always())');
  });

  it('opens or updates one pull request per account on branch propose/<account> with create-pull-request', () => {
    assert.equal(pr.needs, 'propose');
    assert.equal(pr.if, "needs.propose.outputs.accounts != '[]'");
    assert.equal(pr.strategy?.matrix.account, '${{ fromJSON(needs.propose.outputs.accounts) }}');
    assert.equal(pr.strategy?.['max-parallel'], 1);
    assert.deepEqual(secrets(pr), ['PROPOSE_TOKEN']);
    const create = pr.steps.find((s) => s.uses?.startsWith('peter-evans/create-pull-request@')) as UsesStep;
    assert.ok(create);
    assert.equal(create.with?.branch, 'propose/${{ matrix.account }}');
    assert.equal(create.with?.base, 'main');
    assert.equal(create.with?.['add-paths'], '${{ env.POLICY }}');
    assert.equal(create.with?.['body-path'], '${{ runner.temp }}/body.md');
    assert.match(runs(pr), /proposals\.mjs "\$PROPOSALS" patch "\$ACCOUNT" \| git apply/);
  });
});

describe('infra/pipeline/proposals.mjs on real proposals (emulator)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pla-propose-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the accounts, gives each a patch that applies and a body, and names the stale branches', async () => {
    const policyDir = join(dir, 'repo');
    spawnSync('git', ['init', '-q', policyDir]);
    mkdirSync(join(policyDir, 'policies'));
    copyFileSync(DEMO_POLICY, join(policyDir, 'policies/policy.yaml'));
    const run = await proposeOnEmulator(policyDir, [
      '--policy',
      'policies/policy.yaml',
      '--per-account',
      '--format',
      'json',
    ]);
    assert.equal(run.code, 2, run.stderr);
    const file = join(dir, 'proposals.json');
    writeFileSync(file, run.stdout);
    const accounts = script('proposals.mjs', [file, 'accounts']);
    assert.equal(accounts.status, 0, accounts.out);
    const list = JSON.parse(accounts.out) as string[];
    assert.deepEqual(list, ['2000000000000004']);
    const patch = script('proposals.mjs', [file, 'patch', '2000000000000004']);
    const apply = spawnSync('git', ['apply'], { cwd: policyDir, input: patch.out, encoding: 'utf8' });
    assert.equal(apply.status, 0, apply.stderr);
    assert.match(readFileSync(join(policyDir, 'policies/policy.yaml'), 'utf8'), /account: "2000000000000004"/);
    const body = script('proposals.mjs', [file, 'body', '2000000000000004']);
    assert.equal(body.status, 0, body.out);
    assert.match(body.out, /\| `cn-hangzhou` \| `epsrv-bp1demoorders000001` \| `ep-bp1demoumbrella002` \|/);
    const stale = script('proposals.mjs', [
      file,
      'stale',
      'propose/2000000000000004',
      'propose/2000000000000002',
      'main',
    ]);
    assert.equal(stale.out, 'propose/2000000000000002\n');
  });

  it('refuses a file that is not per-account propose output', () => {
    const file = join(dir, 'all-in-one.json');
    writeFileSync(file, JSON.stringify({ changes: [{ accounts: ['1', '2'], patch: '' }] }));
    const r = script('proposals.mjs', [file, 'accounts']);
    assert.equal(r.status, 1);
    assert.match(r.out, /--per-account/);
  });
});

/** `propose` in process in `cwd` against a fresh emulator (demo fleet), signed with the demo provider's key. */
async function proposeOnEmulator(
  cwd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const emu = await startEmulator({});
  try {
    const io = testIO({ cwd, env: { PRIVATELINK_ENDPOINT: emu.url } });
    const code = await withEnv(
      {
        ALIBABA_CLOUD_ACCESS_KEY_ID: PROVIDER_KEY.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: PROVIDER_KEY.accessKeySecret,
        ALIBABA_CLOUD_SECURITY_TOKEN: undefined,
      },
      () => main(['propose', ...args], io),
    );
    return { code, stdout: io.out(), stderr: io.err() };
  } finally {
    await emu.close();
  }
}

describe('infra/pipeline/s-yaml-values.mjs', () => {
  it("prints s.yaml's region and the reconcile and requests functions' names, ${vars.*} resolved", () => {
    const r = script('s-yaml-values.mjs', ['s.yaml']);
    assert.equal(r.status, 0, r.out);
    const sYaml = parseDocument(readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8')).toJS() as {
      vars: { region: string };
      resources: Record<string, { props: { functionName: string; handler: string } }>;
    };
    const fn = (handler: string) =>
      Object.values(sYaml.resources).find((r) => r.props.handler === handler)!.props.functionName;
    assert.equal(
      r.out,
      `region=${sYaml.vars.region}\nfunction=${fn('index.reconcile')}\nrequests_function=${fn('index.requests')}\n`,
    );
  });

  it('follows an edited s.yaml, and refuses one it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pla-syaml-'));
    try {
      const edited = readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8')
        .replace(/region: cn-hangzhou/, 'region: ap-southeast-1')
        .replace(/functionName: privatelink-approver-reconcile/, 'functionName: pl-approver-prod');
      writeFileSync(join(dir, 's.yaml'), edited);
      assert.equal(
        script('s-yaml-values.mjs', [join(dir, 's.yaml')]).out,
        'region=ap-southeast-1\nfunction=pl-approver-prod\nrequests_function=privatelink-approver-requests\n',
      );
      writeFileSync(join(dir, 'bad.yaml'), edited.replace('${vars.region}', '${vars.regoin}'));
      const bad = script('s-yaml-values.mjs', [join(dir, 'bad.yaml')]);
      assert.notEqual(bad.status, 0);
      assert.match(bad.out, /uses \$\{vars\.regoin\} but vars does not define it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('infra/pipeline/plan-gate.mjs on real plans (emulator)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pla-gate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `plan --format json` on a policy against a fresh emulator; the output file and exit code. */
  async function plan(policy: string, emulator: StartEmulatorOptions = {}): Promise<{ file: string; code: number }> {
    const run = await planOnEmulator(['--policy', policy, '--format', 'json', '--timeout-ms', '500'], emulator);
    const file = join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, run.stdout);
    return { file, code: run.code };
  }

  it('a complete plan passes (changes pending is a success)', async () => {
    const { file, code } = await plan(DEMO_POLICY);
    assert.equal(code, 2);
    const gate = script('plan-gate.mjs', [file, String(code)]);
    assert.equal(gate.status, 0, gate.out);
    assert.match(gate.out, /^plan complete: \d+ change\(s\)$/m);
  });

  it('fails red when a service the policy names cannot be found', async () => {
    const policy = join(dir, 'missing.yaml');
    writeFileSync(
      policy,
      readFileSync(DEMO_POLICY, 'utf8').replace('epsrv-bp1demosearch00002', 'epsrv-bp1doesnotexist0009'),
    );
    // plan may exit 0/2 with a warning, or fail by itself: the gate fails either way, naming the service.
    const { file, code } = await plan(policy);
    const gate = script('plan-gate.mjs', [file, String(code)]);
    assert.equal(gate.status, 1);
    assert.match(
      gate.out,
      /::error title=privatelink-approver plan::governed service not found: epsrv-bp1doesnotexist0009 in cn-hangzhou /,
    );
  });

  it('fails red when the plan is partial (a connection listing failed)', async () => {
    const faults = { seed: 1, rules: [{ actions: ['ListVpcEndpointConnections'], internalError: 1 }] };
    const { file, code } = await plan(DEMO_POLICY, { settings: { faults } });
    assert.ok(code !== 0 && code !== 2, `plan exits ${code}`);
    const gate = script('plan-gate.mjs', [file, String(code)]);
    assert.equal(gate.status, 1);
    assert.match(gate.out, new RegExp(`::error title=privatelink-approver plan::plan exited ${code} `));
    assert.match(
      gate.out,
      /::error title=privatelink-approver plan::partial plan: epsrv-\w+ could not be listed \(InternalError\)/,
    );
  });

  it('fails red when a plan run failed or wrote no plan', () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '');
    const gate = script('plan-gate.mjs', [empty, '69', '2']);
    assert.equal(gate.status, 1);
    assert.match(gate.out, /plan exited 69/);
    assert.match(gate.out, /empty\.json is not a plan/);
  });
});
