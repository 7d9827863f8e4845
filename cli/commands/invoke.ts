/**
 * `privatelink-approver invoke`: runs the deployed function now (synchronously) and prints the run
 * summary it returns; the exit code comes from that summary. Used by the deploy pipeline right after
 * `s deploy`, so a merged policy takes effect at once instead of at the next timer tick.
 *
 * Transport: FC 3.0's API (2023-03-30, ../invoke/fc3-client.ts, V3 signature) for functions deployed by
 * s.yaml; `--api 2016-08-15 --fc-service NAME` uses @alicloud/fc2 for a function in an FC 2.0 service.
 */
import { parseFlags } from '../parse-flags.ts';
import type { CliIO, Command } from '../command.ts';
import { EXIT, handlerResultExitCode } from '../exit-codes.ts';
import { renderHelp } from '../help.ts';
import { CREDENTIALS_NOTE } from '../sweep-setup.ts';
import type { RunSummaryRecord } from '../../functions/audit/audit-records.ts';
import { isRunSummaryRecord } from '../../functions/audit/audit-records.ts';
import type { AccessKeyCredentials } from '../../functions/client/credentials.ts';
import { credentialsFromDefaultChain } from '../../functions/client/credentials.ts';
import type { HandlerResult } from '../../functions/fc/invocation-result.ts';
import { isInvocationError } from '../../functions/fc/invocation-result.ts';
import { invokeFc2 } from '../invoke/fc2-client.ts';
import { invokeFc3 } from '../invoke/fc3-client.ts';
import {
  DEFAULT_FUNCTION,
  DEFAULT_TIMEOUT_SECONDS,
  INVOKE_FLAGS,
  readInvokeOptions,
} from '../invoke/invoke-options.ts';
import type { InvokeAnswer, InvokeTarget } from '../invoke/invoke-target.ts';
import type { Scrub } from '../../functions/client/secret-scrubber.ts';
import { describeInvokeFailure, describeTarget, InvokeFailed, invokeScrubber } from '../invoke/invoke-target.ts';

const SUMMARY = 'Run the deployed function now (FC) and print its run summary';

const HELP = renderHelp({
  usage: 'invoke --region R --account-id ID [options]',
  summary: SUMMARY,
  description: `Runs the deployed function now, synchronously, and prints the run summary it returns (JSON, on
stdout) and one line of verdict (stderr); the exit code comes from that summary. The deploy pipeline runs
it right after \`s deploy\`, so a merged policy takes effect at once.`,
  options: `  --region R             the function's region, e.g. cn-hangzhou (required)
  --account-id ID        your Alibaba Cloud account ID (required; the FC endpoint is
                         https://<account-id>.<region>.fc.aliyuncs.com)
  --function NAME        the function (default ${DEFAULT_FUNCTION}: s.yaml's full sweep;
                         privatelink-approver-requests is its requests handler)
  --dry-run              ask for a dry run (a payload can narrow a run, never widen it)
  --service ID           only this endpoint service (repeatable, or comma-separated)
  --api VERSION          2023-03-30 (default): FC 3.0's API, for a function deployed by s.yaml;
                         2016-08-15: FC 2.0's API, for a function in an FC 2.0 service
  --fc-service NAME      the FC 2.0 service of the function (needed with --api 2016-08-15)
  --timeout SECONDS      how long to wait for the run (default ${DEFAULT_TIMEOUT_SECONDS}; in s.yaml the
                         reconcile function's timeout is 600, the requests function's 50)
  --endpoint URL         another FC endpoint (tests: http://127.0.0.1:PORT)`,
  notes: `FC 3.0: POST <endpoint>/2023-03-30/functions/<function>/invocations, signed ACS3-HMAC-SHA256.
FC 2.0: POST <endpoint>/2016-08-15/services/<fc-service>/functions/<function>/invocations (@alicloud/fc2).

${CREDENTIALS_NOTE}
They need fc:InvokeFunction on the function. No secret is ever printed, not even when FC echoes a refused
request.`,
  exitCodes: {
    ok: 'the run went through',
    internal: "internal error: the function crashed, or answered something that is not a run's result",
    usage: 'bad flags, or the function refused the payload or its own configuration',
    policyInvalid: "the function's policy did not load: nothing changed",
    apiFailure: 'the invocation failed (FC refused it, no answer), or credentials/permissions stopped the run',
    partialFailure:
      'some decisions failed to apply, a governed service was not listed or found, or a listed item was invalid',
    blocked: 'a safety limit blocked part of the plan',
  },
});

function fail(io: CliIO, message: string, code: number, scrub: Scrub = invokeScrubber(undefined)): number {
  io.stderr.write(`privatelink-approver invoke: ${scrub(message)}\n`);
  return code;
}

function verdict(summary: RunSummaryRecord): string {
  const parts = Object.entries(summary.counts.byOutcome)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  const aborted = summary.aborted === null ? '' : `; aborted: ${summary.aborted.errorCode}`;
  return `${summary.mode} run ${summary.runId}: ${parts.length === 0 ? 'nothing to do' : parts.join(', ')}${aborted}`;
}

/** The function's answer as a run summary or an invocation error, and the exit code it means. */
function report(answer: InvokeAnswer, io: CliIO, key: AccessKeyCredentials): number {
  // Every string printed from here on came (in part) from the network: none may carry a secret.
  const scrub = invokeScrubber(key, answer.signature);
  let result: unknown = answer.data;
  if (typeof result === 'string' || Buffer.isBuffer(result)) {
    try {
      result = JSON.parse(String(result));
    } catch {
      const excerpt = String(result).slice(0, 200);
      return fail(io, `the function answered something that is not JSON: ${excerpt}`, EXIT.internal, scrub);
    }
  }
  if (answer.errorType !== undefined) {
    const message = (result as { errorMessage?: unknown } | null)?.errorMessage;
    const said = typeof message === 'string' ? message : JSON.stringify(result);
    return fail(io, `the function failed (${answer.errorType}): ${said}`, EXIT.internal, scrub);
  }
  if (!isRunSummaryRecord(result) && !isInvocationError(result)) {
    const excerpt = JSON.stringify(result).slice(0, 200);
    return fail(
      io,
      `the function answered JSON that is neither a run summary nor an invocation error: ${excerpt}`,
      EXIT.internal,
      scrub,
    );
  }
  const outcome = result as HandlerResult;
  io.stdout.write(`${scrub(JSON.stringify(outcome, null, 2))}\n`);
  const code = handlerResultExitCode(outcome);
  const head = `privatelink-approver invoke: FC request ${answer.requestId ?? outcome.fcRequestId}:`;
  const said = isInvocationError(outcome) ? outcome.message : verdict(outcome);
  io.stderr.write(`${scrub(`${head} ${said} (exit ${code})`)}\n`);
  return code;
}

async function invoke(target: InvokeTarget, body: string, io: CliIO): Promise<number> {
  let key: AccessKeyCredentials;
  try {
    key = await credentialsFromDefaultChain()();
  } catch (error) {
    return fail(io, (error as Error).message, EXIT.apiFailure);
  }
  const withBody = body === '' ? '' : ` with ${body}`;
  io.stderr.write(`privatelink-approver invoke: invoking ${describeTarget(target)}${withBody}\n`);
  let answer: InvokeAnswer;
  try {
    answer = await (target.api === '2016-08-15' ? invokeFc2 : invokeFc3)(target, body, key);
  } catch (error) {
    if (!(error instanceof InvokeFailed)) throw error;
    const description = describeInvokeFailure(error.failure, target);
    const scrub = invokeScrubber(key, error.signature);
    if (error.failure.kind === 'credentials') return fail(io, description, EXIT.apiFailure, scrub);
    return fail(io, `the invocation failed: ${description}`, EXIT.apiFailure, scrub);
  }
  return report(answer, io, key);
}

export const invokeCommand: Command = {
  name: 'invoke',
  summary: SUMMARY,
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags('invoke', argv, INVOKE_FLAGS, io);
    if (flags === undefined) return EXIT.usage;
    const options = readInvokeOptions(flags);
    if (!options.ok) return fail(io, options.message, EXIT.usage);
    return invoke(options.target, options.body, io);
  },
};
