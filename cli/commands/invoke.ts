/**
 * `privatelink-approver invoke`: runs the deployed function now (synchronously) and prints the run
 * summary it returns; the exit code comes from that summary. Used by the deploy pipeline right after
 * `s deploy`, so a merged policy takes effect at once instead of at the next timer tick.
 *
 * Transport: `@alicloud/fc2`, which speaks only the FC 2016-08-15 API:
 * `POST https://<account-id>.<region>.fc.aliyuncs.com/2016-08-15/services/<fc-service>/functions/<function>/invocations`.
 * FC 3.0 has no services; `--fc-service` (default `default`) names the 2016-08-15 service segment the
 * function is addressed under. That addressing was not confirmed against the live service (README, Deploy).
 */
import { parseFlags } from '../parse-flags.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import type { RunSummaryRecord } from '../../functions/audit/audit-records.ts';
import { isRunSummaryRecord } from '../../functions/audit/audit-records.ts';
import { credentialsFromDefaultChain } from '../../functions/client/credentials.ts';
import { EndpointOverrideError, parseEndpointOrigin } from '../../functions/client/endpoint-override.ts';
import type { Fc2Client, Fc2ClientConstructor, Fc2Error } from '../invoke/fc2-client.ts';
import { loadFc2 } from '../invoke/fc2-client.ts';
import type { RunRequest } from '../../functions/fc/invocation-event.ts';
import { parseRunRequest } from '../../functions/fc/invocation-event.ts';
import type { HandlerResult } from '../../functions/fc/invocation-result.ts';
import { isInvocationError } from '../../functions/fc/invocation-result.ts';
import { handlerResultExitCode } from '../exit-codes.ts';

const DEFAULT_FUNCTION = 'privatelink-approver';
const DEFAULT_FC_SERVICE = 'default';
const DEFAULT_TIMEOUT_SECONDS = 300;

const HELP = `privatelink-approver invoke: run the deployed function now and print its run summary

Usage: privatelink-approver invoke --region R --account-id ID [options]

Options:
  --function NAME      The function (default ${DEFAULT_FUNCTION}, as in s.yaml).
  --region R           The function's region, e.g. cn-hangzhou.
  --account-id ID      Your Alibaba Cloud account ID (the FC endpoint is
                       https://<account-id>.<region>.fc.aliyuncs.com).
  --dry-run            Ask for a dry run (a payload can narrow a run, never widen it).
  --service ID         Only this endpoint service (repeatable, or comma-separated).
  --fc-service NAME    The FC 2016-08-15 API service segment the function is addressed
                       under (default ${DEFAULT_FC_SERVICE}; see README "Deploy": not confirmed live).
  --timeout SECONDS    How long to wait for the run (default ${DEFAULT_TIMEOUT_SECONDS}; s.yaml's timeout is 240).
  --endpoint URL       Another FC endpoint (tests: http://127.0.0.1:PORT).
  -h, --help           This help.

API: the FC 2016-08-15 API through @alicloud/fc2, synchronous:
  POST <endpoint>/2016-08-15/services/<fc-service>/functions/<function>/invocations
Whether FC serves FC 3.0 functions under that address is not confirmed (README "Deploy"): if it
answers 404 although the function exists, run it with \`s invoke\` or the console's "Test function".

Credentials: the standard Alibaba Cloud chain (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET[/SECURITY_TOKEN],
the aliyun CLI profile, ...); they need fc:InvokeFunction on the function.
Output: the run summary (JSON) on stdout, one line of verdict on stderr.
Exit code: from the summary: 0 ok, 65 the policy did not load, 64 the payload or configuration was
refused, 69 credentials/permissions stopped the run (or the invocation itself failed), 70 some
decisions failed, 71 a safety limit blocked part of the plan, 1 the function crashed.
`;

function fail(io: Parameters<Command['run']>[1], message: string, code: number): number {
  io.stderr.write(`privatelink-approver invoke: ${message}\n`);
  return code;
}

function verdict(summary: RunSummaryRecord): string {
  const o = summary.counts.byOutcome;
  const parts = Object.entries(o)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return `${summary.mode} run ${summary.runId}: ${parts.length === 0 ? 'nothing to do' : parts.join(', ')}${summary.aborted === null ? '' : `; aborted: ${summary.aborted.errorCode}`}`;
}

/** Where the invocation was sent: named in every error so a wrong address is visible at once. */
interface InvokeTarget {
  endpoint: string;
  fcService: string;
  functionName: string;
  timeoutSeconds: number;
}

/**
 * A failed invocation as one clear sentence: what answered, and what to do about it. fc2 throws an Error
 * named `FC<ErrorCode>Error` with `code` = FC's ErrorCode and a message `POST <path> failed with <status>.
 * requestid: <id>, message: <FC's message>.` for a non-2xx answer (lib/client.js `request`); httpx's
 * `RequestTimeoutError` when no answer came in time; Node's socket errors (`code` ECONNREFUSED, ...); a
 * SyntaxError for a JSON content type with a broken body. None of these carries a secret (fc2 signs in
 * a header, never in the URL).
 */
export function describeInvokeError(error: unknown, target: InvokeTarget): string {
  const address = `service segment "${target.fcService}", function "${target.functionName}" at ${target.endpoint}`;
  if (!(error instanceof Error)) return `${String(error)} (${address})`;
  const code = (error as Fc2Error).code;
  const status = /failed with (\d{3})\./.exec(error.message)?.[1];
  if (status !== undefined) {
    const requestId = /requestid: ([^,]+),/.exec(error.message)?.[1];
    const said = `HTTP ${status}${requestId === undefined || requestId === 'undefined' ? '' : `, FC request ${requestId}`}`;
    if (code === undefined) {
      // fc2 found no FC error body (a proxy's or gateway's page, or not an FC endpoint at all).
      return `${target.endpoint} answered ${said} without an FC error body: is --endpoint (or --region/--account-id) an FC endpoint? The function may not have run.`;
    }
    const fcMessage = /message: (.*)\.$/s.exec(error.message)?.[1];
    const head = `${code}${fcMessage === undefined || fcMessage === 'undefined' ? '' : `: ${fcMessage}`} (${said}; ${address})`;
    if (status === '404') {
      return `${head}. Check --function, --region and --account-id. If the function does exist, FC did not find it under the FC 2016-08-15 address invoke uses (not confirmed for FC 3.0 functions, README "Deploy"): run it with \`s invoke\` or the console's "Test function" instead, or try --fc-service NAME.`;
    }
    if (status === '401' || status === '403') {
      return `${head}. The caller's AccessKey (the standard credential chain) must be valid and allowed fc:InvokeFunction on the function.`;
    }
    if (status === '429') {
      return `${head}. Probably a run is in progress: s.yaml reserves one instance (reservedConcurrency 1), so an invocation waits for none. Invoke again once it ends (at most the function's timeout).`;
    }
    return head;
  }
  if (error.name.startsWith('RequestTimeout')) {
    return `no answer within --timeout ${target.timeoutSeconds} s (${address}): the run may still be going on; its records will be in the logstore. Raise --timeout above the function's timeout (s.yaml) to wait for it.`;
  }
  if (typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code)) {
    return `cannot reach ${target.endpoint}: ${code} (${error.message}). The function did not run.`;
  }
  if (error.name === 'SyntaxError') {
    return `${target.endpoint} answered a JSON content type with a body that is not JSON (${error.message}).`;
  }
  return `${code === undefined ? '' : `${code}: `}${error.message} (${address})`;
}

export const invokeCommand: Command = {
  name: 'invoke',
  summary: 'Run the deployed function now (FC) and print its run summary',
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags(
      'invoke',
      argv,
      {
        function: { type: 'string' },
        region: { type: 'string' },
        'account-id': { type: 'string' },
        'dry-run': { type: 'boolean' },
        service: { type: 'string', multiple: true },
        'fc-service': { type: 'string' },
        timeout: { type: 'string' },
        endpoint: { type: 'string' },
      },
      io,
    );
    if (flags === undefined) return EXIT.usage;
    const { values } = flags;
    const functionName = (values.function as string | undefined) ?? DEFAULT_FUNCTION;
    const region = values.region as string | undefined;
    const accountId = values['account-id'] as string | undefined;
    const fcService = (values['fc-service'] as string | undefined) ?? DEFAULT_FC_SERVICE;
    if (region === undefined || !/^[a-z]{2,}(-[a-z0-9]+){1,3}$/.test(region)) {
      return fail(
        io,
        `--region is required and must be a region ID such as cn-hangzhou${region === undefined ? '' : `, got "${region}"`}`,
        EXIT.usage,
      );
    }
    if (accountId === undefined || !/^[0-9]{5,20}$/.test(accountId)) {
      return fail(
        io,
        `--account-id is required and must be your account ID (digits)${accountId === undefined ? '' : `, got "${accountId}"`}`,
        EXIT.usage,
      );
    }
    if (!/^[a-zA-Z_][a-zA-Z0-9_$-]{0,127}$/.test(functionName) || !/^[a-zA-Z_][a-zA-Z0-9_-]{0,127}$/.test(fcService)) {
      return fail(io, `--function and --fc-service must be FC names (letters, digits, _ and -)`, EXIT.usage);
    }
    const timeoutSeconds = values.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(values.timeout);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 86400) {
      return fail(
        io,
        `--timeout must be a whole number of seconds between 1 and 86400, got "${String(values.timeout)}"`,
        EXIT.usage,
      );
    }
    let endpoint = `https://${accountId}.${region}.fc.aliyuncs.com`;
    if (values.endpoint !== undefined) {
      try {
        endpoint = parseEndpointOrigin(values.endpoint as string, '--endpoint');
      } catch (error) {
        if (!(error instanceof EndpointOverrideError)) throw error;
        return fail(io, error.message, EXIT.usage);
      }
    }

    // The payload is checked here with the function's own rules, so a bad one fails before any call.
    const payload: Record<string, unknown> = {};
    if (values['dry-run'] === true) payload.dryRun = true;
    const services = ((values.service as string[] | undefined) ?? [])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (services.length > 0) payload.services = services;
    const checked = parseRunRequest(payload);
    if (!checked.ok) return fail(io, checked.error.replace(/^payload\.services/, '--service'), EXIT.usage);
    const request: RunRequest = checked.request;
    const body = Object.keys(request).length === 0 ? '' : JSON.stringify(request);

    let credentials;
    try {
      credentials = await credentialsFromDefaultChain()();
    } catch (error) {
      return fail(io, (error as Error).message, EXIT.apiFailure);
    }

    let FcClient: Fc2ClientConstructor;
    try {
      FcClient = loadFc2();
    } catch (error) {
      return fail(io, `cannot load @alicloud/fc2: ${(error as Error).message}`, EXIT.internal);
    }
    let client: Fc2Client;
    try {
      client = new FcClient(accountId, {
        accessKeyID: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        securityToken: credentials.securityToken,
        region,
        endpoint,
        timeout: timeoutSeconds * 1000,
      });
    } catch (error) {
      // fc2 checks the key itself: an `STS.` key without its security token, for one.
      return fail(io, `these credentials cannot sign an FC request: ${(error as Error).message}`, EXIT.apiFailure);
    }

    io.stderr.write(
      `privatelink-approver invoke: invoking ${functionName} in ${region} (${endpoint}, service segment ${fcService})${body === '' ? '' : ` with ${body}`}\n`,
    );
    let response;
    try {
      response = await client.invokeFunction(fcService, functionName, body);
    } catch (error) {
      return fail(
        io,
        `the invocation failed: ${describeInvokeError(error, { endpoint, fcService, functionName, timeoutSeconds })}`,
        EXIT.apiFailure,
      );
    }

    let result: unknown = response.data;
    if (typeof result === 'string' || Buffer.isBuffer(result)) {
      try {
        result = JSON.parse(String(result));
      } catch {
        return fail(
          io,
          `the function answered something that is not JSON: ${String(result).slice(0, 200)}`,
          EXIT.internal,
        );
      }
    }
    const errorType = response.headers['x-fc-error-type'];
    if (errorType !== undefined) {
      const message = (result as { errorMessage?: unknown } | null)?.errorMessage;
      return fail(
        io,
        `the function failed (${String(errorType)}): ${typeof message === 'string' ? message : JSON.stringify(result)}`,
        EXIT.internal,
      );
    }
    if (!isRunSummaryRecord(result) && !isInvocationError(result)) {
      return fail(
        io,
        `the function answered JSON that is neither a run summary nor an invocation error: ${JSON.stringify(result).slice(0, 200)}`,
        EXIT.internal,
      );
    }
    const outcome = result as HandlerResult;
    io.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    const code = handlerResultExitCode(outcome);
    const requestId = response.headers['x-fc-request-id'];
    const head = `privatelink-approver invoke: FC request ${String(requestId ?? outcome.fcRequestId)}:`;
    if (isInvocationError(outcome)) io.stderr.write(`${head} ${outcome.message} (exit ${code})\n`);
    else io.stderr.write(`${head} ${verdict(outcome)} (exit ${code})\n`);
    return code;
  },
};
