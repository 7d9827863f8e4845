/** `start` (what `npm start` runs): the embedded emulator, the demo fleet and policy, two sweeps, convergence. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../functions/cli/main.ts';
import { testIO } from './cli-io.ts';

test('start sweeps the demo fleet, shows every decision, then a second run that changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plk-start-'));
  try {
    const io = testIO({ cwd: dir, env: { NO_COLOR: '1' } });
    const code = await main(['start', '--records', 'records.jsonl'], io);
    const out = io.out();
    assert.equal(code, 0, out + io.err());
    const [first, second] = out.split('Run 2: the same policy again');
    assert.ok(first !== undefined && second !== undefined, out);
    assert.match(first, /emulator on http:\/\/127\.0\.0\.1:\d+ with the demo fleet/);
    for (const kind of ['ACCEPT', 'REJECT', 'RESIZE', 'REVOKE']) assert.match(first, new RegExp(`^    ${kind}\\s+ep-`, 'm'), kind);
    assert.ok(first.includes('\n  cn-hangzhou epsrv-bp1demosearch00002\n    ACCEPT'), first);
    assert.match(first, /RESIZE\s+ep-bp1demoacme0000002\s+acme \(2000000000000001\)\s+8192 -> 4096\s+applied/);
    assert.match(first, /outcomes:\s+8 applied/);
    assert.match(first, /WARNING auto-accept cn-shanghai epsrv-uf6demolegacy000004/);
    assert.match(second, /decisions: 10 skip/);
    assert.match(second, /outcomes:\s+none/);
    assert.match(out, /Converged: the second run changed nothing/);
    const lines = readFileSync(join(dir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { schema: string });
    assert.equal(lines.filter((l) => l.schema === 'privatelink-approver/run/v1').length, 2);
    assert.equal(lines.filter((l) => l.schema === 'privatelink-approver/decision/v1').length, 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
