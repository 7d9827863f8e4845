import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { AuditRecord, IntentRecord } from '../../functions/audit/audit-records.ts';
import { OUTCOMES } from '../../functions/audit/audit-records.ts';
import { jsonLine } from '../../functions/audit/json-line.ts';
import type { RecordFilter } from '../../functions/audit/read-records.ts';
import {
  filterRecords,
  foldReplays,
  inDoubt,
  parseTimeBound,
  readRecords,
} from '../../functions/audit/read-records.ts';
import type { CliIO, Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { renderHelp } from '../help.ts';
import type { ParsedFlags } from '../parse-flags.ts';
import { booleanFlag, parseFlags, stringFlag } from '../parse-flags.ts';
import { formatColumns } from '../render-plan.ts';
import { safeText } from '../safe-text.ts';
import { createStyle } from '../style.ts';

const DECISIONS = ['accept', 'reject', 'hold', 'resize', 'revoke', 'flag', 'skip'];
const SUMMARY = 'Filter exported decision records (JSON lines) locally';

const FLAGS = {
  account: { type: 'string' },
  service: { type: 'string' },
  decision: { type: 'string' },
  outcome: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  revision: { type: 'string' },
  format: { type: 'string', short: 'f' },
  all: { type: 'boolean' },
  strict: { type: 'boolean' },
  'in-doubt': { type: 'boolean' },
} as const;

async function readInput(path: string | undefined, io: CliIO): Promise<string> {
  if (path === undefined || path === '-') {
    if (path === undefined && (io.stdin as { isTTY?: boolean }).isTTY === true) {
      io.stderr.write(
        'privatelink-approver audit: reading records from standard input (give a FILE, or pipe them in; Ctrl-D ends)\n',
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(isAbsolute(path) ? path : resolve(io.cwd, path), 'utf8');
}

/** The filter from the flags, or the message of the first bad one. */
function filterFromFlags(flags: ParsedFlags, now: number): RecordFilter | string {
  const decision = stringFlag(flags, 'decision');
  if (decision !== undefined && !DECISIONS.includes(decision))
    return `--decision must be one of ${DECISIONS.join(', ')}, got "${decision}"`;
  const outcome = stringFlag(flags, 'outcome');
  if (outcome !== undefined && !(OUTCOMES as readonly string[]).includes(outcome))
    return `--outcome must be one of ${OUTCOMES.join(', ')}, got "${outcome}"`;
  const bound = (name: string): number | undefined | string => {
    const text = stringFlag(flags, name);
    if (text === undefined) return undefined;
    return (
      parseTimeBound(text, now) ??
      `--${name} must be an ISO 8601 date/time or a relative age like 30d, 12h, 45m; got "${text}"`
    );
  };
  const since = bound('since');
  if (typeof since === 'string') return since;
  const until = bound('until');
  if (typeof until === 'string') return until;
  const [account, service, revision] = ['account', 'service', 'revision'].map((name) => stringFlag(flags, name));
  return { account, service, decision, outcome, since, until, revision };
}

/** The matching records as a table for a person; every string from the file made safe for a terminal. */
function renderTable(matching: AuditRecord[], total: number, io: CliIO): string {
  const style = createStyle(io.stdout, io.env);
  const header = ['TIME', 'DECISION', 'OUTCOME', 'MODE', 'ACCOUNT', 'SERVICE', 'ENDPOINT', 'BANDWIDTH (Mbit/s)'];
  const rows = [
    [...header, 'RULE', 'REASON'].map((h) => style.bold(h)),
    ...matching.map((r) =>
      [
        r.time,
        r.decision,
        r.outcome,
        r.mode,
        r.accountName === null ? (r.ownerAccountId ?? '-') : `${r.accountName} (${r.ownerAccountId})`,
        r.serviceId ?? '-',
        r.endpointId ?? '-',
        r.bandwidthAfter === null || r.bandwidthAfter === r.bandwidthBefore
          ? `${r.bandwidthBefore ?? '-'}`
          : `${r.bandwidthBefore ?? '-'}->${r.bandwidthAfter}`,
        r.rule ?? '-',
        r.errorCode === null ? r.reason : `${r.reason} [${r.errorCode}]`,
      ].map(safeText),
    ),
  ];
  return `${formatColumns(rows, '').join('\n')}\n${matching.length} of ${total} record(s) match\n`;
}

/** The writes in doubt as a table: what was about to be sent, in which run. */
function renderDoubtTable(intents: IntentRecord[], io: CliIO): string {
  const style = createStyle(io.stdout, io.env);
  const header = ['TIME', 'DECISION', 'ACTION', 'ACCOUNT', 'SERVICE', 'ENDPOINT', 'BANDWIDTH (Mbit/s)', 'RUN'];
  const rows = [
    header.map((h) => style.bold(h)),
    ...intents.map((i) =>
      [
        i.time,
        i.decision,
        i.action,
        i.ownerAccountId,
        i.serviceId,
        i.endpointId ?? '-',
        `${i.bandwidthAfter ?? '-'}`,
        i.runId,
      ].map((cell) => safeText(String(cell))),
    ),
  ];
  return `${formatColumns(rows, '').join('\n')}\n${intents.length} write(s) in doubt\n`;
}

/**
 * Intents with no outcome in their run, filtered: listed with --in-doubt (true returned), else counted
 * on stderr when there are any.
 */
function reportDoubt(flags: ParsedFlags, doubt: IntentRecord[], format: string, io: CliIO): boolean {
  if (booleanFlag(flags, 'in-doubt')) {
    if (format === 'json') for (const i of doubt) io.stdout.write(`${jsonLine(i)}\n`);
    else io.stdout.write(renderDoubtTable(doubt, io));
    return true;
  }
  if (doubt.length > 0) {
    io.stderr.write(
      `privatelink-approver audit: ${doubt.length} write(s) in doubt: an intent with no outcome in its run (cut off ` +
        "mid-write; the next run's listing settles it); --in-doubt lists them\n",
    );
  }
  return false;
}

export const auditCommand: Command = {
  name: 'audit',
  summary: SUMMARY,
  help: renderHelp({
    usage: 'audit [FILE|-] [options]',
    summary: SUMMARY,
    description: `Reads decision records (schema privatelink-approver/decision/v1) from FILE, or from standard
input when FILE is - or not given: JSON lines as apply and the function print them, or an SLS export
(each line a JSON object with the record in "content"/"message", or a JSON array of such objects).
Other lines are skipped. A record with a missing or mistyped field is reported with its line number
and left out.`,
    options: `  --account ID|NAME      the consumer account (ID or the policy's name for it)
  --service ID           the endpoint service
  --decision KIND        ${DECISIONS.join('|')}
  --outcome OUTCOME      ${OUTCOMES.join('|')}
  --since WHEN           ISO 8601 date/time or relative: 30d, 12h, 45m, 2w
  --until WHEN           same; exclusive
  --revision REV         policy revision hash (prefix, with or without "sha256:") or git commit (prefix)
  -f, --format FORMAT    table (default) or json (the matching records as JSON lines)
  --all                  keep replays: an applied record with the decisionId and RequestId of an earlier
                         one is the API's answer to a repeated ClientToken (an overlapping or retried
                         run), not a second change; by default it is left out and counted on stderr
  --strict               stop at the first malformed record (exit 65) instead of reporting it and going on
  --in-doubt             list the writes in doubt instead: intents (privatelink-approver/intent/v1) with no
                         decision record in their run (cut off mid-write) that no later settled record
                         (privatelink-approver/settled/v1) names`,
    exitCodes: {
      ok: 'done (also when nothing matches, or malformed records were reported without --strict)',
      usage: 'bad flags',
      policyInvalid: '--strict: a malformed record (its line number is printed)',
      noInput: 'the file cannot be read',
    },
  }),
  async run(argv, io) {
    const flags = parseFlags('audit', argv, FLAGS, io, true);
    if (flags === undefined) return EXIT.usage;
    const fail = (message: string): number => {
      io.stderr.write(`privatelink-approver audit: ${message}\n`);
      return EXIT.usage;
    };
    if (flags.positionals.length > 1) return fail(`expected at most one FILE, got ${flags.positionals.length}`);
    const format = stringFlag(flags, 'format') ?? 'table';
    if (format !== 'table' && format !== 'json') return fail(`--format must be table or json, got "${format}"`);
    const filter = filterFromFlags(flags, Date.now());
    if (typeof filter === 'string') return fail(filter);
    let text: string;
    try {
      text = await readInput(flags.positionals[0], io);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      io.stderr.write(`privatelink-approver audit: cannot read ${flags.positionals[0]}: ${code}\n`);
      return EXIT.noInput;
    }
    const { records, intents, settled, malformed } = readRecords(text);
    const strict = booleanFlag(flags, 'strict');
    for (const m of strict ? malformed.slice(0, 1) : malformed) {
      const where = `${flags.positionals[0] ?? '-'}:${m.line}`;
      io.stderr.write(`privatelink-approver audit: ${safeText(where)}: malformed record: ${m.problem}\n`);
    }
    if (strict && malformed.length > 0) return EXIT.policyInvalid;
    const doubt = filterRecords(inDoubt(intents, records, settled), { ...filter, outcome: undefined });
    if (reportDoubt(flags, doubt, format, io)) return EXIT.ok;
    // Fold before filtering: a replay inside --since whose first answer is older is still no new change.
    const folded = booleanFlag(flags, 'all') ? { records, replays: [] } : foldReplays(records);
    const matching = filterRecords(folded.records, filter);
    const replays = filterRecords(folded.replays, filter).length;
    if (replays > 0) {
      io.stderr.write(
        `privatelink-approver audit: left out ${replays} replayed record(s): the decisionId and RequestId of an ` +
          'earlier applied record (one API request, one change); --all shows them\n',
      );
    }
    if (format === 'json') for (const r of matching) io.stdout.write(`${jsonLine(r)}\n`);
    else io.stdout.write(renderTable(matching, folded.records.length, io));
    return EXIT.ok;
  },
};
