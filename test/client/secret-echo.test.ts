/**
 * A server that echoes the run's secrets back (issue 10): the AccessKey secret, the security token and
 * the request's own signature, each literal, percent-encoded once and twice, put into the answer's Code,
 * RequestId and Message, and into the strings of a successful listing. Nothing that leaves the client
 * (an ApiError in every rendering, a page, a write result) may hold any of them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ApiError } from '../../functions/client/api-error.ts';
import { fcContextCredentials, staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { assertNoSecrets } from './no-secrets.ts';
import { json, startWireServer } from './wire-server.ts';
import type { WireRequest, WireServer } from './wire-server.ts';

// Characters that percent-encoding changes, so each encoded form differs from the literal one.
const SECRET = 'echoSecret+/=(7)*Kq';
const TOKEN = 'CAISechoToken+/=Zz!9';

let server: WireServer;
let client: PrivateLinkClient;

before(async () => {
  server = await startWireServer((_req, res) => json(res, { RequestId: 'R' }));
  const credentials = staticCredentials({ accessKeyId: 'STS.echo', accessKeySecret: SECRET, securityToken: TOKEN });
  client = createPrivateLinkClient({ credentials, endpoint: server.url, timeoutMs: 2000 });
});
after(async () => {
  client.close();
  await server.close();
});

type Secret = 'secret' | 'token' | 'signature';
const FORMS: [string, (s: string) => string][] = [
  ['literal', (s) => s],
  ['encoded', (s) => encodeURIComponent(s)],
  ['encoded twice', (s) => encodeURIComponent(encodeURIComponent(s))],
];

/** The value of `secret` for the request the server is answering (the signature differs per request). */
function valueOf(secret: Secret, req: WireRequest): string {
  if (secret === 'secret') return SECRET;
  if (secret === 'token') return TOKEN;
  const signature = req.params.Signature;
  assert.ok(signature !== undefined && signature.length > 10);
  return signature;
}

/** Every form of every secret the last request could leak, to search for. */
function needles(req: WireRequest): string[] {
  return (['secret', 'token', 'signature'] as const).flatMap((s) => FORMS.map(([, form]) => form(valueOf(s, req))));
}

function assertClean(x: unknown, req: WireRequest): void {
  const text = `${JSON.stringify(x)}\n${inspect(x, { depth: 6 })}`;
  for (const needle of needles(req)) assert.ok(!text.includes(needle), `leaked ${needle}:\n${text}`);
}

describe('secrets echoed into an error answer are scrubbed from code, request ID and message', () => {
  for (const secret of ['secret', 'token', 'signature'] as const) {
    for (const [formName, form] of FORMS) {
      for (const status of [400, 500]) {
        it(`the ${secret}, ${formName}, HTTP ${status}`, async () => {
          let seen: WireRequest | undefined;
          server.handle((req, res) => {
            seen = req;
            const echo = form(valueOf(secret, req));
            const body = { Code: `Bad.${echo}`, RequestId: `req-${echo}`, Message: `you sent ${echo} (really)` };
            // On a 5xx the body has no Code: pop-core resolves it and the client makes it an HttpError.
            json(res, status === 500 ? { ...body, Code: undefined } : body, status);
          });
          const error = await client
            .disableVpcEndpointConnection({
              regionId: 'cn-hangzhou',
              serviceId: 'epsrv-echo1',
              endpointId: 'ep-echo1',
            })
            .catch((e: unknown) => e);
          assert.ok(error instanceof ApiError, String(error));
          assert.ok(seen !== undefined);
          assertClean(error, seen);
          assertNoSecrets(error, needles(seen));
          if (status === 400) assert.equal(error.code, 'Bad.[redacted]');
          assert.equal(error.requestId, 'req-[redacted]');
          assert.match(error.message, /you sent \[redacted\] \(really\)$/);
        });
      }
    }
  }
});

describe("credentials rotate: an echo of earlier ones is scrubbed too (the run's known secrets)", () => {
  it('the secret and token of the first call, echoed in the answer to the second', async () => {
    let n = 0;
    const rotating = createPrivateLinkClient({
      credentials: fcContextCredentials(() => ({
        accessKeyId: `STS.rotate${++n}`,
        accessKeySecret: `rotateSecret${n}+/=Kq`,
        securityToken: `rotateToken${n}+/=Zz`,
      })),
      endpoint: server.url,
    });
    try {
      const first = { secret: '', token: '' };
      server.handle((req, res) => {
        first.token = req.params.SecurityToken ?? '';
        json(res, { RequestId: 'R-1' });
      });
      const write = { regionId: 'cn-hangzhou', serviceId: 'epsrv-echo1', endpointId: 'ep-echo1' };
      await rotating.disableVpcEndpointConnection(write);
      first.secret = 'rotateSecret1+/=Kq';
      assert.equal(first.token, 'rotateToken1+/=Zz');
      const echo = [first.secret, first.token].flatMap((s) => FORMS.map(([, form]) => form(s))).join(' ');
      server.handle((_req, res) => json(res, { RequestId: `req ${echo}`, Code: `Bad ${echo}`, Message: echo }, 400));
      const error = await rotating.disableVpcEndpointConnection(write).catch((e: unknown) => e);
      assert.ok(error instanceof ApiError, String(error));
      assertNoSecrets(error, [first.secret, first.token, encodeURIComponent(first.secret)]);
      assert.equal(error.requestId?.includes('rotate'), false);
    } finally {
      rotating.close();
    }
  });
});

describe('secrets echoed into a successful answer are scrubbed from everything returned', () => {
  it('a listing page: request ID, NextToken, names, descriptions, tags', async () => {
    let seen: WireRequest | undefined;
    server.handle((req, res) => {
      seen = req;
      const all = needles(req).join(' ');
      json(res, {
        RequestId: `req ${all}`,
        NextToken: `next ${all}`,
        Services: [
          {
            ServiceId: 'epsrv-echo1',
            ServiceName: `name ${all}`,
            ServiceDescription: `description ${all}`,
            ServiceStatus: `Active ${all}`,
            AutoAcceptEnabled: false,
            ConnectBandwidth: 1024,
            MinBandwidth: 100,
            MaxBandwidth: 10240,
            Tags: [{ Key: `key ${all}`, Value: `value ${all}` }],
          },
          { ServiceId: `epsrv-${all}`, AutoAcceptEnabled: `x ${all}` },
        ],
      });
    });
    const page = await client.listVpcEndpointServices({ regionId: 'cn-hangzhou' });
    assert.ok(seen !== undefined);
    assertClean(page, seen);
    assert.equal(page.items[0]?.serviceName.startsWith('name [redacted]'), true);
    assert.equal(page.invalid[0]?.field, 'ServiceId');
  });

  it('a listing page whose shape is wrong: the MalformedResponse holds no echo', async () => {
    let seen: WireRequest | undefined;
    server.handle((req, res) => {
      seen = req;
      json(res, { RequestId: `req ${needles(req).join(' ')}`, Connections: needles(req)[7] });
    });
    const error = await client
      .listVpcEndpointConnections({ regionId: 'cn-hangzhou', serviceId: 'epsrv-echo1' })
      .catch((e: unknown) => e);
    assert.ok(error instanceof ApiError && error.code === 'MalformedResponse', String(error));
    assert.ok(seen !== undefined);
    assertClean(error, seen);
  });

  it('a write result: the request ID', async () => {
    let seen: WireRequest | undefined;
    server.handle((req, res) => {
      seen = req;
      json(res, { RequestId: `req ${needles(req).join(' ')}` });
    });
    const result = await client.enableVpcEndpointConnection({
      regionId: 'cn-hangzhou',
      serviceId: 'epsrv-echo1',
      endpointId: 'ep-echo1',
      bandwidth: 100,
    });
    assert.ok(seen !== undefined);
    assertClean(result, seen);
  });
});
