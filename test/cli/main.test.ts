import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { COMMANDS, main } from '../../functions/cli/main.ts';
import type { CliIO } from '../../functions/cli/command.ts';

function io(): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: process.cwd(), out: () => out, err: () => err };
}

test('every command has --help', async () => {
  for (const c of COMMANDS) {
    const s = io();
    assert.equal(await main([c.name, '--help'], s), 0, c.name);
    assert.match(s.out(), new RegExp(c.name));
  }
});

test('an unknown command exits 64 and lists the commands', async () => {
  const s = io();
  assert.equal(await main(['frobnicate'], s), 64);
  assert.match(s.err(), /unknown command 'frobnicate'/);
  assert.match(s.err(), /validate/);
});
