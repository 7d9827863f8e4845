import type { WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { RunSummaryRecord, SweepRecord } from '../../functions/audit/audit-records.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import { resolveRunMode } from '../../functions/sweep/run-mode.ts';
import type { ProgressEvent, SweepScope } from '../../functions/sweep/run-sweep.ts';
import type { CliIO, Command } from '../command.ts';
import { EXIT, isPartial } from '../exit-codes.ts';
import { booleanFlag, stringFlag } from '../parse-flags.ts';
import { renderSummary } from '../render-run.ts';
import { createStyle } from '../style.ts';
import type { PreparedSweep } from '../sweep-setup.ts';
import {
  CREDENTIALS_NOTE,
  DEFAULT_CALL_TIMEOUT_MS,
  SWEEP_FLAGS_HELP,
  notGovernedAfterRun,
  prepareSweep,
  reportStop,
} from '../sweep-setup.ts';
import { jsonLine } from '../../functions/audit/json-line.ts';
import { terminalWidth } from '../fit-width.ts';
import { renderHelp } from '../help.ts';
import type { ParsedFlags } from '../parse-flags.ts';

/**
 * Progress on stderr for long runs (20 writes or more): a rewritten line on a TTY, a line per tenth
 * otherwise. `finish()` ends a rewritten line that a cut-short run left open, so the summary starts on
 * a line of its own.
 */
export function applyProgress(io: CliIO): ((event: ProgressEvent) => void) & { finish(): void } {
  let lastTenth = -1;
  let lineOpen = false;
  const report = (event: ProgressEvent): void => {
    if (event.phase !== 'apply' || event.total < 20) return;
    if (io.stderr.isTTY === true) {
      lineOpen = event.done !== event.total;
      io.stderr.write(`\rapplying ${event.done}/${event.total}${lineOpen ? '' : '\n'}`);
      return;
    }
    const tenth = Math.floor((event.done * 10) / event.total);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      io.stderr.write(`applying ${event.done}/${event.total}\n`);
    }
  };
  return Object.assign(report, {
    finish: (): void => {
      if (lineOpen) io.stderr.write('\n');
      lineOpen = false;
    },
  });
}

/** The exit code of a finished run: 70 partial ({@link isPartial}), 71 a safety limit blocked part, else 0. */
export function applyExitCode(summary: RunSummaryRecord): number {
  if (isPartial(summary)) return EXIT.partialFailure;
  if (summary.counts.byOutcome.blocked > 0) return EXIT.blocked;
  return EXIT.ok;
}

const SUMMARY = 'Run one sweep: decide every connection and apply the decisions';

const EXTRA_FLAGS = {
  'dry-run': { type: 'boolean' },
  'deadline-seconds': { type: 'string' },
  records: { type: 'string' },
  scope: { type: 'string' },
} as const;

/** --scope: `all` (default, the full sweep) or `requests` (only connections awaiting a decision). */
function scopeOf(flags: ParsedFlags): SweepScope {
  return stringFlag(flags, 'scope') === 'requests' ? 'requests' : 'all';
}

/** --scope, then --deadline-seconds: a positive number of seconds, longer than one call's timeout. */
function checkDeadline(flags: ParsedFlags): string | undefined {
  const scope = stringFlag(flags, 'scope');
  if (scope !== undefined && scope !== 'requests' && scope !== 'all')
    return `--scope must be requests or all, got "${scope}"`;
  const text = stringFlag(flags, 'deadline-seconds');
  if (text === undefined) return undefined;
  if (!(Number.isFinite(Number(text)) && Number(text) > 0))
    return `--deadline-seconds must be a positive number, got "${text}"`;
  // No call starts with less than one call's timeout left before the deadline (it could not finish in
  // time): a deadline no longer than that timeout leaves no time for even the first listing.
  const timeoutMs = Number(stringFlag(flags, 'timeout-ms') ?? DEFAULT_CALL_TIMEOUT_MS);
  if (Number.isInteger(timeoutMs) && timeoutMs > 0 && Number(text) * 1000 <= timeoutMs) {
    return (
      `--deadline-seconds ${text} leaves no time for a single API call: none starts with less than one ` +
      `call's timeout (--timeout-ms ${timeoutMs}) left; give more than ${timeoutMs / 1000} seconds ` +
      '(a sweep needs several calls in a row), or a shorter --timeout-ms'
    );
  }
  return undefined;
}

/** Where the JSON lines go: stdout, or the --records FILE (appended) and the first error writing it. */
interface RecordsOut {
  /** A promise (file) resolves once the line is handed to the OS, rejects when it was not (no write follows). */
  write(record: SweepRecord): void | Promise<void>;
  /** Ends the file; the first write error, if any. */
  close(): Promise<NodeJS.ErrnoException | undefined>;
}

/**
 * Opens the records file before anything is read (a run must never make writes whose records have
 * nowhere to go); undefined when it cannot be opened, after saying so.
 */
async function openRecords(path: string | undefined, io: CliIO): Promise<RecordsOut | undefined> {
  if (path === undefined) {
    const write = (record: SweepRecord): void => {
      io.stdout.write(`${jsonLine(record)}\n`);
    };
    return { write, close: () => Promise.resolve(undefined) };
  }
  let file: WriteStream;
  try {
    file = (await open(isAbsolute(path) ? path : resolve(io.cwd, path), 'a')).createWriteStream();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    io.stderr.write(
      `privatelink-approver apply: cannot open --records ${path}: ${code}; nothing was read or changed\n`,
    );
    return undefined;
  }
  let failure: NodeJS.ErrnoException | undefined;
  file.on('error', (error: NodeJS.ErrnoException) => (failure ??= error));
  return {
    // Rejects when the line was not written: the sweep then sends no more writes (intent before effect).
    write: (record) =>
      new Promise<void>((done, fail) =>
        file.write(`${jsonLine(record)}\n`, (error) => {
          if (!error) return done();
          failure ??= error as NodeJS.ErrnoException;
          fail(error);
        }),
      ),
    close: () =>
      new Promise((done) => {
        if (file.destroyed) return done(failure);
        file.end((error?: Error | null) => done(failure ?? (error as NodeJS.ErrnoException | null) ?? undefined));
      }),
  };
}

/** The sweep, its summary and its exit code; a stop (credentials) is reported and keeps its summary. */
async function sweep(prepared: PreparedSweep, out: RecordsOut, io: CliIO): Promise<[RunSummaryRecord, number]> {
  const deadlineText = stringFlag(prepared.flags, 'deadline-seconds');
  const progress = applyProgress(io);
  try {
    const { summary } = await runSweep({
      policy: prepared.policy,
      api: prepared.api,
      mode: resolveRunMode(booleanFlag(prepared.flags, 'dry-run') ? 'dry-run' : 'enforce', prepared.policy.mode),
      scope: scopeOf(prepared.flags),
      ...(prepared.regions === undefined ? {} : { regions: prepared.regions }),
      ...(prepared.services === undefined ? {} : { services: prepared.services }),
      ...(prepared.logger === undefined ? {} : { logger: prepared.logger }),
      ...(deadlineText === undefined ? {} : { deadline: Date.now() + Number(deadlineText) * 1000 }),
      callTimeoutMs: prepared.callTimeoutMs,
      providerAccountId: prepared.providerAccountId,
      sink: (record) => out.write(record),
      onProgress: progress,
    });
    return [summary, applyExitCode(summary)];
  } catch (error) {
    const exit = reportStop('apply', error, io);
    return [(error as { summary: RunSummaryRecord }).summary, exit];
  } finally {
    progress.finish();
    prepared.api.close();
  }
}

export const applyCommand: Command = {
  name: 'apply',
  summary: SUMMARY,
  help: renderHelp({
    usage: 'apply --policy FILE [options]',
    summary: SUMMARY,
    description: `Runs one sweep - the same as the scheduled function: lists the governed connections, decides each
against the policy, and accepts, rejects, resizes or revokes them (one write at a time, each with a
ClientToken from the decision and the connection's state, so a repeated run never acts twice).`,
    options: `${SWEEP_FLAGS_HELP}
  --dry-run              write nothing; records say mode "dry-run" (the policy's mode can only be
                         narrowed to dry-run, never widened to enforce)
  --deadline-seconds N   start no new call later than N seconds minus one call's timeout; what
                         is left is recorded "deferred" and picked up by the next run (N must be
                         more than --timeout-ms / 1000; default 900)
  --records FILE         write the JSON lines to FILE (appended) instead of stdout
  --scope requests|all   requests: only the connections awaiting a decision, as the function's
                         requests handler (docs/cadences.md); all (default): the full sweep, drift
                         included, as its reconcile handler`,
    notes: `Output: one JSON decision record per line on stdout (or into --records FILE), the run summary
record last; a readable summary on stderr.

${CREDENTIALS_NOTE}`,
    exitCodes: {
      ok: 'done (also when the deadline deferred part of the work to the next run)',
      usage: 'bad flags, or --region/--service naming something the policy does not govern',
      policyInvalid: 'the policy does not validate',
      apiFailure: 'credentials or permissions stopped the run',
      partialFailure:
        'some decisions failed, a governed service could not be listed or found, or a listed item was invalid',
      blocked: 'a safety limit blocked part of the plan',
      cannotCreate: 'the --records FILE cannot be opened (nothing read or changed)',
      ioError: 'writing the --records FILE failed during the run',
    },
  }),
  async run(argv, io) {
    const prepared = await prepareSweep('apply', argv, io, EXTRA_FLAGS, {}, checkDeadline);
    if (typeof prepared === 'number') return prepared;
    const recordsPath = stringFlag(prepared.flags, 'records');
    const out = await openRecords(recordsPath, io);
    if (out === undefined) {
      prepared.api.close();
      return EXIT.cannotCreate;
    }
    const [summary, exit] = await sweep(prepared, out, io);
    const recordsError = await out.close();
    if (summary !== undefined)
      io.stderr.write(renderSummary(summary, createStyle(io.stderr, io.env), terminalWidth(io, io.stderr)));
    if (recordsError !== undefined) {
      io.stderr.write(
        `privatelink-approver apply: writing --records ${recordsPath} failed: ` +
          `${recordsError.code ?? recordsError.message}; ` +
          'the records after the failure are lost (the summary above is complete)\n',
      );
      return EXIT.ioError;
    }
    if (exit === EXIT.ok && notGovernedAfterRun('apply', summary, prepared, io)) return EXIT.usage;
    return exit;
  },
};
