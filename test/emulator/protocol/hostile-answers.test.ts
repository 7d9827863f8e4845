/**
 * Malformed and hostile answers (fault rules' `answers`, emulator/README.md "Hostile answers"), one test
 * per kind, read off the wire with raw HTTP so that what the emulator sent is what is asserted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AnswerFault, FaultRule } from '../../../emulator/types.ts';
import { canonicalQuery, percentEncode, signRpc } from '../../../emulator/signature.ts';
import type { RawResponse, RunningEmulator } from '../helpers.ts';
import { accessKeyFor, control, rawCall, rpcTimestamp, startTestEmulator } from '../helpers.ts';
import { parseScenario } from '../../../emulator/model/scenario.ts';

const ORDERS = 'epsrv-bp1demoorders000001';
const LIST = { RegionId: 'cn-hangzhou', ServiceId: ORDERS, MaxResults: '2' };

describe('hostile answers', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startTestEmulator();
  });
  after(() => emu.close());

  /** Every ListVpcEndpointConnections answer meets `kind` (share 1) with the rule's other options. */
  const only = (kind: AnswerFault, extra: Partial<FaultRule> = {}): void => {
    emu.settings.faults = {
      seed: 1,
      rules: [{ actions: ['ListVpcEndpointConnections'], answers: { [kind]: 1 }, ...extra }],
    };
  };
  const list = (params: Record<string, string> = {}): Promise<RawResponse> =>
    rawCall(emu.url, accessKeyFor(emu, 'provider'), 'ListVpcEndpointConnections', { ...LIST, ...params });
  const items = (r: RawResponse): Array<Record<string, unknown>> =>
    r.json?.['Connections'] as Array<Record<string, unknown>>;

  test('connection items with missing or mistyped fields: only the first item of the page changes', async () => {
    const cases: Array<[AnswerFault, (text: string, item: Record<string, unknown>) => void]> = [
      ['ownerIdMissing', (_t, item) => assert.equal('EndpointOwnerId' in item, false)],
      ['ownerIdNull', (_t, item) => assert.equal(item['EndpointOwnerId'], null)],
      ['ownerIdObject', (_t, item) => assert.equal(typeof item['EndpointOwnerId'], 'object')],
      ['ownerIdFraction', (t) => assert.match(t, /"EndpointOwnerId":2000000000000002\.9[,}]/)],
      ['endpointIdMissing', (_t, item) => assert.equal('EndpointId' in item, false)],
      ['bandwidthHuge', (t) => assert.match(t, /"Bandwidth":1e308[,}]/)],
      ['statusUnknown', (_t, item) => assert.equal(item['ConnectionStatus'], 'Quarantined')],
      ['modifiedTimeBad', (_t, item) => assert.ok(Number.isNaN(Date.parse(String(item['ModifiedTime']))))],
    ];
    for (const [kind, check] of cases) {
      only(kind);
      const r = await list();
      assert.equal(r.status, 200, kind);
      const [first, second] = items(r);
      assert.ok(first && second, kind);
      check(r.text, first);
      assert.match(String(second['EndpointId']), /^ep-/, `${kind}: the second item is untouched`);
      assert.equal(typeof second['EndpointOwnerId'], 'number', kind);
    }
    assert.match(emu.requests().at(-1)?.fault ?? '', /modifiedTimeBad/, 'the request log names the fault');
  });

  test('Connections missing, not a list, or holding non-objects', async () => {
    only('listMissing');
    const missing = await list();
    assert.equal(missing.status, 200);
    assert.equal('Connections' in (missing.json ?? {}), false);
    assert.equal(typeof missing.json?.['NextToken'], 'string');
    only('listNotArray');
    const nested = await list();
    assert.ok(!Array.isArray(nested.json?.['Connections']));
    assert.ok(Array.isArray((nested.json?.['Connections'] as Record<string, unknown>)['Connection']));
    only('listNonObjects');
    const mixed = items(await list());
    assert.deepEqual(mixed.slice(2), [42, 'Connected', null, [1, 2]]);
  });

  test('a malformed page among good ones: 200 with half a body, selected by the seeded share', async () => {
    emu.settings.faults = {
      seed: 3,
      rules: [{ actions: ['ListVpcEndpointConnections'], answers: { malformedPage: 0.5 } }],
    };
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await list();
      assert.equal(r.status, 200);
      outcomes.push(r.json === undefined ? 'cut' : 'good');
    }
    assert.ok(outcomes.includes('cut') && outcomes.includes('good'), outcomes.join(' '));
    // The same seed gives the same sequence (a change the emulator sees restarts the sequence).
    await control(emu, 'PATCH', '/settings', { faults: { seed: 4 } });
    await list();
    await control(emu, 'PATCH', '/settings', { faults: { seed: 3 } });
    const again: string[] = [];
    for (let i = 0; i < 12; i++) again.push((await list()).json === undefined ? 'cut' : 'good');
    assert.deepEqual(again, outcomes);
  });

  test('endless paging: a new NextToken on every page, and those tokens are accepted', async () => {
    only('endlessPaging');
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await list(token === undefined ? {} : { NextToken: token });
      assert.equal(r.status, 200, String(r.json?.['Code']));
      token = String(r.json?.['NextToken']);
      assert.ok(token !== '' && !seen.has(token), `page ${page}: a fresh token`);
      seen.add(token);
    }
    // Even with the fault switched off, a minted token keeps the listing endless.
    emu.settings.faults = { seed: 1, rules: [] };
    const after = await list({ NextToken: token ?? '' });
    assert.equal(after.status, 200);
    assert.ok(!seen.has(String(after.json?.['NextToken'])));
  });

  test('cycling paging: the NextToken alternates between two values', async () => {
    only('cyclingPaging');
    const tokens: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 4; page++) {
      const r = await list(token === undefined ? {} : { NextToken: token });
      token = String(r.json?.['NextToken']);
      tokens.push(token);
    }
    assert.deepEqual(tokens, ['cycle-a', 'cycle-b', 'cycle-a', 'cycle-b']);
  });

  test('a huge page: N connections in one answer', async () => {
    only('hugePage', { hugePageConnections: 5000 });
    const r = await list();
    const all = items(r);
    assert.equal(all.length, 5000);
    assert.equal(new Set(all.map((c) => c['EndpointId'])).size, 5000);
  });

  test('a huge body: the configured size, streamed (the emulator does not hold it)', async () => {
    const bytes = 48 * 1024 * 1024;
    only('hugeBody', { hugeBodyBytes: bytes });
    const heapBefore = process.memoryUsage().heapUsed;
    const { length, heapPeak } = await streamLength(emu, bytes);
    assert.equal(length, bytes);
    // The emulator shares this process: its heap grew by far less than the body.
    assert.ok(heapPeak - heapBefore < bytes / 2, `heap grew by ${heapPeak - heapBefore} bytes`);
    assert.equal(emu.requests().at(-1)?.status, 200);
  });

  test('credentials echoed into Code, RequestId or Message: the request secret, token or signature', async () => {
    const key = accessKeyFor(emu, 'provider');
    const echo = (answer: AnswerFault, what: FaultRule['echo']): void => {
      emu.settings.faults = {
        seed: 1,
        rules: [{ actions: ['ListVpcEndpointConnections'], answers: { [answer]: 1 }, echo: what }],
      };
    };
    echo('credentialsInCode', ['accessKeySecret']);
    const code = await list();
    assert.equal(code.status, 400);
    assert.equal(code.json?.['Code'], `InvalidParameter.${key.accessKeySecret}`);

    echo('credentialsInRequestId', ['signature']);
    const common = { SignatureNonce: randomUUID(), Timestamp: rpcTimestamp() };
    const signed = await rawCall(emu.url, key, 'ListVpcEndpointConnections', LIST, { common });
    const all: Record<string, string> = {
      Action: 'ListVpcEndpointConnections',
      Format: 'JSON',
      Version: '2020-04-15',
      AccessKeyId: key.accessKeyId,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      ...common,
      ...LIST,
    };
    assert.equal(signed.json?.['RequestId'], signRpc('POST', all, key.accessKeySecret));

    // An STS caller: the security token comes back in the Message.
    const sts = await startTestEmulator({
      scenario: parseScenario(
        'accounts:\n  - { id: "1000000000000001", name: provider, accessKeys: [{ id: STSprovider01, secret: sts-secret, securityToken: sts-token-1 }] }\n',
        'sts.yaml',
      ),
      settings: { faults: { seed: 1, rules: [{ answers: { credentialsInMessage: 1 }, echo: ['securityToken'] }] } },
    });
    try {
      const message = await rawCall(sts.url, accessKeyFor(sts, 'provider'), 'ListVpcEndpointConnections', {
        RegionId: 'cn-hangzhou',
      });
      assert.equal(message.json?.['Message'], 'The specified parameter is not valid: sts-token-1');
      // The request log names the fault, never the credentials.
      assert.ok(!JSON.stringify(sts.requests()).includes('sts-token-1'), 'no token in the request log');
    } finally {
      await sts.close();
    }
    assert.ok(!JSON.stringify(emu.requests()).includes(key.accessKeySecret), 'no secret in the request log');
    emu.settings.faults = { seed: 1, rules: [] };
  });

  test('the control path and scenario files take the new rule fields and refuse unknown kinds', async () => {
    const good = await control(emu, 'PATCH', '/settings', {
      faults: {
        rules: [{ answers: { ownerIdNull: 0.25, hugePage: 0.25 }, hugePageConnections: 10, echo: ['signature'] }],
      },
    });
    assert.equal(good.status, 200);
    const bad = await control(emu, 'PATCH', '/settings', {
      faults: { rules: [{ answers: { ownerIdPurple: 0.5, ownerIdNull: 2 }, hugeBodyBytes: 0 }] },
    });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body['error']), /answers\.ownerIdPurple is not a known answer fault/);
    assert.match(String(bad.body['error']), /answers\.ownerIdNull must be a share between 0 and 1/);
    assert.match(String(bad.body['error']), /hugeBodyBytes must be an integer >= 1/);
    await control(emu, 'PATCH', '/settings', { faults: { seed: 1, rules: [] } });
  });
});

/** Reads a ListVpcEndpointConnections answer to the end, counting bytes; samples this process's heap. */
function streamLength(emu: RunningEmulator, expected: number): Promise<{ length: number; heapPeak: number }> {
  const key = accessKeyFor(emu, 'provider');
  const params: Record<string, string> = {
    Action: 'ListVpcEndpointConnections',
    Format: 'JSON',
    Version: '2020-04-15',
    AccessKeyId: key.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: rpcTimestamp(),
    ...LIST,
  };
  const body = `${canonicalQuery(params)}&Signature=${percentEncode(signRpc('POST', params, key.accessKeySecret))}`;
  const target = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        assert.equal(Number(res.headers['content-length']), expected);
        let length = 0;
        let heapPeak = process.memoryUsage().heapUsed;
        res.on('data', (c: Buffer) => {
          length += c.length;
          heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        });
        res.on('end', () => resolve({ length, heapPeak }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
