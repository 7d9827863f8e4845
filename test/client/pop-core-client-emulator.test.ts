/**
 * The pop-core adapter against the real emulator over 127.0.0.1: every PrivateLinkApi method through the
 * real @alicloud/pop-core, record mapping (16-digit IDs as exact strings), pagination, DryRun,
 * ClientToken, the API's own errors, each fault kind the emulator injects, credential rotation, and no
 * secrets in any error. Final state is read back through the API and the emulator's request log.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoScenario } from '../../emulator/index.ts';
import type { FaultRule } from '../../emulator/index.ts';
import { ApiError } from '../../functions/client/api-error.ts';
import { credentialsFromDefaultChain, staticCredentials } from '../../functions/client/credentials.ts';
import type { AccessKeyCredentials, CredentialsSource } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { RetryError, withRetry } from '../../functions/client/retry.ts';
import type { EndpointConnection } from '../../functions/engine/resources.ts';
import { accessKeyFor, startTestEmulator } from '../emulator/helpers.ts';
import type { RunningEmulator } from '../emulator/helpers.ts';
import { assertNoSecrets } from './no-secrets.ts';

const REGION = 'cn-hangzhou';
const ORDERS = 'epsrv-bp1demoorders000001';
const SEARCH = 'epsrv-bp1demosearch00002';
/** A second, STS-style key of the provider account, for rotation. */
const ROTATED: AccessKeyCredentials = {
  accessKeyId: 'STS.providerRotated1',
  accessKeySecret: 'rotated-secret-9c1d',
  securityToken: 'rotated-token-CAIS42',
};

let emu: RunningEmulator;
let provider: AccessKeyCredentials;
let client: PrivateLinkClient;
let secrets: string[];

before(async () => {
  const scenario = demoScenario();
  const providerAccount = scenario.accounts.find((a) => a.name === 'provider');
  assert.ok(providerAccount);
  providerAccount.accessKeys.push({ ...ROTATED });
  emu = await startTestEmulator({ scenario });
  provider = accessKeyFor(emu, 'provider');
  secrets = [provider.accessKeySecret, ROTATED.accessKeySecret, ROTATED.securityToken as string];
});

after(async () => {
  client?.close();
  await emu.close();
});

beforeEach(() => {
  emu.settings.faults = { seed: 7, rules: [] };
});

function clientWith(credentials: CredentialsSource = staticCredentials(provider), timeoutMs = 2000): PrivateLinkClient {
  return createPrivateLinkClient({ credentials, endpoint: emu.url, timeoutMs });
}

/** The rejection of `p`: an ApiError with nothing secret in any rendering. */
async function failure(p: Promise<unknown>): Promise<ApiError> {
  const error = await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApiError, `not an ApiError: ${String(error)}`);
  assertNoSecrets(error, secrets);
  return error;
}

async function allConnections(api: PrivateLinkClient, serviceId: string, pageSize = 50): Promise<EndpointConnection[]> {
  const out: EndpointConnection[] = [];
  let nextToken: string | undefined;
  do {
    const page = await api.listVpcEndpointConnections({ regionId: REGION, serviceId, maxResults: pageSize, nextToken });
    // The emulator's answers are well-formed: every item passes the client's checks.
    assert.deepEqual(page.invalid, []);
    out.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return out;
}

async function connection(
  api: PrivateLinkClient,
  serviceId: string,
  endpointId: string,
): Promise<EndpointConnection | undefined> {
  const page = await api.listVpcEndpointConnections({ regionId: REGION, serviceId, endpointId });
  return page.items[0];
}

describe('reads', () => {
  before(() => {
    client = clientWith();
  });

  it('lists the services of a region as plain records', async () => {
    const page = await client.listVpcEndpointServices({ regionId: REGION });
    assert.match(page.requestId, /^[0-9A-F-]{36}$/);
    assert.equal(page.nextToken, undefined);
    assert.deepEqual(page.invalid, []);
    assert.deepEqual(page.items[0], {
      regionId: REGION,
      serviceId: ORDERS,
      serviceName: 'orders-api',
      serviceDescription: 'Orders API for customers',
      serviceStatus: 'Active',
      serviceBusinessStatus: 'Normal',
      autoAcceptEnabled: false,
      connectBandwidth: 3072,
      minBandwidth: 100,
      maxBandwidth: 10240,
      tags: { team: 'orders', tier: 'gold' },
    });
    assert.deepEqual(
      page.items.map((s) => s.serviceId),
      [ORDERS, SEARCH],
    );
    const shanghai = await client.listVpcEndpointServices({ regionId: 'cn-shanghai' });
    assert.deepEqual(
      shanghai.items.map((s) => [s.serviceName, s.autoAcceptEnabled]),
      [
        ['orders-api', false],
        ['legacy-api', true],
      ],
    );
  });

  it('filters services by ID, name and tags', async () => {
    assert.deepEqual(
      (await client.listVpcEndpointServices({ regionId: REGION, serviceId: SEARCH })).items.map((s) => s.serviceId),
      [SEARCH],
    );
    assert.deepEqual(
      (await client.listVpcEndpointServices({ regionId: REGION, serviceName: 'orders-api' })).items.map(
        (s) => s.serviceId,
      ),
      [ORDERS],
    );
    assert.deepEqual(
      (await client.listVpcEndpointServices({ regionId: REGION, tags: { team: 'search' } })).items.map(
        (s) => s.serviceId,
      ),
      [SEARCH],
    );
    assert.deepEqual(
      (await client.listVpcEndpointServices({ regionId: REGION, tags: { team: 'orders', tier: 'gold' } })).items.map(
        (s) => s.serviceId,
      ),
      [ORDERS],
    );
  });

  it('pages through services with MaxResults/NextToken', async () => {
    const first = await client.listVpcEndpointServices({ regionId: REGION, maxResults: 1 });
    assert.equal(first.items.length, 1);
    assert.ok(first.nextToken);
    const second = await client.listVpcEndpointServices({
      regionId: REGION,
      maxResults: 1,
      nextToken: first.nextToken,
    });
    assert.deepEqual(
      [...first.items, ...second.items].map((s) => s.serviceId),
      [ORDERS, SEARCH],
    );
    assert.equal(second.nextToken, undefined);
  });

  it('maps connections: 16-digit owner IDs (bare JSON numbers on the wire) as exact strings', async () => {
    const conns = await allConnections(client, ORDERS);
    const acme = conns.find((c) => c.endpointId === 'ep-bp1demoacme0000001');
    assert.ok(acme);
    assert.equal(acme.endpointOwnerId, '2000000000000001');
    assert.equal(typeof acme.endpointOwnerId, 'string');
    assert.deepEqual(
      { ...acme, zones: acme.zones.map((z) => z.zoneId), modifiedTime: typeof acme.modifiedTime },
      {
        regionId: REGION,
        serviceId: ORDERS,
        endpointId: 'ep-bp1demoacme0000001',
        endpointOwnerId: '2000000000000001',
        endpointVpcId: 'vpc-bp1demoacme000001',
        connectionStatus: 'Connecting',
        bandwidth: 3072,
        modifiedTime: 'string',
        zones: ['cn-hangzhou-h'],
      },
    );
    assert.match(acme.modifiedTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(
      conns.map((c) => [c.endpointId, c.endpointOwnerId, c.connectionStatus, c.bandwidth]),
      [
        ['ep-bp1demoacme0000001', '2000000000000001', 'Connecting', 3072],
        ['ep-bp1demoglobex00004', '2000000000000002', 'Connected', 2048],
        ['ep-bp1demoglobex00001', '2000000000000002', 'Connecting', 3072],
        ['ep-bp1demoglobex00005', '2000000000000002', 'Connecting', 3072],
        ['ep-bp1demoumbrella002', '2000000000000004', 'Connecting', 3072],
        ['ep-bp1demoinitech0001', '2000000000000003', 'Connecting', 3072],
        ['ep-bp1demoacme0000002', '2000000000000001', 'Connected', 8192],
      ],
    );
  });

  it('pages through connections: every page size yields the same set, no duplicates', async () => {
    const all = (await allConnections(client, ORDERS)).map((c) => c.endpointId);
    for (const size of [1, 2, 3])
      assert.deepEqual(
        (await allConnections(client, ORDERS, size)).map((c) => c.endpointId),
        all,
        `page size ${size}`,
      );
  });

  it('filters connections by owner (a digit string, never a Number) and status', async () => {
    const acme = await client.listVpcEndpointConnections({
      regionId: REGION,
      serviceId: ORDERS,
      endpointOwnerId: '2000000000000001',
    });
    assert.deepEqual(
      acme.items.map((c) => c.endpointId),
      ['ep-bp1demoacme0000001', 'ep-bp1demoacme0000002'],
    );
    const connected = await client.listVpcEndpointConnections({
      regionId: REGION,
      serviceId: ORDERS,
      connectionStatus: 'Connected',
    });
    assert.deepEqual(
      connected.items.map((c) => c.endpointId),
      ['ep-bp1demoglobex00004', 'ep-bp1demoacme0000002'],
    );
    const sent = emu
      .requests()
      .filter((r) => r.params.EndpointOwnerId !== undefined)
      .at(-1);
    assert.equal(sent?.params.EndpointOwnerId, '2000000000000001');
  });

  it('an unknown service is a final EndpointServiceNotFound-style error with its request id', async () => {
    const error = await failure(
      client.listVpcEndpointConnections({ regionId: REGION, serviceId: 'epsrv-doesnotexist00001' }),
    );
    assert.match(error.code, /NotFound$/);
    assert.equal(error.retryable, false);
    assert.equal(error.action, 'ListVpcEndpointConnections');
    assert.match(error.requestId ?? '', /^[0-9A-F-]{36}$/);
    assert.equal(typeof error.httpStatus, 'number');
  });
});

describe('writes', () => {
  before(() => {
    client = clientWith();
  });

  it('enable: Connecting while in progress, busy to a second write, Connected once the clock moves on', async () => {
    const target = { regionId: REGION, serviceId: ORDERS, endpointId: 'ep-bp1demoacme0000001' };
    const result = await client.enableVpcEndpointConnection({ ...target, bandwidth: 2048 });
    assert.match(result.requestId, /^[0-9A-F-]{36}$/);
    const busy = await failure(client.enableVpcEndpointConnection({ ...target, bandwidth: 2048 }));
    assert.equal(busy.code, 'EndpointConnectionOperationDenied');
    assert.equal(busy.retryable, true);
    emu.clock.advance(emu.settings.enableDelayMs);
    const after = await connection(client, ORDERS, target.endpointId);
    assert.deepEqual([after?.connectionStatus, after?.bandwidth], ['Connected', 2048]);
  });

  it('update bandwidth, then disable: each lands after its transition', async () => {
    const target = { regionId: REGION, serviceId: ORDERS, endpointId: 'ep-bp1demoacme0000002' };
    await client.updateVpcEndpointConnectionAttribute({ ...target, bandwidth: 4096 });
    emu.clock.advance(emu.settings.updateDelayMs);
    assert.deepEqual(
      [
        (await connection(client, ORDERS, target.endpointId))?.connectionStatus,
        (await connection(client, ORDERS, target.endpointId))?.bandwidth,
      ],
      ['Connected', 4096],
    );
    await client.disableVpcEndpointConnection(target);
    emu.clock.advance(emu.settings.disableDelayMs);
    assert.equal((await connection(client, ORDERS, target.endpointId))?.connectionStatus, 'Disconnected');
  });

  it('DryRun: a write whose checks pass resolves with a request id and changes nothing', async () => {
    const target = { regionId: REGION, serviceId: ORDERS, endpointId: 'ep-bp1demoglobex00001' };
    const before = await connection(client, ORDERS, target.endpointId);
    const result = await client.enableVpcEndpointConnection({ ...target, bandwidth: 2048, dryRun: true });
    assert.match(result.requestId, /^[0-9A-F-]{36}$/);
    emu.clock.advance(emu.settings.enableDelayMs);
    assert.deepEqual(await connection(client, ORDERS, target.endpointId), before);
    const log = emu
      .requests()
      .filter((r) => r.action === 'EnableVpcEndpointConnection')
      .at(-1);
    assert.deepEqual([log?.params.DryRun, log?.code], ['true', 'DryRunOperation']);
  });

  it('DryRun with a failing check still fails with the real error', async () => {
    const error = await failure(
      client.enableVpcEndpointConnection({
        regionId: REGION,
        serviceId: ORDERS,
        endpointId: 'ep-bp1demoglobex00001',
        bandwidth: 99_999,
        dryRun: true,
      }),
    );
    assert.match(error.code, /^InvalidParameter/);
    assert.equal(error.retryable, false);
  });

  it('ClientToken: a replay returns the first request id; other parameters: IdempotentParameterMismatch', async () => {
    const target = {
      regionId: REGION,
      serviceId: ORDERS,
      endpointId: 'ep-bp1demoinitech0001',
      clientToken: 'plk-test-token-1',
    };
    const first = await client.disableVpcEndpointConnection(target);
    const again = await client.disableVpcEndpointConnection(target);
    assert.equal(again.requestId, first.requestId);
    const mismatch = await failure(
      client.disableVpcEndpointConnection({ ...target, endpointId: 'ep-bp1demoglobex00001' }),
    );
    assert.equal(mismatch.code, 'IdempotentParameterMismatch');
    assert.equal(mismatch.retryable, false);
  });

  it('a write on a connection that does not exist is final', async () => {
    const error = await failure(
      client.disableVpcEndpointConnection({
        regionId: REGION,
        serviceId: ORDERS,
        endpointId: 'ep-bp1nosuchendpoint01',
      }),
    );
    assert.match(error.code, /NotFound$/);
    assert.equal(error.retryable, false);
  });
});

describe('faults the emulator injects', () => {
  before(() => {
    client = clientWith(staticCredentials(provider), 400);
  });

  const cases: [string, FaultRule, Partial<ApiError>][] = [
    ['internalError', { internalError: 1 }, { code: 'InternalError', httpStatus: 500, retryable: true }],
    ['serviceUnavailable', { serviceUnavailable: 1 }, { code: 'ServiceUnavailable', httpStatus: 503, retryable: true }],
    ['badGateway (HTML)', { badGateway: 1 }, { code: 'BadResponse', httpStatus: 502, retryable: true }],
    ['hang', { hang: 1 }, { code: 'Timeout', httpStatus: undefined, retryable: true }],
    ['drop', { drop: 1 }, { code: 'NetworkError', httpStatus: undefined, retryable: true }],
    ['latency beyond the timeout', { latencyMs: 1500 }, { code: 'Timeout', retryable: true }],
  ];
  for (const [name, rule, expected] of cases) {
    it(`${name} -> ${expected.code}`, async () => {
      emu.settings.faults = { seed: 7, rules: [{ actions: ['ListVpcEndpointServices'], ...rule }] };
      const error = await failure(client.listVpcEndpointServices({ regionId: REGION }));
      assert.deepEqual(
        { code: error.code, httpStatus: error.httpStatus, retryable: error.retryable, action: error.action },
        { httpStatus: error.httpStatus, ...expected, action: 'ListVpcEndpointServices' },
      );
    });
  }

  it('rate limit -> Throttling.User, retryable, with the request id', async () => {
    emu.settings.faults = { seed: 7, rules: [{ rateLimitPerSecond: 1 }] };
    await client.listVpcEndpointServices({ regionId: REGION });
    const error = await failure(client.listVpcEndpointServices({ regionId: REGION }));
    assert.deepEqual([error.code, error.retryable, error.httpStatus], ['Throttling.User', true, 400]);
    assert.ok(error.requestId);
  });

  it('latency within the timeout is only slower', async () => {
    emu.settings.faults = { seed: 7, rules: [{ latencyMs: 60 }] };
    const started = Date.now();
    const page = await client.listVpcEndpointServices({ regionId: REGION });
    assert.equal(page.items.length, 2);
    assert.ok(Date.now() - started >= 50);
  });

  it('withRetry rides out a mix of faults on the real wire', async () => {
    emu.settings.faults = {
      seed: 11,
      rules: [
        {
          actions: ['ListVpcEndpointConnections'],
          internalError: 0.25,
          serviceUnavailable: 0.15,
          badGateway: 0.15,
          drop: 0.1,
        },
      ],
    };
    const before = client.stats().byAction.ListVpcEndpointConnections ?? 0;
    const seen: string[] = [];
    let total = 0;
    for (let i = 0; i < 8; i++) {
      const { value, attempts } = await withRetry(
        () => client.listVpcEndpointConnections({ regionId: REGION, serviceId: SEARCH }),
        {
          maxAttempts: 10,
          baseDelayMs: 1,
          maxDelayMs: 2,
          onRetry: (e) => seen.push((e as ApiError).code),
        },
      );
      assert.equal(value.items.length, 3);
      total += attempts;
    }
    assert.ok(seen.length > 0, 'some faults were met');
    assert.ok(
      seen.every((c) => ['InternalError', 'ServiceUnavailable', 'BadResponse', 'NetworkError'].includes(c)),
      seen.join(),
    );
    assert.equal((client.stats().byAction.ListVpcEndpointConnections ?? 0) - before, total);
  });

  it('withRetry gives up on a persistent fault with the last ApiError', async () => {
    emu.settings.faults = { seed: 7, rules: [{ serviceUnavailable: 1 }] };
    await assert.rejects(
      withRetry(() => client.listVpcEndpointServices({ regionId: REGION }), {
        maxAttempts: 3,
        baseDelayMs: 1,
        maxDelayMs: 1,
      }),
      (e: unknown) => {
        assert.ok(e instanceof RetryError);
        assert.equal(e.attempts, 3);
        assert.ok(e.lastError instanceof ApiError && e.lastError.code === 'ServiceUnavailable');
        assertNoSecrets(e, secrets);
        return true;
      },
    );
  });
});

describe('credentials', () => {
  it('a credentials source that changes between calls is honoured per request', async () => {
    let n = 0;
    const keys = [provider, ROTATED];
    const rotating = clientWith(async () => keys[n++ % 2] as AccessKeyCredentials);
    try {
      const since = emu.requests().at(-1)?.seq ?? 0;
      for (let i = 0; i < 4; i++) await rotating.listVpcEndpointServices({ regionId: REGION });
      const log = emu.requests(since);
      // The STS key is only accepted with its token (MissingSecurityToken otherwise): 200 shows it was sent.
      assert.deepEqual(
        log.map((r) => [r.accessKeyId, r.status]),
        [
          [provider.accessKeyId, 200],
          [ROTATED.accessKeyId, 200],
          [provider.accessKeyId, 200],
          [ROTATED.accessKeyId, 200],
        ],
      );
      assert.deepEqual(rotating.stats(), { calls: 4, byAction: { ListVpcEndpointServices: 4 } });
    } finally {
      rotating.close();
    }
  });

  it('the default chain signs real requests with STS credentials from the environment', async () => {
    const saved = { ...process.env };
    process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = ROTATED.accessKeyId;
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = ROTATED.accessKeySecret;
    process.env.ALIBABA_CLOUD_SECURITY_TOKEN = ROTATED.securityToken;
    const chained = clientWith(credentialsFromDefaultChain());
    try {
      const page = await chained.listVpcEndpointServices({ regionId: REGION });
      assert.equal(page.items.length, 2);
      assert.equal(emu.requests().at(-1)?.accessKeyId, ROTATED.accessKeyId);
      // Without the token the STS key is refused: the token really travelled from the environment.
      delete process.env.ALIBABA_CLOUD_SECURITY_TOKEN;
      const error = await failure(chained.listVpcEndpointServices({ regionId: REGION }));
      assert.equal(error.code, 'MissingSecurityToken');
    } finally {
      chained.close();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('a wrong secret is a final SignatureDoesNotMatch without secrets anywhere', async () => {
    const wrong = clientWith(
      staticCredentials({ accessKeyId: provider.accessKeyId, accessKeySecret: 'wrong-secret-77aa' }),
    );
    try {
      secrets.push('wrong-secret-77aa');
      const error = await failure(wrong.listVpcEndpointServices({ regionId: REGION }));
      assert.deepEqual([error.code, error.retryable], ['SignatureDoesNotMatch', false]);
    } finally {
      wrong.close();
    }
  });

  it('an unknown AccessKey and a wrong STS token are final', async () => {
    const unknown = clientWith(
      staticCredentials({ accessKeyId: 'LTAInobody000000001', accessKeySecret: 'nobody-secret-1' }),
    );
    const badToken = clientWith(staticCredentials({ ...ROTATED, securityToken: 'not-the-token-5e' }));
    try {
      secrets.push('nobody-secret-1', 'not-the-token-5e');
      const e1 = await failure(unknown.listVpcEndpointServices({ regionId: REGION }));
      assert.deepEqual([e1.code, e1.retryable], ['InvalidAccessKeyId.NotFound', false]);
      const e2 = await failure(badToken.listVpcEndpointServices({ regionId: REGION }));
      assert.match(e2.code, /SecurityToken/);
      assert.equal(e2.retryable, false);
    } finally {
      unknown.close();
      badToken.close();
    }
  });

  it('stats count exactly the requests the emulator received', async () => {
    const counted = clientWith();
    try {
      const since = emu.requests().at(-1)?.seq ?? 0;
      await counted.listVpcEndpointServices({ regionId: REGION });
      await counted.listVpcEndpointConnections({ regionId: REGION, serviceId: SEARCH });
      await failure(
        counted.disableVpcEndpointConnection({
          regionId: REGION,
          serviceId: SEARCH,
          endpointId: 'ep-bp1nosuchendpoint01',
        }),
      );
      const log = emu.requests(since);
      assert.equal(counted.stats().calls, log.length);
      assert.deepEqual(counted.stats().byAction, {
        ListVpcEndpointServices: 1,
        ListVpcEndpointConnections: 1,
        DisableVpcEndpointConnection: 1,
      });
    } finally {
      counted.close();
    }
  });
});
