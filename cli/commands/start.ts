import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../emulator/index.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { SweepRecord } from '../../functions/audit/audit-records.ts';
import { isAuditRecord } from '../../functions/audit/audit-records.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import { resolveRunMode } from '../../functions/sweep/run-mode.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { booleanFlag, parseFlags, stringFlag } from '../parse-flags.ts';
import { hasPendingWork, renderRecords, renderSummary } from '../render-run.ts';
import { createStyle } from '../style.ts';
import { loadPolicyForCli, reportStop } from '../sweep-setup.ts';

const DEMO_POLICY = fileURLToPath(new URL('../../policies/demo.yaml', import.meta.url));
const PROVIDER_ACCOUNT = '1000000000000001';

/** A path relative to the working directory when it lies below it, else as it is. */
function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

export const startCommand: Command = {
  name: 'start',
  summary: 'Demo: start the embedded emulator with the demo fleet and sweep it twice (npm start)',
  help: `Usage: privatelink-approver start [--policy FILE] [--records FILE] [--keep-running]

What \`npm start\` runs; needs no cloud account. Starts the embedded PrivateLink API emulator on
127.0.0.1 with the demo fleet, runs a real sweep (apply, enforce) with policies/demo.yaml through the
real API client, and prints what it decided and did. Then it advances the emulator's clock past the
accept/disconnect transitions and sweeps again, to show the fleet has converged: nothing left to do.

Options:
  -p, --policy FILE      another policy (default: policies/demo.yaml)
  --records FILE         also write both runs' JSON records to FILE (appended)
  --keep-running         leave the emulator up afterwards and print its endpoint and AccessKeys
                         (stop with Ctrl-C)

Exit codes: 0 converged, 1 the second run still had work to do, 65 invalid policy, 69 API failure,
74 the --records FILE could not be written.
`,
  async run(argv, io) {
    const flags = parseFlags(
      'start',
      argv,
      { policy: { type: 'string', short: 'p' }, 'keep-running': { type: 'boolean' }, records: { type: 'string' } },
      io,
    );
    if (flags === undefined) return EXIT.usage;
    const out = createStyle(io.stdout, io.env);
    const policyPath = stringFlag(flags, 'policy') ?? DEMO_POLICY;
    const policy = await loadPolicyForCli('start', policyPath, io);
    if (typeof policy === 'number') return policy;

    const emulator = await startEmulator({ port: 0 });
    const keepRunning = booleanFlag(flags, 'keep-running');
    try {
      const provider = emulator.accounts.find((a) => a.accountId === PROVIDER_ACCOUNT) ?? emulator.accounts[0];
      const key = provider?.accessKeys[0];
      if (provider === undefined || key === undefined) throw new Error('the demo fleet has no provider account');
      const api = createPrivateLinkClient({
        credentials: staticCredentials({ accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret }),
        endpoint: emulator.url,
      });
      io.stdout.write(
        `${out.bold('privatelink-approver demo')}: emulator on ${emulator.url} with the demo fleet, ` +
          `policy ${displayPath(io.cwd, policy.revision.file)} (${policy.revision.hash}), provider account ${provider.name} (${provider.accountId})\n`,
      );
      const allRecords: SweepRecord[] = [];
      const sweep = async (title: string) => {
        io.stdout.write(`\n${out.bold(title)}\n`);
        const result = await runSweep({
          policy,
          api,
          mode: resolveRunMode('enforce', policy.mode),
          sink: (r) => allRecords.push(r),
          retry: { baseDelayMs: 100, maxDelayMs: 1000 },
        });
        io.stdout.write(renderRecords(result.records, out));
        io.stdout.write(renderSummary(result.summary, out));
        return result;
      };
      try {
        await sweep('Run 1: the demo fleet as it is');
        // Enable/Disable/Update are asynchronous (Connecting -> Connected, Disconnecting -> Disconnected):
        // move the emulator's clock past every transition, as the next scheduled run would see it.
        const settle =
          Math.max(emulator.settings.enableDelayMs, emulator.settings.disableDelayMs, emulator.settings.updateDelayMs) +
          1000;
        emulator.clock.advance(settle);
        io.stdout.write(
          `\n${out.dim(`(emulator clock advanced ${settle} ms: the accepted and disconnected connections have settled)`)}\n`,
        );
        const second = await sweep('Run 2: the same policy again');
        const recordsPath = stringFlag(flags, 'records');
        if (recordsPath !== undefined) {
          const { appendFile } = await import('node:fs/promises');
          const { isAbsolute, resolve } = await import('node:path');
          try {
            await appendFile(
              isAbsolute(recordsPath) ? recordsPath : resolve(io.cwd, recordsPath),
              allRecords.map((r) => `${JSON.stringify(r)}\n`).join(''),
            );
          } catch (error) {
            io.stderr.write(
              `privatelink-approver start: cannot write --records ${recordsPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`,
            );
            return EXIT.ioError;
          }
        }
        const held = second.records.filter((r) => isAuditRecord(r) && r.outcome === 'held').length;
        if (hasPendingWork(second.summary)) {
          io.stdout.write(`\n${out.red('Not converged: the second run still had work to do.')}\n`);
          return EXIT.internal;
        }
        io.stdout.write(
          `\n${out.green('Converged: the second run changed nothing')}${held > 0 ? ` (${held} request${held === 1 ? '' : 's'} held for a person, as the policy says)` : ''}.\n`,
        );
      } catch (error) {
        return reportStop('start', error, io);
      } finally {
        api.close();
      }
      if (keepRunning) {
        io.stdout.write(`\nThe emulator keeps running on ${emulator.url} (Ctrl-C to stop). AccessKeys:\n`);
        for (const account of emulator.accounts) {
          for (const k of account.accessKeys)
            io.stdout.write(
              `  ${account.name.padEnd(10)} ${account.accountId}  ${k.accessKeyId} / ${k.accessKeySecret}\n`,
            );
        }
        io.stdout.write(
          `Try: PRIVATELINK_ENDPOINT=${emulator.url} ALIBABA_CLOUD_ACCESS_KEY_ID=${key.accessKeyId} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${key.accessKeySecret} npm run cli -- plan --policy policies/demo.yaml\n`,
        );
        await new Promise<void>((done) => {
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
        });
      }
      return EXIT.ok;
    } finally {
      await emulator.close();
    }
  },
};
