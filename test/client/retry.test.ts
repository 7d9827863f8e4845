import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../functions/client/api-error.ts';
import { RetryError, backoffDelay, withRetry } from '../../functions/client/retry.ts';

/** A fake clock whose sleep advances time instantly and records every wait. */
function fakeTime(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

function busy(code = 'EndpointConnectionOperationDenied'): ApiError {
  return new ApiError({ code, message: `${code}: busy`, action: 'EnableVpcEndpointConnection' });
}

function denied(): ApiError {
  return new ApiError({
    code: 'Forbidden.RAM',
    message: 'Forbidden.RAM: no',
    action: 'EnableVpcEndpointConnection',
  });
}

/** Fails with the given errors in order, then resolves with 'ok'. */
function failing(errors: unknown[]) {
  const seen: number[] = [];
  return {
    seen,
    fn: async (attempt: number) => {
      seen.push(attempt);
      const e = errors[attempt - 1];
      if (e !== undefined) throw e;
      return 'ok';
    },
  };
}

describe('withRetry', () => {
  it('returns the value and attempt count on first success without sleeping', async () => {
    const time = fakeTime();
    const r = await withRetry(async () => 42, { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, ...time });
    assert.deepEqual(r, { value: 42, attempts: 1 });
    assert.deepEqual(time.sleeps, []);
  });

  it('retries retryable errors with exponential full-jitter waits and passes the attempt number', async () => {
    const time = fakeTime();
    const { fn, seen } = failing([busy(), busy(), busy()]);
    const retries: [string, number, number][] = [];
    const r = await withRetry(fn, {
      maxAttempts: 5,
      baseDelayMs: 100,
      maxDelayMs: 250,
      random: () => 0.5,
      ...time,
      onRetry: (e, attempt, delay) => retries.push([(e as ApiError).code, attempt, delay]),
    });
    assert.deepEqual(r, { value: 'ok', attempts: 4 });
    assert.deepEqual(seen, [1, 2, 3, 4]);
    // caps 100, 200, min(250, 400) = 250; half of each.
    assert.deepEqual(time.sleeps, [50, 100, 125]);
    assert.deepEqual(retries, [
      ['EndpointConnectionOperationDenied', 1, 50],
      ['EndpointConnectionOperationDenied', 2, 100],
      ['EndpointConnectionOperationDenied', 3, 125],
    ]);
  });

  it('stops at once on a non-retryable error, keeping it as lastError', async () => {
    const time = fakeTime();
    const err = denied();
    const { fn, seen } = failing([busy(), err]);
    await assert.rejects(
      withRetry(fn, { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 10, random: () => 0, ...time }),
      (e: unknown) => {
        assert.ok(e instanceof RetryError);
        assert.equal(e.lastError, err);
        assert.equal(e.cause, err);
        assert.equal(e.attempts, 2);
        assert.equal(e.reason, 'not-retryable');
        assert.equal(e.message, 'Forbidden.RAM: no (not retryable, 2 attempts)');
        return true;
      },
    );
    assert.deepEqual(seen, [1, 2]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const time = fakeTime();
    const last = busy('Throttling.User');
    const { fn } = failing([busy(), busy(), last]);
    await assert.rejects(
      withRetry(fn, { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, random: () => 0.99, ...time }),
      (e: unknown) => {
        assert.ok(e instanceof RetryError);
        assert.equal(e.lastError, last);
        assert.equal(e.attempts, 3);
        assert.equal(e.reason, 'attempts-exhausted');
        assert.equal(e.message, 'Throttling.User: busy (gave up after 3 attempts)');
        assert.deepEqual(e.toJSON(), {
          name: 'RetryError',
          message: 'Throttling.User: busy (gave up after 3 attempts)',
          reason: 'attempts-exhausted',
          attempts: 3,
          lastError: last.toJSON(),
        });
        return true;
      },
    );
    assert.equal(time.sleeps.length, 2);
  });

  it('never sleeps past the deadline: gives up with reason "deadline" instead', async () => {
    const time = fakeTime(0);
    const { fn, seen } = failing([busy(), busy(), busy(), busy()]);
    // Waits would be 100, 200, 400 (random ~1); deadline at 350 allows the first two (ending 100, 300).
    await assert.rejects(
      withRetry(fn, {
        maxAttempts: 10,
        baseDelayMs: 100,
        maxDelayMs: 10_000,
        deadline: 350,
        random: () => 0.999999,
        ...time,
      }),
      (e: unknown) => {
        assert.ok(e instanceof RetryError);
        assert.equal(e.reason, 'deadline');
        assert.equal(e.attempts, 3);
        assert.match(e.message, /deadline reached/);
        return true;
      },
    );
    assert.deepEqual(time.sleeps, [99, 199]);
    assert.deepEqual(seen, [1, 2, 3]);
    assert.ok(time.now() <= 350);
  });

  it('counts time spent inside attempts against the deadline', async () => {
    const time = fakeTime(0);
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          time.advance(960); // a slow request: 960 + a 49 ms wait would end past 1000
          throw busy();
        },
        { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 50, deadline: 1000, random: () => 0.99, ...time },
      ),
      (e: unknown) => e instanceof RetryError && e.reason === 'deadline' && e.attempts === 1,
    );
    assert.equal(calls, 1);
    assert.deepEqual(time.sleeps, []);
  });

  it('runs the first attempt even when the deadline has passed', async () => {
    const time = fakeTime(5000);
    const r = await withRetry(async () => 'x', {
      maxAttempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 1,
      deadline: 1000,
      ...time,
    });
    assert.deepEqual(r, { value: 'x', attempts: 1 });
  });

  it('by default treats only errors marked retryable as retryable (plain errors are not)', async () => {
    const time = fakeTime();
    const plain = new Error('boom');
    await assert.rejects(
      withRetry(failing([plain]).fn, { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, ...time }),
      (e: unknown) => {
        assert.ok(e instanceof RetryError);
        assert.equal(e.reason, 'not-retryable');
        assert.equal(e.attempts, 1);
        return true;
      },
    );
  });

  it('honours a custom isRetryable', async () => {
    const time = fakeTime();
    const r = await withRetry(failing([new Error('flaky'), new Error('flaky')]).fn, {
      maxAttempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 1,
      isRetryable: (e) => e instanceof Error && e.message === 'flaky',
      ...time,
    });
    assert.deepEqual(r, { value: 'ok', attempts: 3 });
  });

  it('treats maxAttempts below 1 as a single attempt', async () => {
    const time = fakeTime();
    await assert.rejects(
      withRetry(failing([busy()]).fn, { maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 1, ...time }),
      (e: unknown) => e instanceof RetryError && e.attempts === 1 && e.reason === 'attempts-exhausted',
    );
  });

  it('uses real timers when no sleep is injected (short delays)', async () => {
    const started = Date.now();
    const r = await withRetry(failing([busy()]).fn, {
      maxAttempts: 2,
      baseDelayMs: 20,
      maxDelayMs: 20,
      random: () => 0.999,
    });
    assert.equal(r.attempts, 2);
    assert.ok(Date.now() - started >= 15);
  });
});

describe('backoffDelay', () => {
  it('is a random share of the capped exponential', () => {
    assert.equal(
      backoffDelay(1, 100, 5000, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(1, 100, 5000, () => 0.5),
      50,
    );
    assert.equal(
      backoffDelay(3, 100, 5000, () => 0.5),
      200,
    );
    assert.equal(
      backoffDelay(10, 100, 5000, () => 0.5),
      2500,
    );
    assert.ok(backoffDelay(40, 100, 5000, () => 0.999999) < 5000);
  });
});
