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
import { parseInvocationEvent } from '../../functions/fc/invocation-event.ts';
import { cronIntervalSeconds, cronProblems } from './cron.ts';
import { buildBundleOnce } from './fc-harness.ts';

interface Props {
  region: string;
  runtime: string;
  code: string;
  handler: string;
  timeout: number;
  role: string;
  environmentVariables: Record<string, string>;
  logConfig: { project: string; logstore: string } | 'auto';
  triggers: Array<{
    triggerType: string;
    triggerConfig: { cronExpression: string; enable: boolean; payload?: string };
  }>;
}

/** Loads s.yaml and substitutes `${vars.NAME}` the way `s` does. */
function loadSYaml(text: string): { doc: Record<string, unknown>; props: Props; errors: string[] } {
  const parsed = parseDocument(text);
  const raw = parsed.toJS() as { vars?: Record<string, unknown>; resources: Record<string, { props: Props }> };
  const vars = raw.vars ?? {};
  const substituted = JSON.parse(
    JSON.stringify(raw).replace(/\$\{vars\.([A-Za-z0-9_]+)\}/g, (_, name: string) => {
      if (!(name in vars)) throw new Error(`s.yaml uses \${vars.${name}} but vars does not define it`);
      return String(vars[name]);
    }),
  ) as typeof raw;
  const props = Object.values(substituted.resources)[0]!.props;
  return { doc: substituted as unknown as Record<string, unknown>, props, errors: parsed.errors.map((e) => e.message) };
}

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/s-yaml.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const { doc, props, errors } = loadSYaml(readFileSync(join(REPO_ROOT, 's.yaml'), 'utf8'));

describe('s.yaml', () => {
  let bundle: BuildResult;
  before(async () => {
    bundle = await buildBundleOnce();
  });

  it('parses without YAML errors and validates against infra/s-yaml.schema.json', () => {
    assert.deepEqual(errors, []);
    const ok = validate(doc);
    assert.equal(ok, true, JSON.stringify(validate.errors, null, 2));
  });

  it('the schema rejects what would break the deployment', () => {
    const bad = structuredClone(doc) as { resources: Record<string, { props: Record<string, unknown> }> };
    const p = Object.values(bad.resources)[0]!.props;
    p.runtime = 'nodejs18';
    p.handler = 'handler.handler';
    p.environmentVariables = { POLICY_PATH: 'policies/policy.yaml', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'x' };
    assert.equal(validate(bad), false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
    assert.ok(
      paths.some((m) => m.startsWith('/resources/privatelink-approver/props/runtime')),
      paths.join('\n'),
    );
    assert.ok(
      paths.some((m) => m.startsWith('/resources/privatelink-approver/props/handler')),
      paths.join('\n'),
    );
    assert.ok(
      paths.some((m) => m.includes('must NOT have additional properties')),
      paths.join('\n'),
    );
  });

  it('its handler is exported by the built bundle', () => {
    const [file, exported] = props.handler.split('.') as [string, string];
    assert.equal(props.code, './dist');
    const mod = createRequire(import.meta.url)(join(bundle.outDir, `${file}.js`)) as Record<string, unknown>;
    assert.equal(typeof mod[exported], 'function');
  });

  it('its timer is valid six-field cron, every 5 minutes by default', () => {
    const trigger = props.triggers[0]!;
    assert.equal(trigger.triggerType, 'timer');
    assert.deepEqual(cronProblems(trigger.triggerConfig.cronExpression), []);
    assert.equal(cronIntervalSeconds(trigger.triggerConfig.cronExpression), 300);
    assert.deepEqual(cronProblems('*/5 * * * *'), [
      'expected six fields (second minute hour day month weekday), got 5',
    ]);
    assert.deepEqual(cronProblems('0 */5 25 * * *'), ['hour field "25" is not valid (0-23)']);
  });

  it('its timer payload is one the function accepts (it may only narrow a run)', () => {
    const payload = props.triggers[0]!.triggerConfig.payload ?? '';
    const event = JSON.stringify({
      triggerTime: '2026-11-25T08:00:00Z',
      triggerName: 'sweep-every-5-minutes',
      payload,
    });
    const parsed = parseInvocationEvent(Buffer.from(event));
    assert.ok(parsed.ok, parsed.ok ? '' : `s.yaml's timer payload would fail every run: ${parsed.error}`);
    assert.deepEqual(parsed.request, {}, 'the scheduled run applies the policy as it is');
  });

  it('its timeout leaves a run after the deadline margin and ends before the next tick', () => {
    const runMs = props.timeout * 1000 - deadlineMarginMs(props.timeout);
    assert.ok(runMs >= 60_000, `a run gets only ${runMs} ms`);
    const interval = cronIntervalSeconds(props.triggers[0]!.triggerConfig.cronExpression);
    assert.ok(
      interval !== undefined && props.timeout < interval,
      `timeout ${props.timeout} s must be shorter than the schedule interval ${String(interval)} s`,
    );
  });

  it('the bundled policy is where POLICY_PATH points', () => {
    assert.equal(props.environmentVariables.POLICY_PATH, 'policies/policy.yaml');
    assert.equal(bundle.policyPath, join(bundle.outDir, 'policies/policy.yaml'));
  });
});
