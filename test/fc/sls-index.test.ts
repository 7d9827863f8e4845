/**
 * infra/sls/index.json indexes every field of the audit lines the function really writes (decision
 * records, run summaries, invocation errors, and the logger's base keys), and infra/sls/alerts.json
 * uses only indexed fields. The lines come from the built bundle run by the local FC harness.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { REPO_ROOT } from '../../scripts/build.ts';
import { buildBundleOnce, PROVIDER_KEY, runInFc, timerEvent } from './fc-harness.ts';

interface SlsIndex {
  keys: { message: { type: string; json_keys: Record<string, { type: string }> } };
}
interface Alerts {
  alerts: Array<{ name: string; query: string; windowMinutes: number; everyMinutes: number; condition: string }>;
}

const index = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/sls/index.json'), 'utf8')) as SlsIndex;
const alerts = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/sls/alerts.json'), 'utf8')) as Alerts;
const indexed = index.keys.message.json_keys;
const BASE_KEYS = ['level', 'message', 'timestamp', 'service', 'requestId', 'fcRequestId'];

/** Leaf paths of a JSON object (`counts.byOutcome.failed`); arrays and nulls are leaves. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    leafPaths(v, prefix === '' ? k : `${prefix}.${k}`),
  );
}

describe('infra/sls', () => {
  let emu: RunningEmulator;
  let lines: Array<Record<string, unknown>> = [];
  before(async () => {
    const bundle = await buildBundleOnce();
    emu = await startEmulator();
    const ok = await runInFc(bundle.outDir, { PRIVATELINK_ENDPOINT: emu.url }, [
      { event: timerEvent(''), requestId: 'sls-1', timeout: 60, credentials: [PROVIDER_KEY] },
      { event: timerEvent({ widen: true }), requestId: 'sls-2', timeout: 60, credentials: [PROVIDER_KEY] },
    ]);
    lines = ok.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  });
  after(async () => emu?.close());

  it('indexes message as JSON, with numbers as long', () => {
    assert.equal(index.keys.message.type, 'json');
    for (const key of ['bandwidthAfter', 'counts.byOutcome.failed', 'durationMs', 'apiCalls'])
      assert.equal(indexed[key]?.type, 'long', key);
  });

  it('covers every field of every decision, summary and invocation-error line the function writes', () => {
    const schemas = new Set(lines.map((l) => l.schema).filter((s) => s !== undefined));
    assert.deepEqual([...schemas].sort(), [
      'privatelink-approver/decision/v1',
      'privatelink-approver/intent/v1',
      'privatelink-approver/invocation-error/v1',
      'privatelink-approver/run/v1',
      'privatelink-approver/settled/v1',
    ]);
    const fields = new Set(lines.filter((l) => l.schema !== undefined).flatMap((l) => leafPaths(l)));
    for (const key of BASE_KEYS) fields.add(key);
    // A null object (`aborted: null`) is covered by its indexed sub-fields (`aborted.errorCode`).
    const covered = (f: string): boolean =>
      indexed[f] !== undefined || Object.keys(indexed).some((k) => k.startsWith(`${f}.`));
    const missing = [...fields].filter((f) => !covered(f)).sort();
    assert.deepEqual(missing, [], 'fields written but not indexed in infra/sls/index.json');
  });

  it('alerts use only indexed fields, and cover rejects, failed writes and a missing run summary', () => {
    for (const alert of alerts.alerts) {
      const used = [...alert.query.matchAll(/"?message\.([A-Za-z.-]+)"?/g)].map((m) =>
        (m[1] as string).replace(/\.$/, ''),
      );
      assert.ok(used.length > 0, alert.name);
      for (const field of used)
        assert.ok(indexed[field] !== undefined, `${alert.name}: message.${field} is not indexed`);
    }
    const byName = new Map(alerts.alerts.map((a) => [a.name, a]));
    assert.match(byName.get('privatelink-approver-reject')?.query ?? '', /message\.decision: reject/);
    assert.match(byName.get('privatelink-approver-failed-write')?.query ?? '', /message\.outcome: failed/);
    // A listed item the client could not believe is never decided on: someone must hear of it.
    assert.match(byName.get('privatelink-approver-failed-write')?.query ?? '', /message\.outcome: invalid/);
    // One rule per handler: the one-minute requests handler's summaries must not hide a dead reconcile.
    const cadences = [
      ['privatelink-approver-missing-run', 'requests', 5],
      ['privatelink-approver-missing-reconcile-run', 'reconcile', 35],
    ] as const;
    for (const [name, handler, window] of cadences) {
      const missingRun = byName.get(name);
      assert.match(missingRun?.query ?? '', /privatelink-approver\/run\/v1/, name);
      assert.match(missingRun?.query ?? '', new RegExp(`message\\.handler: ${handler} `), name);
      assert.equal(missingRun?.windowMinutes, window, name);
      assert.equal(missingRun?.condition, 'runs < 1', name);
      assert.equal((missingRun as { noDataFire?: boolean } | undefined)?.noDataFire, true, name);
    }
  });
});
