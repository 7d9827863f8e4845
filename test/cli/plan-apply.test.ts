/**
 * `plan` and `apply` in process, in a real temporary directory, against the emulator with the demo fleet
 * through the real client (credentials from the environment, endpoint from PRIVATELINK_ENDPOINT).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { main } from '../../cli/main.ts';
import { testIO, withEnv } from './cli-io.ts';

const PROVIDER = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIdemoProvider0001',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'demo-provider-secret',
};
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'plk-cli-'));
  copyFileSync(join(process.cwd(), 'policies/demo.yaml'), join(dir, 'demo.yaml'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function withEmulator<T>(fn: (emu: RunningEmulator) => Promise<T>): Promise<T> {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    return await withEnv({ ...PROVIDER, PRIVATELINK_ENDPOINT: emu.url }, () => fn(emu));
  } finally {
    await emu.close();
  }
}

async function cli(args: string[]) {
  const io = testIO({ cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function writes(emu: RunningEmulator): number {
  return emu.requests().filter((r) => r.action !== undefined && !r.action.startsWith('List')).length;
}

test('plan prints the changes grouped by service, warns about auto-accept, writes nothing, exits 2', async () => {
  await withEmulator(async (emu) => {
    const { code, out, err } = await cli(['plan', '--policy', 'demo.yaml']);
    assert.equal(code, 2, err);
    assert.match(out, /^cn-hangzhou epsrv-bp1demoorders000001$/m);
    assert.match(
      out,
      /ACCEPT\s+ep-bp1demoacme0000001\s+acme \(2000000000000001\)\s+Connecting\s+3072 Mbit\/s\s+groups\.customers\.accounts\[0\]\s+.*: accept at 3072 Mbit\/s/,
    );
    assert.match(
      out,
      /ACCEPT\s+ep-bp1demoglobex00001\s+globex \(2000000000000002\)\s+Connecting\s+3072 -> 2048 Mbit\/s/,
    );
    // The two holds on orders-api in Hangzhou, each with its rule and reason.
    assert.match(
      out,
      /^ {2}HOLD\s+ep-bp1demoglobex00005\s+globex \(2000000000000002\)\s+Connecting\s+3072 Mbit\/s\s+groups\.customers\.accounts\[1\]\s+.*but the limit of 2 connections reached \(groups\.customers\.accounts\[1\] maxConnections\): it already has 1 connected or being connected \+ 1 accepted earlier in this run on epsrv-bp1demoorders000001; hold until one goes or the limit is raised$/m,
    );
    assert.match(
      out,
      /^ {2}HOLD\s+ep-bp1demoumbrella002\s+2000000000000004\s+Connecting\s+3072 Mbit\/s\s+services\[0\]\.unknownAccounts\s+.*is not named by services\[0\]\.allow: hold for a person \(services\[0\]\.unknownAccounts is hold\)$/m,
    );
    assert.match(out, /REVOKE\s+ep-bp1demoinitech0002/);
    assert.match(out, /RESIZE\s+ep-bp1demoacme0000002.*8192 -> 4096/);
    assert.match(out, /^Plan: 8 changes, 2 held for a person, 3 unchanged, 13 governed connections\.$/m);
    assert.match(out, /WARNING auto-accept cn-shanghai epsrv-uf6demolegacy000004/);
    assert.ok(!out.includes('\u001b['), 'no colours when NO_COLOR is set and stdout is not a TTY');
    assert.equal(writes(emu), 0);
  });
});

test('plan --format json gives one object per decision with the fields a pull-request comment needs', async () => {
  await withEmulator(async () => {
    const { code, out } = await cli(['plan', '--policy', 'demo.yaml', '--format', 'json', '--region', 'cn-hangzhou']);
    assert.equal(code, 2);
    const doc = JSON.parse(out) as {
      changes: number;
      decisions: Record<string, unknown>[];
      unchanged: number;
      policyRevision: { hash: string };
    };
    assert.match(doc.policyRevision.hash, /^sha256:[0-9a-f]{16}$/);
    assert.equal(doc.changes, 7);
    assert.equal(doc.unchanged, 1);
    assert.deepEqual(
      doc.decisions.map((d) => [d['decision'], d['endpointId'], d['bandwidthAfter'] ?? null]),
      [
        ['accept', 'ep-bp1demoacme0000001', 3072],
        ['resize', 'ep-bp1demoacme0000002', 4096],
        ['accept', 'ep-bp1demoglobex00001', 2048],
        ['hold', 'ep-bp1demoglobex00005', null],
        ['reject', 'ep-bp1demoinitech0001', null],
        ['hold', 'ep-bp1demoumbrella002', null],
        ['accept', 'ep-bp1demoglobex00002', 2048],
        ['revoke', 'ep-bp1demoinitech0002', null],
        ['reject', 'ep-bp1demoumbrella001', null],
      ],
    );
    const holds = doc.decisions.filter((d) => d['decision'] === 'hold');
    assert.deepEqual(
      holds.map((d) => [d['endpointId'], d['rule'], d['blocked']]),
      [
        ['ep-bp1demoglobex00005', 'groups.customers.accounts[1]', null],
        ['ep-bp1demoumbrella002', 'services[0].unknownAccounts', null],
      ],
    );
    assert.match(
      String(holds[0]?.['reason']),
      /but the limit of 2 connections reached \(groups\.customers\.accounts\[1\] maxConnections\): it already has 1 connected or being connected \+ 1 accepted earlier in this run on epsrv-bp1demoorders000001; hold until one goes or the limit is raised$/,
    );
    assert.match(
      String(holds[1]?.['reason']),
      /is not named by services\[0\]\.allow: hold for a person \(services\[0\]\.unknownAccounts is hold\)$/,
    );
    assert.ok(doc.decisions.every((d) => d['region'] === 'cn-hangzhou'));
    assert.deepEqual(doc.decisions[0], {
      region: 'cn-hangzhou',
      serviceId: 'epsrv-bp1demoorders000001',
      endpointId: 'ep-bp1demoacme0000001',
      ownerAccountId: '2000000000000001',
      accountName: 'acme',
      vpcId: 'vpc-bp1demoacme000001',
      statusBefore: 'Connecting',
      bandwidthBefore: 3072,
      decision: 'accept',
      bandwidthAfter: 3072,
      rule: doc.decisions[0]?.['rule'],
      reason: doc.decisions[0]?.['reason'],
      blocked: null,
    });
    assert.match(String(doc.decisions[0]?.['rule']), /customers/);
  });
});

test('plan --format markdown and --service narrow the output', async () => {
  await withEmulator(async () => {
    const { code, out } = await cli([
      'plan',
      '--policy',
      'demo.yaml',
      '--format',
      'markdown',
      '--service',
      'epsrv-bp1demosearch00002',
    ]);
    assert.equal(code, 2);
    assert.match(out, /^\| decision \| region \| service \|/m);
    assert.match(out, /\| revoke \| cn-hangzhou \| epsrv-bp1demosearch00002 \| ep-bp1demoinitech0002 \|/);
    assert.doesNotMatch(out, /epsrv-bp1demoorders000001/);
  });
});

test('apply prints one JSON record per line and the summary last; a second plan has nothing to change', async () => {
  await withEmulator(async (emu) => {
    const { code, out, err } = await cli(['apply', '--policy', 'demo.yaml']);
    assert.equal(code, 0, err);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Each write's intent record comes before it, and connections that changed recently are reported as
    // settled (docs/audit-records.md "Intent record").
    const records = lines.slice(0, -1).filter((r) => r['schema'] === 'privatelink-approver/decision/v1');
    assert.equal(lines.filter((r) => r['schema'] === 'privatelink-approver/intent/v1').length, 8);
    assert.equal(records.length, 10);
    assert.ok(records.every((r) => r['schema'] === 'privatelink-approver/decision/v1' && r['mode'] === 'enforce'));
    assert.deepEqual(
      records.filter((r) => r['outcome'] !== 'applied').map((r) => [r['decision'], r['outcome'], r['endpointId']]),
      [
        ['hold', 'held', 'ep-bp1demoglobex00005'],
        ['hold', 'held', 'ep-bp1demoumbrella002'],
      ],
    );
    assert.equal(records.filter((r) => r['outcome'] === 'applied').length, 8);
    const summary = lines.at(-1) ?? {};
    assert.equal(summary['schema'], 'privatelink-approver/run/v1');
    assert.deepEqual((summary['counts'] as { byOutcome: Record<string, number> }).byOutcome.applied, 8);
    assert.deepEqual((summary['counts'] as { byOutcome: Record<string, number> }).byOutcome.held, 2);
    assert.match(err, /^ {2}outcomes:\s+8 applied, 2 held$/m);
    assert.equal(writes(emu), 8);

    emu.clock.advance(5000);
    const again = await cli(['plan', '--policy', 'demo.yaml']);
    assert.equal(again.code, 0, again.out);
    assert.match(
      again.out,
      /^Nothing to change: 0 changes, 2 held for a person, 11 unchanged, 13 governed connections\.$/m,
    );
    assert.deepEqual(
      again.out.match(/^ {2}[A-Z]+\s+ep-\S+/gm)?.map((l) => l.trim().split(/\s+/)),
      [
        ['HOLD', 'ep-bp1demoglobex00005'],
        ['HOLD', 'ep-bp1demoumbrella002'],
      ],
    );
  });
});

test('apply --dry-run writes nothing and records say dry-run; --records FILE takes the lines', async () => {
  await withEmulator(async (emu) => {
    const { code, out } = await cli(['apply', '--policy', 'demo.yaml', '--dry-run', '--records', 'records.jsonl']);
    assert.equal(code, 0);
    assert.equal(out, '');
    const lines = readFileSync(join(dir, 'records.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 11);
    const records = lines.slice(0, -1);
    assert.ok(records.every((r) => r['mode'] === 'dry-run' && r['attempts'] === 0));
    assert.ok(records.every((r) => r['outcome'] === (r['decision'] === 'hold' ? 'held' : 'dry-run')));
    assert.deepEqual(
      records.filter((r) => r['decision'] === 'hold').map((r) => r['endpointId']),
      ['ep-bp1demoglobex00005', 'ep-bp1demoumbrella002'],
    );
    assert.equal(writes(emu), 0);
  });
});

test('apply --records FILE that cannot be opened exits 73 before any call', async () => {
  await withEmulator(async (emu) => {
    const { code, out, err } = await cli(['apply', '--policy', 'demo.yaml', '--records', 'no-such-dir/records.jsonl']);
    assert.equal(code, 73, err);
    assert.equal(
      err,
      'privatelink-approver apply: cannot open --records no-such-dir/records.jsonl: ENOENT; nothing was read or changed\n',
    );
    assert.equal(out, '');
    assert.equal(emu.requests().length, 0);
  });
});

test(
  'apply: a --records FILE that fails during the run (a full disk) exits 74 with a clear message, not a crash',
  { skip: !existsSync('/dev/full') },
  async () => {
    await withEmulator(async () => {
      const { code, err } = await cli(['apply', '--policy', 'demo.yaml', '--dry-run', '--records', '/dev/full']);
      assert.equal(code, 74, err);
      assert.match(err, /^Run .*\n {2}decisions: /m);
      assert.match(
        err,
        /privatelink-approver apply: writing --records \/dev\/full failed: ENOSPC; the records after the failure are lost \(the summary above is complete\)\n$/,
      );
    });
  },
);

test(
  'apply: with a --records FILE that cannot be written (a full disk), no write is sent and it exits 74',
  { skip: !existsSync('/dev/full') },
  async () => {
    await withEmulator(async (emu) => {
      const { code, err } = await cli(['apply', '--policy', 'demo.yaml', '--records', '/dev/full']);
      assert.equal(code, 74, err);
      assert.equal(writes(emu), 0, 'no write without its intent record');
      assert.match(err, /deferred/);
    });
  },
);

test('apply exits 71 when a safety limit blocks part of the plan', async () => {
  const text = readFileSync(join(dir, 'demo.yaml'), 'utf8').replace(/maxDisconnects: 5/, 'maxDisconnects: 0');
  writeFileSync(join(dir, 'strict.yaml'), text);
  await withEmulator(async (emu) => {
    const { code, out } = await cli(['apply', '--policy', 'strict.yaml']);
    assert.equal(code, 71);
    const revoke = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => r['decision'] === 'revoke');
    assert.equal(revoke?.['outcome'], 'blocked');
    assert.equal(revoke?.['blockedBy'], 'maxDisconnects');
    assert.ok(
      !emu
        .requests()
        .some((r) => r.action === 'DisableVpcEndpointConnection' && r.params['EndpointId'] === 'ep-bp1demoinitech0002'),
    );
  });
});

test('an invalid policy exits 65 with positioned errors, before any API call', async () => {
  writeFileSync(
    join(dir, 'bad.yaml'),
    'version: 1\nmode: enforce\nservices:\n  - region: cn-hangzhou\n    serviceId: 42\n',
  );
  await withEmulator(async (emu) => {
    for (const command of ['plan', 'apply']) {
      const { code, err } = await cli([command, '--policy', 'bad.yaml']);
      assert.equal(code, 65, err);
      assert.match(err, /bad\.yaml:\d+:\d+ /);
      assert.match(err, /the policy bad\.yaml cannot be used; nothing was read or changed/);
    }
    assert.equal(emu.requests().length, 0);
  });
});

test('no credentials, or refused ones, exit 69 with a clear message and change nothing', async () => {
  await withEmulator(async (emu) => {
    const none = await withEnv(
      {
        ALIBABA_CLOUD_ACCESS_KEY_ID: undefined,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined,
        ALIBABA_CLOUD_CREDENTIALS_FILE: join(dir, 'none'),
        ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
      },
      () => cli(['apply', '--policy', 'demo.yaml']),
    );
    assert.equal(none.code, 69, none.err);
    assert.match(none.err, /no usable Alibaba Cloud credentials/);
    assert.match(none.err, /set ALIBABA_CLOUD_ACCESS_KEY_ID/);
    const wrong = await withEnv({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' }, () =>
      cli(['plan', '--policy', 'demo.yaml']),
    );
    assert.equal(wrong.code, 69, wrong.err);
    assert.match(wrong.err, /SignatureDoesNotMatch/);
    assert.doesNotMatch(wrong.err + wrong.out, /not-the-secret|demo-provider-secret/);
    assert.equal(writes(emu), 0);
  });
});

test('bad flags exit 64 with a clear message', async () => {
  const unknown = await cli(['plan', '--policy', 'demo.yaml', '--frobnicate']);
  assert.equal(unknown.code, 64);
  assert.match(unknown.err, /Unknown option '--frobnicate'/);
  assert.match(unknown.err, /privatelink-approver plan --help/);
  const missing = await cli(['apply']);
  assert.equal(missing.code, 64);
  assert.match(missing.err, /--policy FILE is required/);
  const format = await cli(['plan', '--policy', 'demo.yaml', '--format', 'xml']);
  assert.equal(format.code, 64);
  assert.match(format.err, /--format must be one of table, json, markdown/);
  const endpoint = await cli(['plan', '--policy', 'demo.yaml', '--endpoint', 'ftp://x']);
  assert.equal(endpoint.code, 64);
  const deadline = await cli(['apply', '--policy', 'demo.yaml', '--deadline-seconds', 'soon']);
  assert.equal(deadline.code, 64);
  assert.match(deadline.err, /--deadline-seconds must be a positive number, got "soon"/);
  // A deadline no longer than one call's timeout leaves no time for any call: a usage error, before anything is read.
  const short = await cli(['apply', '--policy', 'demo.yaml', '--deadline-seconds', '2']);
  assert.equal(short.code, 64);
  assert.match(
    short.err,
    /--deadline-seconds 2 leaves no time for a single API call: .*\(--timeout-ms 10000\) left; give more than 10 seconds/,
  );
  const shortTimeout = await cli([
    'apply',
    '--policy',
    'demo.yaml',
    '--deadline-seconds',
    '0.5',
    '--timeout-ms',
    '500',
  ]);
  assert.equal(shortTimeout.code, 64);
  assert.match(shortTimeout.err, /give more than 0\.5 seconds/);
  const timeout = await cli(['plan', '--policy', 'demo.yaml', '--timeout-ms', '0']);
  assert.equal(timeout.code, 64);
  assert.match(timeout.err, /--timeout-ms must be a positive integer/);
});

test('colours on a terminal only: ANSI codes on a TTY, none with NO_COLOR, none into a pipe or file', async () => {
  await withEmulator(async () => {
    for (const [tty, env, coloured] of [
      [true, {}, true],
      [true, { NO_COLOR: '1' }, false],
      [false, {}, false],
    ] as const) {
      const io = testIO({ cwd: dir, env: { ...process.env, NO_COLOR: undefined, TERM: 'xterm-256color', ...env } });
      (io.stdout as { isTTY?: boolean }).isTTY = tty;
      assert.equal(await main(['plan', '--policy', 'demo.yaml'], io), 2);
      assert.equal(io.out().includes('\u001b[32mACCEPT\u001b[39m'), coloured, JSON.stringify({ tty, env }));
      if (!coloured) assert.ok(!io.out().includes('\u001b['), JSON.stringify({ tty, env }));
    }
    // apply's summary goes to stderr: coloured only when stderr is a terminal, whatever stdout is.
    const io = testIO({ cwd: dir, env: { ...process.env, NO_COLOR: undefined, TERM: 'xterm-256color' } });
    (io.stdout as { isTTY?: boolean }).isTTY = true;
    await main(['apply', '--policy', 'demo.yaml', '--dry-run'], io);
    assert.ok(!io.err().includes('\u001b[') && !io.out().includes('\u001b['), io.err());
  });
});

test('apply reports progress on stderr for long runs', async () => {
  const { applyProgress } = await import('../../cli/commands/apply.ts');
  const io = testIO();
  const report = applyProgress(io);
  for (let done = 1; done <= 40; done++) report({ phase: 'apply', done, total: 40, decision: {} as never });
  assert.equal(io.err().trim().split('\n').length, 11);
  assert.match(io.err(), /^applying 40\/40$/m);
  // On a terminal one rewritten line; a run cut short leaves it open until finish().
  const tty = testIO();
  (tty.stderr as { isTTY?: boolean }).isTTY = true;
  const live = applyProgress(tty);
  for (let done = 1; done <= 25; done++) live({ phase: 'apply', done, total: 40, decision: {} as never });
  live.finish();
  live.finish();
  assert.equal(tty.err(), `${Array.from({ length: 25 }, (_, i) => `\rapplying ${i + 1}/40`).join('')}\n`);
  const short = testIO();
  const quiet = applyProgress(short);
  for (let done = 1; done <= 5; done++) quiet({ phase: 'apply', done, total: 5, decision: {} as never });
  assert.equal(short.err(), '');
});

test('a listed connection the client could not believe makes plan and apply partial: exit 70, a listing-invalid warning', async () => {
  await withEmulator(async (emu) => {
    // Every connection listing's first item carries a Bandwidth of 1e308: never decided on.
    emu.settings.faults = {
      seed: 1,
      rules: [{ actions: ['ListVpcEndpointConnections'], answers: { bandwidthHuge: 1 } }],
    };
    const plan = await cli(['plan', '--policy', 'demo.yaml', '-f', 'json']);
    assert.equal(plan.code, 70, plan.err);
    assert.match(plan.err, /listed item\(s\) failed validation and were not decided on; the plan is partial/);
    assert.match(plan.out, /"code": "listing-invalid"/);
    const apply = await cli(['apply', '--policy', 'demo.yaml']);
    assert.equal(apply.code, 70, apply.err);
  });
});
