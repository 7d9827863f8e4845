/**
 * The wire format of every action, end to end through the real @alicloud/pop-core RPCClient over
 * 127.0.0.1: each of the 29 actions of the 2020-04-15 reference is called at least once, plus list
 * pagination across pages, GET as well as POST, XML, DryRun and ClientToken. (The model's detailed
 * behaviour is tested by direct dispatch under test/emulator/model.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type RPCClient from '@alicloud/pop-core';
import { PRIVATELINK_ACTIONS } from '../../../emulator/rpc-server.ts';
import type { RunningEmulator } from '../helpers.ts';
import { accessKeyFor, clientFor, rawCall, rejection, startTestEmulator } from '../helpers.ts';

type Body = Record<string, unknown>;
const REGION = 'cn-hangzhou';
const ACME = '2000000000000001';
const PROVIDER = '1000000000000001';
const ORDERS = 'epsrv-bp1demoorders000001';

describe('every action through pop-core', () => {
  let emu: RunningEmulator;
  let provider: RPCClient;
  let acme: RPCClient;
  const called = new Set<string>();
  const call = async (client: RPCClient, action: string, params: Record<string, unknown> = {}): Promise<Body> => {
    called.add(action);
    const body = await client.request<Body>(action, { RegionId: REGION, ...params }, { method: 'POST' });
    assert.match(
      String(body['RequestId']),
      /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/,
      `${action}: RequestId`,
    );
    return body;
  };
  const advance = (ms: number): void => emu.clock.advance(ms + 1);
  const connection = async (serviceId: string, endpointId: string): Promise<Body | undefined> => {
    const page = await call(provider, 'ListVpcEndpointConnections', { ServiceId: serviceId, EndpointId: endpointId });
    return (page['Connections'] as Body[])[0];
  };

  before(async () => {
    emu = await startTestEmulator();
    provider = clientFor(emu, 'provider');
    acme = clientFor(emu, 'acme');
  });
  after(() => emu.close());

  let serviceId = '';
  let endpointId = '';

  test('regions and zones', async () => {
    const regions = await call(provider, 'DescribeRegions');
    const list = (regions['Regions'] as Body)['Region'] as Body[];
    assert.ok(
      list.some((r) => r['RegionId'] === REGION && r['RegionEndpoint'] === `privatelink.${REGION}.aliyuncs.com`),
    );
    const zones = await call(provider, 'DescribeZones');
    assert.ok(((zones['Zones'] as Body)['Zone'] as Body[]).some((z) => z['ZoneId'] === 'cn-hangzhou-h'));
  });

  test('the provider creates, updates, reads and lists a service; whitelist and resources', async () => {
    const created = await call(provider, 'CreateVpcEndpointService', {
      ServiceDescription: 'e2e service',
      AutoAcceptEnabled: false,
      Resource: [
        { ResourceId: 'lb-bp1e2e0000000001', ResourceType: 'slb', ZoneId: 'cn-hangzhou-h' },
        { ResourceId: 'lb-bp1e2e0000000002', ResourceType: 'slb', ZoneId: 'cn-hangzhou-i' },
      ],
    });
    serviceId = String(created['ServiceId']);
    assert.match(serviceId, /^epsrv-/);
    // Asynchronous: Creating until createDelayMs has passed; writes wait for Active.
    assert.equal(created['ServiceStatus'], 'Creating');
    advance(emu.settings.createDelayMs);
    assert.equal(
      (await call(provider, 'GetVpcEndpointServiceAttribute', { ServiceId: serviceId }))['ServiceStatus'],
      'Active',
    );
    await call(provider, 'UpdateVpcEndpointServiceAttribute', {
      ServiceId: serviceId,
      ServiceDescription: 'e2e service, updated',
      ConnectBandwidth: 1024,
    });
    const got = await call(provider, 'GetVpcEndpointServiceAttribute', { ServiceId: serviceId });
    assert.equal(got['ServiceDescription'], 'e2e service, updated');
    const listed = await call(provider, 'ListVpcEndpointServices', { ServiceId: serviceId });
    assert.deepEqual(
      (listed['Services'] as Body[]).map((s) => s['ServiceId']),
      [serviceId],
    );

    await call(provider, 'AddUserToVpcEndpointService', { ServiceId: serviceId, UserId: ACME });
    const users = await call(provider, 'ListVpcEndpointServiceUsers', { ServiceId: serviceId });
    // pop-core parses 16-digit numbers as BigNumber: compare as strings. The owner is on it from creation.
    assert.deepEqual(
      (users['Users'] as Body[]).map((u) => String(u['UserId'])),
      [PROVIDER, ACME],
    );

    await call(provider, 'AttachResourceToVpcEndpointService', {
      ServiceId: serviceId,
      ResourceId: 'lb-bp1e2e0000000003',
      ResourceType: 'slb',
      ZoneId: 'cn-hangzhou-h',
    });
    const resources = await call(provider, 'ListVpcEndpointServiceResources', { ServiceId: serviceId });
    assert.deepEqual((resources['Resources'] as Body[]).map((r) => r['ResourceId']).sort(), [
      'lb-bp1e2e0000000001',
      'lb-bp1e2e0000000002',
      'lb-bp1e2e0000000003',
    ]);
    await call(provider, 'DetachResourceFromVpcEndpointService', {
      ServiceId: serviceId,
      ResourceId: 'lb-bp1e2e0000000003',
      ResourceType: 'slb',
    });
    const after = await call(provider, 'ListVpcEndpointServiceResources', { ServiceId: serviceId });
    assert.equal((after['Resources'] as Body[]).length, 2);
  });

  test('the consumer finds the service, creates and manages an endpoint', async () => {
    const visible = await call(acme, 'ListVpcEndpointServicesByEndUser', { ServiceId: serviceId });
    assert.deepEqual(
      (visible['Services'] as Body[]).map((s) => s['ServiceId']),
      [serviceId],
    );
    const created = await call(acme, 'CreateVpcEndpoint', {
      ServiceId: serviceId,
      VpcId: 'vpc-bp1e2eacme000001',
      SecurityGroupId: ['sg-bp1e2eacme000001'],
      EndpointName: 'e2e-endpoint',
      Zone: [{ ZoneId: 'cn-hangzhou-h', VSwitchId: 'vsw-bp1e2eacme00001' }],
    });
    endpointId = String(created['EndpointId']);
    assert.match(endpointId, /^ep-/);
    assert.equal(created['EndpointStatus'], 'Creating');
    advance(emu.settings.createDelayMs);
    await call(acme, 'UpdateVpcEndpointAttribute', {
      EndpointId: endpointId,
      EndpointName: 'e2e-endpoint-2',
      EndpointDescription: 'renamed',
    });
    const got = await call(acme, 'GetVpcEndpointAttribute', { EndpointId: endpointId });
    assert.equal(got['EndpointName'], 'e2e-endpoint-2');
    const endpoints = await call(acme, 'ListVpcEndpoints', { EndpointId: endpointId });
    assert.deepEqual(
      (endpoints['Endpoints'] as Body[]).map((e) => e['EndpointId']),
      [endpointId],
    );

    await call(acme, 'AddZoneToVpcEndpoint', {
      EndpointId: endpointId,
      ZoneId: 'cn-hangzhou-i',
      VSwitchId: 'vsw-bp1e2eacme00002',
    });
    const adding = await call(acme, 'ListVpcEndpointZones', { EndpointId: endpointId });
    assert.deepEqual(
      (adding['Zones'] as Body[]).map((z) => `${String(z['ZoneId'])} ${String(z['ZoneStatus'])}`),
      ['cn-hangzhou-h Wait', 'cn-hangzhou-i Creating'],
    );
    advance(emu.settings.createDelayMs);
    const zones = await call(acme, 'ListVpcEndpointZones', { EndpointId: endpointId });
    assert.deepEqual(
      (zones['Zones'] as Body[]).map((z) => `${String(z['ZoneId'])} ${String(z['ZoneStatus'])}`),
      ['cn-hangzhou-h Wait', 'cn-hangzhou-i Wait'],
    );
    await call(acme, 'RemoveZoneFromVpcEndpoint', { EndpointId: endpointId, ZoneId: 'cn-hangzhou-i' });
    advance(emu.settings.deleteDelayMs + emu.settings.updateDelayMs);
    const fewer = await call(acme, 'ListVpcEndpointZones', { EndpointId: endpointId });
    assert.deepEqual(
      (fewer['Zones'] as Body[]).map((z) => z['ZoneId']),
      ['cn-hangzhou-h'],
    );

    await call(acme, 'AttachSecurityGroupToVpcEndpoint', {
      EndpointId: endpointId,
      SecurityGroupId: 'sg-bp1e2eacme000002',
    });
    const groups = await call(acme, 'ListVpcEndpointSecurityGroups', { EndpointId: endpointId });
    assert.deepEqual((groups['SecurityGroups'] as Body[]).map((g) => g['SecurityGroupId']).sort(), [
      'sg-bp1e2eacme000001',
      'sg-bp1e2eacme000002',
    ]);
    await call(acme, 'DetachSecurityGroupFromVpcEndpoint', {
      EndpointId: endpointId,
      SecurityGroupId: 'sg-bp1e2eacme000002',
    });
    const one = await call(acme, 'ListVpcEndpointSecurityGroups', { EndpointId: endpointId });
    assert.equal((one['SecurityGroups'] as Body[]).length, 1);
  });

  test('the provider sees the request, accepts, resizes and disconnects it as the clock moves', async () => {
    const pending = await connection(serviceId, endpointId);
    assert.equal(pending?.['ConnectionStatus'], 'Connecting');
    assert.equal(String(pending?.['EndpointOwnerId']), ACME);
    assert.equal(pending?.['EndpointVpcId'], 'vpc-bp1e2eacme000001');

    await call(provider, 'EnableVpcEndpointConnection', {
      ServiceId: serviceId,
      EndpointId: endpointId,
      Bandwidth: 1024,
    });
    advance(emu.settings.enableDelayMs);
    const connected = await connection(serviceId, endpointId);
    assert.equal(connected?.['ConnectionStatus'], 'Connected');
    assert.equal(connected?.['Bandwidth'], 1024);

    await call(provider, 'UpdateVpcEndpointConnectionAttribute', {
      ServiceId: serviceId,
      EndpointId: endpointId,
      Bandwidth: 2048,
    });
    assert.equal((await connection(serviceId, endpointId))?.['ConnectionStatus'], 'Pending');
    advance(emu.settings.updateDelayMs);
    assert.equal((await connection(serviceId, endpointId))?.['Bandwidth'], 2048);

    await call(provider, 'DisableVpcEndpointConnection', { ServiceId: serviceId, EndpointId: endpointId });
    advance(emu.settings.disableDelayMs);
    assert.equal((await connection(serviceId, endpointId))?.['ConnectionStatus'], 'Disconnected');
  });

  test('deletes: the endpoint, the whitelist entry, the service', async () => {
    await call(acme, 'DeleteVpcEndpoint', { EndpointId: endpointId });
    advance(emu.settings.deleteDelayMs);
    const gone = await rejection(() =>
      acme.request('GetVpcEndpointAttribute', { RegionId: REGION, EndpointId: endpointId }, { method: 'POST' }),
    );
    assert.equal(typeof gone['code'], 'string');
    await call(provider, 'RemoveUserFromVpcEndpointService', { ServiceId: serviceId, UserId: ACME });
    const left = (await call(provider, 'ListVpcEndpointServiceUsers', { ServiceId: serviceId }))['Users'] as Body[];
    assert.deepEqual(
      left.map((u) => String(u['UserId'])),
      [PROVIDER],
    );
    await call(provider, 'DeleteVpcEndpointService', { ServiceId: serviceId });
    advance(emu.settings.deleteDelayMs);
    const listed = await call(provider, 'ListVpcEndpointServices', { ServiceId: serviceId });
    assert.deepEqual(listed['Services'], []);
  });

  test('every action of the reference was called at least once', () => {
    const reference = [...PRIVATELINK_ACTIONS];
    assert.equal(reference.length, 29);
    assert.deepEqual(
      reference.filter((a) => !called.has(a)),
      [],
    );
  });

  test('ListVpcEndpointConnections pages with MaxResults and NextToken; the last page has an empty NextToken', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await call(provider, 'ListVpcEndpointConnections', {
        ServiceId: ORDERS,
        MaxResults: 2,
        ...(token === undefined ? {} : { NextToken: token }),
      });
      const items = page['Connections'] as Body[];
      assert.ok(items.length <= 2);
      seen.push(...items.map((c) => String(c['EndpointId'])));
      token = String(page['NextToken'] ?? '');
      if (token === '') token = undefined;
      pages += 1;
    } while (token !== undefined && pages < 10);
    assert.equal(pages, 4, 'seven connections in pages of two');
    assert.deepEqual(seen.slice().sort(), [
      'ep-bp1demoacme0000001',
      'ep-bp1demoacme0000002',
      'ep-bp1demoglobex00001',
      'ep-bp1demoglobex00004',
      'ep-bp1demoglobex00005',
      'ep-bp1demoinitech0001',
      'ep-bp1demoumbrella002',
    ]);
  });

  test('ListVpcEndpointServices pages one by one', async () => {
    const ids: string[] = [];
    let token = '';
    for (let i = 0; i < 5; i++) {
      const page = await call(provider, 'ListVpcEndpointServices', {
        MaxResults: 1,
        ...(token === '' ? {} : { NextToken: token }),
      });
      ids.push(...(page['Services'] as Body[]).map((s) => String(s['ServiceId'])));
      token = String(page['NextToken'] ?? '');
      if (token === '') break;
    }
    assert.deepEqual(ids.sort(), ['epsrv-bp1demoorders000001', 'epsrv-bp1demosearch00002']);
  });

  test('GET works as well as POST', async () => {
    const viaGet = await clientFor(emu, 'provider', { method: 'GET' }).request<Body>(
      'ListVpcEndpointServices',
      { RegionId: REGION },
      { method: 'GET' },
    );
    const viaPost = await call(provider, 'ListVpcEndpointServices');
    assert.deepEqual(viaGet['Services'], viaPost['Services']);
    assert.equal(emu.requests().at(-2)?.method, 'GET');
  });

  test('POST with parameters in both the query string and the body: the two are merged before the signature check', async () => {
    const key = accessKeyFor(emu, 'provider');
    const split = await rawCall(
      emu.url,
      key,
      'ListVpcEndpointConnections',
      { RegionId: REGION, ServiceId: ORDERS, EndpointId: 'ep-bp1demoacme0000002' },
      { inQuery: ['Action', 'RegionId', 'ServiceId', 'Signature'] },
    );
    assert.equal(split.status, 200, split.text);
    const whole = await rawCall(emu.url, key, 'ListVpcEndpointConnections', {
      RegionId: REGION,
      ServiceId: ORDERS,
      EndpointId: 'ep-bp1demoacme0000002',
    });
    assert.deepEqual(split.json?.['Connections'], whole.json?.['Connections']);
    assert.equal((split.json?.['Connections'] as unknown[]).length, 1, "the body's EndpointId filter applied");
    const logged = emu.requests().at(-2);
    assert.equal(logged?.params['ServiceId'], ORDERS);
    assert.equal(logged?.params['EndpointId'], 'ep-bp1demoacme0000002');
  });

  test('Format=XML answers the reference sample shape: repeated elements per array item', async () => {
    const res = await rawCall(
      emu.url,
      accessKeyFor(emu, 'provider'),
      'ListVpcEndpointConnections',
      { RegionId: REGION, ServiceId: ORDERS, EndpointId: 'ep-bp1demoacme0000002' },
      { common: { Format: 'XML' } },
    );
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /xml/);
    assert.match(
      res.text,
      /^<\?xml version="1\.0" encoding="UTF-8"\?><ListVpcEndpointConnectionsResponse><RequestId>[0-9A-F-]{36}<\/RequestId>/,
    );
    assert.match(
      res.text,
      /<Connections><EndpointId>ep-bp1demoacme0000002<\/EndpointId><EndpointOwnerId>2000000000000001<\/EndpointOwnerId>/,
    );
    assert.equal(res.text.match(/<Zones>/g)?.length, 2, 'one <Zones> element per zone');
    assert.match(res.text, /<\/ListVpcEndpointConnectionsResponse>$/);
    const error = await rawCall(
      emu.url,
      accessKeyFor(emu, 'provider'),
      'ListVpcEndpointConnections',
      { RegionId: REGION },
      { common: { Format: 'XML' }, signWith: 'wrong' },
    );
    assert.match(
      error.text,
      /<Error><RequestId>[0-9A-F-]{36}<\/RequestId><HostId>privatelink\.cn-hangzhou\.aliyuncs\.com<\/HostId><Code>SignatureDoesNotMatch<\/Code>/,
    );
  });

  test('DryRun checks without effect and answers DryRunOperation', async () => {
    const error = await rejection(() =>
      call(provider, 'EnableVpcEndpointConnection', {
        ServiceId: ORDERS,
        EndpointId: 'ep-bp1demoglobex00001',
        Bandwidth: 2048,
        DryRun: true,
      }),
    );
    assert.equal(error['code'], 'DryRunOperation');
    assert.equal((await connection(ORDERS, 'ep-bp1demoglobex00001'))?.['ConnectionStatus'], 'Connecting');
    const invalid = await rejection(() =>
      call(provider, 'EnableVpcEndpointConnection', {
        ServiceId: ORDERS,
        EndpointId: 'ep-bp1demoglobex00001',
        Bandwidth: 99999,
        DryRun: true,
      }),
    );
    assert.notEqual(invalid['code'], 'DryRunOperation', 'a failing check is reported, not DryRunOperation');
  });

  test('ClientToken: a replay answers the first result and RequestId without a second effect; other parameters are IdempotentParameterMismatch', async () => {
    const params = {
      ServiceId: ORDERS,
      EndpointId: 'ep-bp1demoglobex00001',
      Bandwidth: 2048,
      ClientToken: 'e2e-token-0001',
    };
    const first = await call(provider, 'EnableVpcEndpointConnection', params);
    advance(emu.settings.enableDelayMs);
    assert.equal((await connection(ORDERS, 'ep-bp1demoglobex00001'))?.['ConnectionStatus'], 'Connected');
    const replay = await call(provider, 'EnableVpcEndpointConnection', params);
    assert.equal(replay['RequestId'], first['RequestId']);
    assert.equal(
      (await connection(ORDERS, 'ep-bp1demoglobex00001'))?.['ConnectionStatus'],
      'Connected',
      'no second effect',
    );
    const mismatch = await rejection(() =>
      call(provider, 'EnableVpcEndpointConnection', { ...params, Bandwidth: 1024 }),
    );
    assert.equal(mismatch['code'], 'IdempotentParameterMismatch');
  });
});
