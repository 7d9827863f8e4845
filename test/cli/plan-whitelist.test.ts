/**
 * `plan` shows whitelist changes (issue 13, "Keep the whitelist in step"): in process, a real temporary
 * directory, the emulator's demo fleet through the real client. Table, JSON and the exit code; nothing
 * written; the provider's account (ALIBABA_CLOUD_ACCOUNT_ID) kept.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../emulator/index.ts';
import { main } from '../../cli/main.ts';
import type { PlanJson } from '../../cli/render-plan.ts';
import { testIO, withEnv } from './cli-io.ts';

const POLICY = `version: 1
mode: enforce
services:
  - region: cn-hangzhou
    serviceId: epsrv-bp1demoorders000001
    unknownAccounts: reject
    whitelist: sync
    allow:
      - { account: "2000000000000001", name: acme }
      - { account: "2000000000000009", name: newco }
`;
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'plk-cli-wl-'));
  writeFileSync(join(dir, 'synced.yaml'), POLICY);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function plan(args: string[]) {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIdemoProvider0001',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'demo-provider-secret',
      ALIBABA_CLOUD_ACCOUNT_ID: '1000000000000001',
      PRIVATELINK_ENDPOINT: emu.url,
    };
    return await withEnv(env, async () => {
      const io = testIO({ cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
      const code = await main(['plan', '--policy', 'synced.yaml', ...args], io);
      const writes = emu.requests().filter((r) => r.action !== undefined && !r.action.startsWith('List'));
      return { code, out: io.out(), err: io.err(), writes: writes.length };
    });
  } finally {
    await emu.close();
  }
}

test('plan lists the whitelist adds and removes, writes nothing, exits 2', async () => {
  const { code, out, err, writes } = await plan([]);
  assert.equal(code, 2, err);
  assert.match(out, /^Whitelist \(whitelist: sync\)$/m);
  assert.match(
    out,
    /^ {2}ADD\s+cn-hangzhou epsrv-bp1demoorders000001\s+newco \(2000000000000009\)\s+services\[0\]\.allow\[1\]/m,
  );
  for (const removed of ['2000000000000002', '2000000000000003', '2000000000000004']) {
    assert.match(
      out,
      new RegExp(
        `^ {2}REMOVE\\s+cn-hangzhou epsrv-bp1demoorders000001\\s+${removed}\\s+services\\[0\\]\\.whitelist`,
        'm',
      ),
    );
  }
  assert.doesNotMatch(out, /1000000000000001/, 'the provider account stays');
  assert.match(out, /4 whitelist changes/);
  assert.equal(writes, 0);
});

test('plan --format json has a whitelist list', async () => {
  const { code, out } = await plan(['--format', 'json']);
  assert.equal(code, 2);
  const doc = JSON.parse(out) as PlanJson;
  assert.deepEqual(
    doc.whitelist.map((c) => `${c.decision} ${c.accountId}`),
    [
      'whitelist-add 2000000000000009',
      'whitelist-remove 2000000000000002',
      'whitelist-remove 2000000000000003',
      'whitelist-remove 2000000000000004',
    ],
  );
});
