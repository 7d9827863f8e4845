/**
 * The soak's short variant (a few hundred connections, fewer runs), run by `npm test`: every promise of
 * issue 10 holds. The full soak is `npm run soak` (docs/soak.md).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSoak, SHORT } from './run-soak.ts';

test('soak (short): every promise holds against the real CLI and function', { timeout: 170_000 }, async () => {
  const result = await runSoak(SHORT, 20261201, () => undefined);
  process.stdout.write(result.text);
  for (const figure of result.figures)
    assert.ok(figure.ok, `${figure.promise}: ${figure.figure}\n  ${figure.details.join('\n  ')}`);
});
