/**
 * The client's parse of every answer (functions/client/answer-json.ts): native JSON.parse with every long
 * number a double cannot hold kept as a string of its text, only outside strings; one parse path, checked
 * on every call; through the real pop-core against a loopback server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import jsonBigint from 'json-bigint';
import { seededRandom } from '../../emulator/index.ts';
import { AnswerNotJson, parseAnswer, quoteLongNumbers } from '../../functions/client/answer-json.ts';
import { ApiError } from '../../functions/client/api-error.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { json, startWireServer } from './wire-server.ts';
import type { WireServer } from './wire-server.ts';

describe('parseAnswer', () => {
  it('keeps every long number exact: a string of its text unless a double holds it exactly', () => {
    const cases: [string, unknown][] = [
      ['1190592979811234', 1190592979811234], // 16 digits, below 2^53: a number, exact
      ['9007199254740991', 9007199254740991], // 2^53-1
      ['9007199254740993', '9007199254740993'], // 2^53+1: a double would round it
      ['12345678901234567', '12345678901234567'],
      ['123456789012345678', '123456789012345678'],
      ['9223372036854775807', '9223372036854775807'], // 2^63-1
      ['12345678901234567890', '12345678901234567890'],
      ['-9223372036854775808', '-9223372036854775808'],
      ['2000000000000002.9', '2000000000000002.9'],
      ['0.1000000000000001', '0.1000000000000001'],
      ['1.5e+300000000000000', '1.5e+300000000000000'],
      ['123456789012345', 123456789012345], // 15 characters: JSON.parse's number
      ['1e17', 1e17],
      ['1.5', 1.5],
    ];
    for (const [token, expected] of cases) {
      assert.deepEqual(parseAnswer(`{"a":${token},"b":[${token}, ${token} ]}`), {
        a: expected,
        b: [expected, expected],
      });
    }
  });

  it('leaves strings alone: digits, colons, escaped quotes and backslashes inside them', () => {
    const strings = [
      'x:12345678901234567890,',
      '[12345678901234567890]',
      'a\\',
      'say "x":12345678901234567890, ok',
      '\\":12345678901234567890,"',
      '\\\\"',
      '"',
    ];
    for (const s of strings) {
      // A long number after the string makes the parse look for strings at all.
      const text = `{"s":${JSON.stringify(s)},"t":[${JSON.stringify(s)}],"n":12345678901234567890}`;
      assert.deepEqual(parseAnswer(text), { s, t: [s], n: '12345678901234567890' }, text);
      assert.deepEqual(parseAnswer(Buffer.from(text)), { s, t: [s], n: '12345678901234567890' });
    }
  });

  it('keeps invalid JSON invalid: a long number is quoted only where a value stands', () => {
    const invalid = [
      '{12345678901234567890:1}',
      '{"a":1,12345678901234567890:2}',
      '[12345678901234567890 1]',
      '{"a":12345678901234567-8}',
      '{"a":012345678901234567}',
      '{"a":+12345678901234567}',
      '{"a":truE12345678901234567}',
      '{"a":"x"12345678901234567890}',
      '{"a":12345678901234567.}',
    ];
    for (const text of invalid) assert.throws(() => parseAnswer(text), AnswerNotJson, text);
    // A top-level bare number is no answer; it is not quoted.
    assert.equal(quoteLongNumbers('12345678901234567890'), '12345678901234567890');
  });

  it('throws AnswerNotJson with nothing of the body for what is not JSON', () => {
    for (const text of ['<html>secret-page</html>', '', '{"a":1', "{'a':1}", '\ufeff{}', '{"a":NaN}']) {
      assert.throws(
        () => parseAnswer(text),
        (e: unknown) => e instanceof AnswerNotJson && e.message === 'the answer is not JSON',
      );
    }
  });

  it('makes plain objects: a __proto__ key is an own property, never a prototype', () => {
    const parsed = parseAnswer('{"__proto__":{"polluted":1},"a":{"__proto__":{"EndpointId":"ep-x"}}}') as Record<
      string,
      Record<string, unknown>
    >;
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.equal(Object.getPrototypeOf(parsed.a), Object.prototype);
    assert.equal(parsed.a?.EndpointId, undefined);
    assert.deepEqual(Object.keys(parsed), ['__proto__', 'a']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('agrees with a model on random bodies (strings full of quotes, backslashes and digits)', () => {
    const random = seededRandom(20261201);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const chars = ['"', '\\', ':', ',', '[', ']', '{', '}', ' ', '1', '9', '0', '.', 'e', '-', '+', 'a', '\n', 'é'];
    const tokens = [
      '7',
      '-0.5',
      '1e3',
      '1190592979811234',
      '9007199254740993',
      '2000000000000002.9',
      '1e+1000000000000',
    ];
    /** A random value as [JSON text, the value the parse must give]. */
    const value = (depth: number): [string, unknown] => {
      const r = random();
      if (r < 0.3) {
        const s = Array.from({ length: Math.floor(random() * 30) }, () =>
          random() < 0.3 ? '12345678901234567890' : pick(chars),
        ).join('');
        return [JSON.stringify(s), s];
      }
      if (r < 0.55 || depth > 3) {
        const token = pick(tokens);
        const exact = token.length <= 15 || (/^-?[1-9][0-9]*$/.test(token) && Number.isSafeInteger(Number(token)));
        return [token, exact ? Number(token) : token];
      }
      const items = Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const ws = () => pick(['', ' ', '\n  ']);
      if (r < 0.75)
        return [`[${ws()}${items.map(([t]) => t).join(`${ws()},${ws()}`)}${ws()}]`, items.map(([, v]) => v)];
      const keys = items.map((_, i) => `k${i}:"\\${i}`);
      return [
        `{${items.map(([t], i) => `${JSON.stringify(keys[i])}${ws()}:${ws()}${t}`).join(',')}}`,
        Object.fromEntries(items.map(([, v], i) => [keys[i], v])),
      ];
    };
    for (let i = 0; i < 2000; i++) {
      const [text, expected] = value(0);
      assert.deepEqual(parseAnswer(`{"body":${text}}`), { body: expected }, text);
    }
  });
});

describe('through pop-core', () => {
  let server: WireServer;
  let client: PrivateLinkClient;
  const list = { regionId: 'cn-hangzhou', serviceId: 'epsrv-parse1' };
  const connection = (owner: string, extra = '') =>
    `{"EndpointId":"ep-parse1","EndpointOwnerId":${owner},"EndpointVpcId":"vpc-parse1","ServiceId":"epsrv-parse1",` +
    `"ConnectionStatus":"Connected","Bandwidth":1024,"ModifiedTime":"2020-09-10T01:03:38Z"${extra}}`;

  before(async () => {
    server = await startWireServer((_req, res) => json(res, { RequestId: 'R' }));
    const credentials = staticCredentials({ accessKeyId: 'LTAIparse', accessKeySecret: 'parse-secret-1' });
    client = createPrivateLinkClient({ credentials, endpoint: server.url, timeoutMs: 5000 });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it("pop-core's parse is the client's: one json-bigint, the one pop-core requires", () => {
    assert.equal(jsonBigint.parse, parseAnswer);
    const own = createRequire(import.meta.url);
    const popCore = createRequire(own.resolve('@alicloud/pop-core/lib/rpc.js'));
    assert.equal(popCore.resolve('json-bigint'), own.resolve('json-bigint'));
  });

  it('account IDs of 16 to 19 digits arrive exact, 2^63-1 included; 20 digits are refused', async () => {
    const owners = ['1190592979811234', '9007199254740993', '12345678901234567', '123456789012345678'];
    owners.push('9223372036854775807', '12345678901234567890');
    const items = owners.map((o) => connection(o));
    server.handle((_req, res) => json(res, `{"RequestId":"R-ids","Connections":[${items.join(',')}]}`));
    const page = await client.listVpcEndpointConnections(list);
    assert.deepEqual(
      page.items.map((c) => c.endpointOwnerId),
      owners.slice(0, 5),
    );
    assert.deepEqual(
      page.invalid.map((x) => [x.field, x.problem]),
      [
        [
          'EndpointOwnerId',
          'must be an account ID: an integer of 1-19 digits, at most 9223372036854775807, got "12345678901234567890"',
        ],
      ],
    );
  });

  it('strings with digits, escaped quotes and backslashes come through unchanged', async () => {
    const name = 'x:12345678901234567890, say \\"y\\":9223372036854775808, end\\\\';
    const service =
      `{"ServiceId":"epsrv-parse1","ServiceName":"${name}","ServiceDescription":"\\\\","AutoAcceptEnabled":false,` +
      `"ConnectBandwidth":1024,"MinBandwidth":100,"MaxBandwidth":10240,"Pad":12345678901234567890}`;
    server.handle((_req, res) => json(res, `{"RequestId":"R-s","Services":[${service}]}`));
    const page = await client.listVpcEndpointServices({ regionId: 'cn-hangzhou' });
    assert.equal(page.items[0]?.serviceName, JSON.parse(`"${name}"`));
    assert.equal(page.items[0]?.serviceDescription, '\\');
  });

  it('__proto__ keys are harmless: no field comes from them, nothing is polluted', async () => {
    const item = connection('1190592979811234').replace(
      '"EndpointId":"ep-parse1",',
      '"__proto__":{"EndpointId":"ep-evil"},',
    );
    server.handle((_req, res) =>
      json(res, `{"__proto__":{"RequestId":"R-evil"},"RequestId":"R-p","Connections":[${item}]}`),
    );
    const page = await client.listVpcEndpointConnections(list);
    assert.equal(page.requestId, 'R-p');
    assert.deepEqual(page.items, []);
    assert.deepEqual(
      page.invalid.map((x) => x.field),
      ['EndpointId'],
    );
    assert.equal(({} as Record<string, unknown>).EndpointId, undefined);
  });

  it('a body that is not JSON is a BadResponse that echoes none of it', async () => {
    server.handle((_req, res) => json(res, '<html>gateway says parse-secret-1 12345678901234567890</html>', 502));
    const error = await client.listVpcEndpointConnections(list).catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.deepEqual([error.code, error.httpStatus, error.retryable], ['BadResponse', 502, true]);
    assert.equal(
      error.message,
      'BadResponse: ListVpcEndpointConnections answered HTTP 502 with a body that is not a JSON object',
    );
  });

  it('one parse path: an answer parsed by anything else is refused, never believed', async () => {
    server.handle((_req, res) => json(res, `{"RequestId":"R-other","Connections":[${connection('1')}]}`));
    const ours = jsonBigint.parse;
    jsonBigint.parse = (source: unknown) => JSON.parse(String(source)) as unknown;
    try {
      await assert.rejects(client.listVpcEndpointConnections(list), {
        code: 'UnexpectedParse',
        message:
          'UnexpectedParse: ListVpcEndpointConnections was answered through another JSON parse than answer-json.ts',
      });
    } finally {
      jsonBigint.parse = ours;
    }
    assert.equal((await client.listVpcEndpointConnections(list)).requestId, 'R-other');
  });
});
