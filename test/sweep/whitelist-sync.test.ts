/**
 * `whitelist: sync` end to end (issue 13, item 2): the emulator over 127.0.0.1, the real pop-core client,
 * runSweep. The whitelist converges both ways (an allowed account added, an account the policy does not
 * allow removed, the provider's own account kept), every change is a decision record after its intent,
 * a second run changes nothing, the disconnect limit blocks removals (adds still made), and `plan` and
 * dry-run write nothing.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord, SweepRecord } from '../../functions/audit/audit-records.ts';
import { isAuditRecord, isIntentRecord } from '../../functions/audit/audit-records.ts';
import { e2e } from './e2e-harness.ts';
import type { E2e } from './e2e-harness.ts';
import { recordSchemaProblems } from './record-schema.ts';

const SERVICE = 'epsrv-bp1testorders00001';
const PROVIDER = '1000000000000001';
const [ACME, GLOBEX, INITECH, UMBRELLA] = [
  '2000000000000001',
  '2000000000000002',
  '2000000000000003',
  '2000000000000004',
];

const FLEET = `
services:
  - { id: ${SERVICE}, region: cn-hangzhou, owner: provider, name: orders-api, whitelist: [globex, umbrella, acme] }
endpoints:
  - { id: ep-bp1testacme0000001, owner: acme, service: ${SERVICE}, vpc: vpc-bp1testacme00001, connection: { status: Connected, bandwidth: 1024 } }
`;

function policy(limits = ''): string {
  return `version: 1
mode: enforce
services:
  - region: cn-hangzhou
    serviceId: ${SERVICE}
    unknownAccounts: reject
    whitelist: sync
    allow:
      - { account: "${ACME}", name: acme }
      - { account: "${INITECH}", name: initech }
${limits}`;
}

let env: E2e | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function whitelist(e: E2e): Promise<string[]> {
  const page = await e.client().listVpcEndpointServiceUsers({ regionId: 'cn-hangzhou', serviceId: SERVICE });
  return page.items.map((u) => u.userId).sort();
}

const whitelistRecords = (records: AuditRecord[]) =>
  records
    .filter((r) => r.decision.startsWith('whitelist-'))
    .map((r) => `${r.decision} ${r.ownerAccountId} ${r.outcome}${r.blockedBy === null ? '' : ` ${r.blockedBy}`}`);

describe('whitelist: sync', () => {
  it('converges the whitelist both ways, keeps the provider, records each change after its intent', async () => {
    env = await e2e(FLEET, policy());
    assert.deepEqual(await whitelist(env), [PROVIDER, ACME, GLOBEX, UMBRELLA].sort());
    const first = await env.sweep({ providerAccountId: PROVIDER });
    assert.deepEqual(whitelistRecords(first.records), [
      `whitelist-add ${INITECH} applied`,
      `whitelist-remove ${GLOBEX} applied`,
      `whitelist-remove ${UMBRELLA} applied`,
    ]);
    assert.deepEqual(await whitelist(env), [PROVIDER, ACME, INITECH].sort());
    for (const r of first.records) assert.deepEqual(recordSchemaProblems(r), [], JSON.stringify(r));
    const added = first.records.find((r) => r.decision === 'whitelist-add');
    assert.equal(added?.rule, 'services[0].allow[1]');
    assert.equal(added?.accountName, 'initech');
    assert.equal(added?.endpointId, null);
    assert.match(added?.clientToken ?? '', /^[0-9a-f]{64}$/);
    assertIntentsFirst(first.sunk);

    const second = await env.sweep({ providerAccountId: PROVIDER });
    assert.deepEqual(whitelistRecords(second.records), []);
    assert.deepEqual(await whitelist(env), [PROVIDER, ACME, INITECH].sort());
  });

  it('blocks every removal above maxDisconnects; the add is still made', async () => {
    env = await e2e(FLEET, policy('limits: { maxDisconnects: 1 }'));
    const run = await env.sweep({ providerAccountId: PROVIDER });
    assert.deepEqual(whitelistRecords(run.records), [
      `whitelist-add ${INITECH} applied`,
      `whitelist-remove ${GLOBEX} blocked maxDisconnects`,
      `whitelist-remove ${UMBRELLA} blocked maxDisconnects`,
    ]);
    assert.deepEqual(await whitelist(env), [PROVIDER, ACME, GLOBEX, INITECH, UMBRELLA].sort());
    assert.ok(run.summary.warnings.some((w) => w.code === 'safety-limit' && /remove 2 accounts/.test(w.message)));
  });

  it("blocks a service's removals when its revokes were blocked in the same run, though the removals fit", async () => {
    const umbrella = [1, 2, 3].map(
      (n) =>
        `  - { id: ep-bp1testumbrella00${n}, owner: umbrella, service: ${SERVICE}, vpc: vpc-bp1testumbrel0001, ` +
        'connection: { status: Connected, bandwidth: 1024 } }',
    );
    env = await e2e(
      `${FLEET}${umbrella.join('\n')}\n`,
      policy('drift: { revoke: true }\nlimits: { maxDisconnects: 2 }'),
    );
    const run = await env.sweep({ providerAccountId: PROVIDER });
    assert.deepEqual(
      run.records.filter((r) => r.decision === 'revoke').map((r) => r.outcome),
      ['blocked', 'blocked', 'blocked'],
    );
    assert.deepEqual(whitelistRecords(run.records), [
      `whitelist-add ${INITECH} applied`,
      `whitelist-remove ${GLOBEX} blocked maxDisconnects`,
      `whitelist-remove ${UMBRELLA} blocked maxDisconnects`,
    ]);
    assert.deepEqual(await whitelist(env), [PROVIDER, ACME, GLOBEX, INITECH, UMBRELLA].sort());
  });

  it('sends no whitelist write once an intent record could not be written: every change is deferred', async () => {
    env = await e2e(FLEET, policy());
    const sunk: SweepRecord[] = [];
    const run = await env.sweep({
      providerAccountId: PROVIDER,
      sink: (r) => {
        if (isIntentRecord(r) && r.decision.startsWith('whitelist-')) throw new Error('ENOSPC');
        sunk.push(r);
      },
    });
    assert.deepEqual(whitelistRecords(run.records), [
      `whitelist-add ${INITECH} deferred`,
      `whitelist-remove ${GLOBEX} deferred`,
      `whitelist-remove ${UMBRELLA} deferred`,
    ]);
    const sent = env.emu.requests().filter((r) => r.action?.endsWith('VpcEndpointService') === true);
    assert.deepEqual(sent, []);
    assert.deepEqual(await whitelist(env), [PROVIDER, ACME, GLOBEX, UMBRELLA].sort());
  });

  it('removes nothing when the provider account is not known, and warns', async () => {
    env = await e2e(FLEET, policy());
    const run = await env.sweep();
    assert.deepEqual(whitelistRecords(run.records), [`whitelist-add ${INITECH} applied`]);
    assert.ok(run.summary.warnings.some((w) => w.code === 'whitelist-owner-unknown'));
    assert.deepEqual(await whitelist(env), [PROVIDER, ACME, GLOBEX, INITECH, UMBRELLA].sort());
  });

  it('plan and dry-run write nothing and show the changes', async () => {
    env = await e2e(FLEET, policy());
    const plan = await env.sweep({ providerAccountId: PROVIDER, mode: 'plan' });
    assert.deepEqual(
      plan.plan.whitelist?.map((c) => `${c.kind} ${c.accountId}`),
      [`whitelist-add ${INITECH}`, `whitelist-remove ${GLOBEX}`, `whitelist-remove ${UMBRELLA}`],
    );
    assert.ok(whitelistRecords(plan.records).every((r) => r.endsWith(' planned')));
    const dry = await env.sweep({ providerAccountId: PROVIDER, mode: 'dry-run' });
    assert.ok(whitelistRecords(dry.records).every((r) => r.endsWith(' dry-run')));
    assert.deepEqual(await whitelist(env), [PROVIDER, ACME, GLOBEX, UMBRELLA].sort());
    const writes = env.emu.requests().filter((r) => !(r.action ?? '').startsWith('List'));
    assert.deepEqual(writes, []);
  });
});

/** Every whitelist decision record that wrote comes after an intent of the same decision. */
function assertIntentsFirst(sunk: SweepRecord[]): void {
  sunk.forEach((r, i) => {
    if (!isAuditRecord(r) || !r.decision.startsWith('whitelist-') || r.clientToken === null) return;
    const intent = sunk.findIndex((x) => isIntentRecord(x) && x.decisionId === r.decisionId);
    assert.ok(intent >= 0 && intent < i, `intent before ${r.decision} ${r.ownerAccountId}`);
  });
}
