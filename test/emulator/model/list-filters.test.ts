/**
 * What issues 13 and 14 rely on: ListVpcEndpointConnections' ConnectionStatus and EndpointOwnerId
 * filters (alone, together, across pages, under both pending readings), and the service whitelist
 * actions as documented (Add/List/RemoveUser).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LongId } from '../../../emulator/types.ts';
import type { ConnectionItem } from './model-harness.ts';
import { ACCOUNTS, HZ, ORDERS_HZ, SEARCH_HZ, harness } from './model-harness.ts';
import type { Harness } from './model-harness.ts';

/** Every connection a filtered listing returns, page by page (MaxResults 1, so every page boundary is crossed). */
function listAll(h: Harness, filters: Record<string, string>): string[] {
  const ids: string[] = [];
  let token = '';
  do {
    const page = h.call('provider', 'ListVpcEndpointConnections', {
      RegionId: HZ,
      MaxResults: '1',
      ...filters,
      ...(token === '' ? {} : { NextToken: token }),
    }) as { Connections: ConnectionItem[]; NextToken: string };
    ids.push(...page.Connections.map((c) => c.EndpointId));
    token = page.NextToken;
  } while (token !== '');
  return ids;
}

/** The same, computed from the snapshot: the expectation. */
function expected(h: Harness, keep: (c: { endpointOwnerId: string; connectionStatus: string }) => boolean): string[] {
  return h
    .snapshot()
    .connections.filter((c) => c.regionId === HZ && keep(c))
    .map((c) => c.endpointId);
}

test('ConnectionStatus and EndpointOwnerId filter alone and together, across pages, in listing order', () => {
  const h = harness({ settings: { enableDelayMs: 1000, disableDelayMs: 1000, updateDelayMs: 1000 } });
  // Put connections into transitions so that every status the filter knows occurs.
  const on = (endpointId: string, serviceId = ORDERS_HZ) => ({
    RegionId: HZ,
    ServiceId: serviceId,
    EndpointId: endpointId,
  });
  h.call('provider', 'DisableVpcEndpointConnection', on('ep-bp1demoumbrella001', SEARCH_HZ));
  h.clock.advance(1000);
  h.call('provider', 'EnableVpcEndpointConnection', { ...on('ep-bp1demoacme0000001'), Bandwidth: '1024' });
  h.call('provider', 'UpdateVpcEndpointConnectionAttribute', { ...on('ep-bp1demoacme0000002'), Bandwidth: '1024' });
  h.call('provider', 'DisableVpcEndpointConnection', on('ep-bp1demoinitech0002', SEARCH_HZ));
  for (const status of ['Pending', 'Connecting', 'Connected', 'Disconnecting', 'Disconnected']) {
    const want = expected(h, (c) => c.connectionStatus === status);
    assert.ok(want.length > 0, `${status} occurs`);
    assert.deepEqual(listAll(h, { ConnectionStatus: status }), want, status);
  }
  for (const who of ['acme', 'globex', 'initech', 'umbrella'] as const) {
    const id = ACCOUNTS[who];
    assert.deepEqual(
      listAll(h, { EndpointOwnerId: id }),
      expected(h, (c) => c.endpointOwnerId === id),
      who,
    );
    assert.deepEqual(
      listAll(h, { EndpointOwnerId: id, ConnectionStatus: 'Connecting' }),
      expected(h, (c) => c.endpointOwnerId === id && c.connectionStatus === 'Connecting'),
      `${who} + Connecting`,
    );
  }
  assert.deepEqual(listAll(h, { EndpointOwnerId: '2000000000000009' }), [], 'an account with no connection');
});

test('under the newer reading, ConnectionStatus=Disconnected is how requests awaiting a decision are found', () => {
  const h = harness({ settings: { pendingStatus: 'Disconnected' } });
  const awaiting = h
    .snapshot()
    .connections.filter((c) => c.regionId === HZ && c.awaitingDecision)
    .map((c) => c.endpointId);
  const listed = listAll(h, { ConnectionStatus: 'Disconnected' });
  for (const id of awaiting) assert.ok(listed.includes(id), id);
  assert.deepEqual(listAll(h, { ConnectionStatus: 'Connecting' }), []);
});

test('whitelist actions as documented: any Long account ID, idempotent, checked, and existing connections stay', () => {
  const h = harness();
  const base = { RegionId: HZ, ServiceId: ORDERS_HZ };
  // An account the emulator does not know is still an account ID the whitelist takes.
  h.call('provider', 'AddUserToVpcEndpointService', { ...base, UserId: '1234567890123456' });
  const listed = h.call('provider', 'ListVpcEndpointServiceUsers', { ...base, UserId: '1234567890123456' }) as {
    Users: Array<{ UserId: LongId }>;
  };
  assert.deepEqual(listed.Users, [{ UserId: new LongId('1234567890123456') }]);
  h.fails('provider', 'AddUserToVpcEndpointService', { ...base, UserId: 'acme' }, 'InvalidParameter', /"UserId"/);
  h.fails('provider', 'AddUserToVpcEndpointService', base, 'MissingParameter', /"UserId"/);
  h.fails('acme', 'AddUserToVpcEndpointService', { ...base, UserId: ACCOUNTS.acme }, 'EndpointServiceNotFound');
  h.fails('acme', 'ListVpcEndpointServiceUsers', base, 'EndpointServiceNotFound');
  // Taking an account off the whitelist hides the service from it; its existing connection stays.
  h.call('provider', 'RemoveUserFromVpcEndpointService', { ...base, UserId: ACCOUNTS.acme });
  h.fails(
    'acme',
    'CreateVpcEndpoint',
    { ...base, VpcId: 'vpc-bp1acmenew00001', 'SecurityGroupId.1': 'sg-bp1acmenew01' },
    'EndpointServiceNotFound',
  );
  assert.equal(h.status(ORDERS_HZ, 'ep-bp1demoacme0000002'), 'Connected');
  // Removing an account that is not on it changes nothing and is not an error.
  h.call('provider', 'RemoveUserFromVpcEndpointService', { ...base, UserId: '2000000000000009' });
  assert.equal(h.service(ORDERS_HZ)?.whitelist.includes(ACCOUNTS.provider), true);
});
