import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import RPCClient from '@alicloud/pop-core';
import { main } from '../../../cli/main.ts';
import { testIO as io } from '../../cli/cli-io.ts';

interface StartupLine {
  endpoint: string;
  regions: string[];
  accounts: Array<{
    accountId: string;
    name: string;
    accessKeyId: string;
    accessKeySecret: string;
    securityToken?: string;
  }>;
}

test('start-up contract: first stdout line is the JSON endpoint and keys; a signed call works; SIGTERM exits 0', async () => {
  const child = spawn(process.execPath, ['bin/privatelink-approver.js', 'emulator', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', () => reject(new Error(`exited before printing: ${stderr}`)));
    });
    const startup = JSON.parse(first) as StartupLine;
    assert.deepEqual(Object.keys(startup), ['endpoint', 'regions', 'accounts']);
    assert.match(startup.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(startup.regions.includes('cn-hangzhou') && startup.regions.includes('cn-shanghai'));
    const provider = startup.accounts.find((a) => a.name === 'provider');
    assert.deepEqual(provider, {
      accountId: '1000000000000001',
      name: 'provider',
      accessKeyId: 'LTAIdemoProvider0001',
      accessKeySecret: 'demo-provider-secret',
    });
    assert.equal(startup.accounts.length, 5);

    const client = new RPCClient({
      endpoint: startup.endpoint,
      apiVersion: '2020-04-15',
      accessKeyId: provider.accessKeyId,
      accessKeySecret: provider.accessKeySecret,
    });
    const page = await client.request<Record<string, unknown>>(
      'ListVpcEndpointServices',
      { RegionId: 'cn-hangzhou' },
      { method: 'POST' },
    );
    assert.match(String(page['RequestId']), /^[0-9A-F-]{36}$/);

    assert.match(stderr, /listening on http:\/\/127\.0\.0\.1:\d+/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(stderr, /SIGTERM: stopped/);
    assert.doesNotMatch(stderr, /demo-provider-secret/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('bad flags: one line naming the problem, exit 64, no stack trace', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--port', 'eighty'], /--port must be an integer from 0 to 65535, got 'eighty'/],
    [['--port', '70000'], /--port must be an integer/],
    [['--host', '0.0.0.0'], /--host 0\.0\.0\.0 is not a loopback address.*--allow-remote/],
    [['--pending-status', 'Waiting'], /--pending-status must be Connecting or Disconnected, got 'Waiting'/],
    [['--write-lock', 'always'], /--write-lock must be request or task, got 'always'/],
    [['--write-lock-scope', 'planet'], /--write-lock-scope must be account or region, got 'planet'/],
    [['--generate', '200by50'], /--generate must be SERVICESxCONNECTIONS/],
    [['--seed', 'abc'], /--seed must be an integer, got 'abc'/],
    [['--scenario', 'a.yaml', '--generate', '2x2'], /exclude each other/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ];
  for (const [argv, message] of cases) {
    const s = io();
    assert.equal(await main(['emulator', ...argv], s), 64, argv.join(' '));
    const [line] = s.err().split('\n');
    assert.match(line ?? '', /^privatelink-approver emulator: /);
    assert.match(line ?? '', message);
    assert.doesNotMatch(s.err(), /\n\s+at /, 'no stack trace');
    assert.equal(s.out(), '');
  }
});

test('a scenario that does not load: one line naming the file and problem, exit 65', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'accounts:\n  - id: "12"\n    name: x\n    accessKeys: []\nbogus: 1\n');
  const s = io();
  assert.equal(await main(['emulator', '--scenario', file], s), 65);
  const lines = s.err().trimEnd().split('\n');
  assert.equal(lines.length, 1, s.err());
  assert.match(
    lines[0] ?? '',
    new RegExp(
      `^privatelink-approver emulator: bad scenario: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`,
    ),
  );
  const missing = io();
  assert.equal(await main(['emulator', '--scenario', join(dir, 'nope.yaml')], missing), 65);
  assert.match(missing.err(), /nope\.yaml: cannot read: ENOENT/);
});

test('a port that cannot be bound: one line naming it, exit 69, nothing on stdout', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const s = io();
    assert.equal(await main(['emulator', '--port', String(port)], s), 69);
    assert.equal(s.err(), `privatelink-approver emulator: port ${port} on 127.0.0.1 is already in use\n`);
    assert.equal(s.out(), '');
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

test('--help documents the start-up contract and every flag', async () => {
  const s = io();
  assert.equal(await main(['emulator', '--help'], s), 0);
  for (const flag of [
    '--port',
    '--host',
    '--allow-remote',
    '--scenario',
    '--generate',
    '--seed',
    '--pending-status',
    '--write-lock',
    '--write-lock-scope',
  ])
    assert.match(s.out(), new RegExp(flag));
  assert.match(s.out(), /first line on stdout is one JSON object/);
});

test('--generate, --seed and --pending-status shape the fleet (in-process, stopped with a signal event)', async () => {
  const s = io();
  const exit = main(
    ['emulator', '--generate', '3x4', '--seed', '7', '--pending-status', 'Disconnected', '--write-lock', 'task'],
    s,
  );
  let ended: number | undefined;
  void exit.then((code) => (ended = code));
  // Wait for the start-up line, but not forever: a command that ends without printing fails the test.
  while (!s.out().includes('\n')) {
    assert.equal(ended, undefined, `the emulator command ended (exit ${ended}) before its start-up line: ${s.err()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const startup = JSON.parse(s.out().split('\n')[0] ?? '') as StartupLine;
  const provider = startup.accounts.find((a) => a.name === 'provider');
  assert.ok(provider);
  const client = new RPCClient({
    endpoint: startup.endpoint,
    apiVersion: '2020-04-15',
    accessKeyId: provider.accessKeyId,
    accessKeySecret: provider.accessKeySecret,
  });
  const state = (await (await fetch(`${startup.endpoint}/__emulator/state`)).json()) as {
    services: Array<{ serviceId: string; regionId: string }>;
  };
  assert.equal(state.services.length, 3);
  const statuses: string[] = [];
  for (const service of state.services) {
    const page = await client.request<{ Connections: Array<{ ConnectionStatus: string }> }>(
      'ListVpcEndpointConnections',
      { RegionId: service.regionId, ServiceId: service.serviceId },
      { method: 'POST' },
    );
    statuses.push(...page.Connections.map((c) => c.ConnectionStatus));
  }
  assert.equal(statuses.length, 12);
  // Requests awaiting a decision show as Disconnected under this reading, never Connecting.
  assert.ok(statuses.includes('Disconnected'));
  assert.deepEqual(
    [...new Set(statuses)].filter((x) => x !== 'Connected' && x !== 'Disconnected'),
    [],
  );
  const settings = (await (await fetch(`${startup.endpoint}/__emulator/settings`)).json()) as {
    pendingStatus: string;
    writeLock: string;
    faults: { seed: number };
  };
  assert.equal(settings.pendingStatus, 'Disconnected');
  assert.equal(settings.writeLock, 'task');
  assert.equal(settings.faults.seed, 7);
  assert.match(s.err(), /generated 3x4/);
  process.emit('SIGTERM', 'SIGTERM');
  assert.equal(await exit, 0);
});

test('the start-up line lists every account: several keys under accessKeys, a keyless account with ID and name only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
  const file = join(dir, 'accounts.yaml');
  writeFileSync(
    file,
    [
      'accounts:',
      '  - { id: "1000000000000009", name: owner, accessKeys: [{ id: LTAIowner00000001, secret: s1 }, { id: STSowner000000002, secret: s2, securityToken: t2 }] }',
      '  - { id: "2000000000000009", name: silent }',
      '  - { id: "3000000000000009", name: plain, accessKeys: [{ id: LTAIplain00000001, secret: s3 }] }',
      '',
    ].join('\n'),
  );
  const s = io();
  const exit = main(['emulator', '--scenario', file], s);
  let startup: { accounts: unknown[] };
  try {
    while (!s.out().includes('\n') && !s.err().includes('bad scenario')) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.err().includes('bad scenario'), false, s.err());
    startup = JSON.parse(s.out().split('\n')[0] ?? '') as { accounts: unknown[] };
  } finally {
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(await exit, 0);
  }
  assert.deepEqual(startup.accounts, [
    {
      accountId: '1000000000000009',
      name: 'owner',
      accessKeyId: 'LTAIowner00000001',
      accessKeySecret: 's1',
      accessKeys: [
        { accessKeyId: 'LTAIowner00000001', accessKeySecret: 's1' },
        { accessKeyId: 'STSowner000000002', accessKeySecret: 's2', securityToken: 't2' },
      ],
    },
    { accountId: '2000000000000009', name: 'silent' },
    { accountId: '3000000000000009', name: 'plain', accessKeyId: 'LTAIplain00000001', accessKeySecret: 's3' },
  ]);
});
