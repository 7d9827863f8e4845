/**
 * How a finished run is told to a person: the records as a table (what `start` prints) and a summary
 * paragraph (what `apply` prints on stderr after the JSON lines).
 */
import type { AuditRecord, Outcome, RunSummaryRecord } from '../functions/audit/audit-records.ts';
import { wrapText } from './fit-width.ts';
import { failureText, formatColumns, visibleLength, warningText } from './render-plan.ts';
import { errorText, safeText } from './safe-text.ts';
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
    case 'flagged':
      return style.yellow(outcome);
    default:
      return outcome;
  }
}

const HEADER = ['DECISION', 'ENDPOINT', 'ACCOUNT', 'BANDWIDTH (Mbit/s)', 'OUTCOME'];

/**
 * The run's records as aligned tables grouped by service, with column headers, one line per record.
 * When a line would be wider than `width`, the reasons move under their rows, word-wrapped.
 */
export function renderRecords(records: AuditRecord[], style: Style, width = Infinity): string {
  if (records.length === 0) return '  (no decision changed or held anything)\n';
  const groups = new Map<string, AuditRecord[]>();
  for (const r of records) {
    const key = safeText(`${r.region} ${r.serviceId ?? '(whole region)'}`);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups].map(([key, group]) => `  ${style.bold(key)}\n${renderRows(group, style, width)}`).join('');
}

function reasonText(r: AuditRecord): string {
  return safeText(r.errorCode === null ? r.reason : `${r.reason} [${errorText(r.errorCode, r.errorMessage)}]`);
}

function accountText(r: AuditRecord): string {
  return safeText(r.accountName === null ? (r.ownerAccountId ?? '-') : `${r.accountName} (${r.ownerAccountId})`);
}

/**
 * The rows of one service, in the widest layout that fits `width`: everything on one line; else the
 * reason under its row; else the account too (`acme (2000000000000001): reason`).
 */
function renderRows(records: AuditRecord[], style: Style, width: number): string {
  const cells = records.map((r) => ({
    decision: safeText(r.decision.toUpperCase()),
    endpoint: safeText(r.endpointId ?? r.serviceId ?? '-'),
    account: accountText(r),
    bandwidth:
      r.bandwidthAfter === null || r.bandwidthAfter === r.bandwidthBefore
        ? `${r.bandwidthBefore ?? '-'}`
        : `${r.bandwidthBefore ?? '-'} -> ${r.bandwidthAfter}`,
    outcome: outcomeText(r.outcome, style),
    reason: reasonText(r),
  }));
  const fits = (lines: string[]): boolean => lines.every((line) => visibleLength(line) <= width);
  const table = (header: string[], rows: string[][]): string[] =>
    formatColumns([header.map((h) => style.dim(h)), ...rows], '    ');
  const oneLine = table(
    [...HEADER, 'REASON'],
    cells.map((c) => [c.decision, c.endpoint, c.account, c.bandwidth, c.outcome, c.reason]),
  );
  if (fits(oneLine)) return `${oneLine.join('\n')}\n`;
  const withAccount = table(
    HEADER,
    cells.map((c) => [c.decision, c.endpoint, c.account, c.bandwidth, c.outcome]),
  );
  const narrow = !fits(withAccount);
  const [head, ...lines] = narrow
    ? table(
        HEADER.filter((h) => h !== 'ACCOUNT'),
        cells.map((c) => [c.decision, c.endpoint, c.bandwidth, c.outcome]),
      )
    : withAccount;
  const out = [head ?? ''];
  lines.forEach((line, i) => {
    const c = cells[i]!;
    out.push(line, ...wrapText(narrow ? `${c.account}: ${c.reason}` : c.reason, width, '      ').map(style.dim));
  });
  return `${out.join('\n')}\n`;
}

/**
 * A few lines: counts by decision and outcome, calls, time, warnings and failures; lines longer than
 * `width` are word-wrapped.
 */
export function renderSummary(summary: RunSummaryRecord, style: Style, width = Infinity): string {
  const nonZero = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ') || 'none';
  const wrap = (text: string, paint: (t: string) => string = (t) => t): string[] =>
    wrapText(text, width, '  ', '    ').map(paint);
  const commit = summary.policyRevision.commit === null ? '' : ` @ ${summary.policyRevision.commit.slice(0, 12)}`;
  const lines = [
    ...wrapText(
      `Run ${summary.runId} (${summary.mode}${summary.apply ? '' : ', plan only'}, ` +
        `policy ${summary.policyRevision.hash}${commit})`,
      width,
      '',
      '    ',
    ).map((l, i) => (i === 0 ? l.replace(/^Run/, style.bold('Run')) : l)),
    `  decisions: ${nonZero(summary.counts.byDecision)}`,
    `  outcomes:  ${nonZero(summary.counts.byOutcome)}`,
    ...wrap(
      `${summary.servicesScanned} services scanned, ${summary.connectionsSeen} connections seen, ` +
        `${summary.apiCalls} API calls (${summary.retries} retries), ${summary.durationMs} ms`,
    ),
  ];
  if (summary.deadlineReached) {
    const unlisted = summary.servicesFailed.filter((f) => f.errorCode === 'DeadlineReached').length;
    lines.push(...wrap('deadline reached: the remaining decisions are deferred to the next run', style.yellow));
    if (unlisted > 0) {
      const services = unlisted === 1 ? '1 service' : `${unlisted} services`;
      lines.push(
        ...wrap(
          `${services} could not be listed before the deadline: no decisions for them in this run ` +
            '(a longer deadline gives them time)',
          style.yellow,
        ),
      );
    }
  }
  for (const w of summary.warnings) lines.push(...wrap(warningText(w), style.yellow));
  for (const f of summary.servicesFailed) lines.push(...wrap(failureText(f), style.red));
  if (summary.aborted !== null)
    lines.push(...wrap(`STOPPED: ${errorText(summary.aborted.errorCode, summary.aborted.errorMessage)}`, style.red));
  return `${lines.join('\n')}\n`;
}

/** Whether a write is still wanted: anything the next run would try to change. */
export function hasPendingWork(summary: RunSummaryRecord): boolean {
  const o = summary.counts.byOutcome;
  return o.applied + o['dry-run'] + o.failed + o.deferred + o.planned + summary.servicesFailed.length > 0;
}
