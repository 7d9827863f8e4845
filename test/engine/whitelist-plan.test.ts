/**
 * The whitelist plan (functions/engine/whitelist-plan.ts), table-driven on hand-built data: adds for
 * allowed accounts missing from the whitelist, removes for listed accounts the rule does not allow, the
 * provider's own account never removed, nothing removed when it is not known, and the disconnect limits
 * blocking every removal at once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planWhitelists } from '../../functions/engine/whitelist-plan.ts';
import type { ListedWhitelist } from '../../functions/engine/whitelist-plan.ts';
import type { Policy } from '../../functions/policy/policy.ts';
import {
  ACME,
  GLOBEX,
  INITECH,
  NOW,
  UMBRELLA,
  allow,
  conn,
  decideOne,
  deny,
  policy,
  rule,
  service,
} from './builders.ts';

const OWNER = '1000000000000001';
const synced = (over: Partial<Policy> = {}): Policy =>
  policy({
    services: [
      rule({
        whitelist: 'sync',
        allow: [
          allow(ACME, 'services[0].allow[0]', { name: 'acme', vpcs: ['vpc-bp1acme'] }),
          allow(GLOBEX, 'services[0].allow[1]', { expires: '2026-01-01T00:00:00Z' }),
          allow(INITECH, 'services[0].allow[2]'),
        ],
      }),
    ],
    ...over,
  });
const listed = (...users: string[]): ListedWhitelist[] => [{ service: service(), users }];
const summary = (p: ReturnType<typeof planWhitelists>) =>
  p.changes.map((c) => `${c.kind} ${c.accountId}${c.blocked ? ` blocked:${c.blocked.limit}` : ''}`);

describe('planWhitelists', () => {
  it('adds allowed accounts (VPC-limited ones too) and removes the rest, the owner staying', () => {
    const p = planWhitelists(synced(), listed(OWNER, GLOBEX, UMBRELLA), NOW, OWNER);
    assert.deepEqual(summary(p), [
      `whitelist-add ${ACME}`,
      `whitelist-add ${INITECH}`,
      `whitelist-remove ${GLOBEX}`,
      `whitelist-remove ${UMBRELLA}`,
    ]);
    assert.equal(p.changes[0]?.rule, 'services[0].allow[0]');
    assert.equal(p.changes[0]?.accountName, 'acme');
    assert.equal(p.changes[2]?.rule, 'services[0].whitelist');
    assert.deepEqual(p.warnings, []);
  });

  it('removes an account a deny names even when an allow entry names it too', () => {
    const p = planWhitelists(
      synced({ deny: { accounts: [deny(INITECH, 'deny.accounts[0]')], endpoints: [] } }),
      listed(OWNER, ACME, INITECH),
      NOW,
      OWNER,
    );
    assert.deepEqual(summary(p), [`whitelist-remove ${INITECH}`]);
  });

  it('changes nothing on a converged whitelist, and nothing for a rule without whitelist: sync', () => {
    assert.deepEqual(summary(planWhitelists(synced(), listed(OWNER, ACME, INITECH), NOW, OWNER)), []);
    const manual = policy({ services: [rule({ allow: [allow(ACME, 'services[0].allow[0]')] })] });
    assert.deepEqual(summary(planWhitelists(manual, listed(OWNER, UMBRELLA), NOW, OWNER)), []);
  });

  it('removes nothing while the provider account is unknown, and says so', () => {
    const p = planWhitelists(synced(), listed(OWNER, UMBRELLA), NOW, undefined);
    assert.deepEqual(summary(p), [`whitelist-add ${ACME}`, `whitelist-add ${INITECH}`]);
    assert.deepEqual(
      p.warnings.map((w) => w.code),
      ['whitelist-owner-unknown'],
    );
  });

  it('blocks every removal above maxDisconnects (adds go ahead); at the limit they go ahead', () => {
    const limited = (maxDisconnects: number) =>
      synced({
        limits: {
          maxDisconnects,
          maxDisconnectsPercent: undefined,
          maxResizes: undefined,
          maxResizesPercent: undefined,
        },
      });
    const p = planWhitelists(limited(1), listed(OWNER, ACME, GLOBEX, UMBRELLA), NOW, OWNER);
    assert.deepEqual(summary(p), [
      `whitelist-add ${INITECH}`,
      `whitelist-remove ${GLOBEX} blocked:maxDisconnects`,
      `whitelist-remove ${UMBRELLA} blocked:maxDisconnects`,
    ]);
    assert.match(p.warnings[0]?.message ?? '', /remove 2 accounts, more than maxDisconnects 1/);
    const atLimit = planWhitelists(limited(2), listed(OWNER, ACME, GLOBEX, UMBRELLA), NOW, OWNER);
    assert.ok(atLimit.changes.every((c) => c.blocked === undefined));
  });

  it("blocks a service's removals when a safety limit blocked a revoke on it in the same run", () => {
    const p = synced({ drift: { revoke: true, reduceBandwidth: false } });
    const revoke = decideOne(p, conn('ep-umbrella', UMBRELLA, 'Connected'));
    assert.equal(revoke.kind, 'revoke');
    const blocked = { ...revoke, blocked: { limit: 'maxDisconnectsPercent' as const, reason: 'too many' } };
    const braked = planWhitelists(p, listed(OWNER, ACME, INITECH, UMBRELLA), NOW, OWNER, [blocked]);
    assert.deepEqual(summary(braked), [`whitelist-remove ${UMBRELLA} blocked:maxDisconnectsPercent`]);
    assert.match(
      braked.changes[0]?.blocked?.reason ?? '',
      /blocked this run's disconnects on .*whitelist removals wait/,
    );
    const free = planWhitelists(p, listed(OWNER, ACME, INITECH, UMBRELLA), NOW, OWNER, [revoke]);
    assert.deepEqual(summary(free), [`whitelist-remove ${UMBRELLA}`]);
  });
});
