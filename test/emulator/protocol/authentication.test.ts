import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import RPCClient from '@alicloud/pop-core';
import { demoScenario } from '../../../emulator/model/scenario.ts';
import type { RunningEmulator } from '../helpers.ts';
import { accessKeyFor, clientFor, rawCall, rejection, rpcTimestamp, startTestEmulator } from '../helpers.ts';

/** A scenario with an STS-style key for acme. */
function scenarioWithSts(): ReturnType<typeof demoScenario> {
  const scenario = demoScenario();
  const acme = scenario.accounts.find((a) => a.name === 'acme');
  assert.ok(acme);
  acme.accessKeys.push({
    accessKeyId: 'STS.demoAcmeRole0001',
    accessKeySecret: 'sts-acme-secret',
    securityToken: 'sts-token-acme-0001',
  });
  acme.accessKeys.push({ accessKeyId: 'LTAIdemoAcmeDisabled', accessKeySecret: 'disabled-secret', inactive: true });
  return scenario;
}

describe('authentication and common parameters', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startTestEmulator({ scenario: scenarioWithSts() });
  });
  after(() => emu.close());

  test('a wrong signature is SignatureDoesNotMatch, and the answer reveals nothing signed or secret', async () => {
    const key = accessKeyFor(emu, 'provider');
    const res = await rawCall(emu.url, key, 'DescribeRegions', {}, { signWith: 'not-the-secret' });
    assert.equal(res.status, 400);
    assert.equal(res.json?.['Code'], 'SignatureDoesNotMatch');
    assert.equal(res.json?.['Message'], 'Specified signature is not matched with our calculation.');
    assert.match(String(res.json?.['RequestId']), /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    assert.equal(res.headers['x-acs-request-id'], res.json?.['RequestId']);
    for (const field of ['HostId', 'Recommend']) assert.equal(typeof res.json?.[field], 'string', field);
    assert.doesNotMatch(res.text, /GET&|POST&|%2F|demo-provider-secret|not-the-secret/);
  });

  test('an unknown AccessKeyId is InvalidAccessKeyId.NotFound through pop-core', async () => {
    const client = new RPCClient({
      endpoint: emu.url,
      apiVersion: '2020-04-15',
      accessKeyId: 'LTAInobody',
      accessKeySecret: 'whatever',
      opts: { method: 'POST' },
    });
    const error = await rejection(() => client.request('DescribeRegions', {}, { method: 'POST' }));
    assert.equal(error['code'], 'InvalidAccessKeyId.NotFound');
    assert.equal((error['data'] as Record<string, unknown>)['Message'], 'Specified access key is not found.');
  });

  test('a disabled AccessKey is InvalidAccessKeyId.Inactive (400), as Alibaba lists it', async () => {
    const res = await rawCall(
      emu.url,
      { accessKeyId: 'LTAIdemoAcmeDisabled', accessKeySecret: 'disabled-secret' },
      'DescribeRegions',
    );
    assert.equal(res.status, 400);
    assert.equal(res.json?.['Code'], 'InvalidAccessKeyId.Inactive');
    assert.equal(res.json?.['Message'], 'Specified access key is disabled.');
  });

  test('a reused SignatureNonce is SignatureNonceUsed', async () => {
    const key = accessKeyFor(emu, 'acme');
    const first = await rawCall(
      emu.url,
      key,
      'DescribeRegions',
      {},
      { common: { SignatureNonce: 'nonce-used-twice' } },
    );
    assert.equal(first.status, 200, first.text);
    const second = await rawCall(
      emu.url,
      key,
      'DescribeRegions',
      {},
      { common: { SignatureNonce: 'nonce-used-twice' } },
    );
    assert.equal(second.status, 400);
    assert.equal(second.json?.['Code'], 'SignatureNonceUsed');
    // Nonces are per AccessKey: another caller may use the same string.
    const other = await rawCall(
      emu.url,
      accessKeyFor(emu, 'globex'),
      'DescribeRegions',
      {},
      { common: { SignatureNonce: 'nonce-used-twice' } },
    );
    assert.equal(other.status, 200, other.text);
  });

  test('a forged request does not use up the nonce of the real caller', async () => {
    const key = accessKeyFor(emu, 'acme');
    const forged = await rawCall(
      emu.url,
      key,
      'DescribeRegions',
      {},
      { common: { SignatureNonce: 'nonce-forged' }, signWith: 'guess' },
    );
    assert.equal(forged.json?.['Code'], 'SignatureDoesNotMatch');
    const real = await rawCall(emu.url, key, 'DescribeRegions', {}, { common: { SignatureNonce: 'nonce-forged' } });
    assert.equal(real.status, 200, real.text);
  });

  test('a Timestamp more than 15 minutes away from the emulator clock is InvalidTimeStamp.Expired', async () => {
    const key = accessKeyFor(emu, 'acme');
    const now = emu.clock.now();
    for (const offset of [-16 * 60_000, 16 * 60_000]) {
      const res = await rawCall(
        emu.url,
        key,
        'DescribeRegions',
        {},
        { common: { Timestamp: rpcTimestamp(now + offset) } },
      );
      assert.equal(res.json?.['Code'], 'InvalidTimeStamp.Expired', `offset ${offset}`);
    }
    const near = await rawCall(
      emu.url,
      key,
      'DescribeRegions',
      {},
      { common: { Timestamp: rpcTimestamp(now - 14 * 60_000) } },
    );
    assert.equal(near.status, 200, near.text);
  });

  test('advancing the emulator clock past the allowed skew makes real pop-core requests expire', async () => {
    const own = await startTestEmulator();
    try {
      own.clock.advance(16 * 60_000);
      const error = await rejection(() =>
        clientFor(own, 'provider').request('DescribeRegions', {}, { method: 'POST' }),
      );
      assert.equal(error['code'], 'InvalidTimeStamp.Expired');
      own.settings.maxClockSkewMs = 60 * 60_000;
      const code = await clientFor(own, 'provider')
        .request('DescribeRegions', {}, { method: 'POST' })
        .then(
          () => 'ok',
          (e: { code?: string }) => e.code,
        );
      assert.equal(code, 'ok');
      assert.equal(own.requests().at(-1)?.accountId, '1000000000000001');
    } finally {
      await own.close();
    }
  });

  test('a malformed Timestamp is InvalidTimeStamp.Format', async () => {
    const key = accessKeyFor(emu, 'acme');
    for (const ts of ['2026-11-25 10:00:00', 'yesterday', '2026-13-45T99:00:00Z', '1764064800']) {
      const res = await rawCall(emu.url, key, 'DescribeRegions', {}, { common: { Timestamp: ts } });
      assert.equal(res.json?.['Code'], 'InvalidTimeStamp.Format', ts);
    }
  });

  test('a wrong Version is InvalidVersion (through pop-core)', async () => {
    const key = accessKeyFor(emu, 'provider');
    const client = new RPCClient({
      endpoint: emu.url,
      apiVersion: '2019-02-18',
      accessKeyId: key.accessKeyId,
      accessKeySecret: key.accessKeySecret,
    });
    const error = await rejection(() => client.request('DescribeRegions', {}, { method: 'POST' }));
    assert.equal(error['code'], 'InvalidVersion');
  });

  test('missing common parameters are MissingParameter naming the parameter', async () => {
    const key = accessKeyFor(emu, 'provider');
    for (const name of [
      'Version',
      'AccessKeyId',
      'SignatureNonce',
      'Timestamp',
      'SignatureMethod',
      'SignatureVersion',
    ]) {
      const res = await rawCall(emu.url, key, 'DescribeRegions', {}, { common: { [name]: undefined } });
      assert.equal(res.status, 400, name);
      assert.equal(res.json?.['Code'], 'MissingParameter', name);
      assert.equal(
        res.json?.['Message'],
        `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
      );
    }
    const noAction = await rawCall(emu.url, key, 'DescribeRegions', {}, { common: { Action: undefined } });
    assert.equal(noAction.json?.['Code'], 'MissingParameter');
  });

  test('an unknown Action is InvalidApi.NotFound (404), before any signature check', async () => {
    const res = await rawCall(emu.url, { accessKeyId: 'LTAInobody', accessKeySecret: 'x' }, 'DescribeInstances');
    assert.equal(res.status, 404);
    assert.equal(res.json?.['Code'], 'InvalidApi.NotFound');
  });

  test('a signature method other than HMAC-SHA1 is InvalidSignatureMethod, a version other than 1.0 IncompleteSignature', async () => {
    const key = accessKeyFor(emu, 'provider');
    const method = await rawCall(emu.url, key, 'DescribeRegions', {}, { common: { SignatureMethod: 'HMAC-SHA256' } });
    assert.equal(method.json?.['Code'], 'InvalidSignatureMethod');
    const version = await rawCall(emu.url, key, 'DescribeRegions', {}, { common: { SignatureVersion: '2.0' } });
    assert.equal(version.json?.['Code'], 'IncompleteSignature');
  });

  test('an unsupported Format is InvalidParameter.Format', async () => {
    const res = await rawCall(
      emu.url,
      accessKeyFor(emu, 'provider'),
      'DescribeRegions',
      {},
      { common: { Format: 'YAML' } },
    );
    assert.equal(res.json?.['Code'], 'InvalidParameter.Format');
  });

  test('an STS key works with its SecurityToken, and fails without it or with another one', async () => {
    const sts = emu.accounts.find((a) => a.name === 'acme')?.accessKeys.find((k) => k.securityToken !== undefined);
    assert.ok(sts);
    const withToken = await rawCall(emu.url, sts, 'DescribeRegions');
    assert.equal(withToken.status, 200, withToken.text);
    const log = emu.requests().at(-1);
    assert.equal(log?.accountId, '2000000000000001');

    const without = await rawCall(emu.url, { ...sts, securityToken: undefined }, 'DescribeRegions');
    assert.equal(without.json?.['Code'], 'MissingSecurityToken');
    const wrong = await rawCall(emu.url, { ...sts, securityToken: 'sts-token-forged' }, 'DescribeRegions');
    assert.equal(wrong.json?.['Code'], 'InvalidSecurityToken.MismatchWithAccessKey');
    // A token sent with a permanent key is as wrong as a forged one.
    const stray = await rawCall(
      emu.url,
      { ...accessKeyFor(emu, 'acme'), securityToken: 'sts-token-acme-0001' },
      'DescribeRegions',
    );
    assert.equal(stray.json?.['Code'], 'InvalidSecurityToken.MismatchWithAccessKey');
    for (const body of [without.text, wrong.text, stray.text]) assert.doesNotMatch(body, /sts-token|sts-acme-secret/);
  });

  test('STS keys are refused when settings.allowSts is off', async () => {
    const sts = emu.accounts.find((a) => a.name === 'acme')?.accessKeys.find((k) => k.securityToken !== undefined);
    assert.ok(sts);
    emu.settings.allowSts = false;
    try {
      const res = await rawCall(emu.url, sts, 'DescribeRegions');
      assert.equal(res.json?.['Code'], 'InvalidAccessKeyId.NotFound');
    } finally {
      emu.settings.allowSts = true;
    }
  });

  test('the request log never holds a secret, a signature or a security token', async () => {
    const text = JSON.stringify(emu.requests());
    assert.ok(emu.requests().length > 10);
    for (const account of emu.accounts) {
      for (const key of account.accessKeys) {
        assert.ok(!text.includes(key.accessKeySecret), `secret of ${key.accessKeyId}`);
        if (key.securityToken !== undefined)
          assert.ok(!text.includes(key.securityToken), `token of ${key.accessKeyId}`);
      }
    }
    for (const entry of emu.requests()) {
      assert.equal('Signature' in entry.params, false);
      assert.equal('SecurityToken' in entry.params, false);
    }
  });
});
