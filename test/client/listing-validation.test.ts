/**
 * Every listing answer is checked before it is believed (issue 9), through the real pop-core against a
 * loopback server whose bodies are written by hand (so long numbers arrive through the client parse):
 * a connection or service whose field fails goes to `page.invalid` naming the field, never into `items`;
 * a page whose shape is wrong rejects with the transient `MalformedResponse`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../functions/client/api-error.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { json, startWireServer } from './wire-server.ts';
import type { WireServer } from './wire-server.ts';

let server: WireServer;
let client: PrivateLinkClient;

before(async () => {
  server = await startWireServer((_req, res) => json(res, { RequestId: 'R' }));
  const credentials = staticCredentials({ accessKeyId: 'LTAIvalidation', accessKeySecret: 'validation-secret-1' });
  client = createPrivateLinkClient({ credentials, endpoint: server.url, timeoutMs: 2000 });
});
after(async () => {
  client.close();
  await server.close();
});

const REGION = 'cn-hangzhou';
const SERVICE = 'epsrv-hp3vpx8yqxblby3i0000';

/** A valid connection as JSON text fields, so a test can put any raw JSON (a long number) in one. */
const CONNECTION: Record<string, string> = {
  EndpointId: '"ep-hp33b2e43fays7s80000"',
  EndpointOwnerId: '1190592979811234',
  EndpointVpcId: '"vpc-hp3leulap5s087jpl0000"',
  ServiceId: `"${SERVICE}"`,
  ConnectionStatus: '"Connecting"',
  Bandwidth: '1024',
  ModifiedTime: '"2020-09-10T01:03:38Z"',
};

/** A JSON object from raw field texts; a field whose text is undefined is left out. */
function object(fields: Record<string, string | undefined>): string {
  const parts = Object.entries(fields).flatMap(([k, v]) => (v === undefined ? [] : [`${JSON.stringify(k)}:${v}`]));
  return `{${parts.join(',')}}`;
}

function answerConnections(items: string[], extra = ''): void {
  server.handle((_req, res) => json(res, `{"RequestId":"R-c"${extra},"Connections":[${items.join(',')}]}`));
}

function listConnections(maxResults?: number) {
  return client.listVpcEndpointConnections({ regionId: REGION, serviceId: SERVICE, maxResults });
}

describe('a connection is believed only when every field the engine uses passes its check', () => {
  const refused: [string, string, string | undefined][] = [
    ['EndpointOwnerId', 'missing', undefined],
    ['EndpointOwnerId', 'null', 'null'],
    ['EndpointOwnerId', 'an object', '{"Id":1}'],
    ['EndpointOwnerId', 'a word', '"acme"'],
    ['EndpointOwnerId', 'a fractional 17-digit number (not rounded)', '2000000000000002.9'],
    ['EndpointOwnerId', 'a fractional number', '1.5'],
    ['EndpointOwnerId', 'negative', '-5'],
    ['EndpointOwnerId', 'a leading zero', '"0123"'],
    ['EndpointOwnerId', '2^63 (one above a signed long)', '9223372036854775808'],
    ['EndpointOwnerId', '20 digits', '12345678901234567890'],
    ['EndpointOwnerId', 'a number above 2^53 (not exact)', '1e17'],
    ['EndpointId', 'missing', undefined],
    ['EndpointId', 'empty', '""'],
    ['EndpointId', 'a number', '42'],
    ['EndpointId', 'with a terminal escape', '"ep-abc\\u001b[31m"'],
    ['EndpointId', 'another kind of ID', '"vpc-abc"'],
    ['EndpointId', 'upper case', '"ep-ABC"'],
    ['EndpointId', 'with a query', '"ep-abc&EndpointId=ep-other"'],
    ['EndpointVpcId', 'missing', undefined],
    ['EndpointVpcId', 'not a VPC ID', '"vsw-abc"'],
    ['ServiceId', 'another service', '"epsrv-other0"'],
    ['ConnectionStatus', 'missing', undefined],
    ['ConnectionStatus', 'unknown', '"Weird"'],
    ['ConnectionStatus', 'a number', '3'],
    ['Bandwidth', '1e308', '1e308'],
    ['Bandwidth', 'missing', undefined],
    ['Bandwidth', 'negative', '-1'],
    ['Bandwidth', 'fractional', '100.5'],
    ['Bandwidth', 'above the API maximum', '25601'],
    ['Bandwidth', 'a 17-digit number', '12345678901234567'],
    ['Bandwidth', 'a string in exponent notation', '"1e3"'],
    ['Bandwidth', 'a boolean', 'true'],
    ['ModifiedTime', 'missing', undefined],
    ['ModifiedTime', 'a word', '"yesterday"'],
    ['ModifiedTime', 'out of range', '"2020-13-45T99:99:99Z"'],
    ['ModifiedTime', 'without a zone', '"2020-09-10T01:03:38"'],
    ['ModifiedTime', 'epoch seconds', '1600000000'],
  ];
  for (const [field, what, raw] of refused) {
    it(`${field} ${what}: listed as invalid, naming ${field}`, async () => {
      answerConnections([object({ ...CONNECTION, [field]: raw })]);
      const page = await listConnections();
      assert.deepEqual(page.items, []);
      assert.equal(page.invalid.length, 1);
      const [invalid] = page.invalid;
      assert.equal(invalid?.field, field);
      assert.match(invalid?.problem ?? '', /^must be .+, got .+$/);
      // The IDs are named only when they are themselves valid.
      assert.equal(invalid?.endpointId, field === 'EndpointId' ? undefined : 'ep-hp33b2e43fays7s80000');
      assert.equal(invalid?.ownerId, field === 'EndpointOwnerId' ? undefined : '1190592979811234');
    });
  }

  it('a refused value is quoted short, escaped and printable', async () => {
    answerConnections([
      object({ ...CONNECTION, EndpointId: JSON.stringify(`ep-\u001b]0;x\u0007\u2028${'a'.repeat(99)}`) }),
    ]);
    const [invalid] = (await listConnections()).invalid;
    assert.equal(
      invalid?.problem,
      'must be an ID like ep-hp3vpx8yqxblby3i (lower-case letters and digits), got ' +
        `"ep-\\u001b]0;x\\u0007\\u2028${'a'.repeat(30)}..."`,
    );
  });

  const believed: [string, string | undefined, unknown][] = [
    ['EndpointOwnerId', '9223372036854775807', '9223372036854775807'],
    ['EndpointOwnerId', '"9223372036854775807"', '9223372036854775807'],
    ['EndpointOwnerId', '1', '1'],
    ['Bandwidth', '0', 0],
    ['Bandwidth', '25600', 25600],
    ['Bandwidth', '"2048"', 2048],
    ['ConnectionStatus', '"DisConnected"', 'Disconnected'],
    ['ModifiedTime', '"2020-09-10T01:03:38.123+08:00"', '2020-09-10T01:03:38.123+08:00'],
    ['ServiceId', undefined, SERVICE],
  ];
  for (const [field, raw, expected] of believed) {
    it(`${field} ${raw ?? 'missing'} is believed`, async () => {
      answerConnections([object({ ...CONNECTION, [field]: raw })]);
      const page = await listConnections();
      assert.deepEqual(page.invalid, []);
      const key = { EndpointOwnerId: 'endpointOwnerId', Bandwidth: 'bandwidth', ServiceId: 'serviceId' }[field];
      const name = key ?? `${field[0]?.toLowerCase()}${field.slice(1)}`;
      assert.equal((page.items[0] as unknown as Record<string, unknown>)[name], expected);
    });
  }

  it('good and bad items on one page: each good one believed, each bad one listed, none dropped', async () => {
    const items = Array.from({ length: 10 }, (_, i) =>
      object({ ...CONNECTION, EndpointId: `"ep-item${i}"`, Bandwidth: i % 3 === 0 ? '1e308' : '100' }),
    );
    answerConnections(items);
    const page = await listConnections();
    assert.deepEqual(
      page.items.map((c) => c.endpointId),
      ['ep-item1', 'ep-item2', 'ep-item4', 'ep-item5', 'ep-item7', 'ep-item8'],
    );
    assert.deepEqual(
      page.invalid.map((x) => [x.endpointId, x.field]),
      ['ep-item0', 'ep-item3', 'ep-item6', 'ep-item9'].map((id) => [id, 'Bandwidth']),
    );
  });
});

describe('a listing page whose shape is wrong is refused whole (MalformedResponse, transient)', () => {
  const good = object(CONNECTION);
  const pages: [string, string][] = [
    ['Connections missing', '{"RequestId":"R-m"}'],
    ['Connections null', '{"RequestId":"R-m","Connections":null}'],
    ['Connections a string', '{"RequestId":"R-m","Connections":"none"}'],
    ['Connections an object without the list', '{"RequestId":"R-m","Connections":{}}'],
    ['Connections wrapped, not a list', '{"RequestId":"R-m","Connections":{"Connection":"x"}}'],
    ['Connections in the XML-shaped nesting', `{"RequestId":"R-m","Connections":{"Connection":[${good}]}}`],
    ['a number among the items', `{"RequestId":"R-m","Connections":[${good},1]}`],
    ['null among the items', `{"RequestId":"R-m","Connections":[null,${good}]}`],
    ['a list among the items', `{"RequestId":"R-m","Connections":[[${good}]]}`],
    ['a string among the items', `{"RequestId":"R-m","Connections":["ep-x"]}`],
    ['NextToken a number', `{"RequestId":"R-m","NextToken":5,"Connections":[${good}]}`],
    ['NextToken an object', `{"RequestId":"R-m","NextToken":{},"Connections":[${good}]}`],
    ['NextToken null', `{"RequestId":"R-m","NextToken":null,"Connections":[${good}]}`],
    ['NextToken of 2000 characters', `{"RequestId":"R-m","NextToken":"${'t'.repeat(2000)}","Connections":[]}`],
    ['TotalCount negative', `{"RequestId":"R-m","TotalCount":-1,"Connections":[]}`],
    ['TotalCount a word', `{"RequestId":"R-m","TotalCount":"many","Connections":[]}`],
    ['TotalCount fractional', `{"RequestId":"R-m","TotalCount":1.5,"Connections":[${good}]}`],
    ['TotalCount below the items listed', `{"RequestId":"R-m","TotalCount":1,"Connections":[${good},${good}]}`],
    ['more items than MaxResults (50) plus slack', `{"RequestId":"R-m","Connections":[${Array(56).fill(good)}]}`],
  ];
  for (const [what, body] of pages) {
    it(what, async () => {
      server.handle((_req, res) => json(res, body));
      const error = await listConnections().then(
        () => assert.fail('expected MalformedResponse'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ApiError);
      assert.deepEqual(
        [error.code, error.kind, error.retryable, error.httpStatus, error.requestId],
        ['MalformedResponse', 'transient', true, 200, 'R-m'],
      );
      assert.match(error.message, /^MalformedResponse: ListVpcEndpointConnections answered a page whose /);
    });
  }

  it('the item cap follows the MaxResults asked for', async () => {
    answerConnections(Array(15).fill(good));
    assert.equal((await listConnections(10)).items.length, 15);
    answerConnections(Array(16).fill(good));
    await assert.rejects(listConnections(10), { code: 'MalformedResponse' });
  });

  it('TotalCount as a string, an empty list, an empty NextToken: a good last page', async () => {
    server.handle((_req, res) => json(res, '{"RequestId":"R-e","NextToken":"","TotalCount":"0","Connections":[]}'));
    assert.deepEqual(await listConnections(), { items: [], invalid: [], nextToken: undefined, requestId: 'R-e' });
  });
});

describe('an ID that fails its pattern is never sent back to the API', () => {
  const cases: [string, () => Promise<unknown>, string][] = [
    [
      'an endpoint ID with a second parameter in it',
      () =>
        client.disableVpcEndpointConnection({
          regionId: REGION,
          serviceId: SERVICE,
          endpointId: 'ep-a&EndpointId=ep-b',
        }),
      'EndpointId',
    ],
    [
      'a service ID in upper case',
      () =>
        client.enableVpcEndpointConnection({
          regionId: REGION,
          serviceId: 'epsrv-ABC',
          endpointId: 'ep-a',
          bandwidth: 1,
        }),
      'ServiceId',
    ],
    [
      'an empty endpoint ID',
      () =>
        client.updateVpcEndpointConnectionAttribute({
          regionId: REGION,
          serviceId: SERVICE,
          endpointId: '',
          bandwidth: 1,
        }),
      'EndpointId',
    ],
    [
      'a fractional owner ID filter',
      () => client.listVpcEndpointConnections({ regionId: REGION, serviceId: SERVICE, endpointOwnerId: '12.5' }),
      'EndpointOwnerId',
    ],
    [
      'a service ID filter of another kind',
      () => client.listVpcEndpointServices({ regionId: REGION, serviceId: 'ep-a' }),
      'ServiceId',
    ],
  ];
  for (const [what, call, field] of cases) {
    it(what, async () => {
      const sent = server.requests.length;
      const calls = client.stats().calls;
      const error = await call().catch((e: unknown) => e);
      assert.ok(error instanceof ApiError, String(error));
      assert.deepEqual([error.code, error.kind, error.retryable], ['InvalidId', 'invalid', false]);
      assert.match(error.message, new RegExp(`^InvalidId: not sent, ${field} must be `));
      assert.equal(server.requests.length, sent);
      assert.equal(client.stats().calls, calls);
    });
  }
});

describe('services', () => {
  const SERVICE_ITEM: Record<string, string> = {
    ServiceId: `"${SERVICE}"`,
    RegionId: `"${REGION}"`,
    AutoAcceptEnabled: 'false',
    ConnectBandwidth: '1024',
    MinBandwidth: '100',
    MaxBandwidth: '10240',
  };
  const refused: [string, string | undefined][] = [
    ['ServiceId', undefined],
    ['ServiceId', '"ep-abc"'],
    ['RegionId', '"cn-shanghai"'],
    ['AutoAcceptEnabled', undefined],
    ['AutoAcceptEnabled', '"yes"'],
    ['ConnectBandwidth', undefined],
    ['MinBandwidth', '-100'],
    ['MaxBandwidth', '1e308'],
  ];
  for (const [field, raw] of refused) {
    it(`${field} ${raw ?? 'missing'}: the service is listed as invalid`, async () => {
      const text = `{"RequestId":"R-s","Services":[${object({ ...SERVICE_ITEM, [field]: raw })}]}`;
      server.handle((_req, res) => json(res, text));
      const page = await client.listVpcEndpointServices({ regionId: REGION });
      assert.deepEqual(page.items, []);
      assert.equal(page.invalid[0]?.field, field);
      assert.equal(page.invalid[0]?.serviceId, field === 'ServiceId' ? undefined : SERVICE);
    });
  }

  it('a service other than the one asked for is listed as invalid', async () => {
    const other = object({ ...SERVICE_ITEM, ServiceId: '"epsrv-other0"' });
    server.handle((_req, res) => json(res, `{"RequestId":"R-s","Services":[${other}]}`));
    const page = await client.listVpcEndpointServices({ regionId: REGION, serviceId: SERVICE });
    assert.deepEqual(page.items, []);
    assert.deepEqual(page.invalid, [
      { field: 'ServiceId', problem: `must be one of ${SERVICE}, got "epsrv-other0"`, serviceId: 'epsrv-other0' },
    ]);
  });

  it('a services page without Services is refused whole', async () => {
    server.handle((_req, res) => json(res, { RequestId: 'R-s', Services: 'none' }));
    await assert.rejects(client.listVpcEndpointServices({ regionId: REGION }), { code: 'MalformedResponse' });
  });
});
