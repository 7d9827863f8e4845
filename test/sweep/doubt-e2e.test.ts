/**
 * Issue 9's failures 2, 3 and 5 end to end: the real pop-core client against the emulator, with answers
 * made malformed on the wire by a tampering proxy (e2e-harness.ts). Whatever the API says, the sweep never
 * writes on doubt, never reads a malformed page as empty, and never reports green on a misconfiguration.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { e2e } from './e2e-harness.ts';
import type { E2e } from './e2e-harness.ts';

const SERVICE = 'epsrv-bp1testorders00001';
const FLEET = `
settings: { pendingStatus: Connecting }
services:
  - { id: ${SERVICE}, region: cn-hangzhou, owner: provider, name: orders-api, whitelist: [acme, globex, initech] }
endpoints:
  - { id: ep-bp1testacme0000001, owner: acme, service: ${SERVICE}, vpc: vpc-bp1testacme00001, connection: { status: Connected, bandwidth: 1024 } }
  - { id: ep-bp1testglobex00001, owner: globex, service: ${SERVICE}, vpc: vpc-bp1testglobex0001, connection: { status: Connected, bandwidth: 1024 } }
  - { id: ep-bp1testglobex00002, owner: globex, service: ${SERVICE}, vpc: vpc-bp1testglobex0001, connection: { status: Awaiting, bandwidth: 1024 } }
  - { id: ep-bp1testinitech0001, owner: initech, service: ${SERVICE}, vpc: vpc-bp1testinitech001, connection: { status: Awaiting, bandwidth: 1024 } }
`;
/** Only acme is allowed (1024 Mbit/s at most): every other connection would be revoked or rejected. */
const POLICY = `
version: 1
mode: enforce
pendingStatus: Connecting
services:
  - region: cn-hangzhou
    serviceId: ${SERVICE}
    unknownAccounts: reject
    allow:
      - account: "2000000000000001"
        bandwidth: 1024
        maxBandwidth: 1024
drift:
  revoke: true
  reduceBandwidth: true
`;

type Conn = Record<string, unknown>;

/** Rewrites the listed connections of the service's listing (not the re-reads by EndpointId). */
function tamperConnections(h: E2e, change: (connections: Conn[]) => unknown): void {
  h.tamper.set('ListVpcEndpointConnections', (body) =>
    JSON.stringify({ ...body, Connections: change(body['Connections'] as Conn[]) }).replaceAll(
      `"${RAW_FRACTION}"`,
      '2000000000000002.9',
    ),
  );
}

/** Stands for the number 2000000000000002.9 on the wire (JavaScript cannot hold it). */
const RAW_FRACTION = '__2000000000000002.9__';

/** Endpoints that a write of the emulator's request log names (or '' for a write naming none). */
function writtenEndpoints(h: E2e): string[] {
  return h.emu
    .requests()
    .filter((r) => r.action !== 'ListVpcEndpointConnections' && r.action !== 'ListVpcEndpointServices')
    .map((r) => String(r.params['EndpointId'] ?? ''));
}

async function withFleet(fn: (h: E2e) => Promise<void>, policy = POLICY, fleet = FLEET): Promise<void> {
  const h = await e2e(fleet, policy);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const doubted: [string, (c: Conn) => Conn][] = [
  ['no EndpointOwnerId', ({ EndpointOwnerId: _, ...c }) => c],
  ['EndpointOwnerId null', (c) => ({ ...c, EndpointOwnerId: null })],
  ['EndpointOwnerId an object', (c) => ({ ...c, EndpointOwnerId: { id: 1 } })],
  ['EndpointOwnerId 2000000000000002.9', (c) => ({ ...c, EndpointOwnerId: RAW_FRACTION })],
  ['no EndpointId', ({ EndpointId: _, ...c }) => c],
  ['Bandwidth 1e308', (c) => ({ ...c, Bandwidth: 1e308 })],
];

describe('failure 2: no write on missing or mistyped data', () => {
  for (const [what, change] of doubted) {
    it(`${what}: the globex connections get no write, and a skip record names the field`, async () => {
      await withFleet(async (h) => {
        tamperConnections(h, (cs) =>
          cs.map((c) => (String(c['EndpointId']).startsWith('ep-bp1testglobex') ? change(c) : c)),
        );
        const { records } = await h.sweep();
        const written = writtenEndpoints(h);
        assert.ok(!written.some((e) => e === '' || e.startsWith('ep-bp1testglobex')), JSON.stringify(written));
        const invalid = records.filter((r) => r.outcome === 'invalid');
        assert.equal(invalid.length, 2, JSON.stringify(records));
        assert.ok(
          invalid.every(
            (r) => r.decision === 'skip' && /^(EndpointOwnerId|EndpointId|Bandwidth)/.test(r.errorMessage ?? ''),
          ),
        );
        // The well-formed rest is still decided: initech's request is rejected.
        assert.ok(written.includes('ep-bp1testinitech0001'));
      });
    });
  }
});

describe('failure 3: a malformed listing is never read as empty', () => {
  const malformed: [string, (cs: Conn[]) => unknown][] = [
    ['Connections missing', () => undefined],
    ['Connections not a list', () => 'none'],
    ['Connections holding non-objects', (cs) => [...cs, 42]],
  ];
  for (const [what, change] of malformed) {
    it(`${what}: the service is not collected, the run says so, nothing is written`, async () => {
      await withFleet(async (h) => {
        tamperConnections(h, change);
        const { summary, records } = await h.sweep({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
        assert.deepEqual(
          summary.servicesFailed.map((f) => [f.serviceId, f.errorCode]),
          [[SERVICE, 'MalformedResponse']],
        );
        assert.equal(records[0]?.outcome, 'failed');
        assert.deepEqual(writtenEndpoints(h), []);
      });
    });
  }

  it('one malformed page among good ones: the whole service is not collected (no partial view)', async () => {
    await withFleet(async (h) => {
      let page = 0;
      h.tamper.set('ListVpcEndpointConnections', (body) => (++page === 2 ? { ...body, Connections: {} } : body));
      const { summary } = await h.sweep({ pageSize: 1, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2 } });
      assert.equal(summary.servicesFailed[0]?.serviceId, SERVICE);
      assert.deepEqual(writtenEndpoints(h), []);
    });
  });
});

describe('failure 5: never green on a misconfiguration', () => {
  it('a serviceId rule whose service is not in its region: a failure naming the rule', async () => {
    const policy = POLICY.replace(`serviceId: ${SERVICE}`, 'serviceId: epsrv-bp1testnosuch00001');
    await withFleet(async (h) => {
      const { summary, records } = await h.sweep({ mode: 'plan' });
      assert.deepEqual(
        summary.servicesFailed.map((f) => [f.serviceId, f.errorCode, f.rule]),
        [['epsrv-bp1testnosuch00001', 'ServiceNotFound', 'services[0]']],
      );
      assert.equal(records[0]?.outcome, 'failed');
    }, policy);
  });

  it("the valid key of the wrong account: the policy's service is not found, not 'nothing to change'", async () => {
    const fleet = FLEET.replace(`region: cn-hangzhou, owner: provider`, 'region: cn-hangzhou, owner: acme');
    await withFleet(
      async (h) => {
        const { summary } = await h.sweep({ mode: 'plan' });
        assert.deepEqual(
          summary.servicesFailed.map((f) => f.errorCode),
          ['ServiceNotFound'],
        );
      },
      POLICY,
      fleet,
    );
  });
});
