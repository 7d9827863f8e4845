/**
 * Wire-level protocol tests of the pop-core adapter against a tiny local HTTP server (127.0.0.1): the
 * request's shape on the wire, and answers the emulator does not produce on demand (5xx JSON without
 * Code, a proxy's HTML page, a JSON body without RequestId, a response that never completes).
 * Behaviour against the real emulator is in pop-core-client.emulator.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ApiError, CredentialsError } from '../../functions/client/api-error.ts';
import { fcContextCredentials, staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient, regionalEndpoint } from '../../functions/client/pop-core-private-link-client.ts';
import { isRetryableCode } from '../../functions/client/pop-core-errors.ts';
import { scrubSecrets } from '../../functions/client/secret-scrubber.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { assertNoSecrets } from './no-secrets.ts';
import { json, startWireServer } from './wire-server.ts';
import type { WireServer } from './wire-server.ts';

const SECRET = 'wireSecret+/=9f3';
const TOKEN = 'wireToken+/=CAIS7x';
const credentials = staticCredentials({ accessKeyId: 'STS.wire', accessKeySecret: SECRET, securityToken: TOKEN });

let server: WireServer;
let client: PrivateLinkClient;

before(async () => {
  server = await startWireServer((_req, res) => json(res, { RequestId: 'R' }));
  client = createPrivateLinkClient({ credentials, endpoint: server.url, timeoutMs: 300, userAgent: 'plk-test/1' });
});
after(async () => {
  client.close();
  await server.close();
});

/** The rejection of `p`, asserted to be an ApiError without secrets. */
async function failure(p: Promise<unknown>): Promise<ApiError> {
  const error = await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApiError, `not an ApiError: ${String(error)}`);
  assertNoSecrets(error, [SECRET, TOKEN, encodeURIComponent(SECRET), encodeURIComponent(TOKEN)]);
  return error;
}

const write = { regionId: 'cn-hangzhou', serviceId: 'epsrv-1', endpointId: 'ep-1' };

describe('request on the wire', () => {
  it('is a signed POST to / with form parameters: no query, no "undefined", booleans and tags spelled', async () => {
    server.handle((_req, res) => json(res, { RequestId: 'R1', Services: [] }));
    const before = server.requests.length;
    await client.listVpcEndpointServices({
      regionId: 'cn-hangzhou',
      serviceName: undefined,
      tags: { team: 'net', env: 'prod' },
      maxResults: 50,
    });
    await client.enableVpcEndpointConnection({ ...write, bandwidth: 1024, dryRun: true, clientToken: undefined });
    const [list, enable] = server.requests.slice(before);
    assert.ok(list && enable);
    assert.equal(list.method, 'POST');
    assert.equal(list.url, '/');
    assert.equal(list.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(list.headers['user-agent'], 'plk-test/1');
    assert.equal(list.headers['x-acs-action'], 'ListVpcEndpointServices');
    const { Signature, SignatureNonce, Timestamp, ...rest } = list.params;
    assert.ok(Signature && SignatureNonce && Timestamp);
    assert.deepEqual(rest, {
      AccessKeyId: 'STS.wire',
      Action: 'ListVpcEndpointServices',
      Format: 'JSON',
      MaxResults: '50',
      RegionId: 'cn-hangzhou',
      SecurityToken: TOKEN,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      'Tag.1.Key': 'env',
      'Tag.1.Value': 'prod',
      'Tag.2.Key': 'team',
      'Tag.2.Value': 'net',
      Version: '2020-04-15',
    });
    assert.equal(enable.params.DryRun, 'true');
    assert.equal(enable.params.Bandwidth, '1024');
    assert.ok(!('ClientToken' in enable.params));
    for (const r of [list, enable])
      for (const v of Object.values(r.params)) assert.ok(v !== 'undefined' && v !== 'null');
  });

  it('sends DryRun=false and the ClientToken when given', async () => {
    server.handle((_req, res) => json(res, { RequestId: 'R2' }));
    await client.disableVpcEndpointConnection({ ...write, dryRun: false, clientToken: 'tok-123' });
    const last = server.requests.at(-1);
    assert.equal(last?.params.DryRun, 'false');
    assert.equal(last?.params.ClientToken, 'tok-123');
    assert.ok(!('Bandwidth' in (last?.params ?? {})));
  });

  it('reads credentials per request (rotation) and counts the calls sent', async () => {
    let n = 0;
    const rotating = createPrivateLinkClient({
      credentials: fcContextCredentials(() => ({
        accessKeyId: `STS.k${++n}`,
        accessKeySecret: `s${n}xxxx`,
        securityToken: `t${n}`,
      })),
      endpoint: `${server.url}/`,
    });
    try {
      server.handle((_req, res) => json(res, { RequestId: 'R', Connections: [] }));
      await rotating.listVpcEndpointConnections({ regionId: 'cn-a', serviceId: 'epsrv-1' });
      await rotating.listVpcEndpointConnections({ regionId: 'cn-b', serviceId: 'epsrv-1' });
      await rotating.updateVpcEndpointConnectionAttribute({ ...write, bandwidth: 200 });
      assert.deepEqual(
        server.requests.slice(-3).map((r) => [r.params.AccessKeyId, r.params.SecurityToken, r.params.RegionId]),
        [
          ['STS.k1', 't1', 'cn-a'],
          ['STS.k2', 't2', 'cn-b'],
          ['STS.k3', 't3', 'cn-hangzhou'],
        ],
      );
      assert.deepEqual(rotating.stats(), {
        calls: 3,
        byAction: { ListVpcEndpointConnections: 2, UpdateVpcEndpointConnectionAttribute: 1 },
      });
    } finally {
      rotating.close();
    }
  });

  it('sends nothing without credentials, and rejects with CredentialsError naming the action', async () => {
    const none = createPrivateLinkClient({ credentials: fcContextCredentials(() => undefined), endpoint: server.url });
    const before = server.requests.length;
    const error = await failure(none.listVpcEndpointServices({ regionId: 'cn-hangzhou' }));
    assert.ok(error instanceof CredentialsError);
    assert.equal(error.code, 'CredentialsUnavailable');
    assert.equal(error.action, 'ListVpcEndpointServices');
    assert.equal(error.retryable, false);
    assert.equal(server.requests.length, before);
    assert.deepEqual(none.stats(), { calls: 0, byAction: {} });
  });
});

describe('response mapping', () => {
  it('maps connections: 16- and 19-digit owner IDs exactly, numeric strings, wrapped zones, no NextToken', async () => {
    server.handle((_req, res) =>
      json(
        res,
        // Written by hand so the 16- and 19-digit IDs are JSON numbers, as the real API sends them.
        '{"RequestId":"R3","NextToken":"","MaxResults":"50","Connections":[' +
          '{"EndpointOwnerId":1190592979811234,"EndpointId":"ep-a","EndpointVpcId":"vpc-a","ServiceId":"epsrv-1",' +
          '"ConnectionStatus":"DisConnected","Bandwidth":"1024","ModifiedTime":"2020-09-10T01:03:38Z",' +
          '"Zones":{"Zone":[{"ZoneId":"cn-hangzhou-b","VSwitchId":"vsw-1","EniId":"eni-1","ResourceId":"lb-1",' +
          '"ZoneDomain":"d","ZoneStatus":"Connected"}]}},' +
          '{"EndpointOwnerId":9223372036854775807,"EndpointId":"ep-b","EndpointVpcId":"vpc-b",' +
          '"ConnectionStatus":"Connecting","Bandwidth":3000,"ModifiedTime":"2020-09-10T01:03:39+08:00"}]}',
      ),
    );
    const page = await client.listVpcEndpointConnections({ regionId: 'cn-hangzhou', serviceId: 'epsrv-1' });
    assert.deepEqual(page, {
      requestId: 'R3',
      nextToken: undefined,
      invalid: [],
      items: [
        {
          regionId: 'cn-hangzhou',
          serviceId: 'epsrv-1',
          endpointId: 'ep-a',
          endpointOwnerId: '1190592979811234',
          endpointVpcId: 'vpc-a',
          connectionStatus: 'Disconnected',
          bandwidth: 1024,
          modifiedTime: '2020-09-10T01:03:38Z',
          zones: [
            {
              zoneId: 'cn-hangzhou-b',
              vSwitchId: 'vsw-1',
              eniId: 'eni-1',
              resourceId: 'lb-1',
              zoneDomain: 'd',
              zoneStatus: 'Connected',
            },
          ],
        },
        {
          regionId: 'cn-hangzhou',
          serviceId: 'epsrv-1',
          endpointId: 'ep-b',
          endpointOwnerId: '9223372036854775807',
          endpointVpcId: 'vpc-b',
          connectionStatus: 'Connecting',
          bandwidth: 3000,
          modifiedTime: '2020-09-10T01:03:39+08:00',
          zones: [],
        },
      ],
    });
    // Plain records: ordinary prototypes, no BigNumber left.
    assert.equal(Object.getPrototypeOf(page.items[0]), Object.prototype);
    assert.equal(typeof page.items[1]?.endpointOwnerId, 'string');
  });

  it('maps services: defaults for missing display fields, tags', async () => {
    const bandwidths = { ConnectBandwidth: 1024, MinBandwidth: '100', MaxBandwidth: 10240 };
    server.handle((_req, res) =>
      json(res, {
        RequestId: 'R4',
        NextToken: 'next-1',
        Services: [
          {
            ServiceId: 'epsrv-1',
            ServiceName: 'svc',
            RegionId: 'cn-hangzhou',
            ServiceStatus: 'Active',
            AutoAcceptEnabled: 'false',
            ...bandwidths,
            Tags: [{ Key: 'team', Value: 'net' }],
          },
          { ServiceId: 'epsrv-2', AutoAcceptEnabled: true, ...bandwidths },
        ],
      }),
    );
    const page = await client.listVpcEndpointServices({ regionId: 'cn-hangzhou' });
    assert.equal(page.nextToken, 'next-1');
    assert.deepEqual(page.invalid, []);
    const expected = {
      regionId: 'cn-hangzhou',
      serviceDescription: '',
      serviceBusinessStatus: 'Normal',
      connectBandwidth: 1024,
      minBandwidth: 100,
      maxBandwidth: 10240,
    };
    assert.deepEqual(page.items, [
      {
        ...expected,
        serviceId: 'epsrv-1',
        serviceName: 'svc',
        serviceStatus: 'Active',
        autoAcceptEnabled: false,
        tags: { team: 'net' },
      },
      { ...expected, serviceId: 'epsrv-2', serviceName: '', serviceStatus: '', autoAcceptEnabled: true, tags: {} },
    ]);
  });

  it('an unknown ConnectionStatus is not guessed: the connection is listed as invalid, naming the field', async () => {
    server.handle((_req, res) =>
      json(res, {
        RequestId: 'R5',
        Connections: [
          {
            EndpointId: 'ep-x',
            EndpointOwnerId: 1234,
            EndpointVpcId: 'vpc-x',
            ConnectionStatus: 'Weird',
            Bandwidth: 100,
            ModifiedTime: '2020-09-10T01:03:38Z',
          },
        ],
      }),
    );
    const page = await client.listVpcEndpointConnections({ regionId: 'cn-hangzhou', serviceId: 'epsrv-1' });
    assert.deepEqual(page.items, []);
    assert.deepEqual(page.invalid, [
      {
        field: 'ConnectionStatus',
        problem:
          'must be one of Pending, Connecting, Connected, Disconnecting, Disconnected, Deleting, ServiceDeleted, ' +
          'got "Weird"',
        endpointId: 'ep-x',
        ownerId: '1234',
      },
    ]);
  });
});

describe('errors pop-core would get wrong', () => {
  it('a 5xx JSON body without Code is an error (pop-core would resolve it)', async () => {
    server.handle((_req, res) => json(res, { RequestId: 'R6', Message: 'upstream exploded' }, 500));
    const error = await failure(client.disableVpcEndpointConnection(write));
    assert.deepEqual(error.toJSON(), {
      name: 'ApiError',
      code: 'HttpError',
      message: 'HttpError: DisableVpcEndpointConnection answered HTTP 500: upstream exploded',
      action: 'DisableVpcEndpointConnection',
      requestId: 'R6',
      httpStatus: 500,
      kind: 'transient',
      retryable: true,
    });
  });

  it("a gateway's HTML 502/503/504 is a retryable BadResponse (pop-core rejects with a non-Error)", async () => {
    for (const status of [502, 503, 504]) {
      server.handle((_req, res) => {
        res.statusCode = status;
        res.setHeader('content-type', 'text/html');
        res.end(`<html><body>${status} Bad Gateway ?Signature=leak</body></html>`);
      });
      const error = await failure(client.listVpcEndpointServices({ regionId: 'cn-hangzhou' }));
      assert.equal(error.code, 'BadResponse');
      assert.equal(error.httpStatus, status);
      assert.equal(error.retryable, true);
      assert.equal(
        error.message,
        `BadResponse: ListVpcEndpointServices answered HTTP ${status} with a body that is not a JSON object`,
      );
    }
  });

  it('a 200 with HTML, or JSON that is not an object, is a final BadResponse', async () => {
    server.handle((_req, res) => res.end('<html>captive portal</html>'));
    const html = await failure(client.listVpcEndpointServices({ regionId: 'cn-hangzhou' }));
    assert.deepEqual([html.code, html.httpStatus, html.retryable], ['BadResponse', 200, false]);
    server.handle((_req, res) => json(res, 'null'));
    const nul = await failure(client.listVpcEndpointServices({ regionId: 'cn-hangzhou' }));
    assert.deepEqual([nul.code, nul.httpStatus, nul.retryable], ['BadResponse', 200, false]);
  });

  it('a 200 JSON body without RequestId is a BadResponse', async () => {
    server.handle((_req, res) => json(res, { Services: [] }));
    const error = await failure(client.listVpcEndpointServices({ regionId: 'cn-hangzhou' }));
    assert.equal(error.code, 'BadResponse');
    assert.equal(error.message, 'BadResponse: ListVpcEndpointServices answered without a RequestId');
  });

  it('an error body keeps code, message, request id and status', async () => {
    server.handle((_req, res) =>
      json(
        res,
        { RequestId: 'R7', Code: 'EndpointConnectionOperationDenied', Message: 'The connection is being processed.' },
        400,
      ),
    );
    const error = await failure(client.enableVpcEndpointConnection({ ...write, bandwidth: 100 }));
    assert.deepEqual(error.toJSON(), {
      name: 'ApiError',
      code: 'EndpointConnectionOperationDenied',
      message: 'EndpointConnectionOperationDenied: The connection is being processed.',
      action: 'EnableVpcEndpointConnection',
      requestId: 'R7',
      httpStatus: 400,
      kind: 'busy',
      retryable: true,
    });
    assert.equal(error.cause, undefined);
  });

  it('scrubs a server message that echoes the string to sign, token included', async () => {
    server.handle((req, res) => {
      const echoed = Object.entries(req.params)
        .map(([k, v]) => `${encodeURIComponent(k)}%3D${encodeURIComponent(encodeURIComponent(v))}`)
        .join('%26');
      json(
        res,
        {
          RequestId: 'R8',
          Code: 'SignatureDoesNotMatch',
          Message:
            'Specified signature is not matched with our calculation. ' +
            `server string to sign is:POST&%2F&${echoed} raw ${TOKEN} ${SECRET}`,
        },
        400,
      );
    });
    const error = await failure(client.listVpcEndpointServices({ regionId: 'cn-hangzhou' }));
    assert.equal(error.code, 'SignatureDoesNotMatch');
    assert.equal(error.retryable, false);
    assert.match(
      error.message,
      /%26RegionId%3Dcn-hangzhou%26\[redacted\]%26SignatureMethod%3DHMAC-SHA1%26\[redacted\]%26SignatureVersion/,
    );
    assert.match(error.message, /Version%3D2020-04-15%26\[redacted\] raw/);
    assert.match(error.message, /raw \[redacted\] \[redacted\]$/);
  });

  it('DryRunOperation answers a dry run as success; without DryRun it stays an error', async () => {
    server.handle((_req, res) =>
      json(
        res,
        {
          RequestId: 'R9',
          Code: 'DryRunOperation',
          Message: 'Request validation has been passed with DryRun flag set.',
        },
        400,
      ),
    );
    assert.deepEqual(await client.enableVpcEndpointConnection({ ...write, bandwidth: 100, dryRun: true }), {
      requestId: 'R9',
    });
    assert.deepEqual(await client.disableVpcEndpointConnection({ ...write, dryRun: true }), { requestId: 'R9' });
    const error = await failure(client.disableVpcEndpointConnection(write));
    assert.equal(error.code, 'DryRunOperation');
    assert.equal(error.retryable, false);
  });

  it('a response that does not come in time is a retryable Timeout', async () => {
    server.handle(() => {
      /* never answers */
    });
    const started = Date.now();
    const error = await failure(client.listVpcEndpointServices({ regionId: 'cn-hangzhou' }));
    assert.deepEqual([error.code, error.retryable, error.httpStatus], ['Timeout', true, undefined]);
    assert.equal(error.message, 'Timeout: no complete answer to ListVpcEndpointServices in time');
    assert.ok(Date.now() - started < 2000);
  });

  it('a body that stops half-way is a Timeout with the status seen', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"RequestId":');
    });
    const error = await failure(client.listVpcEndpointServices({ regionId: 'cn-hangzhou' }));
    assert.deepEqual([error.code, error.retryable, error.httpStatus], ['Timeout', true, 200]);
  });

  it('a dropped socket is a retryable NetworkError', async () => {
    server.handle((req, res) => res.socket?.destroy());
    const error = await failure(client.listVpcEndpointServices({ regionId: 'cn-hangzhou' }));
    assert.equal(error.code, 'NetworkError');
    assert.equal(error.retryable, true);
    assert.match(error.message, /^NetworkError: ECONNRESET calling ListVpcEndpointServices: socket hang up/);
  });

  it('a refused connection is a retryable NetworkError', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const closed = createPrivateLinkClient({ credentials, endpoint: `http://127.0.0.1:${port}` });
    const error = await failure(closed.listVpcEndpointServices({ regionId: 'cn-hangzhou' }));
    assert.equal(error.code, 'NetworkError');
    assert.match(error.message, /ECONNREFUSED/);
    closed.close();
  });
});

describe('concurrent calls', () => {
  it('each call sees its own HTTP status (the status hook is per call, not per client)', async () => {
    server.handle((req, res) => {
      const n = Number((req.params.ServiceId ?? '').split('-')[1]);
      // Answer out of order, half of them 503 without Code (pop-core would call those a success).
      setTimeout(() => json(res, { RequestId: `R-${n}`, Connections: [] }, n % 2 === 0 ? 200 : 503), (n * 7) % 20);
    });
    const results = await Promise.allSettled(
      Array.from({ length: 24 }, (_, n) =>
        client.listVpcEndpointConnections({ regionId: 'cn-hangzhou', serviceId: `epsrv-${n}` }),
      ),
    );
    results.forEach((r, n) => {
      if (n % 2 === 0) {
        assert.equal(r.status, 'fulfilled', `call ${n}`);
        assert.equal(r.status === 'fulfilled' && r.value.requestId, `R-${n}`);
      } else {
        assert.equal(r.status, 'rejected', `call ${n}`);
        const e = r.status === 'rejected' ? (r.reason as ApiError) : undefined;
        assert.deepEqual([e?.code, e?.httpStatus, e?.requestId], ['HttpError', 503, `R-${n}`]);
      }
    });
  });
});

describe('pure helpers', () => {
  it('regionalEndpoint', () => {
    assert.equal(regionalEndpoint('ap-southeast-1'), 'https://privatelink.ap-southeast-1.aliyuncs.com');
  });

  it('rejects a region ID that would change the host, without sending', async () => {
    const real = createPrivateLinkClient({ credentials });
    const error = await failure(real.listVpcEndpointServices({ regionId: 'evil.com/x' }));
    assert.equal(error.code, 'InvalidRegionId');
    assert.deepEqual(real.stats(), { calls: 0, byAction: {} });
  });

  it('isRetryableCode', () => {
    const cases: [string, number | undefined, boolean][] = [
      ['Throttling', 400, true],
      ['Throttling.User', 400, true],
      ['Throttling.Api', 400, true],
      ['ServiceUnavailable', 503, true],
      ['InternalError', 500, true],
      ['HttpError', 500, true],
      ['HttpError', 404, false],
      ['BadResponse', 502, true],
      ['BadResponse', 200, false],
      ['Timeout', undefined, true],
      ['NetworkError', undefined, true],
      ['EndpointConnectionOperationDenied', 400, true],
      ['EndpointLocked', 400, true],
      ['ConcurrentCallNotSupported', 400, true],
      ['IncorrectStatus.Endpoint', 400, true],
      ['SignatureDoesNotMatch', 400, false],
      ['InvalidAccessKeyId.NotFound', 404, false],
      ['Forbidden.RAM', 403, false],
      ['InvalidParameter.Bandwidth', 400, false],
      ['MissingParameter', 400, false],
      ['EndpointConnectionNotFound', 400, false],
      ['EndpointServiceNotFound', 500, false],
      ['IdempotentParameterMismatch', 400, false],
      ['DryRunOperation', 400, false],
      ['SomethingNew', 400, false],
      ['SomethingNew', 503, true],
    ];
    for (const [code, status, expected] of cases)
      assert.equal(isRetryableCode(code, status), expected, `${code} ${status}`);
  });

  it('scrubSecrets', () => {
    assert.equal(scrubSecrets('GET http://h/?Action=X&Signature=abc failed'), 'GET http://h/?[redacted] failed');
    assert.equal(
      scrubSecrets('a Signature=abc&SecurityToken=t&SignatureMethod=HMAC-SHA1 b'),
      'a [redacted]&[redacted]&SignatureMethod=HMAC-SHA1 b',
    );
    assert.equal(scrubSecrets('x%26SecurityToken%3Dab%252Bc%26Y', []), 'x%26[redacted]%26Y');
    assert.equal(scrubSecrets('k=s3cr+t!', ['s3cr+t']), 'k=[redacted]!');
    assert.equal(scrubSecrets('k=s3cr%2Bt', ['s3cr+t']), 'k=[redacted]');
  });
});
