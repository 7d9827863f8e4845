/**
 * s.yaml, checked offline (`s verify` needs the Serverless Devs registry): `props` against our schema
 * (infra/s-yaml.schema.json), the handler exists in the built bundle, the cron is valid FC six-field
 * cron, and the timeout leaves a run time after the deadline margin yet ends before the next tick.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import { REPO_ROOT } from '../../scripts/build.ts';
import type { BuildResult } from '../../scripts/build.ts';
import { deadlineMarginMs } from '../../functions/fc/run-deadline.ts';
import { DEFAULT_TIMEOUT_MS } from '../../functions/client/private-link-api.ts';
import { parseInvocationEvent } from '../../functions/fc/invocation-event.ts';
import { cronIntervalSeconds, cronProblems } from './cron.ts';
import { buildBundleOnce } from './fc-harness.ts';

interface Props {
  region: string;
  runtime: string;
  code: string;
  handler: string;
  timeout: number;
  memorySize: number;
  role: string;
  environmentVariables: Record<string, string>;
  logConfig: { project: string; logstore: string } | 'auto';
  triggers: Array<{
    triggerType: string;
    triggerConfig: { cronExpression: string; enable: boolean; payload?: string };
  }>;
}

/** Loads s.yaml and substitutes `${vars.NAME}` the way `s` does; `props` by resource name. */
function loadSYaml(text: string): { doc: Record<string, unknown>; props: Record<string, Props>; errors: string[] } {
  const parsed = parseDocument(text);
  const raw = parsed.toJS() as { vars?: Record<string, unknown>; resources: Record<string, { props: Props }> };
  const vars = raw.vars ?? {};
  const substituted = JSON.parse(
    JSON.stringify(raw).replace(/\$\{vars\.([A-Za-z0-9_]+)\}/g, (_, name: string) => {
      if (!(name in vars)) throw new Error(`s.yaml uses \${vars.${name}} but vars does not define it`);
      return String(vars[name]);
    }),
  ) as typeof raw;
  const props = Object.fromEntries(Object.entries(substituted.resources).map(([name, r]) => [name, r.props]));
  return { doc: substituted as unknown as Record<string, unknown>, props, errors: parsed.errors.map((e) => e.message) };
}

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/s-yaml.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const { doc, props: functions, errors } = loadSYaml(readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8'));
const REQUESTS = 'privatelink-approver-requests';
const RECONCILE = 'privatelink-approver';
/** Each function's schedule interval (s) and the least run time it must have after the deadline margin (ms). */
const CADENCES: Record<string, { handler: string; interval: number; minRunMs: number }> = {
  [REQUESTS]: { handler: 'index.requests', interval: 60, minRunMs: 30_000 },
  [RECONCILE]: { handler: 'index.reconcile', interval: 900, minRunMs: 300_000 },
};

describe('s.yaml', () => {
  let bundle: BuildResult;
  before(async () => {
    bundle = await buildBundleOnce();
  });

  it("states each function's deadline and last call start as the code computes them", () => {
    const text = readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8');
    for (const name of [REQUESTS, RECONCILE]) {
      const timeout = functions[name]!.timeout;
      const deadline = timeout - deadlineMarginMs(timeout) / 1000;
      const lastCall = deadline - DEFAULT_TIMEOUT_MS / 1000;
      const comment = text.slice(text.indexOf(`functionName: ${name}`), text.indexOf(`timeout: ${timeout}`));
      assert.match(comment, new RegExp(`The run deadline is timeout - min\\(30 s, 10%\\) = ${deadline} s;`), name);
      assert.match(comment, new RegExp(`\\b${lastCall} s\\b`), `${name}: the last call starts at ${lastCall} s`);
      assert.doesNotMatch(comment, /stops starting writes at/, name);
    }
  });

  it('parses without YAML errors and validates against infra/s-yaml.schema.json', () => {
    assert.deepEqual(errors, []);
    const ok = validate(doc);
    assert.equal(ok, true, JSON.stringify(validate.errors, null, 2));
  });

  it('the schema rejects what would break the deployment', () => {
    const bad = structuredClone(doc) as { resources: Record<string, { props: Record<string, unknown> }> };
    const p = bad.resources[REQUESTS]!.props;
    p.runtime = 'nodejs18';
    p.handler = 'handler.handler';
    p.environmentVariables = { POLICY_PATH: 'policies/policy.yaml', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'x' };
    assert.equal(validate(bad), false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
    assert.ok(
      paths.some((m) => m.startsWith(`/resources/${REQUESTS}/props/runtime`)),
      paths.join('\n'),
    );
    assert.ok(
      paths.some((m) => m.startsWith(`/resources/${REQUESTS}/props/handler`)),
      paths.join('\n'),
    );
    assert.ok(
      paths.some((m) => m.includes('must NOT have additional properties')),
      paths.join('\n'),
    );
  });

  it('declares the two functions of one code package: requests and reconcile (docs/cadences.md)', () => {
    assert.deepEqual(Object.keys(functions).sort(), [RECONCILE, REQUESTS]);
    const requests = functions[REQUESTS]!;
    const reconcile = functions[RECONCILE]!;
    for (const [name, p] of Object.entries(functions)) assert.equal(p.handler, CADENCES[name]!.handler, name);
    // Everything but the handler, the name, the description, the timeout, the memory (and the heap bounds
    // that follow it) and the trigger is shared.
    const shared = (p: Props) => ({
      ...p,
      handler: '',
      functionName: '',
      description: '',
      timeout: 0,
      memorySize: 0,
      environmentVariables: { ...p.environmentVariables, NODE_OPTIONS: '' },
      triggers: [],
    });
    assert.deepEqual(shared(requests), shared(reconcile));
  });

  it("bounds each function's heap within its memory, the reconcile's sized for 100,000 connections", () => {
    for (const [name, p] of Object.entries(functions)) {
      const flags = /^--max-semi-space-size=(\d+) --max-old-space-size=(\d+)$/.exec(
        p.environmentVariables.NODE_OPTIONS ?? '',
      );
      assert.ok(flags, `${name}: NODE_OPTIONS sets the young generation and the heap (docs/deploy.md#memory)`);
      assert.ok(Number(flags[1]) <= 2, `${name}: a young generation of at most 2 MB`);
      // The rest of the instance (code, buffers, the runtime) needs a quarter of its memory.
      assert.ok(Number(flags[2]) <= p.memorySize * 0.75, `${name}: heap ${flags[2]} MB in ${p.memorySize} MB`);
    }
    // docs/benchmarks.md: a sweep of 100,000 connections peaks near 290 MB with a 384 MB heap bound.
    assert.ok(functions[RECONCILE]!.memorySize >= 512);
  });

  it('each handler is exported by the built bundle', () => {
    for (const p of Object.values(functions)) {
      const [file, exported] = p.handler.split('.') as [string, string];
      assert.equal(p.code, './dist');
      const mod = createRequire(import.meta.url)(join(bundle.outDir, `${file}.js`)) as Record<string, unknown>;
      assert.equal(typeof mod[exported], 'function', p.handler);
    }
  });

  it('each timer is valid six-field cron: requests every minute, reconcile every 15 minutes', () => {
    for (const [name, p] of Object.entries(functions)) {
      assert.equal(p.triggers.length, 1, name);
      const trigger = p.triggers[0]!;
      assert.equal(trigger.triggerType, 'timer');
      assert.deepEqual(cronProblems(trigger.triggerConfig.cronExpression), [], name);
      assert.equal(cronIntervalSeconds(trigger.triggerConfig.cronExpression), CADENCES[name]!.interval, name);
    }
    assert.deepEqual(cronProblems('*/5 * * * *'), [
      'expected six fields (second minute hour day month weekday), got 5',
    ]);
    assert.deepEqual(cronProblems('0 */5 25 * * *'), ['hour field "25" is not valid (0-23)']);
  });

  it('each timer payload is one the function accepts (it may only narrow a run)', () => {
    for (const [name, p] of Object.entries(functions)) {
      const trigger = p.triggers[0]! as Props['triggers'][number] & { triggerName: string };
      const payload = trigger.triggerConfig.payload ?? '';
      const event = JSON.stringify({ triggerTime: '2026-11-25T08:00:00Z', triggerName: trigger.triggerName, payload });
      const parsed = parseInvocationEvent(Buffer.from(event));
      assert.ok(parsed.ok, parsed.ok ? '' : `${name}'s timer payload would fail every run: ${parsed.error}`);
      assert.deepEqual(parsed.request, {}, `${name}: the scheduled run applies the policy as it is`);
    }
  });

  it('each timeout leaves a run after the deadline margin and ends before the next tick', () => {
    for (const [name, p] of Object.entries(functions)) {
      const runMs = p.timeout * 1000 - deadlineMarginMs(p.timeout);
      assert.ok(runMs >= CADENCES[name]!.minRunMs, `${name}: a run gets only ${runMs} ms`);
      const interval = cronIntervalSeconds(p.triggers[0]!.triggerConfig.cronExpression);
      assert.ok(
        interval !== undefined && p.timeout < interval,
        `${name}: timeout ${p.timeout} s must be shorter than the schedule interval ${String(interval)} s`,
      );
    }
  });

  it('the bundled policy is where POLICY_PATH points', () => {
    for (const p of Object.values(functions)) assert.equal(p.environmentVariables.POLICY_PATH, 'policies/policy.yaml');
    assert.equal(bundle.policyPath, join(bundle.outDir, 'policies/policy.yaml'));
  });
});
