import type { WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { RunSummaryRecord, SweepRecord } from '../../functions/audit/audit-records.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import { resolveRunMode } from '../../functions/sweep/run-mode.ts';
import type { ProgressEvent } from '../../functions/sweep/run-sweep.ts';
import type { CliIO, Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { booleanFlag, stringFlag } from '../parse-flags.ts';
import { renderSummary } from '../render-run.ts';
import { createStyle } from '../style.ts';
import { DEFAULT_CALL_TIMEOUT_MS, SWEEP_FLAGS_HELP, prepareSweep, reportStop } from '../sweep-setup.ts';

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

/** The exit code of a finished run: 70 some decisions failed, 71 a safety limit blocked part, else 0. */
export function applyExitCode(summary: RunSummaryRecord): number {
  if (summary.counts.byOutcome.failed > 0 || summary.servicesFailed.length > 0) return EXIT.partialFailure;
  if (summary.counts.byOutcome.blocked > 0) return EXIT.blocked;
  return EXIT.ok;
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Run one sweep: decide every connection and apply the decisions',
  help: `Usage: privatelink-approver apply --policy FILE [options]

Runs one sweep - the same as the scheduled function: lists the governed connections, decides each
against the policy, and accepts, rejects, resizes or revokes them (one write at a time, each with a
ClientToken from the decision and the connection's state, so a repeated run never acts twice). Prints one JSON decision record per line on
stdout (or into --records FILE) and the run summary record last; a readable summary goes to stderr.

Options:
${SWEEP_FLAGS_HELP}
  --dry-run              write nothing; records say mode "dry-run" (the policy's mode can only be
                         narrowed to dry-run, never widened to enforce)
  --deadline-seconds N   start no new call later than N seconds minus one call's timeout; what
                         is left is recorded "deferred" and picked up by the next run (N must be
                         more than --timeout-ms / 1000)
  --records FILE         write the JSON lines to FILE (appended) instead of stdout

Exit codes: 0 done (also when the deadline deferred part of the work to the next run), 64 bad flags,
65 invalid policy, 69 credentials/API failure stopped the run, 70 some decisions failed or a service
could not be listed (recorded; the run went on), 71 a safety limit blocked part of the plan, 73 the
--records FILE cannot be opened (nothing read or changed), 74 writing it failed during the run.
`,
  async run(argv, io) {
    const extra = {
      'dry-run': { type: 'boolean' },
      'deadline-seconds': { type: 'string' },
      records: { type: 'string' },
    } as const;
    const prepared = await prepareSweep('apply', argv, io, extra, {}, (flags) => {
      const text = stringFlag(flags, 'deadline-seconds');
      if (text === undefined) return undefined;
      if (!(Number.isFinite(Number(text)) && Number(text) > 0))
        return `--deadline-seconds must be a positive number, got "${text}"`;
      // No call starts with less than one call's timeout left before the deadline (it could not finish in
      // time): a deadline no longer than that timeout leaves no time for even the first listing.
      const timeoutMs = Number(stringFlag(flags, 'timeout-ms') ?? DEFAULT_CALL_TIMEOUT_MS);
      if (Number.isInteger(timeoutMs) && timeoutMs > 0 && Number(text) * 1000 <= timeoutMs) {
        return `--deadline-seconds ${text} leaves no time for a single API call: none starts with less than one call's timeout (--timeout-ms ${timeoutMs}) left; give more than ${timeoutMs / 1000} seconds (a sweep needs several calls in a row), or a shorter --timeout-ms`;
      }
      return undefined;
    });
    if (typeof prepared === 'number') return prepared;
    const deadlineText = stringFlag(prepared.flags, 'deadline-seconds');
    const recordsPath = stringFlag(prepared.flags, 'records');
    // The records file is opened before anything is read: a run must never make writes whose records
    // have nowhere to go.
    let file: WriteStream | undefined;
    let recordsError: NodeJS.ErrnoException | undefined;
    if (recordsPath !== undefined) {
      try {
        const handle = await open(isAbsolute(recordsPath) ? recordsPath : resolve(io.cwd, recordsPath), 'a');
        file = handle.createWriteStream();
        file.on('error', (error: NodeJS.ErrnoException) => {
          recordsError ??= error;
        });
      } catch (error) {
        prepared.api.close();
        io.stderr.write(
          `privatelink-approver apply: cannot open --records ${recordsPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; nothing was read or changed\n`,
        );
        return EXIT.cannotCreate;
      }
    }
    const out: NodeJS.WritableStream = file ?? io.stdout;
    const write = (record: SweepRecord): void => {
      out.write(`${JSON.stringify(record)}\n`);
    };
    let summary: RunSummaryRecord;
    let exit: number;
    const progress = applyProgress(io);
    try {
      const result = await runSweep({
        policy: prepared.policy,
        api: prepared.api,
        mode: resolveRunMode(booleanFlag(prepared.flags, 'dry-run') ? 'dry-run' : 'enforce', prepared.policy.mode),
        ...(prepared.regions === undefined ? {} : { regions: prepared.regions }),
        ...(prepared.services === undefined ? {} : { services: prepared.services }),
        ...(prepared.logger === undefined ? {} : { logger: prepared.logger }),
        ...(deadlineText === undefined ? {} : { deadline: Date.now() + Number(deadlineText) * 1000 }),
        callTimeoutMs: prepared.callTimeoutMs,
        sink: write,
        onProgress: progress,
      });
      summary = result.summary;
      exit = applyExitCode(summary);
    } catch (error) {
      exit = reportStop('apply', error, io);
      summary = (error as { summary: RunSummaryRecord }).summary;
    } finally {
      progress.finish();
      prepared.api.close();
      if (file !== undefined) {
        const stream = file;
        await new Promise<void>((done) => {
          if (stream.destroyed) return done();
          stream.end((error?: Error | null) => {
            if (error) recordsError ??= error as NodeJS.ErrnoException;
            done();
          });
        });
      }
    }
    if (summary !== undefined) io.stderr.write(renderSummary(summary, createStyle(io.stderr, io.env)));
    if (recordsError !== undefined) {
      io.stderr.write(
        `privatelink-approver apply: writing --records ${recordsPath} failed: ${recordsError.code ?? recordsError.message}; the records after the failure are lost (the summary above is complete)\n`,
      );
      return EXIT.ioError;
    }
    return exit;
  },
};
