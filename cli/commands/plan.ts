import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { stringFlag } from '../parse-flags.ts';
import { isChange, planJson, renderPlanMarkdown, renderPlanTable } from '../render-plan.ts';
import { createStyle } from '../style.ts';
import { SWEEP_FLAGS_HELP, prepareSweep, reportStop } from '../sweep-setup.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';

const FORMATS = ['table', 'json', 'markdown'];

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what a sweep would change (reads only, writes nothing)',
  help: `Usage: privatelink-approver plan --policy FILE [options]

Lists the governed services and their connections (live API, or the emulator with --endpoint),
decides every connection against the policy and prints what apply would change. Writes nothing.

Options:
${SWEEP_FLAGS_HELP}
  -f, --format FORMAT    table (default; grouped by service), json (one object per decision, for
                         tools and pull-request comments) or markdown

Exit codes: 0 nothing to change, 2 changes pending, 64 bad flags, 65 invalid policy,
69 credentials/API failure or a service that could not be listed (the plan would be partial).
`,
  async run(argv, io) {
    const prepared = await prepareSweep('plan', argv, io, { format: { type: 'string', short: 'f' } }, {}, (flags) => {
      const format = stringFlag(flags, 'format');
      return format === undefined || FORMATS.includes(format)
        ? undefined
        : `--format must be one of ${FORMATS.join(', ')}, got "${format}"`;
    });
    if (typeof prepared === 'number') return prepared;
    const format = stringFlag(prepared.flags, 'format') ?? 'table';
    let result;
    try {
      result = await runSweep({
        policy: prepared.policy,
        api: prepared.api,
        mode: 'plan',
        ...(prepared.regions === undefined ? {} : { regions: prepared.regions }),
        ...(prepared.services === undefined ? {} : { services: prepared.services }),
        ...(prepared.logger === undefined ? {} : { logger: prepared.logger }),
        callTimeoutMs: prepared.callTimeoutMs,
        sink: () => undefined,
      });
    } catch (error) {
      return reportStop('plan', error, io);
    } finally {
      prepared.api.close();
    }
    const { plan, summary } = result;
    if (format === 'json') {
      io.stdout.write(
        `${JSON.stringify(planJson(plan, summary.policyRevision, summary.warnings, summary.servicesFailed), null, 2)}\n`,
      );
    } else if (format === 'markdown') {
      io.stdout.write(renderPlanMarkdown(plan, summary.warnings, summary.servicesFailed));
    } else {
      io.stdout.write(renderPlanTable(plan, summary.warnings, summary.servicesFailed, createStyle(io.stdout, io.env)));
    }
    if (summary.servicesFailed.length > 0) {
      io.stderr.write(
        `privatelink-approver plan: ${summary.servicesFailed.length} service listing(s) failed; the plan is partial\n`,
      );
      return EXIT.apiFailure;
    }
    return plan.decisions.some(isChange) ? EXIT.changesPending : EXIT.ok;
  },
};
