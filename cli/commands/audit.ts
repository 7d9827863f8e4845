import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { OUTCOMES } from '../../functions/audit/audit-records.ts';
import type { RecordFilter } from '../../functions/audit/read-records.ts';
import { filterRecords, foldReplays, parseTimeBound, readRecords } from '../../functions/audit/read-records.ts';
import type { CliIO, Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { booleanFlag, parseFlags, stringFlag } from '../parse-flags.ts';
import { formatColumns } from '../render-plan.ts';
import { createStyle } from '../style.ts';

const DECISIONS = ['accept', 'reject', 'hold', 'resize', 'revoke', 'skip'];

async function readInput(path: string | undefined, io: CliIO): Promise<string> {
  if (path === undefined || path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(isAbsolute(path) ? path : resolve(io.cwd, path), 'utf8');
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Filter exported decision records (JSON lines) locally',
  help: `Usage: privatelink-approver audit [FILE|-] [options]

Reads decision records (schema privatelink-approver/decision/v1) from FILE or stdin: JSON lines as
apply and the function print them, or an SLS export (each line a JSON object with the record in
"content"/"message", or a JSON array of such objects). Other lines are skipped.

Options:
  --account ID|NAME      the consumer account (ID or the policy's name for it)
  --service ID           the endpoint service
  --decision KIND        accept|reject|hold|resize|revoke|skip
  --outcome OUTCOME      ${OUTCOMES.join('|')}
  --since WHEN           ISO 8601 date/time or relative: 30d, 12h, 45m, 2w
  --until WHEN           same; exclusive
  --revision REV         policy revision hash (prefix, with or without "sha256:") or git commit (prefix)
  -f, --format FORMAT    table (default) or json (the matching records as JSON lines)
  --all                  keep replays: an applied record with the decisionId and RequestId of an earlier
                         one is the API's answer to a repeated ClientToken (an overlapping or retried
                         run), not a second change; by default it is left out and counted on stderr

Exit codes: 0 (also when nothing matches), 64 bad flags, 66 the file cannot be read.
`,
  async run(argv, io) {
    const flags = parseFlags(
      'audit',
      argv,
      {
        account: { type: 'string' },
        service: { type: 'string' },
        decision: { type: 'string' },
        outcome: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        revision: { type: 'string' },
        format: { type: 'string', short: 'f' },
        all: { type: 'boolean' },
      },
      io,
      true,
    );
    if (flags === undefined) return EXIT.usage;
    const fail = (message: string): number => {
      io.stderr.write(`privatelink-approver audit: ${message}\n`);
      return EXIT.usage;
    };
    if (flags.positionals.length > 1) return fail(`expected at most one FILE, got ${flags.positionals.length}`);
    const format = stringFlag(flags, 'format') ?? 'table';
    if (format !== 'table' && format !== 'json') return fail(`--format must be table or json, got "${format}"`);
    const decision = stringFlag(flags, 'decision');
    if (decision !== undefined && !DECISIONS.includes(decision))
      return fail(`--decision must be one of ${DECISIONS.join(', ')}, got "${decision}"`);
    const outcome = stringFlag(flags, 'outcome');
    if (outcome !== undefined && !(OUTCOMES as readonly string[]).includes(outcome))
      return fail(`--outcome must be one of ${OUTCOMES.join(', ')}, got "${outcome}"`);
    const now = Date.now();
    const bound = (name: string): number | undefined | string => {
      const text = stringFlag(flags, name);
      if (text === undefined) return undefined;
      return (
        parseTimeBound(text, now) ??
        `--${name} must be an ISO 8601 date/time or a relative age like 30d, 12h, 45m; got "${text}"`
      );
    };
    const since = bound('since');
    if (typeof since === 'string') return fail(since);
    const until = bound('until');
    if (typeof until === 'string') return fail(until);

    let text: string;
    try {
      text = await readInput(flags.positionals[0], io);
    } catch (error) {
      io.stderr.write(
        `privatelink-approver audit: cannot read ${flags.positionals[0]}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`,
      );
      return 66;
    }
    const filter: RecordFilter = {
      account: stringFlag(flags, 'account'),
      service: stringFlag(flags, 'service'),
      decision,
      outcome,
      since,
      until,
      revision: stringFlag(flags, 'revision'),
    };
    const { records } = readRecords(text);
    // Fold before filtering: a replay inside --since whose first answer is older is still no new change.
    const folded = booleanFlag(flags, 'all') ? { records, replays: [] } : foldReplays(records);
    const matching = filterRecords(folded.records, filter);
    const replays = filterRecords(folded.replays, filter).length;
    if (replays > 0) {
      io.stderr.write(
        `privatelink-approver audit: left out ${replays} replayed record(s): the decisionId and RequestId of an earlier applied record (one API request, one change); --all shows them\n`,
      );
    }
    if (format === 'json') {
      for (const r of matching) io.stdout.write(`${JSON.stringify(r)}\n`);
      return EXIT.ok;
    }
    const style = createStyle(io.stdout, io.env);
    const rows = [
      ['TIME', 'DECISION', 'OUTCOME', 'MODE', 'ACCOUNT', 'SERVICE', 'ENDPOINT', 'BANDWIDTH', 'RULE', 'REASON'].map(
        (h) => style.bold(h),
      ),
      ...matching.map((r) => [
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
      ]),
    ];
    io.stdout.write(
      `${formatColumns(rows, '').join('\n')}\n${matching.length} of ${folded.records.length} record(s) match\n`,
    );
    return EXIT.ok;
  },
};
