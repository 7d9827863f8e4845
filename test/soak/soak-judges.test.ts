/**
 * The soak's judges on hand-made log entries: what counts as a write that took effect, twice, and the
 * secret scan's forms. The soak itself (soak-short.test.ts) shows they catch real breakage.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestLogEntry } from '../../emulator/index.ts';
import { doubleEffects, effectsOf } from './soak-effects.ts';
import { redactSecrets, scanForSecrets } from './soak-secrets.ts';

function entry(seq: number, over: Partial<RequestLogEntry> & { token?: string; bandwidth?: string }): RequestLogEntry {
  const params: Record<string, string> = { ServiceId: 'epsrv-a', EndpointId: 'ep-a' };
  if (over.token !== undefined) params['ClientToken'] = over.token;
  if (over.bandwidth !== undefined) params['Bandwidth'] = over.bandwidth;
  return {
    seq,
    requestId: `R${seq}`,
    time: '2026-12-01T00:00:00Z',
    method: 'POST',
    action: 'UpdateVpcEndpointConnectionAttribute',
    accessKeyId: 'LTAIx',
    accountId: '1000000000000001',
    params,
    status: 200,
    code: undefined,
    durationMs: 1,
    fault: undefined,
    ...over,
  };
}

test('effects: answered or lost writes count, replays, errors, hangs and drops do not', () => {
  const effects = effectsOf([
    entry(1, { token: 't1', bandwidth: '4096' }),
    entry(2, { token: 't1', bandwidth: '4096' }), // a replay of 1
    entry(3, { token: 't2', bandwidth: '4096', status: 0, fault: 'latency 1300ms' }), // answer lost, effect stands
    entry(4, { token: 't3', bandwidth: '4096', status: 0, fault: 'hang' }),
    entry(5, { token: 't4', bandwidth: '4096', status: 0, fault: 'drop' }),
    entry(6, { token: 't5', bandwidth: '4096', status: 400, code: 'ConcurrentCallNotSupported' }),
    entry(7, { action: 'ListVpcEndpointConnections' }),
  ]);
  assert.deepEqual(
    effects.map((e) => [e.seq, e.lost]),
    [
      [1, false],
      [3, true],
    ],
  );
  assert.deepEqual(doubleEffects(effects), ['resize epsrv-a/ep-a to 4096: log seq 1, 3']);
});

test('secrets: raw, URL-encoded and decoded forms are found and redacted', () => {
  const secrets = [
    { what: 'secret', value: 'soak+secret/abc=' },
    { what: 'signature', value: 'k2j%2Bx%2Fyy8sl3lq0Pzz%3D' },
  ];
  const hits = scanForSecrets(
    [
      { where: 'a', text: 'Code: InvalidParameter.soak%2Bsecret%2Fabc%3D' },
      { where: 'b', text: '{"m":"sig k2j+x/yy8sl3lq0Pzz= here"}' },
      { where: 'c', text: 'nothing to see' },
    ],
    secrets,
  );
  assert.deepEqual(hits, [
    { where: 'a', what: 'secret' },
    { where: 'b', what: 'signature' },
  ]);
  assert.equal(redactSecrets('x soak+secret/abc= y', secrets), 'x [secret] y');
});
