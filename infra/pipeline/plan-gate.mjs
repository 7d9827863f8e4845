#!/usr/bin/env node
// Fails a pull request's plan (exit 1, red) when the plan cannot be trusted: a plan run that failed (any
// exit but 0 nothing to change and 2 changes pending), a partial plan (a service whose listing failed), or
// a service the policy names that could not be found (wrong ID, wrong region, not owned by the plan's
// credentials). Reads `plan --format json` output. Usage:
//   node infra/pipeline/plan-gate.mjs plan.json <plan exit code> [<another plan run's exit code> ...]
import { readFileSync } from 'node:fs';

const [file, ...codes] = process.argv.slice(2);
const problems = [];
for (const code of codes) {
  if (code !== '0' && code !== '2') problems.push(`plan exited ${code} (0 and 2 are a complete plan)`);
}
let plan;
try {
  plan = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  problems.push(`${file} is not a plan (${error.message})`);
}
// A service the policy names but the API does not list is a failure with errorCode ServiceNotFound.
for (const failure of plan?.servicesFailed ?? []) {
  const where = failure.serviceId ?? `every service in ${failure.region}`;
  if (failure.errorCode === 'ServiceNotFound') {
    problems.push(`governed service not found: ${where} in ${failure.region} (${failure.errorMessage ?? ''})`);
  } else {
    problems.push(`partial plan: ${where} could not be listed (${failure.errorCode ?? 'error'})`);
  }
}
if (problems.length > 0) {
  for (const problem of problems) console.log(`::error title=privatelink-approver plan::${problem}`);
  process.exit(1);
}
console.log(`plan complete: ${plan.changes} change(s)`);
