/** One exit-code table: cli/exit-codes.ts, README "Exit codes", and every command's --help agree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EXIT, EXIT_MEANINGS } from '../../cli/exit-codes.ts';
import type { ExitName } from '../../cli/exit-codes.ts';
import { COMMANDS, main } from '../../cli/main.ts';
import { testIO } from './cli-io.ts';

function readmeTable(): Map<number, string> {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('\n## Exit codes\n'));
  const end = section.indexOf('\n## ', 1);
  const rows = (end === -1 ? section : section.slice(0, end)).matchAll(/^\| (\d+) \| (.*) \|$/gm);
  return new Map([...rows].map((m) => [Number(m[1]), m[2] ?? '']));
}

test("README's exit-code table is cli/exit-codes.ts: the same codes, the same words", () => {
  const table = readmeTable();
  const fromCode = new Map(
    (Object.keys(EXIT) as ExitName[]).map((name) => [EXIT[name] as number, EXIT_MEANINGS[name]]),
  );
  assert.deepEqual(
    [...table.keys()].sort((a, b) => a - b),
    [...fromCode.keys()].sort((a, b) => a - b),
  );
  for (const [code, meaning] of fromCode) assert.equal(table.get(code), meaning, `exit ${code}`);
  assert.ok(table.has(66), 'README lists 66');
});

test('every command but emulator uses the one help layout; its exit codes come from the table', async () => {
  const codes = new Set<number>(Object.values(EXIT));
  for (const entry of COMMANDS) {
    const io = testIO();
    assert.equal(await main([entry.name, '-h'], io), 0, `${entry.name} -h`);
    const help = io.out();
    // emulator (emulator helper) moves to renderHelp in its own branch.
    if (['emulator'].includes(entry.name)) continue;
    assert.match(help, /^Usage: privatelink-approver /, entry.name);
    assert.match(help, /\n {2}-h, --help /, `${entry.name}: -h/--help is listed`);
    const exits = help.slice(help.lastIndexOf('\nExit codes:\n'));
    assert.ok(exits.length > 0, `${entry.name} has an exit code section`);
    for (const m of exits.matchAll(/^ {2}(\d+) /gm)) assert.ok(codes.has(Number(m[1])), `${entry.name}: ${m[1]}`);
    const order = ['Usage:', 'Options:', 'Exit codes:'].map((h) => help.indexOf(h));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      `${entry.name}: usage, options, exit codes`,
    );
    assert.ok(!order.includes(-1), entry.name);
    const credentials = help.indexOf('Credentials come from');
    if (credentials !== -1) assert.ok(credentials > order[1]!, `${entry.name}: options before credentials`);
    assert.ok(!/^ {2}1 {3}(?!internal error)/m.test(help), `${entry.name}: exit 1 means an internal error only`);
  }
});
