/**
 * The FC entry point's lazy load (functions/fc/lazy-handler.ts): loaded once, on the first invocation;
 * a load that fails writes one JSON error record carrying the FC request id, changes nothing, and is
 * tried again by the next invocation.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FcEventHandler } from '../../functions/fc/create-handler.ts';
import type { FcContext } from '../../functions/fc/fc-context.ts';
import { lazyHandler } from '../../functions/fc/lazy-handler.ts';
import type { HandlerResult } from '../../functions/fc/invocation-result.ts';

const NOW = Date.parse('2026-11-25T08:00:00Z');

function context(requestId: string): FcContext {
  return {
    requestId,
    credentials: { accessKeyId: 'STS.k', accessKeySecret: 's' },
    function: { name: 'f', timeout: 60 },
  };
}

describe('lazyHandler', () => {
  it('loads the real handler on the first invocation only, and hands it the start time', async () => {
    let loads = 0;
    const seen: Array<[string, number | undefined]> = [];
    const inner: FcEventHandler = async (_event, ctx, startedAt) => {
      seen.push([ctx.requestId, startedAt]);
      return { requestId: ctx.requestId } as unknown as HandlerResult;
    };
    const handler = lazyHandler(
      async () => {
        loads += 1;
        return inner;
      },
      () => assert.fail('nothing to write'),
      () => NOW,
    );
    assert.equal(loads, 0, 'not loaded before the first invocation');
    await handler(Buffer.from(''), context('r1'));
    await handler(Buffer.from(''), context('r2'));
    assert.equal(loads, 1);
    assert.deepEqual(seen, [
      ['r1', NOW],
      ['r2', NOW],
    ]);
  });

  it('a load that fails writes one JSON error record with the request id, and the next invocation loads again', async () => {
    const lines: string[] = [];
    let loads = 0;
    const handler = lazyHandler(
      async () => {
        loads += 1;
        if (loads === 1) throw new Error('Cannot find module ./validate-policy-schema.js');
        return async (_event, ctx) => ({ ok: ctx.requestId }) as unknown as HandlerResult;
      },
      (line) => lines.push(line),
      () => NOW,
    );
    const failed = await handler(Buffer.from(''), context('fc-broken'));
    const expected = {
      schema: 'privatelink-approver/invocation-error/v1',
      fcRequestId: 'fc-broken',
      time: '2026-11-25T08:00:00.000Z',
      level: 'ERROR',
      errorCode: 'Internal',
      message:
        "internal error: the function's code did not load: nothing changed: Cannot find module ./validate-policy-schema.js",
      details: [],
      policyFile: null,
      nothingChanged: true,
    };
    assert.deepEqual(failed, expected);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l) as unknown),
      [expected],
    );
    assert.deepEqual(await handler(Buffer.from(''), context('fc-next')), { ok: 'fc-next' });
    assert.equal(loads, 2);
  });
});
