/**
 * `propose` (issue 13): a request held for a person because the policy does not name its account
 * becomes a minimal edit of the policy file; merged, the next run accepts the request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../emulator/index.ts';
import { main } from '../../cli/main.ts';
import { proposeAllowEntries } from '../../cli/propose/policy-edit.ts';
import type { HeldRequest } from '../../cli/propose/held-requests.ts';
import { unifiedDiff } from '../../cli/propose/unified-diff.ts';
import { testIO, withEnv } from './cli-io.ts';

const PROVIDER = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIdemoProvider0001',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'demo-provider-secret',
};

async function cli(dir: string, args: string[]) {
  const io = testIO({ cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

test('propose on the demo fleet: the held unknown account gets an allow entry; merged, the next run accepts it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plk-propose-'));
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    copyFileSync('policies/demo.yaml', join(dir, 'demo.yaml'));
    const original = readFileSync(join(dir, 'demo.yaml'), 'utf8');
    await withEnv({ ...PROVIDER, PRIVATELINK_ENDPOINT: emu.url }, async () => {
      const json = await cli(dir, ['propose', '--policy', 'demo.yaml', '--format', 'json']);
      assert.equal(json.code, 2, json.err);
      const doc = JSON.parse(json.out) as {
        changes: { accounts: string[]; entries: { accountId: string; entry: string }[]; patch: string }[];
        notProposed: { endpointId: string }[];
      };
      assert.deepEqual(
        doc.changes.map((c) => c.accounts),
        [['2000000000000004']],
      );
      assert.deepEqual(
        doc.changes[0]?.entries.map((e) => e.entry),
        ['services[0].allow[1]'],
      );
      assert.deepEqual(
        doc.notProposed.map((n) => n.endpointId),
        ['ep-bp1demoglobex00005'],
        'a limit, not an allow',
      );

      const patch = await cli(dir, ['propose', '--policy', 'demo.yaml', '--write']);
      assert.equal(patch.code, 2, patch.err);
      assert.equal(patch.out, doc.changes[0]?.patch);
      assert.match(patch.out, /^@@ -38,6 \+38,12 @@$/m);
      assert.match(patch.out, /^\+ {6}- account: "2000000000000004"$/m);
      assert.match(
        patch.out,
        /^\+ {6}# {3}ep-bp1demoumbrella002: cn-hangzhou epsrv-bp1demoorders000001, VPC vpc-bp1demoumbrella01,\n\+ {6}# {5}3072 Mbit\/s asked, requested \d{4}-\d\d-\d\dT[\d:.]+Z$/m,
      );
      const edited = readFileSync(join(dir, 'demo.yaml'), 'utf8');
      // Only lines added: every original line (comments, layout) is still there, in order.
      assert.equal(unifiedDiff(original, edited, 'demo.yaml'), patch.out);
      assert.doesNotMatch(patch.out, /^-(?!-- a\/)/m);
      assert.equal((await cli(dir, ['validate', 'demo.yaml'])).code, 0);

      const apply = await cli(dir, ['apply', '--policy', 'demo.yaml']);
      assert.equal(apply.code, 0, apply.err);
      const umbrella = apply.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter(
          (r) => r['schema'] === 'privatelink-approver/decision/v1' && r['endpointId'] === 'ep-bp1demoumbrella002',
        );
      assert.deepEqual(
        umbrella.map((r) => [r['decision'], r['outcome'], r['rule']]),
        [['accept', 'applied', 'services[0].allow[1]']],
      );
      emu.clock.advance(5000);
      const again = await cli(dir, ['propose', '--policy', 'demo.yaml']);
      assert.equal(again.code, 0, 'nothing left to propose');
      assert.equal(again.out, '');
    });
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const request = (over: Partial<HeldRequest>): HeldRequest => ({
  regionId: 'cn-hangzhou',
  serviceId: 'epsrv-a',
  endpointId: 'ep-1',
  accountId: '2000000000000009',
  vpcId: 'vpc-1',
  bandwidth: 1024,
  status: 'Connecting',
  modifiedTime: '2026-11-30T10:00:00Z',
  rule: 'services[0]',
  reason: 'unknown',
  ...over,
});

test('the edit keeps comments and layout, groups by account and rule, and leaves flow lists alone', () => {
  const text = [
    'version: 1   # v',
    'services:',
    '  - region: cn-hangzhou   # first',
    '    serviceId: epsrv-a',
    '    allow:',
    '      - account: "2000000000000001"    # acme',
    '        name: acme',
    '      # trailing note',
    '  - region: cn-hangzhou',
    '    serviceId: epsrv-b',
    '    allow: [{ account: "2000000000000001" }]',
    '',
  ].join('\n');
  const edit = proposeAllowEntries(text, [
    request({}),
    request({ endpointId: 'ep-2' }),
    request({ accountId: '2000000000000008', endpointId: 'ep-3' }),
    request({ rule: 'services[1]', serviceId: 'epsrv-b', endpointId: 'ep-4' }),
  ]);
  assert.deepEqual(
    edit.proposals.map((p) => [p.accountId, p.entry, p.requests.length]),
    [
      ['2000000000000009', 'services[0].allow[1]', 2],
      ['2000000000000008', 'services[0].allow[2]', 1],
    ],
  );
  assert.deepEqual(
    edit.skipped.map((s) => [s.request.endpointId, s.why]),
    [['ep-4', 'services[1].allow is not a block list']],
  );
  assert.equal(
    edit.text,
    [
      'version: 1   # v',
      'services:',
      '  - region: cn-hangzhou   # first',
      '    serviceId: epsrv-a',
      '    allow:',
      '      - account: "2000000000000001"    # acme',
      '        name: acme',
      '      # Proposed by privatelink-approver propose: account 2000000000000009 asks for',
      '      #   ep-1: cn-hangzhou epsrv-a, VPC vpc-1,',
      '      #     1024 Mbit/s asked, requested 2026-11-30T10:00:00Z',
      '      #   ep-2: cn-hangzhou epsrv-a, VPC vpc-1,',
      '      #     1024 Mbit/s asked, requested 2026-11-30T10:00:00Z',
      '      # Reviewer: name the account below, then merge to accept.',
      '      - account: "2000000000000009"',
      "        # name: the account's name",
      '      # Proposed by privatelink-approver propose: account 2000000000000008 asks for',
      '      #   ep-3: cn-hangzhou epsrv-a, VPC vpc-1,',
      '      #     1024 Mbit/s asked, requested 2026-11-30T10:00:00Z',
      '      # Reviewer: name the account below, then merge to accept.',
      '      - account: "2000000000000008"',
      "        # name: the account's name",
      '      # trailing note',
      '  - region: cn-hangzhou',
      '    serviceId: epsrv-b',
      '    allow: [{ account: "2000000000000001" }]',
      '',
    ].join('\n'),
  );
});

test('a request whose IDs from the API hold a newline or controls is never written into the policy', async () => {
  const { writable } = await import('../../cli/commands/propose.ts');
  assert.equal(writable(request({})), true);
  assert.equal(writable(request({ endpointId: 'ep-1\n      - account: "1"' })), false, 'a forged allow entry');
  assert.equal(writable(request({ vpcId: 'vpc-\u001b[2J' })), false);
  assert.equal(writable(request({ serviceId: 'epsrv-\u2028' })), false);
  assert.equal(writable(request({ accountId: '2000000000000009"\n- account: "1' })), false);
  assert.equal(writable(request({ accountId: '20000000000000090000' })), false, 'more than 19 digits');
});

test('propose --per-account: one change per account, each a patch of the file as it is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plk-propose-'));
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    // Without acme in the customers group, acme's pending request on orders-api is held too.
    const text = readFileSync('policies/demo.yaml', 'utf8').replace(
      '      - account: "2000000000000001"\n        name: acme\n',
      '',
    );
    writeFileSync(join(dir, 'p.yaml'), text);
    await withEnv({ ...PROVIDER, PRIVATELINK_ENDPOINT: emu.url }, async () => {
      const run = await cli(dir, ['propose', '--policy', 'p.yaml', '--per-account', '-f', 'json']);
      assert.equal(run.code, 2, run.err);
      const doc = JSON.parse(run.out) as { changes: { accounts: string[]; patch: string }[] };
      assert.deepEqual(
        doc.changes.map((c) => c.accounts),
        [['2000000000000001'], ['2000000000000004']],
      );
      for (const change of doc.changes) {
        // Each applies to the file as it is: its hunk's context is the original text.
        const context = change.patch
          .split('\n')
          .filter((l) => l.startsWith(' '))
          .map((l) => l.slice(1));
        assert.ok(context.every((l) => text.split('\n').includes(l)));
        assert.match(change.patch, new RegExp(`^\\+ {6}- account: "${change.accounts[0]}"$`, 'm'));
      }
      const both = await cli(dir, ['propose', '--policy', 'p.yaml', '--write']);
      assert.equal(both.code, 2);
      assert.equal((await cli(dir, ['validate', 'p.yaml'])).code, 0);
      const conflict = await cli(dir, ['propose', '--policy', 'p.yaml', '--write', '--per-account']);
      assert.equal(conflict.code, 64);
    });
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('propose --write replaces the policy at its path under io.cwd at once: a new file renamed over it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plk-propose-atomic-'));
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    assert.notEqual(dir, process.cwd());
    mkdirSync(join(dir, 'policies'));
    const file = join(dir, 'policies', 'demo.yaml');
    copyFileSync('policies/demo.yaml', file);
    chmodSync(file, 0o640);
    const original = readFileSync(file, 'utf8');
    // A second name for the old file: a write in place would change it too; a rename leaves it as it was.
    linkSync(file, join(dir, 'before.yaml'));
    await withEnv({ ...PROVIDER, PRIVATELINK_ENDPOINT: emu.url }, async () => {
      const patch = await cli(dir, ['propose', '--policy', 'policies/demo.yaml', '--write']);
      assert.equal(patch.code, 2, patch.err);
      assert.match(patch.out, /^--- a\/policies\/demo\.yaml$/m);
    });
    const edited = readFileSync(file, 'utf8');
    assert.notEqual(edited, original);
    assert.match(edited, /- account: "2000000000000004"/);
    assert.equal(readFileSync(join(dir, 'before.yaml'), 'utf8'), original);
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(join(dir, 'policies')), ['demo.yaml'], 'no temporary file left');
    assert.equal(existsSync(join(process.cwd(), 'policies/policies/demo.yaml')), false);
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
