import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HZ, ORDERS_HZ, harness } from './model-harness.ts';
import type { ConnectionItem } from './model-harness.ts';
import { generateFleet } from '../../../emulator/model/fleet-generator.ts';

type Page = { Connections: ConnectionItem[]; NextToken: string; MaxResults: number };

test('pagination: every connection exactly once across pages, last page has an empty NextToken', () => {
  const fleet = generateFleet({ services: 3, connectionsPerService: 47, pendingShare: 0.3, seed: 7, consumers: 6 });
  const h = harness({ scenario: fleet });
  const seen: string[] = [];
  let token = '';
  let pages = 0;
  do {
    const r = h.call('provider', 'ListVpcEndpointConnections', {
      RegionId: HZ,
      MaxResults: '20',
      ...(token ? { NextToken: token } : {}),
    }) as Page;
    assert.equal(r.MaxResults, 20);
    assert.ok(r.Connections.length <= 20);
    seen.push(...r.Connections.map((c) => c.EndpointId));
    token = r.NextToken;
    pages++;
  } while (token !== '');
  assert.equal(pages, Math.ceil(141 / 20));
  assert.equal(seen.length, 141);
  assert.equal(new Set(seen).size, 141);
  assert.deepEqual([...seen].sort(), fleet.endpoints.map((e) => e.endpointId).sort());
});

test('pagination with a filter and on one service: exactly the matching items, once', () => {
  const fleet = generateFleet({ services: 2, connectionsPerService: 60, pendingShare: 0.5, seed: 3 });
  const h = harness({ scenario: fleet });
  const serviceId = fleet.services[1]?.serviceId ?? '';
  const expected = fleet.endpoints
    .filter((e) => e.serviceId === serviceId && e.connection.status === 'Awaiting')
    .map((e) => e.endpointId)
    .sort();
  const seen: string[] = [];
  let token = '';
  do {
    const r = h.call('provider', 'ListVpcEndpointConnections', {
      RegionId: HZ,
      ServiceId: serviceId,
      ConnectionStatus: 'Connecting',
      MaxResults: '7',
      ...(token ? { NextToken: token } : {}),
    }) as Page;
    seen.push(...r.Connections.map((c) => c.EndpointId));
    token = r.NextToken;
  } while (token !== '');
  assert.deepEqual(seen.sort(), expected);
});

test('pagination survives deletions between pages: no item skipped or repeated', () => {
  const fleet = generateFleet({ services: 1, connectionsPerService: 30, pendingShare: 1, seed: 5 });
  const h = harness({ scenario: fleet, settings: { deleteDelayMs: 0 } });
  const first = h.call('provider', 'ListVpcEndpointConnections', { RegionId: HZ, MaxResults: '10' }) as Page;
  // The consumer of the first item deletes its endpoint before the next page is read.
  const gone = fleet.endpoints[0];
  assert.ok(gone);
  h.model.dispatch(
    'DeleteVpcEndpoint',
    { RegionId: HZ, EndpointId: gone.endpointId },
    { accountId: gone.ownerId, accessKeyId: 'k', requestId: 'r', now: h.clock.now() },
  );
  const rest: string[] = [];
  let token = first.NextToken;
  while (token !== '') {
    const r = h.call('provider', 'ListVpcEndpointConnections', {
      RegionId: HZ,
      MaxResults: '10',
      NextToken: token,
    }) as Page;
    rest.push(...r.Connections.map((c) => c.EndpointId));
    token = r.NextToken;
  }
  assert.deepEqual(
    [...first.Connections.map((c) => c.EndpointId), ...rest],
    fleet.endpoints.map((e) => e.endpointId),
  );
});

test('NextToken is tamper-evident and bound to its query', () => {
  const h = harness();
  const r = h.call('provider', 'ListVpcEndpointConnections', { RegionId: HZ, MaxResults: '2' }) as Page;
  assert.notEqual(r.NextToken, '');
  const [payload = '', mac = ''] = r.NextToken.split('.');
  const forged = Buffer.from(
    JSON.stringify({ p: [0, 0], q: JSON.parse(Buffer.from(payload, 'base64url').toString()).q }),
  ).toString('base64url');
  h.fails(
    'provider',
    'ListVpcEndpointConnections',
    { RegionId: HZ, MaxResults: '2', NextToken: `${forged}.${mac}` },
    'InvalidNextToken',
  );
  // Every altered MAC character is refused, also the last one (whose low bits base64url decoding drops).
  const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const flip = (c: string): string => B64URL[B64URL.indexOf(c) ^ 1] ?? '';
  for (const at of [0, mac.length - 1]) {
    const altered = `${mac.slice(0, at)}${flip(mac[at] ?? '')}${mac.slice(at + 1)}`;
    h.fails(
      'provider',
      'ListVpcEndpointConnections',
      { RegionId: HZ, MaxResults: '2', NextToken: `${payload}.${altered}` },
      'InvalidNextToken',
    );
  }
  h.fails(
    'provider',
    'ListVpcEndpointConnections',
    { RegionId: HZ, MaxResults: '2', NextToken: 'garbage' },
    'InvalidNextToken',
  );
  // Another filter, or another caller: the token does not belong to that query.
  h.fails(
    'provider',
    'ListVpcEndpointConnections',
    { RegionId: HZ, ServiceId: ORDERS_HZ, NextToken: r.NextToken },
    'InvalidNextToken',
  );
  h.fails('acme', 'ListVpcEndpointConnections', { RegionId: HZ, NextToken: r.NextToken }, 'InvalidNextToken');
  // A token from another model (another emulator run) is refused.
  const other = harness();
  other.fails(
    'provider',
    'ListVpcEndpointConnections',
    { RegionId: HZ, MaxResults: '2', NextToken: r.NextToken },
    'InvalidNextToken',
  );
  // The untouched token works, also with another page size.
  const next = h.call('provider', 'ListVpcEndpointConnections', {
    RegionId: HZ,
    MaxResults: '5',
    NextToken: r.NextToken,
  }) as Page;
  assert.equal(next.Connections.length, 5);
});

test('MaxResults must be an integer from 1 to 50 on every List action', () => {
  const h = harness();
  const lists: Array<[string, Record<string, string>]> = [
    ['ListVpcEndpointConnections', {}],
    ['ListVpcEndpointServices', {}],
    ['ListVpcEndpointServiceUsers', { ServiceId: ORDERS_HZ }],
    ['ListVpcEndpointServiceResources', { ServiceId: ORDERS_HZ }],
  ];
  for (const [action, extra] of lists) {
    for (const bad of ['0', '51', '1000', 'ten', '2.5']) {
      h.fails(
        'provider',
        action,
        { RegionId: HZ, ...extra, MaxResults: bad },
        'InvalidParameter',
        'The specified parameter "MaxResults" is not valid: must be an integer between 1 and 50.',
      );
    }
    assert.equal(h.call('provider', action, { RegionId: HZ, ...extra, MaxResults: '1' }).MaxResults, 1);
  }
  for (const [action, extra] of [
    ['ListVpcEndpoints', {}],
    ['ListVpcEndpointServicesByEndUser', {}],
    ['ListVpcEndpointZones', { EndpointId: 'ep-bp1demoacme0000001' }],
    ['ListVpcEndpointSecurityGroups', { EndpointId: 'ep-bp1demoacme0000001' }],
  ] as const) {
    h.fails('acme', action, { RegionId: HZ, ...extra, MaxResults: '51' }, 'InvalidParameter', /"MaxResults"/);
  }
});

test('DryRun: every check runs, DryRunOperation comes back, and nothing changes', () => {
  const h = harness();
  const before = JSON.stringify(h.snapshot());
  const dry = { DryRun: 'true' };
  const calls: Array<[Parameters<typeof h.call>[0], string, Record<string, string>]> = [
    [
      'provider',
      'EnableVpcEndpointConnection',
      { RegionId: HZ, ServiceId: ORDERS_HZ, EndpointId: 'ep-bp1demoacme0000001', Bandwidth: '1024' },
    ],
    [
      'provider',
      'DisableVpcEndpointConnection',
      { RegionId: HZ, ServiceId: ORDERS_HZ, EndpointId: 'ep-bp1demoacme0000002' },
    ],
    [
      'provider',
      'UpdateVpcEndpointConnectionAttribute',
      { RegionId: HZ, ServiceId: ORDERS_HZ, EndpointId: 'ep-bp1demoacme0000002', Bandwidth: '1024' },
    ],
    [
      'provider',
      'CreateVpcEndpointService',
      { RegionId: HZ, 'Resource.1.ResourceId': 'lb-bp1new0001', 'Resource.1.ResourceType': 'slb' },
    ],
    [
      'provider',
      'UpdateVpcEndpointServiceAttribute',
      { RegionId: HZ, ServiceId: ORDERS_HZ, ServiceDescription: 'changed' },
    ],
    ['provider', 'AddUserToVpcEndpointService', { RegionId: HZ, ServiceId: ORDERS_HZ, UserId: '123' }],
    ['provider', 'RemoveUserFromVpcEndpointService', { RegionId: HZ, ServiceId: ORDERS_HZ, UserId: '123' }],
    [
      'provider',
      'AttachResourceToVpcEndpointService',
      { RegionId: HZ, ServiceId: ORDERS_HZ, ResourceId: 'lb-bp1new0002', ResourceType: 'slb' },
    ],
    [
      'provider',
      'DetachResourceFromVpcEndpointService',
      { RegionId: HZ, ServiceId: ORDERS_HZ, ResourceId: 'lb-bp1demoorders000001', ResourceType: 'slb' },
    ],
    [
      'acme',
      'CreateVpcEndpoint',
      { RegionId: HZ, ServiceId: ORDERS_HZ, VpcId: 'vpc-bp1acmenew', 'SecurityGroupId.1': 'sg-bp1acmenew' },
    ],
    [
      'acme',
      'UpdateVpcEndpointAttribute',
      { RegionId: HZ, EndpointId: 'ep-bp1demoacme0000001', EndpointName: 'renamed', EndpointDescription: 'new text' },
    ],
    ['acme', 'DeleteVpcEndpoint', { RegionId: HZ, EndpointId: 'ep-bp1demoacme0000002' }],
    [
      'acme',
      'AddZoneToVpcEndpoint',
      { RegionId: HZ, EndpointId: 'ep-bp1demoacme0000001', ZoneId: 'cn-hangzhou-i', VSwitchId: 'vsw-bp1acmenew' },
    ],
    [
      'acme',
      'RemoveZoneFromVpcEndpoint',
      { RegionId: HZ, EndpointId: 'ep-bp1demoacme0000002', ZoneId: 'cn-hangzhou-i' },
    ],
    [
      'acme',
      'AttachSecurityGroupToVpcEndpoint',
      { RegionId: HZ, EndpointId: 'ep-bp1demoacme0000001', SecurityGroupId: 'sg-bp1acmeextra' },
    ],
  ];
  for (const [who, action, params] of calls)
    h.fails(
      who,
      action,
      { ...params, ...dry },
      'DryRunOperation',
      'Request validation has been passed with DryRun flag set.',
    );
  assert.equal(JSON.stringify(h.snapshot()), before);
  // DryRun still runs the checks: a failing one answers its own error.
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    { RegionId: HZ, ServiceId: ORDERS_HZ, EndpointId: 'ep-bp1demoacme0000002', Bandwidth: '1024', ...dry },
    'EndpointConnectionOperationDenied',
  );
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    { RegionId: HZ, ServiceId: ORDERS_HZ, EndpointId: 'ep-bp1demoacme0000001', Bandwidth: '99999', ...dry },
    'InvalidParameter',
  );
  h.fails(
    'acme',
    'EnableVpcEndpointConnection',
    { RegionId: HZ, ServiceId: ORDERS_HZ, EndpointId: 'ep-bp1demoacme0000001', Bandwidth: '1024', ...dry },
    'EndpointServiceNotFound',
  );
  h.fails(
    'provider',
    'DeleteVpcEndpointService',
    { RegionId: HZ, ServiceId: ORDERS_HZ, ...dry },
    'EndpointServiceDependenceViolation',
  );
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    { RegionId: HZ, ServiceId: ORDERS_HZ, EndpointId: 'ep-bp1demoacme0000001', Bandwidth: '1024', DryRun: 'maybe' },
    'InvalidParameter',
    /"DryRun".*true or false/,
  );
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    {
      RegionId: HZ,
      ServiceId: ORDERS_HZ,
      EndpointId: 'ep-bp1demoacme0000001',
      Bandwidth: '1024',
      ClientToken: 'x'.repeat(65),
      ...dry,
    },
    'InvalidParameter',
    /"ClientToken"/,
  );
  assert.equal(JSON.stringify(h.snapshot()), before);
});

test('ClientToken: the same request returns the first body (with its RequestId) and has no second effect', () => {
  const h = harness();
  const params = {
    RegionId: HZ,
    ServiceId: ORDERS_HZ,
    VpcId: 'vpc-bp1acmetoken',
    'SecurityGroupId.1': 'sg-bp1acmetoken',
    ClientToken: 'tok-1',
  };
  const first = h.call('acme', 'CreateVpcEndpoint', params);
  assert.equal(first.RequestId, undefined, 'the first answer leaves RequestId to the protocol layer');
  const countAcme = () => h.snapshot().endpoints.filter((e) => e.ownerId === '2000000000000001').length;
  const n = countAcme();
  // A retry: other transport parameters (nonce, timestamp, signature) do not matter.
  const again = h.call('acme', 'CreateVpcEndpoint', {
    ...params,
    SignatureNonce: 'other',
    Timestamp: '2026-11-25T08:00:05Z',
  });
  assert.equal(again.EndpointId, first.EndpointId);
  assert.equal(again.RequestId, 'req-1', 'the replay carries the first RequestId');
  assert.equal(countAcme(), n);
  h.fails('acme', 'CreateVpcEndpoint', { ...params, VpcId: 'vpc-bp1acmeother' }, 'IdempotentParameterMismatch');
  // Tokens are per caller and per action.
  const globex = h.call('globex', 'CreateVpcEndpoint', { ...params, VpcId: 'vpc-bp1globextoken' });
  assert.notEqual(globex.EndpointId, first.EndpointId);
  h.fails(
    'acme',
    'EnableVpcEndpointConnection',
    {
      RegionId: HZ,
      ServiceId: ORDERS_HZ,
      EndpointId: String(first.EndpointId),
      Bandwidth: '1024',
      ClientToken: 'tok-1',
    },
    'EndpointServiceNotFound',
  );
  h.fails('acme', 'CreateVpcEndpoint', { ...params, ClientToken: 'x'.repeat(65) }, 'InvalidParameter', /"ClientToken"/);
});

test('ClientToken on Enable: a retry after success is answered from the cache, not denied; DryRun and failures are not cached', () => {
  const h = harness();
  const params = {
    RegionId: HZ,
    ServiceId: ORDERS_HZ,
    EndpointId: 'ep-bp1demoacme0000001',
    Bandwidth: '2048',
    ClientToken: 'accept-1',
  };
  h.fails('provider', 'EnableVpcEndpointConnection', { ...params, DryRun: 'true' }, 'DryRunOperation');
  h.fails('provider', 'EnableVpcEndpointConnection', { ...params, Bandwidth: '99' }, 'InvalidParameter');
  assert.deepEqual(h.call('provider', 'EnableVpcEndpointConnection', params), {});
  assert.deepEqual(h.call('provider', 'EnableVpcEndpointConnection', params), { RequestId: 'req-3' });
  h.clock.advance(2000);
  assert.deepEqual(h.call('provider', 'EnableVpcEndpointConnection', params), { RequestId: 'req-3' });
  assert.equal(h.endpoint('ep-bp1demoacme0000001')?.connectionStatus, 'Connected');
  h.fails('provider', 'EnableVpcEndpointConnection', { ...params, Bandwidth: '1024' }, 'IdempotentParameterMismatch');
});

test('reads ignore ClientToken: a listing is never replayed from the cache', () => {
  const h = harness({ settings: { enableDelayMs: 0 } });
  const list = { RegionId: HZ, ServiceId: ORDERS_HZ, EndpointId: 'ep-bp1demoacme0000001', ClientToken: 'read-1' };
  const before = h.call('provider', 'ListVpcEndpointConnections', list) as Page;
  assert.equal(before.Connections[0]?.ConnectionStatus, 'Connecting');
  h.call('provider', 'EnableVpcEndpointConnection', {
    RegionId: HZ,
    ServiceId: ORDERS_HZ,
    EndpointId: 'ep-bp1demoacme0000001',
    Bandwidth: '1024',
  });
  const after = h.call('provider', 'ListVpcEndpointConnections', list) as Page & { RequestId?: string };
  assert.equal(after.Connections[0]?.ConnectionStatus, 'Connected');
  assert.equal(after.RequestId, undefined);
});

test('unknown actions and regions', () => {
  const h = harness();
  const err = h.fails('provider', 'DescribeInstances', { RegionId: HZ }, 'InvalidApi.NotFound');
  assert.equal(err.httpStatus, 404);
  assert.equal(
    h.fails(
      'provider',
      'ListVpcEndpointServices',
      { RegionId: 'mars-north-1' },
      'InvalidRegionId.NotFound',
      'The specified RegionId "mars-north-1" does not exist.',
    ).httpStatus,
    404,
  );
  h.fails('provider', 'toString', {}, 'InvalidApi.NotFound');
});

test('all 29 actions of the reference are implemented, and each names its missing RegionId', () => {
  const h = harness();
  const actions = [
    'DescribeRegions',
    'DescribeZones',
    'CreateVpcEndpointService',
    'UpdateVpcEndpointServiceAttribute',
    'GetVpcEndpointServiceAttribute',
    'ListVpcEndpointServices',
    'DeleteVpcEndpointService',
    'AddUserToVpcEndpointService',
    'ListVpcEndpointServiceUsers',
    'RemoveUserFromVpcEndpointService',
    'AttachResourceToVpcEndpointService',
    'ListVpcEndpointServiceResources',
    'DetachResourceFromVpcEndpointService',
    'CreateVpcEndpoint',
    'UpdateVpcEndpointAttribute',
    'GetVpcEndpointAttribute',
    'ListVpcEndpoints',
    'DeleteVpcEndpoint',
    'ListVpcEndpointServicesByEndUser',
    'EnableVpcEndpointConnection',
    'DisableVpcEndpointConnection',
    'UpdateVpcEndpointConnectionAttribute',
    'ListVpcEndpointConnections',
    'AddZoneToVpcEndpoint',
    'ListVpcEndpointZones',
    'RemoveZoneFromVpcEndpoint',
    'AttachSecurityGroupToVpcEndpoint',
    'ListVpcEndpointSecurityGroups',
    'DetachSecurityGroupFromVpcEndpoint',
  ];
  assert.equal(actions.length, 29);
  assert.ok(h.call('acme', 'DescribeRegions', {}).Regions);
  for (const action of actions.slice(1))
    h.fails(
      'acme',
      action,
      {},
      'MissingParameter',
      'The input parameter "RegionId" that is mandatory for processing this request is not supplied.',
    );
});
