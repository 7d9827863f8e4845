/**
 * The schema, the messages and the resolver agree: every key the schema allows is used by the
 * kitchen-sink fixture and read by the resolver (so a key added to the schema but ignored by the
 * resolver fails here), every enum value reaches the resolved Policy, and every constrained schema
 * definition has a message of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { policySchema } from '../../functions/policy/generated/validate-policy-schema.js';
import { loadPolicyText } from '../../functions/policy-file/load-policy-file.ts';
import { resolvePolicy } from '../../functions/policy/resolve-policy.ts';
import { DEFINITION_MESSAGES } from '../../functions/policy/schema-diagnostics.ts';
import type { RawPolicy } from '../../functions/policy/raw-policy.ts';

interface Schema {
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
}
const ROOT = policySchema as unknown as Schema & { definitions: Record<string, Schema> };
const SINK = readFileSync(join(import.meta.dirname, 'fixtures', 'every-key.yaml'), 'utf8');
/** Keys that document and are not part of the resolved model. */
const DOCUMENTATION_ONLY = new Set(['groups.*.description']);

function deref(schema: Schema): Schema {
  let here = schema;
  while (here.$ref !== undefined) here = ROOT.definitions[here.$ref.replace('#/definitions/', '')] ?? {};
  return here;
}

/** Every key path the schema allows: `services[].allow[].vpcs`, maps as `*`. */
function schemaPaths(schema: Schema, prefix: string, out: Set<string>): Set<string> {
  const here = deref(schema);
  for (const [key, child] of Object.entries(here.properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    out.add(path);
    schemaPaths(child, path, out);
  }
  if (typeof here.additionalProperties === 'object') {
    const path = `${prefix}.*`;
    out.add(path);
    schemaPaths(here.additionalProperties, path, out);
  }
  if (here.items !== undefined) schemaPaths(here.items, `${prefix}[]`, out);
  return out;
}

/** The same for data: every key path present. */
function dataPaths(value: unknown, prefix: string, mapPrefixes: Set<string>, out: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => dataPaths(item, `${prefix}[]`, mapPrefixes, out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = mapPrefixes.has(prefix) ? `${prefix}.*` : prefix === '' ? key : `${prefix}.${key}`;
      out.add(path);
      dataPaths(child, path, mapPrefixes, out);
    }
  }
  return out;
}

const MAPS = new Set(['groups', 'services[].match.tags']);

test('the kitchen-sink fixture uses every key the schema allows', () => {
  const allowed = schemaPaths(ROOT, '', new Set());
  const used = dataPaths(parse(SINK), '', MAPS, new Set());
  assert.deepEqual([...allowed].filter((p) => !used.has(p)).sort(), []);
  assert.deepEqual([...used].filter((p) => !allowed.has(p)).sort(), []);
});

test('the kitchen-sink fixture is valid, and the resolver reads every key in it', () => {
  const loaded = loadPolicyText(SINK, 'every-key.yaml', { now: new Date('2026-11-25T00:00:00Z') });
  assert.equal(loaded.ok, true, JSON.stringify(loaded.ok ? loaded.warnings : loaded.errors));
  const read = new Set<string>();
  const track = (value: unknown, prefix: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    return new Proxy(value as object, {
      get(target, key, receiver) {
        const child: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || !Object.hasOwn(target, key)) return child;
        const path = Array.isArray(target)
          ? `${prefix}[]`
          : MAPS.has(prefix)
            ? `${prefix}.*`
            : prefix === ''
              ? key
              : `${prefix}.${key}`;
        if (!Array.isArray(target)) read.add(path);
        return track(child, path);
      },
    });
  };
  resolvePolicy(track(parse(SINK), '') as RawPolicy, { hash: 'sha256:0', commit: undefined, file: 'x' });
  const present = dataPaths(parse(SINK), '', MAPS, new Set());
  assert.deepEqual([...present].filter((p) => !read.has(p) && !DOCUMENTATION_ONLY.has(p)).sort(), []);
});

test('every enum value in the schema reaches the resolved policy', () => {
  const base = SINK.replace('pendingStatus: Disconnected\n', '').replace('mode: dry-run\n', '');
  const load = (extra: string) => {
    const result = loadPolicyText(base.replace('version: 1\n', `version: 1\n${extra}\n`), 'enum.yaml', {
      now: new Date('2026-11-25T00:00:00Z'),
    });
    assert.equal(result.ok, true, JSON.stringify(result.ok ? [] : result.errors));
    return result.ok ? result.policy : undefined;
  };
  const modes = (deref(ROOT.properties?.mode ?? {}).enum ?? []) as string[];
  assert.deepEqual(modes, ['enforce', 'dry-run']);
  for (const mode of modes) assert.equal(load(`mode: ${mode}`)?.mode, mode);
  const pending = (deref(ROOT.properties?.pendingStatus ?? {}).enum ?? []) as string[];
  assert.deepEqual(pending, ['auto', 'Connecting', 'Disconnected']);
  for (const value of pending) assert.equal(load(`mode: enforce\npendingStatus: ${value}`)?.pendingStatus, value);
  // defaults.unknownAccounts reaches the selector rule, which sets none of its own.
  const unknown = (ROOT.definitions.unknownAccounts?.enum ?? []) as string[];
  assert.deepEqual(unknown, ['reject', 'hold']);
  assert.equal(load('mode: enforce')?.services[1]?.unknownAccounts, 'hold');
  for (const value of unknown) {
    const withDefault = loadPolicyText(SINK.replace('unknownAccounts: hold', `unknownAccounts: ${value}`), 'u.yaml', {
      now: new Date('2026-11-25T00:00:00Z'),
    });
    assert.equal(withDefault.ok && withDefault.policy.services[1]?.unknownAccounts, value);
  }
});

test('every schema definition with a pattern or bounds has its own message, and no message is orphaned', () => {
  const constrained = Object.entries(ROOT.definitions)
    .filter(
      ([, schema]) => schema.pattern !== undefined || schema.minimum !== undefined || schema.maximum !== undefined,
    )
    .map(([name]) => name)
    .sort();
  assert.deepEqual(Object.keys(DEFINITION_MESSAGES).sort(), constrained);
});

test('the bandwidth bounds in the schema are the ones the messages and docs state', () => {
  const bandwidth = ROOT.definitions.bandwidth;
  assert.equal(bandwidth?.minimum, 100);
  assert.equal(bandwidth?.maximum, 25600);
  assert.match(DEFINITION_MESSAGES.bandwidth ?? '', /from 100 to 25600/);
  assert.match(
    readFileSync(join(import.meta.dirname, '..', '..', 'policies', 'README.md'), 'utf8'),
    /from \*\*100 to 25600\*\*/,
  );
});
