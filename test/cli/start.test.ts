/** `start` (what `npm start` runs): the embedded emulator, the demo fleet and policy, two sweeps, convergence. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.ts';
import { testIO } from './cli-io.ts';

test('start sweeps the demo fleet, shows every decision, then a second run that changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plk-start-'));
  try {
    // Wide enough for every line on one line (reasons in full); the fitted layout is tested below.
    const io = testIO({ cwd: dir, env: { NO_COLOR: '1', COLUMNS: '1000' } });
    const code = await main(['start', '--records', 'records.jsonl'], io);
    const out = io.out();
    assert.equal(code, 0, out + io.err());
    const [first, second] = out.split('Run 2: the same policy again');
    assert.ok(first !== undefined && second !== undefined, out);
    assert.match(first, /emulator on http:\/\/127\.0\.0\.1:\d+ with the demo fleet/);
    for (const kind of ['ACCEPT', 'REJECT', 'HOLD', 'RESIZE', 'REVOKE'])
      assert.match(first, new RegExp(`^    ${kind}\\s+ep-`, 'm'), kind);
    assert.match(
      first,
      /\n {2}cn-hangzhou epsrv-bp1demosearch00002\n {4}DECISION +ENDPOINT +ACCOUNT +BANDWIDTH \(Mbit\/s\) +OUTCOME +REASON\n {4}ACCEPT/,
    );
    assert.match(first, /RESIZE\s+ep-bp1demoacme0000002\s+acme \(2000000000000001\)\s+8192 -> 4096\s+applied/);
    // The two holds on orders-api in Hangzhou, each with its reason: globex over its connection limit, umbrella unknown.
    assert.match(
      first,
      /^ {4}HOLD\s+ep-bp1demoglobex00005\s+globex \(2000000000000002\)\s+3072\s+held\s+.*but the limit of 2 connections reached \(groups\.customers\.accounts\[1\] maxConnections\): it already has 1 connected or being connected \+ 1 accepted earlier in this run on epsrv-bp1demoorders000001; hold until one goes or the limit is raised$/m,
    );
    assert.match(
      first,
      /^ {4}HOLD\s+ep-bp1demoumbrella002\s+2000000000000004\s+3072\s+held\s+.*is not named by services\[0\]\.allow: hold for a person \(services\[0\]\.unknownAccounts is hold\)$/m,
    );
    assert.match(first, /^ {2}decisions: 4 accept, 2 reject, 2 hold, 1 resize, 1 revoke, 3 skip$/m);
    assert.match(first, /^ {2}outcomes:\s+8 applied, 2 held$/m);
    assert.match(first, /^ {2}4 services scanned, 13 connections seen, /m);
    assert.match(first, /WARNING auto-accept cn-shanghai epsrv-uf6demolegacy000004/);
    assert.match(
      second,
      /^ {4}HOLD\s+ep-bp1demoglobex00005\s+globex \(2000000000000002\)\s+3072\s+held\s+.*but the limit of 2 connections reached \(groups\.customers\.accounts\[1\] maxConnections\): it already has 2 connected or being connected on epsrv-bp1demoorders000001; hold until one goes or the limit is raised$/m,
    );
    assert.match(
      second,
      /^ {4}HOLD\s+ep-bp1demoumbrella002\s+2000000000000004\s+3072\s+held\s+.*is not named by services\[0\]\.allow: hold for a person \(services\[0\]\.unknownAccounts is hold\)$/m,
    );
    assert.equal(second.match(/^ {4}[A-Z]+\s+ep-/gm)?.length, 2, 'run 2 shows only the two holds');
    assert.match(second, /^ {2}decisions: 2 hold, 11 skip$/m);
    assert.match(second, /^ {2}outcomes:\s+2 held$/m);
    assert.match(second, /^ {2}4 services scanned, 13 connections seen, /m);
    assert.match(
      out,
      /Converged: the second run changed nothing \(2 requests held for a person, as the policy says\)\./,
    );
    const lines = readFileSync(join(dir, 'records.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { schema: string; decision?: string; outcome?: string; endpointId?: string });
    assert.equal(lines.filter((l) => l.schema === 'privatelink-approver/run/v1').length, 2);
    const decisions = lines.filter((l) => l.schema === 'privatelink-approver/decision/v1');
    assert.equal(decisions.length, 12, '10 in run 1, the 2 holds again in run 2');
    assert.deepEqual(
      decisions.filter((l) => l.decision === 'hold').map((l) => [l.endpointId, l.outcome]),
      [
        ['ep-bp1demoglobex00005', 'held'],
        ['ep-bp1demoumbrella002', 'held'],
        ['ep-bp1demoglobex00005', 'held'],
        ['ep-bp1demoumbrella002', 'held'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start --records into a path that cannot be written exits 74 with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plk-start-'));
  try {
    const io = testIO({ cwd: dir, env: { NO_COLOR: '1' } });
    const code = await main(['start', '--records', 'no-such-dir/records.jsonl'], io);
    assert.equal(code, 74, io.err());
    assert.equal(io.err(), 'privatelink-approver start: cannot write --records no-such-dir/records.jsonl: ENOENT\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("start fits the terminal: 100 columns when not a terminal, the terminal's own width on one", async () => {
  for (const [tty, columns, width] of [
    [false, undefined, 100],
    [true, 80, 80],
  ] as const) {
    const io = testIO({ env: { NO_COLOR: '1' } });
    Object.assign(io.stdout, { isTTY: tty, columns });
    assert.equal(await main(['start'], io), 0, io.err());
    const long = io
      .out()
      .split('\n')
      .filter((l) => l.length > width);
    assert.deepEqual(long, [], `every line fits ${width} columns`);
    if (width === 100) {
      assert.match(io.out(), /^ {4}DECISION +ENDPOINT +ACCOUNT +BANDWIDTH \(Mbit\/s\) +OUTCOME$/m, 'units');
      // The reasons, which no longer fit beside the row, are under it in full.
      assert.match(io.out(), /^ {4}HOLD +ep-bp1demoumbrella002 +2000000000000004 +3072 +held\n {6}request awaiting/m);
    } else {
      // Narrower still: the account moves under the row too.
      assert.match(io.out(), /^ {4}DECISION +ENDPOINT +BANDWIDTH \(Mbit\/s\) +OUTCOME$/m, 'units');
      assert.match(io.out(), /^ {4}HOLD +ep-bp1demoumbrella002 +3072 +held\n {6}2000000000000004: request awaiting/m);
    }
    assert.match(
      io.out(),
      /A\s+"skip"\s+in\s+the\s+decision\s+counts\s+is\s+a\s+connection\s+already\s+as\s+the\s+policy\s+wants\s+it/,
    );
    assert.match(io.out(), /\nNext steps:\n {2}npm start -- --keep-running\n {6}keep the emulator up/);
  }
});

test('start --format json prints both runs as JSON lines, reasons in full', async () => {
  const io = testIO({ env: { NO_COLOR: '1' } });
  assert.equal(await main(['start', '--format', 'json'], io), 0, io.err());
  const lines = io
    .out()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { schema: string; reason?: string });
  assert.equal(lines.filter((l) => l.schema === 'privatelink-approver/run/v1').length, 2);
  assert.ok(lines.some((l) => l.reason?.endsWith('hold until one goes or the limit is raised')));
});
