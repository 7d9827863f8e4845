/**
 * Messages of the first hour (issue 12) and misconfiguration (issue 9): a run that could not list never
 * starts with "Nothing to change" and exits non-zero; no doubled error codes, no words run together;
 * `plan` never says "Nothing more was changed"; a --region or --service the policy does not govern exits
 * 64 naming what it governs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../emulator/index.ts';
import { main } from '../../cli/main.ts';
import { testIO, withEnv } from './cli-io.ts';

const PROVIDER = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIdemoProvider0001',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'demo-provider-secret',
};
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'plk-msg-'));
  copyFileSync(join(process.cwd(), 'policies/demo.yaml'), join(dir, 'demo.yaml'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], vars: Record<string, string | undefined>) {
  return withEnv({ ...PROVIDER, ...vars }, async () => {
    const io = testIO({ cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  });
}

/** Words run together: an address or a word glued to an upper-case word (`:1POST`, `failed.POST`). */
const JOINED = /[0-9a-z.][A-Z]{3,} \S/;

test('a plan whose listings failed is partial: not "Nothing to change", exit 70, no glued words', async () => {
  const { code, out, err } = await cli(
    ['plan', '--policy', 'demo.yaml', '--timeout-ms', '500', '--region', 'cn-shanghai'],
    {
      PRIVATELINK_ENDPOINT: 'http://127.0.0.1:1',
    },
  );
  assert.equal(code, 70, err);
  assert.match(out.split('\n')[0] ?? '', /^NOT COLLECTED cn-shanghai \(whole region\): NetworkError: ECONNREFUSED /);
  assert.doesNotMatch(out, /Nothing to change/);
  assert.match(out, /^Partial plan \(services above not collected\): 0 changes/m);
  assert.match(out, /127\.0\.0\.1:1; POST http:\/\/127\.0\.0\.1:1\/ failed\./);
  assert.doesNotMatch(out, JOINED);
  assert.doesNotMatch(out, /NetworkError: NetworkError/);
  assert.match(err, /1 governed service\(s\) could not be listed or found; the plan is partial/);
  const md = await cli(
    ['plan', '--policy', 'demo.yaml', '--timeout-ms', '500', '--region', 'cn-shanghai', '-f', 'markdown'],
    {
      PRIVATELINK_ENDPOINT: 'http://127.0.0.1:1',
    },
  );
  assert.equal(md.code, 70);
  assert.match(
    md.out,
    /^\*\*privatelink-approver plan\*\*: 0 change\(s\), 0 governed connections; \*\*partial\*\*: 1 service\(s\) not collected$/m,
  );
});

test('refused credentials: each code once, plan says no plan was made, apply that nothing more was changed', async () => {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    const vars = { PRIVATELINK_ENDPOINT: emu.url };
    const unknown = await cli(['plan', '--policy', 'demo.yaml'], {
      ...vars,
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAInobody000000001',
    });
    assert.equal(unknown.code, 69);
    assert.match(unknown.err, /stopped: ListVpcEndpointServices: InvalidAccessKeyId\.NotFound: /);
    assert.doesNotMatch(unknown.err, /InvalidAccessKeyId\.NotFound: InvalidAccessKeyId\.NotFound/);
    assert.match(unknown.err, /^ {2}No plan was made\.$/m);
    assert.doesNotMatch(unknown.err + unknown.out, /Nothing more was changed|Nothing to change/);
    const wrong = await cli(['apply', '--policy', 'demo.yaml'], { ...vars, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'nope' });
    assert.equal(wrong.code, 69);
    assert.match(wrong.err, /^ {2}Nothing more was changed\.$/m);
    assert.match(wrong.err, /^ {2}STOPPED: SignatureDoesNotMatch: Specified signature/m);
    assert.doesNotMatch(wrong.err, /SignatureDoesNotMatch: SignatureDoesNotMatch/);
  } finally {
    await emu.close();
  }
});

test('--region or --service outside the policy exits 64 and says what the policy governs; nothing is read', async () => {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    const vars = { PRIVATELINK_ENDPOINT: emu.url };
    for (const command of ['plan', 'apply']) {
      const region = await cli([command, '--policy', 'demo.yaml', '--region', 'eu-west-1'], vars);
      assert.equal(region.code, 64, region.err);
      assert.equal(
        region.err,
        `privatelink-approver ${command}: --region eu-west-1: not governed by the policy, which governs cn-hangzhou, cn-shanghai (narrowing never widens the policy)\n`,
      );
      const service = await cli(
        [command, '--policy', 'demo.yaml', '--region', 'cn-hangzhou', '--service', 'epsrv-bp1nosuch0000001'],
        vars,
      );
      assert.equal(service.code, 64, service.err);
      assert.equal(
        service.err,
        `privatelink-approver ${command}: --service epsrv-bp1nosuch0000001: not governed by the policy in cn-hangzhou; it governs cn-hangzhou: epsrv-bp1demoorders000001, epsrv-bp1demosearch00002 (narrowing never widens the policy)\n`,
      );
    }
    assert.equal(emu.requests().length, 0, 'refused before any call');
    // Shanghai has a selector rule: only the listing can tell, and then the answer is the same.
    const selector = await cli(['plan', '--policy', 'demo.yaml', '--service', 'epsrv-uf6nosuch0000001'], vars);
    assert.equal(selector.code, 64, selector.err);
    assert.match(
      selector.err,
      /--service epsrv-uf6nosuch0000001: not governed by the policy; it governs cn-hangzhou: epsrv-bp1demoorders000001, epsrv-bp1demosearch00002; cn-shanghai: epsrv-uf6demolegacy000004, services matching services\[3\]/,
    );
  } finally {
    await emu.close();
  }
});

test('a service the policy names but the listing lacks: plan exits 70 and says why first, apply exits 70', async () => {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    const text = readFileSync(join(dir, 'demo.yaml'), 'utf8');
    writeFileSync(join(dir, 'missing.yaml'), text.replace('epsrv-bp1demosearch00002', 'epsrv-bp1doesnotexist0009'));
    const vars = { PRIVATELINK_ENDPOINT: emu.url };
    const plan = await cli(['plan', '--policy', 'missing.yaml', '--region', 'cn-hangzhou'], vars);
    assert.equal(plan.code, 70, plan.err);
    assert.match(
      plan.out.split('\n')[0] ?? '',
      /^NOT COLLECTED cn-hangzhou epsrv-bp1doesnotexist0009: \S+: services\[1\]/,
    );
    assert.match(plan.out, /^Partial plan \(services above not collected\): /m);
    const json = await cli(['plan', '--policy', 'missing.yaml', '--region', 'cn-hangzhou', '-f', 'json'], vars);
    assert.equal(json.code, 70);
    const doc = JSON.parse(json.out) as { servicesFailed: { serviceId: string }[] };
    assert.deepEqual(
      doc.servicesFailed.map((f) => f.serviceId),
      ['epsrv-bp1doesnotexist0009'],
    );
    const apply = await cli(['apply', '--policy', 'missing.yaml', '--region', 'cn-hangzhou', '--dry-run'], vars);
    assert.equal(apply.code, 70, apply.err);
  } finally {
    await emu.close();
  }
});
