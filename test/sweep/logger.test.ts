import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../functions/client/api-error.ts';
import { createLogger, serializeError } from '../../functions/log/logger.ts';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
    now: () => Date.parse('2026-11-25T08:00:00Z'),
    ...(level === undefined ? {} : { level }),
  });
  return { logger, lines };
}

test('one JSON object per line with the fixed base keys; child keys on every line', () => {
  const { logger, lines } = capture();
  logger.child({ runId: 'run-1' }).info('sweep started', { mode: 'enforce' });
  assert.deepEqual(lines, [
    {
      level: 'INFO',
      message: 'sweep started',
      timestamp: '2026-11-25T08:00:00.000Z',
      service: 'privatelink-approver',
      runId: 'run-1',
      mode: 'enforce',
    },
  ]);
});

test('lines below the level are dropped', () => {
  const { logger, lines } = capture('warn');
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
  assert.deepEqual(
    lines.map((l) => l['level']),
    ['WARN', 'ERROR'],
  );
});

test('errors are serialised with name, message, code and cause; secrets and signed URLs are redacted', () => {
  const { logger, lines } = capture();
  const error = new ApiError({
    code: 'Throttling.User',
    message: 'Request was denied due to user flow control.',
    action: 'EnableVpcEndpointConnection',
    requestId: 'req-1',
    cause: new Error('socket hang up'),
  });
  logger.error('write failed', {
    error,
    credentials: { accessKeyId: 'LTAIdemo', accessKeySecret: 'top-secret', securityToken: 'sts-token' },
    url: 'http://x/?Signature=abc&SecurityToken=sts-token',
  });
  const line = lines[0] ?? {};
  assert.deepEqual(line['error'], {
    name: 'ApiError',
    message: 'Request was denied due to user flow control.',
    code: 'Throttling.User',
    action: 'EnableVpcEndpointConnection',
    requestId: 'req-1',
    retryable: true,
    cause: { name: 'Error', message: 'socket hang up' },
  });
  assert.deepEqual(line['credentials'], {
    accessKeyId: 'LTAIdemo',
    accessKeySecret: '[redacted]',
    securityToken: '[redacted]',
  });
  assert.equal(line['url'], '[redacted]');
  assert.ok(!JSON.stringify(lines).includes('top-secret') && !JSON.stringify(lines).includes('sts-token'));
});

test('serializeError handles plain objects and non-errors', () => {
  assert.deepEqual(serializeError({ code: 'ECONNRESET', message: 'reset' }), {
    name: 'Error',
    message: 'reset',
    code: 'ECONNRESET',
  });
  assert.deepEqual(serializeError('boom'), { name: 'Error', message: 'boom' });
});
