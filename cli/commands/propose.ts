import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { SweepResult } from '../../functions/sweep/run-sweep.ts';
import { planSweep } from './plan.ts';
import { jsonDocument } from '../../functions/audit/json-line.ts';
import type { CliIO, Command } from '../command.ts';
import { EXIT, isPartial, partialWhy } from '../exit-codes.ts';
import { renderHelp } from '../help.ts';
import type { ParsedFlags } from '../parse-flags.ts';
import { booleanFlag, stringFlag } from '../parse-flags.ts';
import type { HeldRequest } from '../propose/held-requests.ts';
import { heldRequests } from '../propose/held-requests.ts';
import type { PolicyEdit } from '../propose/policy-edit.ts';
import { proposeAllowEntries } from '../propose/policy-edit.ts';
import { unifiedDiff } from '../propose/unified-diff.ts';
import { markdownText, safeText } from '../safe-text.ts';
import { CREDENTIALS_NOTE, SWEEP_FLAGS_HELP, prepareSweep, reportStop } from '../sweep-setup.ts';

const SUMMARY = 'Propose the policy change that would accept the requests held for a person';
const FORMATS = ['patch', 'json', 'markdown'];

/** One change: the accounts it allows, its edit of the policy file and the diff. */
interface Change {
  accounts: string[];
  edit: PolicyEdit;
  patch: string;
}

function checkFormat(flags: ParsedFlags): string | undefined {
  const format = stringFlag(flags, 'format');
  return format === undefined || FORMATS.includes(format)
    ? undefined
    : `--format must be one of ${FORMATS.join(', ')}, got "${format}"`;
}

/** A request whose fields from the API could not be written into a policy safely is not proposed. */
export function writable(r: HeldRequest): boolean {
  return /^[0-9]{1,19}$/.test(r.accountId) && [r.endpointId, r.vpcId, r.serviceId].every((s) => safeText(s) === s);
}

/** One change with every account, or one per account (each against the file as it is). */
function changes(text: string, path: string, requests: HeldRequest[], perAccount: boolean): Change[] {
  const groups = perAccount
    ? [...new Set(requests.map((r) => r.accountId))].map((id) => requests.filter((r) => r.accountId === id))
    : [requests];
  return groups.map((group) => {
    const edit = proposeAllowEntries(text, group);
    return {
      accounts: [...new Set(edit.proposals.map((p) => p.accountId))],
      edit,
      patch: unifiedDiff(text, edit.text, path),
    };
  });
}

function renderPatch(list: Change[]): string {
  if (list.length === 1) return list[0]!.patch;
  return list.map((c) => `# privatelink-approver propose: account ${c.accounts.join(', ')}\n${c.patch}`).join('\n');
}

function renderJson(list: Change[], path: string, notProposed: { endpointId: string; reason: string }[]): string {
  const doc = {
    policy: path,
    changes: list.map((c) => ({
      accounts: c.accounts,
      entries: c.edit.proposals.map((p) => ({ accountId: p.accountId, entry: p.entry, requests: p.requests })),
      skipped: c.edit.skipped.map((s) => ({ endpointId: s.request.endpointId, why: s.why })),
      patch: c.patch,
    })),
    notProposed,
  };
  return jsonDocument(doc);
}

function renderMarkdown(list: Change[], notProposed: { endpointId: string; reason: string }[]): string {
  const out: string[] = [];
  for (const c of list) {
    out.push(`**privatelink-approver propose**: allow account ${c.accounts.map(markdownText).join(', ')}`, '');
    out.push(
      '| account | region | service | endpoint | VPC | bandwidth (Mbit/s) | entry |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const p of c.edit.proposals) {
      for (const r of p.requests) {
        const cells = [r.accountId, r.regionId, r.serviceId, r.endpointId, r.vpcId, String(r.bandwidth), p.entry];
        out.push(`| ${cells.map(markdownText).join(' | ')} |`);
      }
    }
    const fence = '`'.repeat(Math.max(3, ...[...c.patch.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    out.push('', `${fence}diff`, c.patch.trimEnd(), fence, '');
  }
  for (const n of notProposed)
    out.push(`> **Held, not proposed** ${markdownText(n.endpointId)}: ${markdownText(n.reason)}`);
  return `${out.join('\n')}\n`;
}

/** Prints the proposal in the asked format; writes the edited file with --write (all in one only). */
/**
 * Replaces `file` (an absolute path) with `text` all at once: a temporary file in the same directory
 * (same mode), renamed over it, so a reader or a crash never sees half a policy.
 */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const { mode } = await stat(file);
  try {
    await writeFile(temp, text, { flag: 'wx', mode: mode & 0o777 });
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function output(
  flags: ParsedFlags,
  list: Change[],
  file: string,
  io: CliIO,
  notProposed: { endpointId: string; reason: string }[],
) {
  const format = stringFlag(flags, 'format') ?? 'patch';
  const path = relative(io.cwd, file).startsWith('..') ? file : relative(io.cwd, file);
  if (format === 'json') io.stdout.write(renderJson(list, path, notProposed));
  else if (format === 'markdown') io.stdout.write(renderMarkdown(list, notProposed));
  else {
    io.stdout.write(renderPatch(list));
    for (const n of notProposed) {
      io.stderr.write(
        `privatelink-approver propose: ${safeText(n.endpointId)} held, not proposed: ${safeText(n.reason)}\n`,
      );
    }
  }
  if (booleanFlag(flags, 'write') && list.length === 1) await writeAtomically(file, list[0]!.edit.text);
  for (const c of list)
    for (const s of c.edit.skipped)
      io.stderr.write(`privatelink-approver propose: ${safeText(s.request.endpointId)} not proposed: ${s.why}\n`);
}

export const proposeCommand: Command = {
  name: 'propose',
  summary: SUMMARY,
  help: renderHelp({
    usage: 'propose --policy FILE [options]',
    summary: SUMMARY,
    description: `Plans (reads only) and, for every request held because its service rule does not name the account,
writes the policy change that would accept it: an allow entry per account and rule, inserted after the
rule's last allow entry with the request's details as a comment and the account's name left for the
reviewer. Nothing else of the file changes (comments, order, layout). Requests held by a limit or a
bandwidth are listed, not proposed.`,
    options: `${SWEEP_FLAGS_HELP}
  -f, --format FORMAT    patch (default; a unified diff for git apply), json or markdown (a
                         pull-request body: the requests and the diff)
  --per-account          one change per account (each against the file as it is), for one pull
                         request per account; default: all in one
  --write                edit the policy file in place (not with --per-account)`,
    notes: CREDENTIALS_NOTE,
    exitCodes: {
      ok: 'nothing to propose',
      changesPending: 'a change is proposed',
      usage: 'bad flags, or --region/--service naming something the policy does not govern',
      policyInvalid: 'the policy does not validate',
      apiFailure: 'credentials or permissions refused: nothing was proposed',
      partialFailure:
        'a governed service could not be listed or found, or a listed item was invalid: the proposal may be incomplete',
    },
  }),
  async run(argv, io) {
    const extra = {
      format: { type: 'string', short: 'f' },
      'per-account': { type: 'boolean' },
      write: { type: 'boolean' },
    } as const;
    const prepared = await prepareSweep('propose', argv, io, extra, {}, checkFormat);
    if (typeof prepared === 'number') return prepared;
    if (booleanFlag(prepared.flags, 'write') && booleanFlag(prepared.flags, 'per-account')) {
      prepared.api.close();
      io.stderr.write('privatelink-approver propose: --write edits one file: it does not go with --per-account\n');
      return EXIT.usage;
    }
    let result: SweepResult;
    try {
      result = await planSweep(prepared);
    } catch (error) {
      return reportStop('propose', error, io);
    }
    // Resolved once: read, shown and written at the same path (the policy's path is relative to io.cwd).
    const file = resolve(io.cwd, prepared.policy.revision.file);
    const held = heldRequests(result.plan, result.records);
    const notProposed = [
      ...held.other.map((d) => ({ endpointId: d.endpointId, reason: d.reason })),
      ...held.unknown
        .filter((r) => !writable(r))
        .map((r) => ({
          endpointId: r.endpointId,
          reason: 'its IDs from the API are not safe to write into the policy',
        })),
    ];
    const requests = held.unknown.filter(writable);
    const list =
      requests.length === 0
        ? []
        : changes(
            await readFile(file, 'utf8'),
            relative(io.cwd, file),
            requests,
            booleanFlag(prepared.flags, 'per-account'),
          );
    await output(prepared.flags, list, file, io, notProposed);
    if (isPartial(result.summary)) {
      io.stderr.write(`privatelink-approver propose: ${partialWhy(result.summary)}; the proposal may be incomplete\n`);
      return EXIT.partialFailure;
    }
    return list.some((c) => c.edit.proposals.length > 0) ? EXIT.changesPending : EXIT.ok;
  },
};
