/**
 * An internal error after the sweep started (functions/fc/create-handler.ts): the invocation error says
 * `nothingChanged: false` (writes were made; their records stand). Before the sweep: `true`. In process,
 * the real client against the emulator with the demo fleet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../emulator/index.ts';
import { createHandler } from '../../functions/fc/create-handler.ts';
import { loadFcConfig } from '../../functions/fc/fc-config.ts';
import type { InvocationErrorRecord } from '../../functions/fc/invocation-result.ts';
import { PROVIDER_KEY } from './fc-harness.ts';

test('an internal error mid-sweep is recorded with nothingChanged false; the records already written stay', async () => {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1' });
  try {
    const lines: Record<string, unknown>[] = [];
    const config = loadFcConfig({ POLICY_PATH: 'policies/demo.yaml', PRIVATELINK_ENDPOINT: emu.url }, process.cwd());
    const write = (line: string): void => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      // The log line after the summary: the writes are made by then.
      if (parsed['message'] === 'sweep finished') throw new Error('stdout closed');
      lines.push(parsed);
    };
    const handler = createHandler({ config, write });
    const context = { requestId: 'fc-internal', credentials: PROVIDER_KEY, function: { timeout: 50 } };
    const result = (await handler('', context as never)) as InvocationErrorRecord;
    assert.equal(result.schema, 'privatelink-approver/invocation-error/v1');
    assert.equal(result.errorCode, 'Internal');
    assert.equal(result.nothingChanged, false);
    assert.match(result.message, /changes may have been made/);
    const writes = emu.requests().filter((r) => r.action !== undefined && !r.action.startsWith('List'));
    assert.ok(writes.length > 0);
    const applied = lines.filter(
      (l) => l['schema'] === 'privatelink-approver/decision/v1' && l['outcome'] === 'applied',
    );
    assert.equal(applied.length, writes.filter((w) => w.status === 200).length);
  } finally {
    await emu.close();
  }
});
