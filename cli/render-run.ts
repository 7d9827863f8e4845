/**
 * How a finished run is told to a person: the records as a table (what `start` prints) and a summary
 * paragraph (what `apply` prints on stderr after the JSON lines).
 */
import type { AuditRecord, Outcome, RunSummaryRecord } from '../functions/audit/audit-records.ts';
import { formatColumns } from './render-plan.ts';
import type { Style } from './style.ts';

function outcomeText(outcome: Outcome, style: Style): string {
  switch (outcome) {
    case 'applied':
    case 'already-applied':
      return style.green(outcome);
    case 'failed':
      return style.red(outcome);
    case 'blocked':
    case 'deferred':
    case 'held':
      return style.yellow(outcome);
    default:
      return outcome;
  }
}

/** The run's records as aligned tables grouped by service, one line per record. */
export function renderRecords(records: AuditRecord[], style: Style): string {
  if (records.length === 0) return '  (no decision changed or held anything)\n';
  const groups = new Map<string, AuditRecord[]>();
  for (const r of records) {
    const key = `${r.region} ${r.serviceId ?? '(whole region)'}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups].map(([key, group]) => `  ${style.bold(key)}\n${renderRows(group, style)}`).join('');
}

function renderRows(records: AuditRecord[], style: Style): string {
  const rows = records.map((r) => [
    r.decision.toUpperCase(),
    r.endpointId ?? r.serviceId ?? '-',
    r.accountName === null ? (r.ownerAccountId ?? '-') : `${r.accountName} (${r.ownerAccountId})`,
    r.bandwidthAfter === null || r.bandwidthAfter === r.bandwidthBefore
      ? `${r.bandwidthBefore ?? '-'}`
      : `${r.bandwidthBefore ?? '-'} -> ${r.bandwidthAfter}`,
    outcomeText(r.outcome, style),
    r.errorCode === null ? r.reason : `${r.reason} [${r.errorCode}: ${r.errorMessage ?? ''}]`,
  ]);
  return `${formatColumns(rows, '    ').join('\n')}\n`;
}

/** A few lines: counts by decision and outcome, calls, time, warnings and failures. */
export function renderSummary(summary: RunSummaryRecord, style: Style): string {
  const nonZero = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ') || 'none';
  const lines = [
    `${style.bold('Run')} ${summary.runId} (${summary.mode}${summary.apply ? '' : ', plan only'}, policy ${summary.policyRevision.hash}${summary.policyRevision.commit === null ? '' : ` @ ${summary.policyRevision.commit}`})`,
    `  decisions: ${nonZero(summary.counts.byDecision)}`,
    `  outcomes:  ${nonZero(summary.counts.byOutcome)}`,
    `  ${summary.servicesScanned} services scanned, ${summary.connectionsSeen} connections seen, ${summary.apiCalls} API calls (${summary.retries} retries), ${summary.durationMs} ms`,
  ];
  if (summary.deadlineReached) {
    const unlisted = summary.servicesFailed.filter((f) => f.errorCode === 'DeadlineReached').length;
    lines.push(style.yellow('  deadline reached: the remaining decisions are deferred to the next run'));
    if (unlisted > 0) {
      lines.push(
        style.yellow(
          `  ${unlisted === 1 ? '1 service' : `${unlisted} services`} could not be listed before the deadline: no decisions for them in this run (a longer deadline gives them time)`,
        ),
      );
    }
  }
  for (const w of summary.warnings) {
    lines.push(
      style.yellow(`  WARNING ${w.code} ${w.region}${w.serviceId === null ? '' : ` ${w.serviceId}`}: ${w.message}`),
    );
  }
  for (const f of summary.servicesFailed) {
    lines.push(
      style.red(`  NOT COLLECTED ${f.region} ${f.serviceId ?? '(whole region)'}: ${f.errorCode}: ${f.errorMessage}`),
    );
  }
  if (summary.aborted !== null)
    lines.push(style.red(`  STOPPED: ${summary.aborted.errorCode}: ${summary.aborted.errorMessage}`));
  return `${lines.join('\n')}\n`;
}

/** Whether a write is still wanted: anything the next run would try to change. */
export function hasPendingWork(summary: RunSummaryRecord): boolean {
  const o = summary.counts.byOutcome;
  return o.applied + o['dry-run'] + o.failed + o.deferred + o.planned + summary.servicesFailed.length > 0;
}
