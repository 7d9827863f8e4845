/** The "no secrets in any error" assertion shared by the client tests. */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';

/** Fragments of a signed request's query string: none may appear in an error. */
const QUERY_FRAGMENTS = [
  'Signature=',
  'Signature%3D',
  'SignatureNonce=',
  'SignatureNonce%3D',
  'SecurityToken=',
  'SecurityToken%3D',
  'AccessKeyId=',
  'Timestamp=',
  '?Action=',
];

/**
 * Asserts that no rendering of `error` - String(), message, JSON.stringify, stack, util.inspect at
 * depth 5 - contains a secret, a security token, or any part of a signed URL's query.
 */
export function assertNoSecrets(error: unknown, secrets: string[]): void {
  const e = error as Error;
  const renderings: [string, string][] = [
    ['String(err)', String(error)],
    ['err.message', e.message],
    ['JSON.stringify(err)', JSON.stringify(error) ?? ''],
    ['err.stack', e.stack ?? ''],
    ['util.inspect(err)', inspect(error, { depth: 5 })],
  ];
  for (const [how, text] of renderings) {
    for (const needle of [...secrets, ...QUERY_FRAGMENTS]) {
      assert.ok(!text.includes(needle), `${how} contains ${JSON.stringify(needle)}:\n${text}`);
    }
  }
}
