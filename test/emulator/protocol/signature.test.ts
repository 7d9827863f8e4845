import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  canonicalQuery,
  percentEncode,
  signRpc,
  stringToSign,
  verifyRpcSignature,
} from '../../../emulator/signature.ts';

/**
 * An independent encoder written from the documented rule (only A-Z a-z 0-9 - _ . ~ stay literal, every
 * other UTF-8 byte is %XX upper case), so the implementation is not checked against itself.
 */
function byteEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// The reference's worked example ("Signature introduction": AccessKey ID testid, secret testsecret).
const referenceExample: Record<string, string> = {
  Action: 'CreateVpcEndpointServiceConfiguration',
  Timestamp: '2016-02-23T12:46:24Z',
  Format: 'XML',
  AccessKeyId: 'testid',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  Version: '2019-02-18',
  SignatureVersion: '1.0',
};

test('the reference example: the string-to-sign is the documented one, with the separators encoded', () => {
  // The reference prints this string with its inner '&' and '=' unencoded and one key as "TimeStamp";
  // percent-encoding the canonical query (as its own step 1 says) turns them into %26 and %3D.
  const documented =
    'GET&%2F&AccessKeyId%3Dtestid&Action%3DCreateVpcEndpointServiceConfiguration&Format%3DXML&SignatureMethod%3DHMAC-SHA1&SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion%3D1.0&Timestamp%3D2016-02-23T12%253A46%253A24Z&Version%3D2019-02-18';
  const [head, ...rest] = documented.split('&');
  const expected = `${head}&${rest[0]}&${rest.slice(1).join('%26')}`;
  assert.equal(stringToSign('GET', referenceExample), expected);
});

test('the reference example signs to a fixed value that an independent HMAC reproduces', () => {
  // The reference's printed result ("CTIXOVtwR86fNWS********jyE=") is masked, and the same masked text
  // appears in other Alibaba API docs for other requests: it is a placeholder, not checkable. The value
  // below is the HMAC-SHA1 of the documented string-to-sign with key "testsecret&", computed without
  // this project's code.
  const canonical = Object.keys(referenceExample)
    .sort()
    .map((k) => `${byteEncode(k)}=${byteEncode(referenceExample[k] as string)}`)
    .join('&');
  const independent = createHmac('sha1', 'testsecret&')
    .update(`GET&%2F&${byteEncode(canonical)}`)
    .digest('base64');
  assert.equal(independent, '3X0vYzarMtYMgmTkGk2kOhspepY=');
  assert.equal(signRpc('GET', referenceExample, 'testsecret'), '3X0vYzarMtYMgmTkGk2kOhspepY=');
});

test("Alibaba's fully printed signature example (ECS DescribeRegions, testsecret) gives its published value", () => {
  const params = {
    AccessKeyId: 'testid',
    Action: 'DescribeRegions',
    Format: 'XML',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    SignatureVersion: '1.0',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  };
  assert.equal(signRpc('GET', params, 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
});

test('percent-encoding follows RFC 3986 as Alibaba uses it', () => {
  assert.equal(percentEncode('a b*c~d'), 'a%20b%2Ac~d');
  assert.equal(percentEncode("!'()"), '%21%27%28%29');
  assert.equal(percentEncode('é/+='), '%C3%A9%2F%2B%3D');
  for (const s of ['plain', 'a b', 'x*y~z', "it's (all) !", 'ü€😀', 'k=v&w'])
    assert.equal(percentEncode(s), byteEncode(s));
});

test('the canonical query sorts keys and leaves Signature out', () => {
  assert.equal(canonicalQuery({ b: '2', a: '1', Signature: 'x', 'A.1': 'z' }), 'A.1=z&a=1&b=2');
});

test('the method is part of what is signed; verification rejects any change', () => {
  const params = { ...referenceExample };
  const signed = { ...params, Signature: signRpc('POST', params, 'testsecret') };
  assert.equal(verifyRpcSignature('POST', signed, 'testsecret'), true);
  assert.equal(verifyRpcSignature('GET', signed, 'testsecret'), false);
  assert.equal(verifyRpcSignature('POST', signed, 'othersecret'), false);
  assert.equal(verifyRpcSignature('POST', { ...signed, Format: 'JSON' }, 'testsecret'), false);
  assert.equal(verifyRpcSignature('POST', { ...signed, Signature: 'short' }, 'testsecret'), false);
  assert.equal(verifyRpcSignature('POST', params, 'testsecret'), false);
});
