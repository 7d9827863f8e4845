/**
 * `decideService` + `decide(..., prepared)`: the sweep decides each service as its listing arrives
 * (functions/sweep/prepare.ts) and `decide` takes those results as they are. The plan must be the one a
 * single `decide` makes, and a prepared result must never stand for a service whose view changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, decideService } from '../../functions/engine/decide.ts';
import type { ServiceDecisions } from '../../functions/engine/decide.ts';
import type { EndpointConnection } from '../../functions/engine/resources.ts';
import { ACME, GLOBEX, INITECH, NOW, SEARCH, allow, conn, kinds, policy, rule, service } from './builders.ts';

const p = policy({
  services: [
    rule({ allow: [allow(ACME, 'services[0].allow[0]', { maxConnections: 1 })] }),
    rule({ source: 'services[1]', match: { kind: 'id', regionId: 'cn-hangzhou', serviceId: SEARCH } }),
  ],
  drift: { revoke: true, reduceBandwidth: false },
  limits: { maxDisconnects: 1, maxDisconnectsPercent: undefined, maxResizes: undefined, maxResizesPercent: undefined },
});
const orders = service({ autoAcceptEnabled: true });
const search = service({ serviceId: SEARCH });
const onSearch = { serviceId: SEARCH };
const snapshot = {
  services: [
    { service: orders, connections: [conn('ep-1', ACME, 'Connecting'), conn('ep-2', ACME, 'Connecting')] },
    {
      service: search,
      connections: [
        conn('ep-3', INITECH, 'Connected', onSearch),
        conn('ep-4', GLOBEX, 'Connected', onSearch),
        conn('ep-5', GLOBEX, 'Connecting', onSearch),
      ],
    },
  ],
};

function prepareAll(lists: { service: typeof orders; connections: EndpointConnection[] }[]) {
  const prepared = new Map<readonly EndpointConnection[], ServiceDecisions>();
  for (const { service: s, connections } of lists) {
    const result = decideService(p, s, connections, NOW);
    if (result !== undefined) prepared.set(connections, result);
  }
  return prepared;
}

test('a plan from prepared services is the plan decide makes alone: decisions, warnings, safety limits', () => {
  const alone = decide(p, snapshot, NOW);
  const prepared = prepareAll(snapshot.services);
  assert.equal(prepared.size, 2);
  assert.deepEqual(decide(p, snapshot, NOW, prepared), alone);
  // The brake is plan-wide: two revokes against maxDisconnects 1 are blocked together.
  assert.deepEqual(kinds(alone), ['ep-1:accept', 'ep-2:hold', 'ep-3:revoke', 'ep-4:revoke', 'ep-5:reject']);
  assert.ok(alone.decisions.filter((d) => d.kind === 'revoke').every((d) => d.blocked?.limit === 'maxDisconnects'));
  assert.deepEqual(
    alone.warnings.map((w) => w.code),
    ['auto-accept', 'safety-limit'],
  );
});

test('decide uses a prepared result as it is, for the very list it was prepared from', () => {
  const prepared = prepareAll(snapshot.services);
  const marker = conn('ep-marker', ACME, 'Connected');
  const forged = { decisions: decide(p, { services: [{ service: orders, connections: [marker] }] }, NOW).decisions };
  prepared.set(snapshot.services[0]!.connections, { ...forged, connected: 0, warnings: [] });
  assert.deepEqual(kinds(decide(p, snapshot, NOW, prepared)).slice(0, 1), ['ep-marker:skip']);
  // A copy of the list is another list: decided afresh.
  const copied = { services: snapshot.services.map((s) => ({ ...s, connections: [...s.connections] })) };
  assert.deepEqual(decide(p, copied, NOW, prepared), decide(p, snapshot, NOW));
});

test('a service listed twice is decided on its merged connections, never from a prepared half', () => {
  const first = [conn('ep-1', ACME, 'Connecting')];
  const second = [conn('ep-2', ACME, 'Connecting')];
  const twice = {
    services: [
      { service: orders, connections: first },
      { service: orders, connections: second },
    ],
  };
  const prepared = prepareAll(twice.services);
  const plan = decide(p, twice, NOW, prepared);
  assert.deepEqual(plan, decide(p, twice, NOW));
  // maxConnections 1 over both halves: one accept, one hold (each half alone would accept).
  assert.deepEqual(kinds(plan), ['ep-1:accept', 'ep-2:hold']);
});

test('decideService: undefined for a service no rule governs', () => {
  assert.equal(decideService(p, service({ serviceId: 'epsrv-other' }), [], NOW), undefined);
});
