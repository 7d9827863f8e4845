#!/usr/bin/env node
// Reads `privatelink-approver propose --per-account --format json` output for the pipeline's scheduled
// propose job (infra/pipeline/README.md "Approve by pull request"). Usage:
//   node infra/pipeline/proposals.mjs FILE accounts            JSON list of the proposed accounts (the matrix)
//   node infra/pipeline/proposals.mjs FILE patch ACCOUNT       that account's unified diff (for git apply)
//   node infra/pipeline/proposals.mjs FILE body ACCOUNT        that account's pull-request body (Markdown)
//   node infra/pipeline/proposals.mjs FILE stale BRANCH...     the propose/<account> branches no longer proposed
// An account ID is 1-19 digits (it names a branch); anything else in the file is refused (exit 1).
import { readFileSync } from 'node:fs';

const BRANCH_PREFIX = 'propose/';
const ACCOUNT = /^[0-9]{1,19}$/;

function fail(message) {
  console.error(`proposals.mjs: ${message}`);
  process.exit(1);
}

const [file, command, ...args] = process.argv.slice(2);
let doc;
try {
  doc = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  fail(`${file} is not propose --format json output (${error.message})`);
}
const changes = Array.isArray(doc?.changes) ? doc.changes : fail(`${file} has no changes list`);
for (const c of changes) {
  if (!Array.isArray(c.accounts) || c.accounts.length !== 1 || !ACCOUNT.test(String(c.accounts[0]))) {
    fail('every change must be one account of 1-19 digits: run propose with --per-account');
  }
}
const accounts = changes.map((c) => String(c.accounts[0]));
const change = (account) => changes.find((c) => String(c.accounts[0]) === account) ?? fail(`no change for ${account}`);
const cell = (value) => `\`${String(value).replace(/[`|\\\r\n]/g, '?')}\``;

if (command === 'accounts') {
  console.log(JSON.stringify(accounts));
} else if (command === 'patch') {
  process.stdout.write(change(args[0]).patch);
} else if (command === 'body') {
  const c = change(args[0]);
  const lines = [
    `privatelink-approver found requests held because the policy does not name account ${cell(args[0])}.`,
    'Merging this pull request allows the account: the deploy job then invokes the function, which accepts',
    'them at once. Fill in the account name (`name:`) before merging; close the pull request to leave them',
    'held (the next scheduled run proposes them again while they wait).',
    '',
    '| region | service | endpoint | VPC | bandwidth (Mbit/s) | entry |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const e of c.entries ?? []) {
    for (const r of e.requests ?? []) {
      lines.push(`| ${[r.regionId, r.serviceId, r.endpointId, r.vpcId, r.bandwidth, e.entry].map(cell).join(' | ')} |`);
    }
  }
  lines.push('', '<!-- privatelink-approver propose -->');
  console.log(lines.join('\n'));
} else if (command === 'stale') {
  // A branch whose account is no longer proposed: the request was accepted, rejected or went away.
  const stale = args.filter((b) => b.startsWith(BRANCH_PREFIX) && !accounts.includes(b.slice(BRANCH_PREFIX.length)));
  for (const b of stale) console.log(b);
} else {
  fail(`unknown command ${command ?? ''}: accounts, patch, body or stale`);
}
