/**
 * List pages walk the model's indexes in place from the NextToken's position (emulator/model/store.ts
 * `pageOf`, connection-actions.ts `scanConnections`), and reading an item settles it, which removes a
 * deleted one from the very list being walked. A walk during which deletions complete must still return
 * every surviving item once, in order: nothing skipped where an item vanished, nothing repeated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateFleet } from '../../../emulator/model/fleet-generator.ts';
import { ACCOUNTS, HZ, harness } from './model-harness.ts';
import type { Harness, Who } from './model-harness.ts';

type Listing = { action: string; who: Who; list: string; id: string; params?: Record<string, string> };

const CONNECTIONS: Listing = {
  action: 'ListVpcEndpointConnections',
  who: 'provider',
  list: 'Connections',
  id: 'EndpointId',
};
const SERVICES: Listing = { action: 'ListVpcEndpointServices', who: 'provider', list: 'Services', id: 'ServiceId' };
const ENDPOINTS: Listing = { action: 'ListVpcEndpoints', who: 'acme', list: 'Endpoints', id: 'EndpointId' };
const BY_END_USER: Listing = {
  action: 'ListVpcEndpointServicesByEndUser',
  who: 'acme',
  list: 'Services',
  id: 'ServiceId',
};

/** Every item's ID, page by page; `afterPage(i)` runs once page `i` has been read. */
function walk(h: Harness, l: Listing, maxResults: number, afterPage: (i: number) => void = () => undefined): string[] {
  const ids: string[] = [];
  let token = '';
  for (let i = 0; i < 1000; i++) {
    const page = h.call(l.who, l.action, {
      RegionId: HZ,
      MaxResults: String(maxResults),
      ...l.params,
      ...(token === '' ? {} : { NextToken: token }),
    }) as Record<string, unknown>;
    ids.push(...(page[l.list] as Array<Record<string, string>>).map((item) => item[l.id] as string));
    afterPage(i);
    token = page['NextToken'] as string;
    if (token === '') return ids;
  }
  throw new Error(`${l.action}: no last page`);
}

const FLEET = { services: 8, connectionsPerService: 12, pendingShare: 1, consumers: 4 };
const SECOND_SERVICE = generateFleet(FLEET).services[1]?.serviceId ?? '';

/** The generated fleet's consumers (its first four are the demo fleet's). */
const WHO: Record<string, Who> = {
  '2000000000000001': 'acme',
  '2000000000000002': 'globex',
  '2000000000000003': 'initech',
  '2000000000000004': 'umbrella',
};

/**
 * A fleet of 8 services of 12 connections, all awaiting a decision (so that services may be deleted),
 * in which two services and every third other endpoint are being deleted, for one second (unless not
 * `deleting`).
 */
function fleet(deleting: boolean): Harness {
  const scenario = generateFleet(FLEET);
  const h = harness({ scenario, settings: { deleteDelayMs: 1000 } });
  if (!deleting) return h;
  const goneServices = [scenario.services[2]?.serviceId, scenario.services[5]?.serviceId];
  scenario.endpoints.forEach((e, i) => {
    if (i % 3 === 1 && !goneServices.includes(e.serviceId))
      h.call(WHO[e.ownerId] ?? 'acme', 'DeleteVpcEndpoint', { RegionId: HZ, EndpointId: e.endpointId });
  });
  for (const s of goneServices) h.call('provider', 'DeleteVpcEndpointService', { RegionId: HZ, ServiceId: s ?? '' });
  return h;
}

for (const [l, max] of [
  [CONNECTIONS, 7],
  [{ ...CONNECTIONS, params: { ServiceId: SECOND_SERVICE } }, 2],
  [SERVICES, 3],
  [ENDPOINTS, 3],
  [BY_END_USER, 3],
] as Array<[Listing, number]>) {
  const name = `${l.action}${l.params ? ' with ServiceId' : ''}`;
  test(`${name}: a walk while deletions complete returns every survivor once, in order`, () => {
    // The expectation: the listing without deletions (its order), less what the state holds no more once
    // every deletion completed (read from the snapshot, not through the paging under test).
    const before = walk(fleet(false), l, max);
    const reference = fleet(true);
    reference.clock.advance(1000);
    const state = reference.snapshot();
    const after = new Set(
      l.list === 'Services'
        ? state.services.map((x) => x.serviceId)
        : l.list === 'Connections'
          ? state.connections.map((x) => x.endpointId)
          : state.endpoints.filter((x) => x.ownerId === ACCOUNTS.acme).map((x) => x.endpointId),
    );
    const h = fleet(true);
    const walked = walk(h, l, max, (page) => {
      if (page === 0) h.clock.advance(1000);
    });
    const first = walked.slice(0, max);
    const rest = before.slice(before.indexOf(first.at(-1) ?? '') + 1);
    assert.ok(
      rest.some((id) => !after.has(id)),
      'items vanish during the walk',
    );
    assert.deepEqual(walked, [...first, ...rest.filter((id) => after.has(id))]);
  });
}
