import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestLog, loggableParams } from '../../../emulator/request-log.ts';
import type { RequestLogEntry } from '../../../emulator/request-log.ts';

const entry = (seq: number): RequestLogEntry => ({
  seq,
  requestId: `R${seq}`,
  time: '',
  method: 'POST',
  action: 'A',
  accessKeyId: 'k',
  accountId: 'a',
  params: {},
  status: 200,
  code: undefined,
  durationMs: 0,
  fault: undefined,
});

test('the log keeps the newest entries up to its capacity, in seq order, and seq survives clearing', () => {
  const log = new RequestLog(100);
  const seqs = Array.from({ length: 250 }, () => log.nextSeq());
  // Answered out of order: a slow request lands after faster later ones.
  for (const s of seqs.slice().reverse()) log.add(entry(s));
  const kept = log.list();
  assert.equal(kept.length, 100);
  assert.deepEqual(
    kept.map((e) => e.seq),
    kept
      .map((e) => e.seq)
      .slice()
      .sort((a, b) => a - b),
  );
  log.clear();
  assert.deepEqual(log.list(), []);
  assert.equal(log.nextSeq(), 251);
});

test('the log keeps the newest, not the first, when requests are answered in order', () => {
  const log = new RequestLog(10);
  for (let i = 0; i < 50; i++) log.add(entry(log.nextSeq()));
  assert.deepEqual(
    log.list().map((e) => e.seq),
    [41, 42, 43, 44, 45, 46, 47, 48, 49, 50],
  );
  assert.deepEqual(
    log.list(48).map((e) => e.seq),
    [49, 50],
  );
});

test('logged parameters never include Signature or SecurityToken', () => {
  assert.deepEqual(loggableParams({ Action: 'A', Signature: 's', SecurityToken: 't', AccessKeyId: 'k' }), {
    Action: 'A',
    AccessKeyId: 'k',
  });
});
