import type { SweepResult } from '../../functions/sweep/run-sweep.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import { jsonDocument } from '../../functions/audit/json-line.ts';
import type { CliIO, Command } from '../command.ts';
import { EXIT, isPartial, partialWhy } from '../exit-codes.ts';
import { renderHelp } from '../help.ts';
import type { ParsedFlags } from '../parse-flags.ts';
import { stringFlag } from '../parse-flags.ts';
import { hasChanges, planJson, renderPlanMarkdown, renderPlanTable } from '../render-plan.ts';
import { createStyle } from '../style.ts';
import type { PreparedSweep } from '../sweep-setup.ts';
import { CREDENTIALS_NOTE, SWEEP_FLAGS_HELP, notGovernedAfterRun, prepareSweep, reportStop } from '../sweep-setup.ts';

const FORMATS = ['table', 'json', 'markdown'];
const SUMMARY = 'Show what a sweep would change (reads only, writes nothing)';

function checkFormat(flags: ParsedFlags): string | undefined {
  const format = stringFlag(flags, 'format');
  return format === undefined || FORMATS.includes(format)
    ? undefined
    : `--format must be one of ${FORMATS.join(', ')}, got "${format}"`;
}

/** The plan in the asked format on stdout. */
function printPlan(format: string, { plan, summary }: SweepResult, io: CliIO): void {
  if (format === 'json') {
    const doc = planJson(plan, summary.policyRevision, summary.warnings, summary.servicesFailed);
    io.stdout.write(jsonDocument(doc));
  } else if (format === 'markdown') {
    io.stdout.write(renderPlanMarkdown(plan, summary.warnings, summary.servicesFailed));
  } else {
    io.stdout.write(renderPlanTable(plan, summary.warnings, summary.servicesFailed, createStyle(io.stdout, io.env)));
  }
}

/** The live plan behind `plan` and `propose`: a sweep in mode `plan` (writes nothing); closes the client. */
export async function planSweep(prepared: PreparedSweep): Promise<SweepResult> {
  try {
    return await runSweep({
      policy: prepared.policy,
      api: prepared.api,
      mode: 'plan',
      ...(prepared.regions === undefined ? {} : { regions: prepared.regions }),
      ...(prepared.services === undefined ? {} : { services: prepared.services }),
      ...(prepared.logger === undefined ? {} : { logger: prepared.logger }),
      callTimeoutMs: prepared.callTimeoutMs,
      providerAccountId: prepared.providerAccountId,
      sink: () => undefined,
    });
  } finally {
    prepared.api.close();
  }
}

export const planCommand: Command = {
  name: 'plan',
  summary: SUMMARY,
  help: renderHelp({
    usage: 'plan --policy FILE [options]',
    summary: SUMMARY,
    description: `Lists the governed services and their connections (live API, or the emulator with --endpoint),
decides every connection against the policy and prints what apply would change, whitelist changes of
\`whitelist: sync\` rules included. Writes nothing.`,
    options: `${SWEEP_FLAGS_HELP}
  -f, --format FORMAT    table (default; grouped by service), json (one object per decision, for
                         tools and pull-request comments) or markdown (control characters and
                         Markdown syntax in names and reasons escaped)`,
    notes: CREDENTIALS_NOTE,
    exitCodes: {
      ok: 'nothing to change',
      changesPending: 'changes pending',
      usage: 'bad flags, or --region/--service naming something the policy does not govern',
      policyInvalid: 'the policy does not validate',
      apiFailure: 'credentials or permissions refused: no plan was made',
      partialFailure:
        'the plan is partial: a governed service could not be listed or found, or a listed item was invalid',
    },
  }),
  async run(argv, io) {
    const prepared = await prepareSweep('plan', argv, io, { format: { type: 'string', short: 'f' } }, {}, checkFormat);
    if (typeof prepared === 'number') return prepared;
    let result: SweepResult;
    try {
      result = await planSweep(prepared);
    } catch (error) {
      return reportStop('plan', error, io);
    }
    printPlan(stringFlag(prepared.flags, 'format') ?? 'table', result, io);
    if (isPartial(result.summary)) {
      io.stderr.write(`privatelink-approver plan: ${partialWhy(result.summary)}; the plan is partial\n`);
      return EXIT.partialFailure;
    }
    if (notGovernedAfterRun('plan', result.summary, prepared, io)) return EXIT.usage;
    return hasChanges(result.plan) ? EXIT.changesPending : EXIT.ok;
  },
};
