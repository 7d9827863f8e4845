#!/usr/bin/env node
// Prints what the pipeline needs from s.yaml as `name=value` lines for $GITHUB_OUTPUT (or a shell's
// `eval`), so the region and the function name are written once, in s.yaml. `${vars.NAME}` is resolved the
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
const resources = Object.values(raw.resources ?? {});
// One function, or the two cadences (README "Two cadences"): `function` is the one invoked after a deploy,
// the full reconcile (`handler: index.reconcile`), so a merged policy change takes effect at once, drift
// included; `requests_function` names the fast handler's function.
const byHandler = (suffix) => resources.filter((r) => String(r.props?.handler ?? '').endsWith(suffix));
const main = resources.length === 1 ? resources : byHandler('.reconcile');
if (main.length !== 1) {
  console.error(`${file}: expected one function, or one with handler index.reconcile; found ${resources.length}`);
  process.exit(1);
}
const requests = resources.length === 1 ? [] : byHandler('.requests');
const props = main[0].props ?? {};
// Every function of the package lives in one region: a second region would be invoked and deployed blind.
for (const r of resources) {
  const region = resolve(r.props?.region ?? '');
  if (region !== resolve(props.region ?? '')) {
    console.error(`${file}: every function must be in one region; found ${region} beside ${resolve(props.region)}`);
    process.exit(1);
  }
}
const lines = [
  ['region', props.region],
  ['function', props.functionName],
  ...requests.slice(0, 1).map((r) => ['requests_function', r.props?.functionName]),
];
for (const [name, value] of lines) {
  const resolved = value === undefined ? '' : resolve(value);
  if (!/^[A-Za-z0-9_$-]+$/.test(resolved)) {
    console.error(`${file}: ${name} is missing or not a plain name: "${resolved}"`);
    process.exit(1);
  }
  console.log(`${name}=${resolved}`);
}
