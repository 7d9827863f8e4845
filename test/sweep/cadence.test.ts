/**
 * The two cadences (docs/cadences.md, issue 14) on the demo fleet, through the real client and the
 * emulator: the FC `requests` handler lists only with the ConnectionStatus / EndpointOwnerId filters and
 * never acts on drift; the `reconcile` handler is the full sweep; the CLI's `apply --scope`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { createHandler } from '../../functions/fc/create-handler.ts';
import type { HandlerName } from '../../functions/fc/create-handler.ts';
import { loadFcConfig } from '../../functions/fc/fc-config.ts';
import type { RunSummaryRecord } from '../../functions/audit/audit-records.ts';
import { main } from '../../cli/main.ts';
import { testIO, withEnv } from '../cli/cli-io.ts';
import { PROVIDER_KEY } from '../fc/fc-harness.ts';

const REPO = process.cwd();
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'plk-cadence-'));
  copyFileSync(join(REPO, 'policies/demo.yaml'), join(dir, 'demo.yaml'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function withEmulator<T>(fn: (emu: RunningEmulator) => Promise<T>): Promise<T> {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    return await fn(emu);
  } finally {
    await emu.close();
  }
}

/** One invocation of the named handler, in process; returns the summary and the lines written. */
async function invoke(emu: RunningEmulator, name: HandlerName) {
  const lines: Record<string, unknown>[] = [];
  const config = loadFcConfig({ POLICY_PATH: 'policies/demo.yaml', PRIVATELINK_ENDPOINT: emu.url }, REPO);
  const handler = createHandler({ config, write: (line) => lines.push(JSON.parse(line)), name });
  const context = { requestId: `fc-${name}`, credentials: PROVIDER_KEY, function: { timeout: 50 } };
  const result = (await handler('', context as never)) as RunSummaryRecord;
  return { result, lines };
}

test('the requests handler lists only with the ConnectionStatus and EndpointOwnerId filters and leaves drift alone', async () => {
  await withEmulator(async (emu) => {
    const { result, lines } = await invoke(emu, 'requests');
    assert.equal(result.schema, 'privatelink-approver/run/v1', JSON.stringify(result));
    assert.equal(result.scope, 'requests');
    assert.equal(result.handler, 'requests');
    const listings = emu.requests().filter((r) => r.action === 'ListVpcEndpointConnections');
    assert.ok(listings.length > 0);
    for (const r of listings)
      assert.ok(
        r.params['ConnectionStatus'] !== undefined || r.params['EndpointOwnerId'] !== undefined,
        `an unfiltered listing: ${JSON.stringify(r.params)}`,
      );
    const decisions = lines.filter((l) => l['schema'] === 'privatelink-approver/decision/v1');
    assert.ok(decisions.some((d) => d['decision'] === 'accept'));
    assert.deepEqual(
      decisions.filter((d) => ['resize', 'revoke', 'flag'].includes(String(d['decision']))),
      [],
      "drift is the reconcile handler's",
    );
    assert.ok(!emu.requests().some((r) => r.action === 'UpdateVpcEndpointConnectionAttribute'));
    // Every request decision carries its wait; the summary its p50/p95.
    for (const d of decisions) assert.equal(typeof d['waitMs'], 'number', JSON.stringify(d));
    assert.equal(result.timeToDecision.decisions, decisions.filter((d) => d['outcome'] === 'applied').length);
    assert.ok(result.timeToDecision.p95Ms !== null && result.timeToDecision.p95Ms >= result.timeToDecision.p50Ms!);

    const reconcile = await invoke(emu, 'reconcile');
    assert.equal(reconcile.result.scope, 'all');
    assert.equal(reconcile.result.handler, 'reconcile');
    assert.ok(reconcile.result.counts.byDecision.resize + reconcile.result.counts.byDecision.revoke > 0);
  });
});

test('apply --scope requests runs the requests scope; a bad --scope is a usage error before any call', async () => {
  await withEmulator(async (emu) => {
    await withEnv(
      {
        ALIBABA_CLOUD_ACCESS_KEY_ID: PROVIDER_KEY.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: PROVIDER_KEY.accessKeySecret,
        PRIVATELINK_ENDPOINT: emu.url,
      },
      async () => {
        const bad = testIO({ cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
        assert.equal(await main(['apply', '--policy', 'demo.yaml', '--scope', 'drift'], bad), 64);
        assert.match(bad.err(), /--scope must be requests or all, got "drift"/);
        assert.equal(emu.requests().length, 0);
        const io = testIO({ cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
        const code = await main(['apply', '--policy', 'demo.yaml', '--scope', 'requests'], io);
        const summary = JSON.parse(io.out().trim().split('\n').at(-1)!) as RunSummaryRecord;
        assert.equal(summary.scope, 'requests', io.err());
        assert.equal(summary.handler, null);
        assert.equal(code, 0, io.err());
      },
    );
  });
});
