import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LongId } from '../../../emulator/types.ts';
import { ACCOUNTS, HZ, ORDERS_HZ, SEARCH_HZ, SH, harness } from './model-harness.ts';

test('DescribeRegions and DescribeZones', () => {
  const h = harness();
  const r = h.call('acme', 'DescribeRegions', {}) as {
    Regions: { Region: Array<{ RegionId: string; RegionEndpoint: string; LocalName: string }> };
  };
  const hz = r.Regions.Region.find((x) => x.RegionId === HZ);
  assert.deepEqual(hz, {
    RegionId: HZ,
    LocalName: 'China (Hangzhou)',
    RegionEndpoint: 'privatelink.cn-hangzhou.aliyuncs.com',
  });
  assert.deepEqual(
    h.model.regions(),
    r.Regions.Region.map((x) => x.RegionId),
  );
  const z = h.call('acme', 'DescribeZones', { RegionId: SH }) as {
    Zones: { Zone: Array<{ ZoneId: string; LocalName: string }> };
  };
  assert.ok(z.Zones.Zone.some((x) => x.ZoneId === 'cn-shanghai-e' && x.LocalName === 'Shanghai Zone E'));
  h.fails(
    'acme',
    'DescribeZones',
    {},
    'MissingParameter',
    'The input parameter "RegionId" that is mandatory for processing this request is not supplied.',
  );
  h.fails('acme', 'DescribeZones', { RegionId: 'xx-nowhere-1' }, 'InvalidRegionId.NotFound');
});

test('endpoint services: create with resources and tags, get, list with filters, update, delete', () => {
  const h = harness();
  const created = h.call('provider', 'CreateVpcEndpointService', {
    RegionId: HZ,
    ServiceDescription: 'new one',
    AutoAcceptEnabled: 'false',
    'Resource.1.ResourceId': 'lb-bp1newservice01',
    'Resource.1.ResourceType': 'slb',
    'Resource.1.ZoneId': 'cn-hangzhou-j',
    'Tag.1.Key': 'team',
    'Tag.1.Value': 'billing',
    'Tag.2.Key': 'env',
    'Tag.2.Value': 'prod',
  });
  const id = String(created.ServiceId);
  assert.match(id, /^epsrv-bp1[a-z0-9]{17}$/);
  assert.deepEqual(Object.keys(created).sort(), [
    'AutoAcceptEnabled',
    'CreateTime',
    'ServiceBusinessStatus',
    'ServiceDescription',
    'ServiceDomain',
    'ServiceId',
    'ServiceName',
    'ServiceStatus',
  ]);
  assert.equal(created.ServiceStatus, 'Active');
  assert.equal(created.ServiceName, `com.aliyuncs.privatelink.cn-hangzhou.${id}`);
  assert.equal(created.CreateTime, '2026-11-25T08:00:00Z');
  const got = h.call('provider', 'GetVpcEndpointServiceAttribute', { RegionId: HZ, ServiceId: id });
  assert.deepEqual(got.Zones, ['cn-hangzhou-j']);
  assert.equal(got.MinBandwidth, 100);
  assert.equal(got.MaxBandwidth, 10240);
  assert.equal(got.RegionId, HZ);

  h.call('provider', 'UpdateVpcEndpointServiceAttribute', {
    RegionId: HZ,
    ServiceId: id,
    AutoAcceptEnabled: 'true',
    ConnectBandwidth: '2000',
    ServiceDescription: 'changed',
  });
  const s = h.service(id);
  assert.equal(s?.autoAcceptEnabled, true);
  assert.equal(s?.connectBandwidth, 2000);
  assert.equal(s?.description, 'changed');
  h.fails(
    'provider',
    'UpdateVpcEndpointServiceAttribute',
    { RegionId: HZ, ServiceId: id, ConnectBandwidth: '99' },
    'InvalidParameter',
    /"ConnectBandwidth".*between 100 and 10240/,
  );
  h.fails(
    'provider',
    'UpdateVpcEndpointServiceAttribute',
    { RegionId: HZ, ServiceId: id, AutoAcceptEnabled: 'yes' },
    'InvalidParameter',
    /"AutoAcceptEnabled"/,
  );

  const list = (params: Record<string, string>) =>
    (
      h.call('provider', 'ListVpcEndpointServices', { RegionId: HZ, ...params }) as {
        Services: Array<{ ServiceId: string; Tags: Array<{ Key: string; Value: string }> }>;
      }
    ).Services.map((x) => x.ServiceId);
  assert.deepEqual(list({}), [ORDERS_HZ, SEARCH_HZ, id]);
  assert.deepEqual(list({ 'Tag.1.Key': 'team', 'Tag.1.Value': 'orders' }), [ORDERS_HZ]);
  assert.deepEqual(list({ 'Tag.1.Key': 'team' }), [ORDERS_HZ, SEARCH_HZ, id]);
  assert.deepEqual(list({ 'Tag.1.Key': 'team', 'Tag.1.Value': 'billing', 'Tag.2.Key': 'env', 'Tag.2.Value': 'prod' }), [
    id,
  ]);
  assert.deepEqual(list({ AutoAcceptEnabled: 'true' }), [id]);
  assert.deepEqual(list({ ServiceName: 'search-api' }), [SEARCH_HZ]);
  assert.deepEqual(list({ ServiceId: ORDERS_HZ }), [ORDERS_HZ]);
  assert.deepEqual(list({ ServiceStatus: 'Active', ServiceBusinessStatus: 'Normal' }).length, 3);
  h.fails(
    'provider',
    'ListVpcEndpointServices',
    { RegionId: HZ, 'Tag.1.Value': 'x' },
    'MissingParameter',
    /"Tag.1.Key"/,
  );
  h.fails(
    'provider',
    'ListVpcEndpointServices',
    { RegionId: HZ, 'Tag.21.Key': 'x' },
    'InvalidParameter',
    /"Tag.21.Key".*between 1 and 20/,
  );
  const tagged = h.call('provider', 'ListVpcEndpointServices', { RegionId: HZ, ServiceId: ORDERS_HZ }) as {
    Services: Array<{ Tags: unknown }>;
  };
  assert.deepEqual(tagged.Services[0]?.Tags, [
    { Key: 'team', Value: 'orders' },
    { Key: 'tier', Value: 'gold' },
  ]);
  // Another account sees none of the provider's services.
  assert.deepEqual(
    (h.call('acme', 'ListVpcEndpointServices', { RegionId: HZ }) as { Services: unknown[] }).Services,
    [],
  );

  h.call('provider', 'DeleteVpcEndpointService', { RegionId: HZ, ServiceId: id });
  assert.equal(h.service(id)?.status, 'Deleting');
  h.clock.advance(1000);
  assert.equal(h.service(id), undefined);
  h.fails('provider', 'GetVpcEndpointServiceAttribute', { RegionId: HZ, ServiceId: id }, 'EndpointServiceNotFound');
});

test('endpoint service errors: not found, hidden from other accounts, resources checked', () => {
  const h = harness();
  for (const action of [
    'UpdateVpcEndpointServiceAttribute',
    'GetVpcEndpointServiceAttribute',
    'DeleteVpcEndpointService',
    'ListVpcEndpointServiceUsers',
    'ListVpcEndpointServiceResources',
  ]) {
    h.fails(
      'provider',
      action,
      { RegionId: HZ, ServiceId: 'epsrv-bp1nosuchservice01' },
      'EndpointServiceNotFound',
      'The specified Service does not exist.',
    );
    h.fails('acme', action, { RegionId: HZ, ServiceId: ORDERS_HZ }, 'EndpointServiceNotFound');
    h.fails('provider', action, { RegionId: SH, ServiceId: ORDERS_HZ }, 'EndpointServiceNotFound');
    h.fails('provider', action, { RegionId: HZ }, 'MissingParameter', /"ServiceId"/);
  }
  for (const action of ['AddUserToVpcEndpointService', 'RemoveUserFromVpcEndpointService']) {
    h.fails('acme', action, { RegionId: HZ, ServiceId: ORDERS_HZ, UserId: '123' }, 'EndpointServiceNotFound');
    h.fails('provider', action, { RegionId: HZ, ServiceId: ORDERS_HZ }, 'MissingParameter', /"UserId"/);
    h.fails('provider', action, { RegionId: HZ, ServiceId: ORDERS_HZ, UserId: 'acme' }, 'InvalidParameter', /"UserId"/);
  }
  const res = (id: string, type: string) => ({
    RegionId: HZ,
    'Resource.1.ResourceId': id,
    'Resource.1.ResourceType': type,
  });
  h.fails('provider', 'CreateVpcEndpointService', res('lb-bp1demoorders000001', 'slb'), 'EndpointServiceResourceExist');
  h.fails(
    'provider',
    'CreateVpcEndpointService',
    res('i-bp1notalb', 'alb'),
    'AlbNotFound',
    'The specified Alb does not exist.',
  );
  h.fails(
    'provider',
    'CreateVpcEndpointService',
    res('i-bp1notslb', 'slb'),
    'LoadBalancerNotFound',
    'The specified load balancer does not exist.',
  );
  h.fails('provider', 'CreateVpcEndpointService', res('lb-bp1x', 'ecs'), 'EndpointServiceResourceTypeNotSupport');
  h.fails(
    'provider',
    'CreateVpcEndpointService',
    { RegionId: HZ, 'Resource.1.ResourceType': 'slb' },
    'MissingParameter',
    /"Resource.1.ResourceId"/,
  );
  h.fails(
    'provider',
    'CreateVpcEndpointService',
    { RegionId: HZ, AutoAcceptEnabled: '1' },
    'InvalidParameter',
    /"AutoAcceptEnabled"/,
  );
});

test('whitelist: the owner is on it; add, list (Long user IDs, filter), remove; both idempotent', () => {
  const h = harness();
  const base = { RegionId: HZ, ServiceId: ORDERS_HZ };
  // The demo whitelists its four customers; start from a whitelist of the owner alone.
  for (const who of ['acme', 'globex', 'initech', 'umbrella'] as const)
    h.call('provider', 'RemoveUserFromVpcEndpointService', { ...base, UserId: ACCOUNTS[who] });
  assert.deepEqual(h.service(ORDERS_HZ)?.whitelist, [ACCOUNTS.provider]);
  assert.deepEqual(h.call('provider', 'AddUserToVpcEndpointService', { ...base, UserId: ACCOUNTS.acme }), {});
  h.call('provider', 'AddUserToVpcEndpointService', { ...base, UserId: ACCOUNTS.globex });
  h.call('provider', 'AddUserToVpcEndpointService', { ...base, UserId: ACCOUNTS.acme });
  const users = h.call('provider', 'ListVpcEndpointServiceUsers', base) as {
    Users: Array<{ UserId: LongId }>;
    NextToken: string;
    MaxResults: number;
  };
  assert.deepEqual(users.Users, [
    { UserId: new LongId('1000000000000001') },
    { UserId: new LongId('2000000000000001') },
    { UserId: new LongId('2000000000000002') },
  ]);
  assert.deepEqual(
    (h.call('provider', 'ListVpcEndpointServiceUsers', { ...base, UserId: ACCOUNTS.globex }) as { Users: unknown[] })
      .Users,
    [{ UserId: new LongId('2000000000000002') }],
  );
  const page = h.call('provider', 'ListVpcEndpointServiceUsers', { ...base, MaxResults: '2' }) as {
    Users: unknown[];
    NextToken: string;
  };
  assert.equal(page.Users.length, 2);
  const page2 = h.call('provider', 'ListVpcEndpointServiceUsers', {
    ...base,
    MaxResults: '2',
    NextToken: page.NextToken,
  }) as { Users: unknown[]; NextToken: string };
  assert.deepEqual(page2, { Users: [{ UserId: new LongId('2000000000000002') }], NextToken: '', MaxResults: 2 });
  h.call('provider', 'RemoveUserFromVpcEndpointService', { ...base, UserId: ACCOUNTS.acme });
  h.call('provider', 'RemoveUserFromVpcEndpointService', { ...base, UserId: ACCOUNTS.acme });
  assert.deepEqual(h.service(ORDERS_HZ)?.whitelist, [ACCOUNTS.provider, ACCOUNTS.globex]);
});

test('service resources: attach, list, detach and their errors', () => {
  const h = harness();
  const base = { RegionId: HZ, ServiceId: ORDERS_HZ };
  assert.deepEqual(
    h.call('provider', 'AttachResourceToVpcEndpointService', {
      ...base,
      ResourceId: 'lb-bp1second000001',
      ResourceType: 'slb',
      ZoneId: 'cn-hangzhou-k',
    }),
    {},
  );
  const r = h.call('provider', 'ListVpcEndpointServiceResources', base) as { Resources: Array<Record<string, string>> };
  assert.deepEqual(
    r.Resources.map((x) => [x.ResourceId, x.ResourceType, x.ZoneId, x.RegionId]),
    [
      ['lb-bp1demoorders000001', 'slb', 'cn-hangzhou-h', HZ],
      ['lb-bp1second000001', 'slb', 'cn-hangzhou-k', HZ],
    ],
  );
  assert.match(r.Resources[0]?.VpcId ?? '', /^vpc-bp1/);
  assert.match(r.Resources[0]?.VSwitchId ?? '', /^vsw-bp1/);
  assert.match(r.Resources[0]?.Ip ?? '', /^172\.16\.\d+\.\d+$/);
  assert.ok(
    h.service(ORDERS_HZ)?.zones.includes('cn-hangzhou-k'),
    'a resource in a new zone adds the zone to the service',
  );
  h.fails(
    'provider',
    'AttachResourceToVpcEndpointService',
    { ...base, ResourceId: 'lb-bp1second000001', ResourceType: 'slb' },
    'EndpointServiceResourceExist',
    'The specified resource already exists.',
  );
  h.fails(
    'provider',
    'AttachResourceToVpcEndpointService',
    { ...base, ResourceId: 'lb-bp1demosearch00002', ResourceType: 'slb' },
    'EndpointServiceResourceExist',
  );
  h.fails(
    'provider',
    'AttachResourceToVpcEndpointService',
    { ...base, ResourceId: 'bogus', ResourceType: 'slb' },
    'LoadBalancerNotFound',
  );
  h.fails(
    'provider',
    'AttachResourceToVpcEndpointService',
    { ...base, ResourceId: 'bogus', ResourceType: 'alb' },
    'AlbNotFound',
  );
  h.fails(
    'provider',
    'AttachResourceToVpcEndpointService',
    { ...base, ResourceId: 'lb-x1', ResourceType: 'ecs' },
    'EndpointServiceResourceTypeNotSupport',
    'The specified resource type is not supported.',
  );
  h.fails(
    'provider',
    'AttachResourceToVpcEndpointService',
    { ...base, ResourceType: 'slb' },
    'MissingParameter',
    /"ResourceId"/,
  );
  h.fails(
    'acme',
    'AttachResourceToVpcEndpointService',
    { ...base, ResourceId: 'lb-x2', ResourceType: 'slb' },
    'EndpointServiceNotFound',
  );
  h.fails(
    'provider',
    'DetachResourceFromVpcEndpointService',
    { ...base, ResourceId: 'lb-bp1nothere', ResourceType: 'slb' },
    'EndpointServiceResourceNotFound',
  );
  h.fails(
    'acme',
    'DetachResourceFromVpcEndpointService',
    { ...base, ResourceId: 'lb-bp1second000001', ResourceType: 'slb' },
    'EndpointServiceNotFound',
  );
  h.call('provider', 'DetachResourceFromVpcEndpointService', {
    ...base,
    ResourceId: 'lb-bp1second000001',
    ResourceType: 'slb',
  });
  assert.deepEqual(
    h.service(ORDERS_HZ)?.resources.map((x) => x.resourceId),
    ['lb-bp1demoorders000001'],
  );
  // A detached resource may be attached elsewhere.
  h.call('provider', 'AttachResourceToVpcEndpointService', {
    RegionId: HZ,
    ServiceId: SEARCH_HZ,
    ResourceId: 'lb-bp1second000001',
    ResourceType: 'slb',
  });
  // While the service is being deleted, writes are denied.
  h.call('provider', 'DisableVpcEndpointConnection', {
    RegionId: HZ,
    ServiceId: SEARCH_HZ,
    EndpointId: 'ep-bp1demoinitech0002',
  });
  h.clock.advance(1000);
  h.call('provider', 'DeleteVpcEndpointService', { RegionId: HZ, ServiceId: SEARCH_HZ });
  h.fails(
    'provider',
    'AttachResourceToVpcEndpointService',
    { RegionId: HZ, ServiceId: SEARCH_HZ, ResourceId: 'lb-x3', ResourceType: 'slb' },
    'EndpointServiceOperationDenied',
    'The specified operation of endpoint service is not allowed.',
  );
});

const LOCKED = `
accounts:
  - { id: "1000000000000001", name: provider, accessKeys: [{ id: K1, secret: s1 }] }
  - { id: "2000000000000001", name: acme, accessKeys: [{ id: K2, secret: s2 }] }
services:
  - { id: epsrv-bp1locked, region: cn-hangzhou, owner: provider, name: locked, businessStatus: FinancialLocked, whitelist: [acme] }
  - { id: epsrv-bp1open, region: cn-hangzhou, owner: provider, name: open, zones: [cn-hangzhou-h, cn-hangzhou-i], whitelist: [acme] }
endpoints:
  - { id: ep-bp1onlocked, owner: acme, service: locked, connection: { status: Connected, bandwidth: 1024 } }
  - { id: ep-bp1lockedep, owner: acme, service: open, businessStatus: FinancialLocked, securityGroups: [sg-bp1a] }
  - { id: ep-bp1busy, owner: acme, service: open, zones: [cn-hangzhou-h], securityGroups: [sg-bp1a], connection: { status: Connecting, remainingMs: 5000 } }
`;

test('locked services and endpoints answer EndpointServiceLocked / EndpointLocked', () => {
  const h = harness({ scenario: LOCKED });
  const svc = { RegionId: HZ, ServiceId: 'epsrv-bp1locked' };
  h.fails(
    'provider',
    'UpdateVpcEndpointServiceAttribute',
    { ...svc, ServiceDescription: 'x' },
    'EndpointServiceLocked',
    'The specified Service is locked.',
  );
  h.fails(
    'provider',
    'UpdateVpcEndpointConnectionAttribute',
    { ...svc, EndpointId: 'ep-bp1onlocked', Bandwidth: '2000' },
    'EndpointServiceLocked',
  );
  const ep = { RegionId: HZ, EndpointId: 'ep-bp1lockedep' };
  h.fails(
    'acme',
    'UpdateVpcEndpointAttribute',
    { ...ep, EndpointName: 'abc', EndpointDescription: 'abc' },
    'EndpointLocked',
    'The specified Endpoint is locked.',
  );
  h.fails('acme', 'AddZoneToVpcEndpoint', { ...ep, ZoneId: 'cn-hangzhou-i', VSwitchId: 'vsw-bp1a' }, 'EndpointLocked');
  h.fails('acme', 'RemoveZoneFromVpcEndpoint', { ...ep, ZoneId: 'cn-hangzhou-h' }, 'EndpointLocked');
  h.fails('acme', 'AttachSecurityGroupToVpcEndpoint', { ...ep, SecurityGroupId: 'sg-bp1b' }, 'EndpointLocked');
  // A connection being accepted blocks zone and security-group changes on its endpoint.
  const busy = { RegionId: HZ, EndpointId: 'ep-bp1busy' };
  h.fails(
    'acme',
    'AddZoneToVpcEndpoint',
    { ...busy, ZoneId: 'cn-hangzhou-i', VSwitchId: 'vsw-bp1a' },
    'EndpointConnectionOperationDenied',
    'The endpoint is being connected.',
  );
  h.fails(
    'acme',
    'RemoveZoneFromVpcEndpoint',
    { ...busy, ZoneId: 'cn-hangzhou-h' },
    'EndpointConnectionOperationDenied',
  );
  h.fails(
    'acme',
    'AttachSecurityGroupToVpcEndpoint',
    { ...busy, SecurityGroupId: 'sg-bp1b' },
    'EndpointConnectionOperationDenied',
  );
  h.clock.advance(5000);
  h.call('acme', 'AddZoneToVpcEndpoint', { ...busy, ZoneId: 'cn-hangzhou-i', VSwitchId: 'vsw-bp1a' });
});

test('endpoints: create, get, list with filters, update, and their errors', () => {
  const h = harness();
  const create = {
    RegionId: HZ,
    ServiceId: SEARCH_HZ,
    VpcId: 'vpc-bp1acmenew0001',
    'SecurityGroupId.1': 'sg-bp1acme0001',
    'SecurityGroupId.2': 'sg-bp1acme0002',
    EndpointName: 'acme-search',
    EndpointDescription: 'Search for acme',
    'Zone.1.ZoneId': 'cn-hangzhou-h',
    'Zone.1.VSwitchId': 'vsw-bp1acme0001',
    'Zone.2.ZoneId': 'cn-hangzhou-i',
    'Zone.2.VSwitchId': 'vsw-bp1acme0002',
  };
  const r = h.call('acme', 'CreateVpcEndpoint', create);
  const id = String(r.EndpointId);
  assert.deepEqual(Object.keys(r).sort(), [
    'Bandwidth',
    'ConnectionStatus',
    'CreateTime',
    'EndpointBusinessStatus',
    'EndpointDescription',
    'EndpointDomain',
    'EndpointId',
    'EndpointName',
    'EndpointStatus',
    'ServiceId',
    'ServiceName',
    'VpcId',
  ]);
  assert.equal(r.EndpointDomain, `${id}.${SEARCH_HZ}.cn-hangzhou.privatelink.aliyuncs.com`);
  assert.deepEqual(h.endpoint(id)?.zones, ['cn-hangzhou-h', 'cn-hangzhou-i']);
  assert.deepEqual(h.endpoint(id)?.securityGroupIds, ['sg-bp1acme0001', 'sg-bp1acme0002']);
  h.fails('acme', 'CreateVpcEndpoint', create, 'EndpointExist', 'The specified Endpoint already exists.');
  const other = { ...create, VpcId: 'vpc-bp1acmenew0002' };
  h.fails(
    'acme',
    'CreateVpcEndpoint',
    { ...other, 'Zone.2.ZoneId': 'cn-hangzhou-h' },
    'EndpointZoneDuplicated',
    'The zone is duplicated for the Endpoint.',
  );
  h.fails(
    'acme',
    'CreateVpcEndpoint',
    { ...other, 'Zone.2.ZoneId': 'cn-hangzhou-k' },
    'EndpointServiceNotSupportedZone',
    'The specified endpoint service does not support the zone.',
  );
  h.fails('acme', 'CreateVpcEndpoint', { ...other, 'Zone.2.VSwitchId': 'switch' }, 'VSwitchNotFound');
  h.fails('acme', 'CreateVpcEndpoint', { ...other, 'SecurityGroupId.2': 'group' }, 'SecurityGroupNotFound');
  h.fails(
    'acme',
    'CreateVpcEndpoint',
    { ...other, VpcId: 'net-1' },
    'VpcNotFound',
    'The specified VPC does not exist.',
  );
  h.fails('acme', 'CreateVpcEndpoint', { ...other, ServiceId: 'epsrv-bp1nosuchservice01' }, 'EndpointServiceNotFound');
  h.fails('acme', 'CreateVpcEndpoint', { ...other, RegionId: SH }, 'EndpointServiceNotFound');
  h.fails(
    'acme',
    'CreateVpcEndpoint',
    { ...other, 'SecurityGroupId.1': '', 'SecurityGroupId.2': '' },
    'MissingParameter',
    /"SecurityGroupId.1"/,
  );
  h.fails(
    'acme',
    'CreateVpcEndpoint',
    { ...other, 'SecurityGroupId.11': 'sg-bp1x' },
    'InvalidParameter',
    /"SecurityGroupId.11".*between 1 and 10/,
  );
  h.fails('acme', 'CreateVpcEndpoint', { ...other, VpcId: '' }, 'MissingParameter', /"VpcId"/);
  h.fails('acme', 'CreateVpcEndpoint', { ...other, EndpointName: '1abc' }, 'InvalidParameter', /"EndpointName"/);
  h.fails(
    'acme',
    'CreateVpcEndpoint',
    { ...other, EndpointDescription: 'http://x' },
    'InvalidParameter',
    /"EndpointDescription"/,
  );
  h.fails('acme', 'CreateVpcEndpoint', { ...other, 'Zone.1.VSwitchId': '' }, 'MissingParameter', /"Zone.1.VSwitchId"/);
  // By ServiceName instead of ServiceId (newer models).
  const byName = h.call('acme', 'CreateVpcEndpoint', { ...other, ServiceId: '', ServiceName: 'search-api' });
  assert.equal(byName.ServiceId, SEARCH_HZ);

  const got = h.call('acme', 'GetVpcEndpointAttribute', { RegionId: HZ, EndpointId: id });
  assert.equal(got.RegionId, HZ);
  assert.equal(got.EndpointName, 'acme-search');
  h.fails(
    'globex',
    'GetVpcEndpointAttribute',
    { RegionId: HZ, EndpointId: id },
    'EndpointNotFound',
    'The specified Endpoint does not exist.',
  );
  h.fails('acme', 'GetVpcEndpointAttribute', { RegionId: SH, EndpointId: id }, 'EndpointNotFound');

  h.call('acme', 'UpdateVpcEndpointAttribute', {
    RegionId: HZ,
    EndpointId: id,
    EndpointName: 'renamed',
    EndpointDescription: 'Renamed one',
  });
  assert.equal(h.call('acme', 'GetVpcEndpointAttribute', { RegionId: HZ, EndpointId: id }).EndpointName, 'renamed');
  h.fails(
    'acme',
    'UpdateVpcEndpointAttribute',
    { RegionId: HZ, EndpointId: id, EndpointName: 'renamed' },
    'MissingParameter',
    /"EndpointDescription"/,
  );
  h.fails(
    'globex',
    'UpdateVpcEndpointAttribute',
    { RegionId: HZ, EndpointId: id, EndpointName: 'abc', EndpointDescription: 'abc' },
    'EndpointNotFound',
  );

  const list = (params: Record<string, string>) =>
    (
      h.call('acme', 'ListVpcEndpoints', { RegionId: HZ, ...params }) as { Endpoints: Array<{ EndpointId: string }> }
    ).Endpoints.map((e) => e.EndpointId);
  assert.deepEqual(list({}), ['ep-bp1demoacme0000001', 'ep-bp1demoacme0000002', id, String(byName.EndpointId)]);
  assert.deepEqual(list({ EndpointId: id }), [id]);
  assert.deepEqual(list({ VpcId: 'vpc-bp1acmenew0001' }), [id]);
  assert.deepEqual(list({ EndpointName: 'renamed' }), [id]);
  assert.deepEqual(list({ ServiceName: 'orders-api' }), ['ep-bp1demoacme0000001', 'ep-bp1demoacme0000002']);
  assert.deepEqual(list({ ConnectionStatus: 'Connected' }), ['ep-bp1demoacme0000002']);
  assert.deepEqual(list({ EndpointStatus: 'Active', MaxResults: '1' }), ['ep-bp1demoacme0000001']);
  h.fails(
    'acme',
    'ListVpcEndpoints',
    { RegionId: HZ, EndpointStatus: 'Sleeping' },
    'InvalidParameter',
    /"EndpointStatus"/,
  );
  assert.deepEqual(
    (h.call('globex', 'ListVpcEndpoints', { RegionId: HZ, EndpointId: id }) as { Endpoints: unknown[] }).Endpoints,
    [],
  );
});

test('endpoint zones: add, list, remove, and their errors', () => {
  const h = harness();
  const ep = { RegionId: HZ, EndpointId: 'ep-bp1demoacme0000001' };
  h.call('acme', 'AddZoneToVpcEndpoint', { ...ep, ZoneId: 'cn-hangzhou-i', VSwitchId: 'vsw-bp1acmezone2' });
  const z = h.call('acme', 'ListVpcEndpointZones', ep) as { Zones: Array<Record<string, string>> };
  assert.deepEqual(
    z.Zones.map((x) => [x.ZoneId, x.ZoneStatus, x.RegionId]),
    [
      ['cn-hangzhou-h', 'Wait', HZ],
      ['cn-hangzhou-i', 'Wait', HZ],
    ],
  );
  assert.equal(z.Zones[1]?.VSwitchId, 'vsw-bp1acmezone2');
  assert.match(z.Zones[1]?.EniId ?? '', /^eni-bp1/);
  assert.match(z.Zones[1]?.EniIp ?? '', /^192\.168\./);
  h.fails(
    'acme',
    'AddZoneToVpcEndpoint',
    { ...ep, ZoneId: 'cn-hangzhou-i', VSwitchId: 'vsw-bp1x' },
    'EndpointZoneDuplicated',
  );
  h.fails(
    'acme',
    'AddZoneToVpcEndpoint',
    { ...ep, ZoneId: 'cn-hangzhou-j', VSwitchId: 'vsw-bp1x' },
    'EndpointServiceNotSupportedZone',
  );
  h.fails('acme', 'AddZoneToVpcEndpoint', { ...ep, ZoneId: 'cn-hangzhou-j' }, 'MissingParameter', /"VSwitchId"/);
  h.fails(
    'globex',
    'AddZoneToVpcEndpoint',
    { ...ep, ZoneId: 'cn-hangzhou-j', VSwitchId: 'vsw-bp1x' },
    'EndpointNotFound',
  );
  h.fails('globex', 'ListVpcEndpointZones', ep, 'EndpointNotFound');
  h.call('acme', 'RemoveZoneFromVpcEndpoint', { ...ep, ZoneId: 'cn-hangzhou-h' });
  assert.deepEqual(h.endpoint(ep.EndpointId)?.zones, ['cn-hangzhou-i']);
  h.fails(
    'acme',
    'RemoveZoneFromVpcEndpoint',
    { ...ep, ZoneId: 'cn-hangzhou-h' },
    'EndpointZoneNotFound',
    'The specified zone of Endpoint does not exist.',
  );
  h.fails('globex', 'RemoveZoneFromVpcEndpoint', { ...ep, ZoneId: 'cn-hangzhou-i' }, 'EndpointNotFound');
  // A connected endpoint's zones show Connected; while it is being deleted, zone changes are denied.
  const big = { RegionId: HZ, EndpointId: 'ep-bp1demoacme0000002' };
  assert.ok(
    (h.call('acme', 'ListVpcEndpointZones', big) as { Zones: Array<{ ZoneStatus: string }> }).Zones.every(
      (x) => x.ZoneStatus === 'Connected',
    ),
  );
  h.call('acme', 'DeleteVpcEndpoint', big);
  h.fails(
    'acme',
    'AddZoneToVpcEndpoint',
    { ...big, ZoneId: 'cn-hangzhou-i', VSwitchId: 'vsw-bp1x' },
    'EndpointOperationDenied',
  );
  h.fails('acme', 'RemoveZoneFromVpcEndpoint', { ...big, ZoneId: 'cn-hangzhou-i' }, 'EndpointOperationDenied');
  h.fails(
    'acme',
    'AttachSecurityGroupToVpcEndpoint',
    { ...big, SecurityGroupId: 'sg-bp1x' },
    'EndpointOperationDenied',
  );
  h.fails(
    'acme',
    'UpdateVpcEndpointAttribute',
    { ...big, EndpointName: 'abc', EndpointDescription: 'abc' },
    'EndpointOperationDenied',
  );
});

test('endpoint security groups: attach, list, detach, and their errors', () => {
  const h = harness();
  const ep = { RegionId: HZ, EndpointId: 'ep-bp1demoacme0000001' };
  const sgs = () =>
    (
      h.call('acme', 'ListVpcEndpointSecurityGroups', ep) as { SecurityGroups: Array<{ SecurityGroupId: string }> }
    ).SecurityGroups.map((g) => g.SecurityGroupId);
  const [original = ''] = sgs();
  assert.match(original, /^sg-bp1/);
  h.call('acme', 'AttachSecurityGroupToVpcEndpoint', { ...ep, SecurityGroupId: 'sg-bp1extra' });
  assert.deepEqual(sgs(), [original, 'sg-bp1extra']);
  h.fails(
    'acme',
    'AttachSecurityGroupToVpcEndpoint',
    { ...ep, SecurityGroupId: 'sg-bp1extra' },
    'SecurityGroupExist',
    'The specified security group already exists.',
  );
  h.fails('acme', 'AttachSecurityGroupToVpcEndpoint', { ...ep, SecurityGroupId: 'group' }, 'SecurityGroupNotFound');
  h.fails('globex', 'AttachSecurityGroupToVpcEndpoint', { ...ep, SecurityGroupId: 'sg-bp1other' }, 'EndpointNotFound');
  h.fails('globex', 'ListVpcEndpointSecurityGroups', ep, 'EndpointNotFound');
  h.call('acme', 'DetachSecurityGroupFromVpcEndpoint', { ...ep, SecurityGroupId: original });
  assert.deepEqual(sgs(), ['sg-bp1extra']);
  h.fails(
    'acme',
    'DetachSecurityGroupFromVpcEndpoint',
    { ...ep, SecurityGroupId: original },
    'SecurityGroupNotFound',
    'The specified security group does not exist.',
  );
  h.fails(
    'acme',
    'DetachSecurityGroupFromVpcEndpoint',
    { ...ep, SecurityGroupId: 'sg-bp1extra' },
    'EndpointMustContainSecurityGroup',
    'The specified endpoint must have at least one security group.',
  );
  h.fails(
    'acme',
    'DetachSecurityGroupFromVpcEndpoint',
    { ...ep, SecurityGroupId: 'sg-bp1extra', DryRun: 'true' },
    'EndpointMustContainSecurityGroup',
  );
});
