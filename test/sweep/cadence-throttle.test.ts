/**
 * A `Throttling` answer slows the run down rather than failing it (docs/cadences.md): the throttled call is
 * retried, and the calls that start after it wait a pause first (./functions/sweep/throttle-pause.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../functions/client/api-error.ts';
import type { PrivateLinkApi } from '../../functions/client/private-link-api.ts';
import { DeadlineError, MeteredApi } from '../../functions/sweep/metered-api.ts';

/** A MeteredApi on a fake clock that sleeps by moving it; `slept` lists the waits. */
function onFakeClock(inner: PrivateLinkApi, over: { maxAttempts: number; deadline?: number; firstMs: number }) {
  const state = { clock: 0, slept: [] as number[] };
  const api = MeteredApi.wrap(inner, {
    retry: {
      maxAttempts: over.maxAttempts,
      baseDelayMs: 1,
      maxDelayMs: 1,
      sleep: async (ms) => {
        state.slept.push(ms);
        state.clock += ms;
      },
    },
    now: () => state.clock,
    deadline: over.deadline,
    callTimeoutMs: 1000,
    throttlePause: { firstMs: over.firstMs, maxMs: 8000 },
  });
  return { api, state };
}

test('after a Throttling answer later calls wait a pause, doubling while throttled, and nothing fails', async () => {
  let throttleNext = 2;
  const page = { items: [], invalid: [], nextToken: undefined, requestId: 'r' };
  const inner = {
    listVpcEndpointServices: async () => {
      if (throttleNext > 0) {
        throttleNext -= 1;
        throw new ApiError({
          code: 'Throttling.User',
          message: 'Request was denied due to user flow control.',
          action: 'x',
          httpStatus: 400,
        });
      }
      return page;
    },
  } as unknown as PrivateLinkApi;
  const { api, state } = onFakeClock(inner, { maxAttempts: 5, firstMs: 500 });
  const slept = state.slept;
  await api.listVpcEndpointServices({ regionId: 'cn-hangzhou' });
  assert.equal(api.stats().throttled, 2);
  // The retries after the two throttled answers waited the pause (500 ms, then 1000 ms) besides their backoff.
  assert.ok(slept.includes(500) && slept.includes(1000), JSON.stringify(slept));
  // An answer that was not throttled halves the pause (1000 -> 500): the next call still waits what is left.
  const before = slept.length;
  await api.listVpcEndpointServices({ regionId: 'cn-hangzhou' });
  assert.equal(slept.length, before, 'the pause had passed: no wait');
});

test('a throttle pause that would end past the deadline is not slept: the call fails with DeadlineError at once', async () => {
  let calls = 0;
  const inner = {
    listVpcEndpointServices: async () => {
      calls += 1;
      throw new ApiError({ code: 'Throttling.User', message: 'flow control', action: 'x', httpStatus: 400 });
    },
  } as unknown as PrivateLinkApi;
  // Room for a call now, but not for the 8 s pause and a call after it.
  const { api, state } = onFakeClock(inner, { maxAttempts: 1, deadline: 5000, firstMs: 8000 });
  await assert.rejects(api.listVpcEndpointServices({ regionId: 'cn-hangzhou' }), { code: 'Throttling.User' });
  await assert.rejects(api.listVpcEndpointServices({ regionId: 'cn-hangzhou' }), (e: unknown) => {
    assert.ok(e instanceof DeadlineError, String(e));
    return true;
  });
  assert.deepEqual(state.slept, [], 'no sleep past the deadline');
  assert.equal(state.clock, 0);
  assert.equal(calls, 1);
  assert.equal(api.deadlineReached, true);
});
