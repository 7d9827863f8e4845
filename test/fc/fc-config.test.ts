import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FcConfigError, readFcConfig } from '../../functions/fc/fc-config.ts';
import { deadlineMarginMs, runDeadline } from '../../functions/fc/run-deadline.ts';

describe('readFcConfig', () => {
  it('defaults to the bundled policy beside the code, level info, the build commit', () => {
    assert.deepEqual(readFcConfig({}, '/code', 'abc123'), {
      policyPath: '/code/policies/policy.yaml',
      policyOverridePath: undefined,
      logLevel: 'info',
      privatelinkEndpoint: undefined,
      policyCommit: 'abc123',
    });
  });

  it('takes every variable, POLICY_COMMIT over the build stamp', () => {
    const config = readFcConfig(
      {
        POLICY_PATH: 'other/p.yaml',
        POLICY_OVERRIDE_PATH: '/mnt/policy',
        LOG_LEVEL: 'DEBUG',
        PRIVATELINK_ENDPOINT: 'http://127.0.0.1:8080/',
        POLICY_COMMIT: 'def456',
      },
      '/code',
      'abc123',
    );
    assert.deepEqual(config, {
      policyPath: '/code/other/p.yaml',
      policyOverridePath: '/mnt/policy',
      logLevel: 'debug',
      privatelinkEndpoint: 'http://127.0.0.1:8080',
      policyCommit: 'def456',
    });
  });

  it('names every bad variable at once', () => {
    assert.throws(
      () =>
        readFcConfig(
          {
            POLICY_OVERRIDE_PATH: 'relative',
            LOG_LEVEL: 'verbose',
            PRIVATELINK_ENDPOINT: 'ftp://x',
            POLICY_COMMIT: 'a b',
          },
          '/code',
        ),
      (error: unknown) => {
        assert.ok(error instanceof FcConfigError);
        assert.deepEqual(error.problems, [
          'POLICY_OVERRIDE_PATH: must be an absolute path (e.g. /mnt/policy), got "relative"',
          'LOG_LEVEL: must be one of debug, info, warn, error, got "verbose"',
          'PRIVATELINK_ENDPOINT: unsupported scheme "ftp"; expected an http(s) URL such as http://127.0.0.1:8080',
          'POLICY_COMMIT: must be a git revision (1-64 characters of [0-9A-Za-z._/-]), got "a b"',
        ]);
        return true;
      },
    );
  });
});

describe('runDeadline', () => {
  const cases: Array<[number, number]> = [
    // timeout s -> margin ms: 10%, at most 30 s
    [1, 100],
    [60, 6000],
    [240, 24000],
    [300, 30000],
    [900, 30000],
  ];
  for (const [timeout, margin] of cases) {
    it(`keeps ${margin} ms of a ${timeout} s timeout`, () => {
      assert.equal(deadlineMarginMs(timeout), margin);
      assert.equal(runDeadline(1_000_000, timeout), 1_000_000 + timeout * 1000 - margin);
    });
  }
  it('refuses a missing timeout', () => {
    assert.throws(() => runDeadline(0, Number.NaN), /function timeout must be a positive number of seconds, got NaN/);
  });
});
