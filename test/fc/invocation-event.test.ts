import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseInvocationEvent } from '../../functions/fc/invocation-event.ts';

const timer = (payload: string) =>
  Buffer.from(JSON.stringify({ triggerTime: '2026-11-25T08:00:00Z', triggerName: 'sweep', payload }));

describe('parseInvocationEvent', () => {
  it('reads a timer event with an empty payload as "the policy as is"', () => {
    assert.deepEqual(parseInvocationEvent(timer('')), {
      ok: true,
      trigger: { triggerName: 'sweep', triggerTime: '2026-11-25T08:00:00Z' },
      request: {},
    });
  });

  it('reads a narrowing payload given as a JSON string', () => {
    const parsed = parseInvocationEvent(
      timer('{"dryRun":true,"services":["epsrv-bp1demoorders000001"],"regions":["cn-hangzhou"]}'),
    );
    assert.deepEqual(parsed.ok && parsed.request, {
      dryRun: true,
      services: ['epsrv-bp1demoorders000001'],
      regions: ['cn-hangzhou'],
    });
  });

  it('reads a direct invocation whose body is the payload, and an empty body', () => {
    const parsed = parseInvocationEvent(Buffer.from('{"dryRun":true}'));
    assert.deepEqual(parsed, { ok: true, trigger: undefined, request: { dryRun: true } });
    assert.deepEqual(parseInvocationEvent(Buffer.alloc(0)), { ok: true, trigger: undefined, request: {} });
  });

  const refused: Array<[string, Buffer, string]> = [
    [
      'a key that would replace the policy',
      timer('{"policy":{"mode":"enforce"}}'),
      'payload: unknown key "policy" (allowed: dryRun, services, regions); a payload can only narrow a run, never change the policy',
    ],
    [
      'several unknown keys in a direct call',
      Buffer.from('{"mode":"enforce","policyPath":"/tmp/x.yaml"}'),
      'payload: unknown keys "mode", "policyPath" (allowed: dryRun, services, regions); a payload can only narrow a run, never change the policy',
    ],
    ['dryRun that is not a boolean', timer('{"dryRun":"false"}'), 'payload.dryRun: must be true or false, got "false"'],
    [
      'an empty service list (would not narrow to nothing silently)',
      timer('{"services":[]}'),
      'payload.services: must be a non-empty array of at most 200 IDs such as "epsrv-bp1demoorders000001"',
    ],
    [
      'a service wildcard',
      timer('{"services":["*"]}'),
      'payload.services[0]: must be an ID such as "epsrv-bp1demoorders000001", got "*"',
    ],
    ['a payload that is not JSON', timer('dryRun'), 'payload is not valid JSON'],
    ['a payload that is an array', timer('[1]'), 'payload must be a JSON object, got an array'],
    ['an event that is not JSON', Buffer.from('hello'), 'event is not valid JSON'],
    [
      'a key beside the timer envelope',
      Buffer.from(JSON.stringify({ triggerName: 't', triggerTime: 'x', payload: '', dryRun: false })),
      'event: unexpected key "dryRun" beside a timer trigger\'s triggerTime, triggerName and payload',
    ],
  ];
  for (const [name, event, message] of refused) {
    it(`refuses ${name}`, () => {
      const parsed = parseInvocationEvent(event);
      assert.equal(parsed.ok, false);
      assert.ok(!parsed.ok && parsed.error.startsWith(message), !parsed.ok ? parsed.error : '');
    });
  }
});
