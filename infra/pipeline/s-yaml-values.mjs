#!/usr/bin/env node
// Prints what the pipeline needs from s.yaml as `name=value` lines for $GITHUB_OUTPUT (or a shell's
// `eval`), so the region and the (full sweep's) function name are written once, in s.yaml. `${vars.NAME}` is resolved the
// way Serverless Devs resolves it. Usage: node infra/pipeline/s-yaml-values.mjs [path/to/s.yaml]
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

const file = process.argv[2] ?? 's.yaml';
const doc = parseDocument(readFileSync(file, 'utf8'));
if (doc.errors.length > 0) {
  console.error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  process.exit(1);
}
const raw = doc.toJS();
const vars = raw.vars ?? {};
const resolve = (value) =>
  String(value).replace(/\$\{vars\.([A-Za-z0-9_]+)\}/g, (_, name) => {
    if (!(name in vars)) throw new Error(`${file} uses \${vars.${name}} but vars does not define it`);
    return String(vars[name]);
  });
// The function that runs the full sweep (docs/cadences.md): `index.reconcile` (or the earlier `index.handler`).
const resources = Object.values(raw.resources ?? {});
const full = resources.filter((r) => ['index.reconcile', 'index.handler'].includes(r?.props?.handler));
if (full.length !== 1) {
  console.error(`${file}: expected exactly one function with handler index.reconcile, found ${full.length}`);
  process.exit(1);
}
const props = full[0].props ?? {};
for (const [name, value] of [
  ['region', props.region],
  ['function', props.functionName],
]) {
  const resolved = value === undefined ? '' : resolve(value);
  if (!/^[A-Za-z0-9_$-]+$/.test(resolved)) {
    console.error(`${file}: ${name} is missing or not a plain name: "${resolved}"`);
    process.exit(1);
  }
  console.log(`${name}=${resolved}`);
}
