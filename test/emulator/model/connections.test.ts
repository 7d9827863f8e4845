import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LongId } from '../../../emulator/types.ts';
import { ACCOUNTS, HZ, LEGACY_SH, ORDERS_HZ, ORDERS_SH, SEARCH_HZ, SH, harness } from './model-harness.ts';
import type { ConnectionItem } from './model-harness.ts';

const ACME_PENDING = 'ep-bp1demoacme0000001';
const ACME_BIG = 'ep-bp1demoacme0000002';
const INITECH_PENDING = 'ep-bp1demoinitech0001';
const INITECH_CONNECTED = 'ep-bp1demoinitech0002';
const GLOBEX_CONNECTED = 'ep-bp1demoglobex00004';

const enable = (endpointId: string, bandwidth = '2048', serviceId = ORDERS_HZ) => ({
  RegionId: HZ,
  ServiceId: serviceId,
  EndpointId: endpointId,
  Bandwidth: bandwidth,
});
const target = (endpointId: string, serviceId = ORDERS_HZ) => ({
  RegionId: HZ,
  ServiceId: serviceId,
  EndpointId: endpointId,
});

test('a request awaiting acceptance shows Connecting under the reference reading and Disconnected under the newer one', () => {
  const ref = harness();
  assert.equal(ref.status(ORDERS_HZ, ACME_PENDING), 'Connecting');
  const newer = harness({ settings: { pendingStatus: 'Disconnected' } });
  assert.equal(newer.status(ORDERS_HZ, ACME_PENDING), 'Disconnected');
  // The setting is read at call time: the control path may flip it live.
  newer.settings.pendingStatus = 'Connecting';
  assert.equal(newer.status(ORDERS_HZ, ACME_PENDING), 'Connecting');
});

test('Enable: Connecting for enableDelayMs, then Connected at the requested bandwidth, with ModifiedTime at completion', () => {
  for (const pendingStatus of ['Connecting', 'Disconnected'] as const) {
    const h = harness({ settings: { pendingStatus } });
    assert.deepEqual(h.call('provider', 'EnableVpcEndpointConnection', enable(ACME_PENDING, '2048')), {});
    assert.equal(h.status(ORDERS_HZ, ACME_PENDING), 'Connecting');
    // Accept in progress: Enable again is denied with the reference's message.
    h.fails(
      'provider',
      'EnableVpcEndpointConnection',
      enable(ACME_PENDING),
      'EndpointConnectionOperationDenied',
      'The endpoint is being connected.',
    );
    h.fails('provider', 'DisableVpcEndpointConnection', target(ACME_PENDING), 'EndpointConnectionOperationDenied');
    h.fails(
      'provider',
      'UpdateVpcEndpointConnectionAttribute',
      { ...target(ACME_PENDING), Bandwidth: '1024' },
      'EndpointConnectionOperationDenied',
    );
    h.clock.advance(1999);
    assert.equal(h.status(ORDERS_HZ, ACME_PENDING), 'Connecting');
    h.clock.advance(1);
    const r = h.call('provider', 'ListVpcEndpointConnections', target(ACME_PENDING)) as {
      Connections: ConnectionItem[];
    };
    assert.equal(r.Connections[0]?.ConnectionStatus, 'Connected');
    assert.equal(r.Connections[0]?.Bandwidth, 2048);
    assert.equal(r.Connections[0]?.ModifiedTime, '2026-11-25T08:00:02Z');
    assert.equal(h.endpoint(ACME_PENDING)?.awaitingDecision, false);
  }
});

test('Enable checks the bandwidth against the service range and needs Bandwidth', () => {
  const h = harness();
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    enable(ACME_PENDING, '99'),
    'InvalidParameter',
    /"Bandwidth".*between 100 and 10240/,
  );
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    enable(ACME_PENDING, '10241'),
    'InvalidParameter',
    /"Bandwidth".*between 100 and 10240/,
  );
  h.fails('provider', 'EnableVpcEndpointConnection', enable(ACME_PENDING, 'lots'), 'InvalidParameter', /"Bandwidth"/);
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    target(ACME_PENDING),
    'MissingParameter',
    'The input parameter "Bandwidth" that is mandatory for processing this request is not supplied.',
  );
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    { RegionId: HZ, EndpointId: ACME_PENDING, Bandwidth: '1024' },
    'MissingParameter',
    /"ServiceId"/,
  );
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    { RegionId: HZ, ServiceId: ORDERS_HZ, Bandwidth: '1024' },
    'MissingParameter',
    /"EndpointId"/,
  );
  assert.equal(h.endpoint(ACME_PENDING)?.awaitingDecision, true);
});

test('Enable on a Connected connection is denied; on a missing one EndpointConnectionNotFound; on an unknown service EndpointServiceNotFound', () => {
  const h = harness();
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    enable(ACME_BIG),
    'EndpointConnectionOperationDenied',
    'The endpoint connection is already connected.',
  );
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    enable('ep-bp1nosuchendpoint01'),
    'EndpointConnectionNotFound',
    'The specified endpoint connection does not exist.',
  );
  // An endpoint that exists but is connected to another service is not a connection of this one.
  h.fails('provider', 'EnableVpcEndpointConnection', enable('ep-bp1demoglobex00002'), 'EndpointConnectionNotFound');
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    enable(ACME_PENDING, '1024', 'epsrv-bp1nosuchservice01'),
    'EndpointServiceNotFound',
    'The specified Service does not exist.',
  );
  // The right service in the wrong region is not found either.
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    { ...enable(ACME_PENDING), RegionId: SH },
    'EndpointServiceNotFound',
  );
});

test('Disable rejects a pending request: Disconnecting for disableDelayMs, then Disconnected and no longer awaiting; it can be enabled later', () => {
  const h = harness({ settings: { pendingStatus: 'Disconnected' } });
  assert.deepEqual(h.call('provider', 'DisableVpcEndpointConnection', target(INITECH_PENDING)), {});
  assert.equal(h.status(ORDERS_HZ, INITECH_PENDING), 'Disconnecting');
  h.fails(
    'provider',
    'DisableVpcEndpointConnection',
    target(INITECH_PENDING),
    'EndpointConnectionOperationDenied',
    'The endpoint is being disconnected.',
  );
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    enable(INITECH_PENDING),
    'EndpointConnectionOperationDenied',
    'The endpoint is being disconnected.',
  );
  h.clock.advance(1000);
  assert.equal(h.status(ORDERS_HZ, INITECH_PENDING), 'Disconnected');
  const e = h.endpoint(INITECH_PENDING);
  assert.equal(e?.awaitingDecision, false);
  assert.equal(e?.modifiedTime, '2026-11-25T08:00:01Z');
  // Disconnected and not awaiting: Disable again is denied (a choice), Enable works.
  h.fails(
    'provider',
    'DisableVpcEndpointConnection',
    target(INITECH_PENDING),
    'EndpointConnectionOperationDenied',
    'The endpoint connection is already disconnected.',
  );
  h.call('provider', 'EnableVpcEndpointConnection', enable(INITECH_PENDING, '512'));
  h.clock.advance(2000);
  assert.equal(h.status(ORDERS_HZ, INITECH_PENDING), 'Connected');
});

test('Disable revokes a Connected connection', () => {
  const h = harness();
  h.call('provider', 'DisableVpcEndpointConnection', target(INITECH_CONNECTED, SEARCH_HZ));
  assert.equal(h.status(SEARCH_HZ, INITECH_CONNECTED), 'Disconnecting');
  h.clock.advance(1000);
  assert.equal(h.status(SEARCH_HZ, INITECH_CONNECTED), 'Disconnected');
  assert.equal(h.endpoint(INITECH_CONNECTED)?.bandwidth, 1024);
  h.fails(
    'provider',
    'DisableVpcEndpointConnection',
    { ...target(INITECH_CONNECTED, SEARCH_HZ), EndpointId: 'ep-bp1nosuchendpoint01' },
    'EndpointConnectionNotFound',
  );
  h.fails(
    'provider',
    'DisableVpcEndpointConnection',
    { ...target(INITECH_CONNECTED, 'epsrv-bp1nosuchservice01') },
    'EndpointServiceNotFound',
  );
});

test('UpdateVpcEndpointConnectionAttribute: Pending for updateDelayMs, then Connected with the new bandwidth', () => {
  const h = harness();
  h.call('provider', 'UpdateVpcEndpointConnectionAttribute', { ...target(ACME_BIG), Bandwidth: '4096' });
  assert.equal(h.status(ORDERS_HZ, ACME_BIG), 'Pending');
  assert.equal(h.endpoint(ACME_BIG)?.bandwidth, 8192, 'the old bandwidth holds while the change is in progress');
  h.fails(
    'provider',
    'UpdateVpcEndpointConnectionAttribute',
    { ...target(ACME_BIG), Bandwidth: '2048' },
    'EndpointConnectionOperationDenied',
    'The endpoint connection is being modified.',
  );
  h.fails('provider', 'DisableVpcEndpointConnection', target(ACME_BIG), 'EndpointConnectionOperationDenied');
  h.clock.advance(500);
  assert.equal(h.status(ORDERS_HZ, ACME_BIG), 'Connected');
  assert.equal(h.endpoint(ACME_BIG)?.bandwidth, 4096);
  // Only on Connected connections, and within the service's range.
  h.fails(
    'provider',
    'UpdateVpcEndpointConnectionAttribute',
    { ...target(ACME_PENDING), Bandwidth: '2048' },
    'EndpointConnectionOperationDenied',
    'The endpoint connection is not connected.',
  );
  h.fails(
    'provider',
    'UpdateVpcEndpointConnectionAttribute',
    { ...target(ACME_BIG), Bandwidth: '20000' },
    'InvalidParameter',
    /"Bandwidth".*between 100 and 10240/,
  );
  h.fails(
    'provider',
    'UpdateVpcEndpointConnectionAttribute',
    { ...target(ACME_BIG, 'epsrv-bp1nosuchservice01'), Bandwidth: '2048' },
    'EndpointServiceNotFound',
  );
  // Without Bandwidth there is nothing to change.
  assert.deepEqual(h.call('provider', 'UpdateVpcEndpointConnectionAttribute', target(ACME_BIG)), {});
  assert.equal(h.status(ORDERS_HZ, ACME_BIG), 'Connected');
});

test('a consumer cannot act on connections of a service it does not own: the service is hidden', () => {
  const h = harness();
  h.fails('acme', 'EnableVpcEndpointConnection', enable(ACME_PENDING), 'EndpointServiceNotFound');
  h.fails('acme', 'DisableVpcEndpointConnection', target(ACME_BIG), 'EndpointServiceNotFound');
  h.fails(
    'acme',
    'UpdateVpcEndpointConnectionAttribute',
    { ...target(ACME_BIG), Bandwidth: '1024' },
    'EndpointServiceNotFound',
  );
  h.fails('acme', 'ListVpcEndpointConnections', { RegionId: HZ, ServiceId: ORDERS_HZ }, 'EndpointServiceNotFound');
  const r = h.call('acme', 'ListVpcEndpointConnections', { RegionId: HZ }) as { Connections: unknown[] };
  assert.deepEqual(r.Connections, []);
  assert.equal(h.endpoint(ACME_PENDING)?.awaitingDecision, true);
});

test('ListVpcEndpointConnections: RegionId is the only required parameter; filters narrow; fields as the reference names them', () => {
  const h = harness();
  h.fails('provider', 'ListVpcEndpointConnections', {}, 'MissingParameter', /"RegionId"/);
  const all = h.call('provider', 'ListVpcEndpointConnections', { RegionId: HZ }) as {
    Connections: ConnectionItem[];
    NextToken: string;
    MaxResults: number;
  };
  assert.deepEqual(all.Connections.map((c) => c.EndpointId).sort(), [
    'ep-bp1demoacme0000001',
    'ep-bp1demoacme0000002',
    'ep-bp1demoglobex00001',
    'ep-bp1demoglobex00002',
    'ep-bp1demoglobex00004',
    'ep-bp1demoglobex00005',
    'ep-bp1demoinitech0001',
    'ep-bp1demoinitech0002',
    'ep-bp1demoumbrella001',
    'ep-bp1demoumbrella002',
  ]);
  assert.equal(all.NextToken, '');
  assert.equal(all.MaxResults, 50);
  const first = all.Connections.find((c) => c.EndpointId === ACME_BIG);
  assert.deepEqual(Object.keys(first ?? {}).sort(), [
    'Bandwidth',
    'ConnectionStatus',
    'EndpointId',
    'EndpointOwnerId',
    'EndpointVpcId',
    'ModifiedTime',
    'ServiceId',
    'Zones',
  ]);
  assert.deepEqual(
    first?.EndpointOwnerId,
    new LongId('2000000000000001'),
    'EndpointOwnerId is a Long: written as a bare JSON number of all its digits',
  );
  assert.equal(first?.Zones.length, 2);
  assert.equal(first?.Zones[0]?.ResourceId, 'lb-bp1demoorders000001');
  const byOwner = h.call('provider', 'ListVpcEndpointConnections', {
    RegionId: HZ,
    EndpointOwnerId: ACCOUNTS.globex,
  }) as { Connections: ConnectionItem[] };
  assert.deepEqual(byOwner.Connections.map((c) => c.EndpointId).sort(), [
    'ep-bp1demoglobex00001',
    'ep-bp1demoglobex00002',
    'ep-bp1demoglobex00004',
    'ep-bp1demoglobex00005',
  ]);
  const connected = h.call('provider', 'ListVpcEndpointConnections', {
    RegionId: HZ,
    ConnectionStatus: 'Connected',
    ServiceId: ORDERS_HZ,
  }) as { Connections: ConnectionItem[] };
  assert.deepEqual(
    connected.Connections.map((c) => c.EndpointId),
    [GLOBEX_CONNECTED, ACME_BIG],
  );
  const sh = h.call('provider', 'ListVpcEndpointConnections', { RegionId: SH, ServiceId: ORDERS_SH }) as {
    Connections: ConnectionItem[];
  };
  assert.deepEqual(sh.Connections.map((c) => c.EndpointId).sort(), ['ep-uf6demoacme0000003', 'ep-uf6demoglobex00003']);
  h.fails(
    'provider',
    'ListVpcEndpointConnections',
    { RegionId: HZ, ConnectionStatus: 'Waiting' },
    'InvalidParameter',
    /"ConnectionStatus".*Pending, Connecting, Connected/,
  );
  h.fails(
    'provider',
    'ListVpcEndpointConnections',
    { RegionId: HZ, EndpointOwnerId: 'acme' },
    'InvalidParameter',
    /"EndpointOwnerId"/,
  );
  h.fails(
    'provider',
    'ListVpcEndpointConnections',
    { RegionId: HZ, ServiceId: 'epsrv-bp1nosuchservice01' },
    'EndpointServiceNotFound',
  );
  h.fails('provider', 'ListVpcEndpointConnections', { RegionId: 'cn-atlantis' }, 'InvalidRegionId.NotFound');
});

test('CreateVpcEndpoint by a consumer creates a request awaiting acceptance that the provider can accept', () => {
  const h = harness();
  const r = h.call('umbrella', 'CreateVpcEndpoint', {
    RegionId: HZ,
    ServiceId: ORDERS_HZ,
    VpcId: 'vpc-bp1umbrella000002',
    'SecurityGroupId.1': 'sg-bp1umbrella0001',
    EndpointName: 'umbrella-orders',
    'Zone.1.ZoneId': 'cn-hangzhou-h',
    'Zone.1.VSwitchId': 'vsw-bp1umbrella0001',
  });
  assert.match(String(r.EndpointId), /^ep-bp1[a-z0-9]{17}$/);
  assert.equal(r.ConnectionStatus, 'Connecting');
  assert.equal(r.Bandwidth, 3072, 'a new connection starts at the service ConnectBandwidth');
  assert.equal(r.EndpointStatus, 'Active');
  assert.equal(r.ServiceName, 'orders-api');
  const id = String(r.EndpointId);
  assert.equal(h.endpoint(id)?.awaitingDecision, true);
  assert.equal(h.endpoint(id)?.ownerId, ACCOUNTS.umbrella);
  h.call('provider', 'EnableVpcEndpointConnection', enable(id, '1000'));
  h.clock.advance(2000);
  assert.equal(h.status(ORDERS_HZ, id), 'Connected');
  const mine = h.call('umbrella', 'GetVpcEndpointAttribute', { RegionId: HZ, EndpointId: id });
  assert.equal(mine.ConnectionStatus, 'Connected');
  assert.equal(mine.Bandwidth, 1000);
});

test('auto-accept: a new request goes straight into the accept transition and needs no Enable', () => {
  const h = harness({ settings: { pendingStatus: 'Disconnected' } });
  const r = h.call('acme', 'CreateVpcEndpoint', {
    RegionId: SH,
    ServiceId: LEGACY_SH,
    VpcId: 'vpc-uf6acme00000009',
    'SecurityGroupId.1': 'sg-uf6acme0001',
  });
  const id = String(r.EndpointId);
  assert.equal(r.ConnectionStatus, 'Connecting');
  assert.equal(h.endpoint(id)?.awaitingDecision, false);
  h.fails(
    'provider',
    'EnableVpcEndpointConnection',
    { RegionId: SH, ServiceId: LEGACY_SH, EndpointId: id, Bandwidth: '1024' },
    'EndpointConnectionOperationDenied',
    'The endpoint is being connected.',
  );
  h.clock.advance(2000);
  assert.equal(h.status(LEGACY_SH, id, SH), 'Connected');
  assert.equal(h.endpoint(id)?.bandwidth, 3072);
});

test('whitelist: only accounts on it (and the owner) may see the service and connect; ListVpcEndpointServicesByEndUser follows it', () => {
  const h = harness();
  const base = { RegionId: HZ, ServiceId: SEARCH_HZ };
  // The demo whitelists its four customers; start from a whitelist of the owner alone.
  for (const who of ['acme', 'globex', 'initech', 'umbrella'] as const)
    h.call('provider', 'RemoveUserFromVpcEndpointService', { ...base, UserId: ACCOUNTS[who] });
  h.call('provider', 'AddUserToVpcEndpointService', { ...base, UserId: ACCOUNTS.acme });
  const create = {
    RegionId: HZ,
    ServiceId: SEARCH_HZ,
    VpcId: 'vpc-bp1acme000000077',
    'SecurityGroupId.1': 'sg-bp1acme0077',
  };
  h.fails('umbrella', 'CreateVpcEndpoint', { ...create, VpcId: 'vpc-bp1umbrella000077' }, 'EndpointServiceNotFound');
  assert.match(String(h.call('acme', 'CreateVpcEndpoint', create).EndpointId), /^ep-/);
  assert.match(
    String(h.call('provider', 'CreateVpcEndpoint', { ...create, VpcId: 'vpc-bp1provider00077' }).EndpointId),
    /^ep-/,
  );
  const seen = (who: 'acme' | 'umbrella') =>
    (
      h.call(who, 'ListVpcEndpointServicesByEndUser', { RegionId: HZ }) as { Services: Array<{ ServiceId: string }> }
    ).Services.map((s) => s.ServiceId).sort();
  assert.deepEqual(seen('acme'), [ORDERS_HZ, SEARCH_HZ]);
  assert.deepEqual(seen('umbrella'), [ORDERS_HZ]);
  h.call('provider', 'RemoveUserFromVpcEndpointService', { ...base, UserId: ACCOUNTS.acme });
  assert.deepEqual(seen('acme'), [ORDERS_HZ], 'off the whitelist, the service is hidden again');
  h.fails('acme', 'CreateVpcEndpoint', { ...create, VpcId: 'vpc-bp1acme000000078' }, 'EndpointServiceNotFound');
  assert.deepEqual(h.service(SEARCH_HZ)?.whitelist, [ACCOUNTS.provider], 'the owner stays whitelisted');
});

test('DeleteVpcEndpoint: the connection shows Deleting for deleteDelayMs, then endpoint and connection are gone', () => {
  const h = harness();
  h.fails('acme', 'DeleteVpcEndpoint', { RegionId: HZ }, 'MissingParameter', /"EndpointId"/);
  h.call('provider', 'EnableVpcEndpointConnection', enable(ACME_PENDING));
  h.fails(
    'acme',
    'DeleteVpcEndpoint',
    { RegionId: HZ, EndpointId: ACME_PENDING },
    'EndpointOperationDenied',
    'The specified operation of endpoint is not allowed.',
  );
  h.fails('acme', 'DeleteVpcEndpoint', { RegionId: HZ, EndpointId: ACME_BIG, DryRun: 'true' }, 'DryRunOperation');
  assert.deepEqual(h.call('acme', 'DeleteVpcEndpoint', { RegionId: HZ, EndpointId: ACME_BIG }), {});
  assert.equal(h.status(ORDERS_HZ, ACME_BIG), 'Deleting');
  assert.equal(
    h.call('acme', 'GetVpcEndpointAttribute', { RegionId: HZ, EndpointId: ACME_BIG }).EndpointStatus,
    'Deleting',
  );
  h.fails('acme', 'DeleteVpcEndpoint', { RegionId: HZ, EndpointId: ACME_BIG }, 'EndpointOperationDenied');
  h.fails(
    'provider',
    'DisableVpcEndpointConnection',
    target(ACME_BIG),
    'EndpointConnectionOperationDenied',
    'The endpoint is being deleted.',
  );
  h.clock.advance(1000);
  assert.equal(h.status(ORDERS_HZ, ACME_BIG), undefined);
  assert.equal(h.endpoint(ACME_BIG), undefined);
  h.fails('acme', 'GetVpcEndpointAttribute', { RegionId: HZ, EndpointId: ACME_BIG }, 'EndpointNotFound');
  h.fails('provider', 'DisableVpcEndpointConnection', target(ACME_BIG), 'EndpointConnectionNotFound');
  // Someone else's endpoint is not found.
  h.fails('globex', 'DeleteVpcEndpoint', { RegionId: HZ, EndpointId: ACME_PENDING }, 'EndpointNotFound');
});

test('DeleteVpcEndpointService: refused while connections are live; else its connections show ServiceDeleted and the service goes', () => {
  const h = harness();
  const base = { RegionId: HZ, ServiceId: ORDERS_HZ };
  h.fails('provider', 'DeleteVpcEndpointService', base, 'EndpointServiceDependenceViolation');
  h.call('provider', 'DisableVpcEndpointConnection', target(ACME_BIG));
  h.fails(
    'provider',
    'DeleteVpcEndpointService',
    base,
    'EndpointServiceDependenceViolation',
    /already contains a resource/,
  );
  h.clock.advance(1000);
  // globex's connection is still live.
  h.fails(
    'provider',
    'DeleteVpcEndpointService',
    base,
    'EndpointServiceDependenceViolation',
    /already contains a resource/,
  );
  h.call('provider', 'DisableVpcEndpointConnection', target(GLOBEX_CONNECTED));
  h.fails(
    'provider',
    'DeleteVpcEndpointService',
    base,
    'EndpointServiceDependenceViolation',
    /already contains a resource/,
  );
  h.clock.advance(1000);
  h.fails('provider', 'DeleteVpcEndpointService', { ...base, DryRun: 'true' }, 'DryRunOperation');
  assert.equal(h.service(ORDERS_HZ)?.status, 'Active');
  assert.deepEqual(h.call('provider', 'DeleteVpcEndpointService', base), {});
  assert.equal(h.service(ORDERS_HZ)?.status, 'Deleting');
  assert.equal(h.status(ORDERS_HZ, ACME_PENDING), 'ServiceDeleted');
  h.fails('provider', 'DeleteVpcEndpointService', base, 'EndpointServiceOperationDenied');
  h.fails('provider', 'EnableVpcEndpointConnection', enable(ACME_PENDING), 'EndpointServiceOperationDenied');
  h.fails('provider', 'DisableVpcEndpointConnection', target(ACME_PENDING), 'EndpointServiceOperationDenied');
  h.fails(
    'provider',
    'UpdateVpcEndpointConnectionAttribute',
    { ...target(ACME_BIG), Bandwidth: '1024' },
    'EndpointServiceOperationDenied',
    'The specified operation of endpoint service is not allowed.',
  );
  h.fails(
    'provider',
    'UpdateVpcEndpointServiceAttribute',
    { ...base, ServiceDescription: 'x' },
    'EndpointServiceOperationDenied',
  );
  h.clock.advance(1000);
  assert.equal(h.service(ORDERS_HZ), undefined);
  h.fails('provider', 'ListVpcEndpointConnections', base, 'EndpointServiceNotFound');
  // The consumers keep their endpoints, now ServiceDeleted, and may delete them.
  const ep = h.call('acme', 'GetVpcEndpointAttribute', { RegionId: HZ, EndpointId: ACME_PENDING });
  assert.equal(ep.ConnectionStatus, 'ServiceDeleted');
  h.call('acme', 'DeleteVpcEndpoint', { RegionId: HZ, EndpointId: ACME_PENDING });
  h.clock.advance(1000);
  assert.equal(h.endpoint(ACME_PENDING), undefined);
  h.fails(
    'provider',
    'DeleteVpcEndpointService',
    { RegionId: HZ, ServiceId: 'epsrv-bp1nosuchservice01' },
    'EndpointServiceNotFound',
  );
});

test('scenario transitions complete by the clock: Connecting, Pending, Disconnecting and Deleting with remaining time', () => {
  const h = harness({
    scenario: `
accounts:
  - { id: "1000000000000001", name: provider, accessKeys: [{ id: K1, secret: s1 }] }
  - { id: "2000000000000001", name: acme, accessKeys: [{ id: K2, secret: s2 }] }
services:
  - { id: epsrv-bp1svc, region: cn-hangzhou, owner: provider, name: svc, whitelist: [acme] }
endpoints:
  - { id: ep-bp1one, owner: acme, service: svc, connection: { status: Connecting, bandwidth: 1024, remainingMs: 300 } }
  - { id: ep-bp1two, owner: acme, service: svc, connection: { status: Pending, bandwidth: 2048, remainingMs: 600 } }
  - { id: ep-bp1three, owner: acme, service: svc, connection: { status: Disconnecting, bandwidth: 512 } }
  - { id: ep-bp1four, owner: acme, service: svc, connection: { status: Deleting, remainingMs: 100 } }
  - { id: ep-bp1five, owner: acme, service: svc, connection: { status: Disconnected } }
`,
  });
  const statuses = () => Object.fromEntries(h.snapshot().endpoints.map((e) => [e.endpointId, e.connectionStatus]));
  assert.deepEqual(statuses(), {
    'ep-bp1one': 'Connecting',
    'ep-bp1two': 'Pending',
    'ep-bp1three': 'Disconnecting',
    'ep-bp1four': 'Deleting',
    'ep-bp1five': 'Disconnected',
  });
  h.clock.advance(300);
  assert.deepEqual(statuses(), {
    'ep-bp1one': 'Connected',
    'ep-bp1two': 'Pending',
    'ep-bp1three': 'Disconnecting',
    'ep-bp1five': 'Disconnected',
  });
  h.clock.advance(700);
  assert.deepEqual(statuses(), {
    'ep-bp1one': 'Connected',
    'ep-bp1two': 'Connected',
    'ep-bp1three': 'Disconnected',
    'ep-bp1five': 'Disconnected',
  });
  assert.equal(h.endpoint('ep-bp1two')?.bandwidth, 2048);
});

test('zero delays complete transitions at once', () => {
  const h = harness({ settings: { enableDelayMs: 0, disableDelayMs: 0 } });
  h.call('provider', 'EnableVpcEndpointConnection', enable(ACME_PENDING, '1500'));
  assert.equal(h.status(ORDERS_HZ, ACME_PENDING), 'Connected');
  h.call('provider', 'DisableVpcEndpointConnection', target(ACME_PENDING));
  assert.equal(h.status(ORDERS_HZ, ACME_PENDING), 'Disconnected');
});

test('isConnectionWrite names exactly the three connection writes', () => {
  const h = harness();
  for (const a of [
    'EnableVpcEndpointConnection',
    'DisableVpcEndpointConnection',
    'UpdateVpcEndpointConnectionAttribute',
  ])
    assert.equal(h.model.isConnectionWrite(a), true, a);
  for (const a of ['ListVpcEndpointConnections', 'CreateVpcEndpoint', 'DeleteVpcEndpoint'])
    assert.equal(h.model.isConnectionWrite(a), false, a);
});

test('under the newer reading a ConnectionStatus=Disconnected filter finds requests awaiting a decision and rejected ones alike', () => {
  const h = harness({ settings: { pendingStatus: 'Disconnected', disableDelayMs: 0 } });
  h.call('provider', 'DisableVpcEndpointConnection', target(INITECH_CONNECTED, SEARCH_HZ));
  const r = h.call('provider', 'ListVpcEndpointConnections', {
    RegionId: HZ,
    ServiceId: SEARCH_HZ,
    ConnectionStatus: 'Disconnected',
  }) as { Connections: ConnectionItem[] };
  assert.deepEqual(
    r.Connections.map((c) => c.EndpointId),
    ['ep-bp1demoglobex00002', 'ep-bp1demoumbrella001', INITECH_CONNECTED],
  );
  assert.deepEqual(
    h
      .snapshot()
      .endpoints.filter((e) => e.serviceId === SEARCH_HZ)
      .map((e) => e.awaitingDecision),
    [true, true, false],
  );
});

test('no new connection to a service being deleted; the snapshot carries no secrets', () => {
  const h = harness();
  h.call('provider', 'DisableVpcEndpointConnection', target(INITECH_CONNECTED, SEARCH_HZ));
  h.clock.advance(1000);
  h.call('provider', 'DeleteVpcEndpointService', { RegionId: HZ, ServiceId: SEARCH_HZ });
  h.fails(
    'acme',
    'CreateVpcEndpoint',
    { RegionId: HZ, ServiceId: SEARCH_HZ, VpcId: 'vpc-bp1acmelate', 'SecurityGroupId.1': 'sg-bp1acmelate' },
    'EndpointServiceOperationDenied',
  );
  const byEndUser = h.call('acme', 'ListVpcEndpointServicesByEndUser', { RegionId: HZ }) as {
    Services: Array<Record<string, unknown>>;
  };
  assert.deepEqual(byEndUser.Services, [
    {
      ServiceId: ORDERS_HZ,
      ServiceName: 'orders-api',
      ServiceDomain: `${ORDERS_HZ}.cn-hangzhou.privatelink.aliyuncs.com`,
      Zones: ['cn-hangzhou-h', 'cn-hangzhou-i'],
    },
  ]);
  assert.deepEqual(
    (
      h.call('acme', 'ListVpcEndpointServicesByEndUser', { RegionId: HZ, ServiceName: 'nope' }) as {
        Services: unknown[];
      }
    ).Services,
    [],
  );
  const snap = h.snapshot();
  assert.deepEqual(
    snap.connections
      .filter((c) => c.serviceId === SEARCH_HZ)
      .map((c) => [c.endpointId, c.connectionStatus, c.awaitingDecision]),
    [
      ['ep-bp1demoglobex00002', 'ServiceDeleted', false],
      ['ep-bp1demoumbrella001', 'ServiceDeleted', false],
      [INITECH_CONNECTED, 'ServiceDeleted', false],
    ],
  );
  assert.equal(snap.connections.length, 13);
  h.clock.advance(1000);
  assert.equal(h.snapshot().connections.length, 10, 'the deleted service takes its connections with it');
  const dump = JSON.stringify(snap);
  assert.doesNotMatch(dump, /secret/);
  assert.match(dump, /LTAIdemoAcme00000001/);
});
