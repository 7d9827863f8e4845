import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { clientToken, decisionKey as keyWith } from '../../functions/engine/decision-id.ts';
import { sha256Hex } from '../../functions/sweep/sha256.ts';
import type { Decision } from '../../functions/engine/decision.ts';
import { ACME, HANGZHOU, ORDERS } from './builders.ts';

test('sha256Hex: FIPS 180-4 vectors', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(
    sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
});

test('sha256Hex agrees with node:crypto around block boundaries and for non-ASCII text', () => {
  const inputs = ['é', '订单服务', '😀x'];
  for (let n = 0; n <= 130; n++) inputs.push('x'.repeat(n));
  inputs.push('y'.repeat(10_000));
  for (const s of inputs)
    assert.equal(sha256Hex(s), createHash('sha256').update(s, 'utf8').digest('hex'), `length ${s.length}`);
});

const base: Decision = {
  kind: 'accept',
  regionId: HANGZHOU,
  serviceId: ORDERS,
  endpointId: 'ep-bp1demoacme0001',
  endpointOwnerId: ACME,
  endpointVpcId: 'vpc-bp1demo0001',
  accountName: 'acme',
  statusBefore: 'Connecting',
  modifiedTime: '2026-11-25T12:00:00Z',
  bandwidthBefore: 3072,
  bandwidthAfter: 3072,
  rule: 'services[0].allow[0]',
  reason: 'allowed',
  reasonCode: 'in-transition',
  reasonParams: { status: 'Pending' },
  blocked: undefined,
};
const REV = 'sha256:0123456789abcdef';
/** The key with the shell's hash (node:crypto), as the sweep computes it. */
const decisionKey = (d: Decision, rev: string): string => keyWith(d, rev, sha256Hex);

test('decisionKey: stable, at most 64 ASCII characters (a valid ClientToken)', () => {
  const key = decisionKey(base, REV);
  assert.equal(key, decisionKey({ ...base }, REV));
  assert.match(key, /^[0-9a-f]{1,64}$/);
  // Pinned: the key must not change between releases, or a retried run after an upgrade acts twice.
  assert.equal(
    key,
    sha256Hex(JSON.stringify(['plk-decision-v1', HANGZHOU, ORDERS, 'ep-bp1demoacme0001', 'accept', 3072, REV])),
  );
  // The value the hand-written SHA-256 of earlier releases gave (engine/sha256.ts, now removed).
  assert.equal(key, 'e08f5292273a557903586336c3031a72e54aaa54015409330ab2446985bcde45');
});

test('clientToken: pinned, from the decision key and the ModifiedTime as listed', () => {
  const token = clientToken(decisionKey(base, REV), '2026-11-24T08:00:00Z', sha256Hex);
  assert.equal(token, '74288103d0192f4830df6f4d2703dbea14c50529e273e7334bf81304e8a77b6e');
  assert.notEqual(clientToken(decisionKey(base, REV), '2026-11-24T08:00:01Z', sha256Hex), token);
});

test('decisionKey: changes with what the action is, not with how it is described', () => {
  const key = decisionKey(base, REV);
  const different: [string, Decision, string][] = [
    ['revision', base, 'sha256:fedcba9876543210'],
    ['bandwidth', { ...base, bandwidthAfter: 2048 }, REV],
    ['no bandwidth', { ...base, bandwidthAfter: undefined }, REV],
    ['kind', { ...base, kind: 'reject', bandwidthAfter: undefined }, REV],
    ['endpoint', { ...base, endpointId: 'ep-bp1demoacme0002' }, REV],
    ['service', { ...base, serviceId: 'epsrv-other' }, REV],
    ['region', { ...base, regionId: 'cn-shanghai' }, REV],
  ];
  const seen = new Set([key]);
  for (const [what, d, rev] of different) {
    const k = decisionKey(d, rev);
    assert.notEqual(k, key, what);
    seen.add(k);
  }
  assert.equal(seen.size, different.length + 1, 'all keys distinct');
  const same: [string, Decision][] = [
    ['reason', { ...base, reason: 'other words' }],
    ['rule', { ...base, rule: 'services[1].allow[0]' }],
    ['account name', { ...base, accountName: undefined }],
    ['blocked', { ...base, blocked: { limit: 'maxDisconnects', reason: 'x' } }],
    ['status before', { ...base, statusBefore: 'Disconnected' }],
  ];
  for (const [what, d] of same) assert.equal(decisionKey(d, REV), key, what);
});

test('decisionKey: field boundaries cannot be shifted', () => {
  const a = decisionKey({ ...base, serviceId: 'epsrv-a', endpointId: 'b/ep' }, REV);
  const b = decisionKey({ ...base, serviceId: 'epsrv-a/b', endpointId: 'ep' }, REV);
  assert.notEqual(a, b);
});
