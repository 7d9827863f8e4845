/**
 * The RAM policies in infra/ram grant exactly what the code calls: against the client's list of actions,
 * and for the read-only policy against what a real `plan` sends to the emulator. (The function role's
 * check against the actions a full enforce sweep sends is in ./fc-handler.test.ts.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATELINK_ACTIONS, WHITELIST_ACTIONS } from '../../functions/client/private-link-api.ts';
import { REPO_ROOT } from '../../scripts/build.ts';
import { planOnEmulator } from '../infra/plan-on-emulator.ts';
import { DEMO_POLICY } from './fc-harness.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: { Service?: string[] };
}
interface RamPolicy {
  Version: string;
  Statement: Statement[];
}

function load(name: string): RamPolicy {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'infra/ram', name), 'utf8')) as RamPolicy;
}

/** Every action an Allow statement grants, `privatelink:` prefix removed. */
export function grantedActions(policy: RamPolicy): string[] {
  assert.equal(policy.Version, '1');
  return policy.Statement.flatMap((s) => {
    assert.equal(s.Effect, 'Allow');
    return Array.isArray(s.Action) ? s.Action : [s.Action];
  }).map((a) => {
    assert.match(a, /^privatelink:[A-Za-z]+$/, `only plain PrivateLink actions, no wildcards: ${a}`);
    return a.slice('privatelink:'.length);
  });
}

describe('infra/ram', () => {
  it('function-role-policy.json grants exactly PRIVATELINK_ACTIONS', () => {
    assert.deepEqual(grantedActions(load('function-role-policy.json')).sort(), [...PRIVATELINK_ACTIONS].sort());
  });

  it('whitelist-sync-policy.json grants exactly WHITELIST_ACTIONS, none of them in the always-on policy', () => {
    assert.deepEqual(grantedActions(load('whitelist-sync-policy.json')).sort(), [...WHITELIST_ACTIONS].sort());
    const always = grantedActions(load('function-role-policy.json'));
    assert.deepEqual(
      WHITELIST_ACTIONS.filter((a) => always.includes(a)),
      [],
    );
  });

  it('whitelist-read-policy.json grants only the whitelist List action (for plan)', () => {
    const granted = grantedActions(load('whitelist-read-policy.json'));
    assert.deepEqual(
      granted,
      WHITELIST_ACTIONS.filter((a) => a.startsWith('List')),
    );
  });

  it('plan-readonly-policy.json grants only the List actions the code calls', () => {
    const granted = grantedActions(load('plan-readonly-policy.json')).sort();
    assert.deepEqual(granted, PRIVATELINK_ACTIONS.filter((a) => a.startsWith('List')).sort());
  });

  it('plan-readonly-policy.json grants exactly what `plan` sends (a demo fleet with every decision kind)', async () => {
    const run = await planOnEmulator(['--policy', DEMO_POLICY, '--format', 'json']);
    assert.equal(run.code, 2, run.stderr);
    const sent = [...new Set(run.requests.map((r) => r.action))].sort();
    assert.deepEqual(sent, grantedActions(load('plan-readonly-policy.json')).sort());
  });

  it('function-role-trust.json lets only Function Compute assume the role', () => {
    const trust = load('function-role-trust.json');
    assert.deepEqual(trust.Statement, [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } },
    ]);
  });
});
