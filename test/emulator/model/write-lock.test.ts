/**
 * The `task` reading of the connection write lock (emulator/README.md, "Write lock"), its scope, and the
 * asynchronous creates of newer documentation, by direct dispatch on a paused clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmulatorApiError } from '../../../emulator/types.ts';
import { ACCOUNTS, HZ, ORDERS_HZ, ORDERS_SH, SEARCH_HZ, SH, harness } from './model-harness.ts';

const ACME_PENDING = 'ep-bp1demoacme0000001';
const ACME_BIG = 'ep-bp1demoacme0000002';
const INITECH_PENDING = 'ep-bp1demoinitech0001';
const INITECH_CONNECTED = 'ep-bp1demoinitech0002';
const GLOBEX_SEARCH = 'ep-bp1demoglobex00002';
const GLOBEX_SH = 'ep-uf6demoglobex00003';

const on = (endpointId: string, serviceId = ORDERS_HZ, regionId = HZ) => ({
  RegionId: regionId,
  ServiceId: serviceId,
  EndpointId: endpointId,
});

test('task: an accept locks the account until Connected; every other connection write is ConcurrentCallNotSupported', () => {
  const h = harness({ settings: { writeLock: 'task', enableDelayMs: 200, disableDelayMs: 300, updateDelayMs: 100 } });
  h.call('provider', 'EnableVpcEndpointConnection', { ...on(ACME_PENDING), Bandwidth: '1024' });
  // Another connection, another service, another kind of write: all refused while the accept runs.
  h.fails('provider', 'DisableVpcEndpointConnection', on(INITECH_PENDING), 'ConcurrentCallNotSupported');
  h.fails('provider', 'DisableVpcEndpointConnection', on(INITECH_CONNECTED, SEARCH_HZ), 'ConcurrentCallNotSupported');
  h.fails(
    'provider',
    'UpdateVpcEndpointConnectionAttribute',
    { ...on(ACME_BIG), Bandwidth: '2048' },
    'ConcurrentCallNotSupported',
    'Another operation on a connection of this account is in progress. Retry later.',
  );
  h.clock.advance(199);
  h.fails('provider', 'DisableVpcEndpointConnection', on(INITECH_PENDING), 'ConcurrentCallNotSupported');
  h.clock.advance(1);
  assert.equal(h.status(ORDERS_HZ, ACME_PENDING), 'Connected');
  // A disconnect holds the lock until Disconnected, a bandwidth change until applied.
  h.call('provider', 'DisableVpcEndpointConnection', on(INITECH_PENDING));
  h.clock.advance(299);
  h.fails(
    'provider',
    'UpdateVpcEndpointConnectionAttribute',
    { ...on(ACME_BIG), Bandwidth: '2048' },
    'ConcurrentCallNotSupported',
  );
  h.clock.advance(1);
  h.call('provider', 'UpdateVpcEndpointConnectionAttribute', { ...on(ACME_BIG), Bandwidth: '2048' });
  h.fails('provider', 'DisableVpcEndpointConnection', on(INITECH_CONNECTED, SEARCH_HZ), 'ConcurrentCallNotSupported');
  h.clock.advance(100);
  assert.equal(h.endpoint(ACME_BIG)?.bandwidth, 2048);
  h.call('provider', 'DisableVpcEndpointConnection', on(INITECH_CONNECTED, SEARCH_HZ));
});

test('task: reads, other accounts, unknown connections and ClientToken replays are not refused by the lock', () => {
  const h = harness({ settings: { writeLock: 'task', enableDelayMs: 500 } });
  const first = { ...on(ACME_PENDING), Bandwidth: '1024', ClientToken: 'accept-acme-1' };
  h.call('provider', 'EnableVpcEndpointConnection', first);
  // The replay answers the first result again (idempotence), not the lock's refusal.
  assert.equal(h.call('provider', 'EnableVpcEndpointConnection', first).RequestId, 'req-1');
  h.call('provider', 'ListVpcEndpointConnections', { RegionId: HZ });
  // Ownership first: a connection the caller cannot see is not found, whatever the lock.
  h.fails('provider', 'DisableVpcEndpointConnection', on('ep-bp1nosuch000000001'), 'EndpointConnectionNotFound');
  h.fails('acme', 'DisableVpcEndpointConnection', on(INITECH_PENDING), 'EndpointServiceNotFound');
  // A consumer's own writes (its endpoint) are not connection writes.
  h.call('acme', 'UpdateVpcEndpointAttribute', {
    RegionId: HZ,
    EndpointId: ACME_BIG,
    EndpointName: 'renamed',
    EndpointDescription: 'still acme',
  });
});

test('task: scope account locks every region of the account; scope region only the region of the task', () => {
  const account = harness({ settings: { writeLock: 'task', enableDelayMs: 500 } });
  account.call('provider', 'EnableVpcEndpointConnection', { ...on(ACME_PENDING), Bandwidth: '1024' });
  account.fails('provider', 'DisableVpcEndpointConnection', on(GLOBEX_SH, ORDERS_SH, SH), 'ConcurrentCallNotSupported');

  const region = harness({ settings: { writeLock: 'task', writeLockScope: 'region', enableDelayMs: 500 } });
  region.call('provider', 'EnableVpcEndpointConnection', { ...on(ACME_PENDING), Bandwidth: '1024' });
  region.call('provider', 'DisableVpcEndpointConnection', on(GLOBEX_SH, ORDERS_SH, SH));
  region.fails('provider', 'DisableVpcEndpointConnection', on(GLOBEX_SEARCH, SEARCH_HZ), 'ConcurrentCallNotSupported');
});

test('request (the default): connection writes after one another are never refused by a running task', () => {
  const h = harness({ settings: { enableDelayMs: 500 } });
  assert.equal(h.settings.writeLock, 'request');
  h.call('provider', 'EnableVpcEndpointConnection', { ...on(ACME_PENDING), Bandwidth: '1024' });
  h.call('provider', 'DisableVpcEndpointConnection', on(INITECH_PENDING));
  h.call('provider', 'UpdateVpcEndpointConnectionAttribute', { ...on(ACME_BIG), Bandwidth: '2048' });
  // Switching to task while tasks run: they hold the lock from then on.
  h.settings.writeLock = 'task';
  h.fails('provider', 'DisableVpcEndpointConnection', on(GLOBEX_SEARCH, SEARCH_HZ), 'ConcurrentCallNotSupported');
  h.clock.advance(1000);
  h.call('provider', 'DisableVpcEndpointConnection', on(GLOBEX_SEARCH, SEARCH_HZ));
});

test('creates are asynchronous: a service and an endpoint show Creating, a new zone Creating before Wait', () => {
  const h = harness({ settings: { createDelayMs: 300 } });
  const created = h.call('provider', 'CreateVpcEndpointService', { RegionId: HZ });
  const serviceId = String(created.ServiceId);
  assert.equal(created.ServiceStatus, 'Creating');
  // Not Active yet: writes on it (here the whitelist) are refused, and no endpoint can be created on it.
  h.fails(
    'provider',
    'AddUserToVpcEndpointService',
    { RegionId: HZ, ServiceId: serviceId, UserId: ACCOUNTS.acme },
    'EndpointServiceOperationDenied',
  );
  h.clock.advance(300);
  assert.equal(
    h.call('provider', 'GetVpcEndpointServiceAttribute', { RegionId: HZ, ServiceId: serviceId }).ServiceStatus,
    'Active',
  );
  h.call('provider', 'AddUserToVpcEndpointService', { RegionId: HZ, ServiceId: serviceId, UserId: ACCOUNTS.acme });
  const ep = h.call('acme', 'CreateVpcEndpoint', {
    RegionId: HZ,
    ServiceId: serviceId,
    VpcId: 'vpc-bp1acmeasync0001',
    'SecurityGroupId.1': 'sg-bp1acmeasync01',
    'Zone.1.ZoneId': 'cn-hangzhou-b',
    'Zone.1.VSwitchId': 'vsw-bp1acmeasync01',
  });
  const endpointId = String(ep.EndpointId);
  assert.equal(ep.EndpointStatus, 'Creating');
  const zones = () =>
    (
      h.call('acme', 'ListVpcEndpointZones', { RegionId: HZ, EndpointId: endpointId }) as {
        Zones: Array<{ ZoneId: string; ZoneStatus: string }>;
      }
    ).Zones.map((z) => `${z.ZoneId} ${z.ZoneStatus}`);
  assert.deepEqual(zones(), ['cn-hangzhou-b Creating']);
  h.fails(
    'acme',
    'AddZoneToVpcEndpoint',
    { RegionId: HZ, EndpointId: endpointId, ZoneId: 'cn-hangzhou-h', VSwitchId: 'vsw-bp1acmeasync02' },
    'EndpointOperationDenied',
  );
  h.clock.advance(300);
  assert.equal(
    h.call('acme', 'GetVpcEndpointAttribute', { RegionId: HZ, EndpointId: endpointId }).EndpointStatus,
    'Active',
  );
  h.call('acme', 'AddZoneToVpcEndpoint', {
    RegionId: HZ,
    EndpointId: endpointId,
    ZoneId: 'cn-hangzhou-h',
    VSwitchId: 'vsw-bp1acmeasync02',
  });
  assert.deepEqual(zones(), ['cn-hangzhou-b Wait', 'cn-hangzhou-h Creating']);
  h.clock.advance(300);
  assert.deepEqual(zones(), ['cn-hangzhou-b Wait', 'cn-hangzhou-h Wait']);
  // The request awaits the provider as soon as it is made (the connection is not gated on Active).
  assert.equal(h.status(serviceId, endpointId), 'Connecting');
});

test('the lock error is an EmulatorApiError with HTTP 400', () => {
  const h = harness({ settings: { writeLock: 'task' } });
  h.call('provider', 'EnableVpcEndpointConnection', { ...on(ACME_PENDING), Bandwidth: '1024' });
  const error = h.fails('provider', 'DisableVpcEndpointConnection', on(INITECH_PENDING), 'ConcurrentCallNotSupported');
  assert.ok(error instanceof EmulatorApiError);
  assert.equal(error.httpStatus, 400);
});
