import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, main } from '../../cli/main.ts';
import { testIO as io } from './cli-io.ts';

test('every command has --help, and its module is the command the list names', async () => {
  for (const entry of COMMANDS) {
    const command = await entry.load();
    assert.equal(command.name, entry.name);
    assert.equal(command.summary, entry.summary, `the list's summary of ${entry.name} matches the command's`);
    const s = io();
    assert.equal(await main([entry.name, '--help'], s), 0, entry.name);
    assert.match(s.out(), new RegExp(entry.name));
  }
});

test('an unknown command exits 64 and lists the commands', async () => {
  const s = io();
  assert.equal(await main(['frobnicate'], s), 64);
  assert.match(s.err(), /unknown command 'frobnicate'/);
  assert.match(s.err(), /validate/);
});

test('no command prints usage on stderr and exits 64; --help prints it on stdout', async () => {
  const bare = io();
  assert.equal(await main([], bare), 64);
  assert.match(bare.err(), /Usage: privatelink-approver <command>/);
  const help = io();
  assert.equal(await main(['--help'], help), 0);
  assert.match(help.out(), /Commands:\n {2}validate/);
});
