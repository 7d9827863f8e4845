/**
 * How `plan` shows a plan: a table grouped by service for people, a JSON document for tools (a
 * pull-request comment bot, jq), and a Markdown table to paste into a pull request.
 */
import type { ServiceFailure, RunWarning } from '../functions/audit/audit-records.ts';
import { decisionSubject } from '../functions/audit/audit-records.ts';
import type { Decision, Plan } from '../functions/engine/decision.ts';
import type { Style } from './style.ts';

/** Decisions that would write something (blocked ones included: they are changes the policy wants). */
export function isChange(decision: Decision): boolean {
  return (
    decision.kind === 'accept' || decision.kind === 'reject' || decision.kind === 'resize' || decision.kind === 'revoke'
  );
}

/** The decisions worth showing: everything but plain skips. */
export function shownDecisions(plan: Plan): Decision[] {
  return plan.decisions.filter((d) => d.kind !== 'skip' || d.blocked !== undefined);
}

/** One decision as `plan --format json` prints it. */
export interface PlanJsonDecision {
  region: string;
  serviceId: string;
  endpointId: string;
  ownerAccountId: string;
  accountName: string | null;
  vpcId: string;
  statusBefore: string;
  bandwidthBefore: number;
  decision: Decision['kind'];
  bandwidthAfter: number | null;
  rule: string;
  reason: string;
  blocked: { limit: string; reason: string } | null;
}

export interface PlanJson {
  policyRevision: { hash: string; commit: string | null };
  /** Decisions that would write (blocked ones included). */
  changes: number;
  decisions: PlanJsonDecision[];
  /** Connections that need nothing. */
  unchanged: number;
  warnings: RunWarning[];
  servicesFailed: ServiceFailure[];
}

/** The `--format json` document. */
export function planJson(
  plan: Plan,
  revision: PlanJson['policyRevision'],
  warnings: RunWarning[],
  failures: ServiceFailure[],
): PlanJson {
  const shown = shownDecisions(plan);
  return {
    policyRevision: revision,
    changes: plan.decisions.filter(isChange).length,
    decisions: shown.map((d) => ({
      ...decisionSubject(d),
      bandwidthAfter: d.bandwidthAfter ?? null,
      rule: d.rule,
      reason: d.reason,
      blocked: d.blocked ?? null,
    })),
    unchanged: plan.decisions.length - shown.length,
    warnings,
    servicesFailed: failures,
  };
}

function account(d: Decision): string {
  return d.accountName === undefined ? d.endpointOwnerId : `${d.accountName} (${d.endpointOwnerId})`;
}

function bandwidth(d: Decision): string {
  if (d.bandwidthAfter === undefined || d.bandwidthAfter === d.bandwidthBefore) return `${d.bandwidthBefore}`;
  return `${d.bandwidthBefore} -> ${d.bandwidthAfter}`;
}

function label(d: Decision, style: Style): string {
  const word = d.kind.toUpperCase();
  if (d.blocked !== undefined) return style.yellow(`${word} (blocked)`);
  switch (d.kind) {
    case 'accept':
      return style.green(word);
    case 'reject':
    case 'revoke':
      return style.red(word);
    case 'resize':
      return style.cyan(word);
    default:
      return style.yellow(word);
  }
}

/** Pads cells to column widths, measuring the text without ANSI codes. */
export function formatColumns(rows: string[][], indent = '  '): string[] {
  // eslint-disable-next-line no-control-regex
  const visible = (s: string): number => s.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell))))
        .join('  ')
        .trimEnd(),
  );
}

/** The human table: decisions grouped by service, then warnings and failures. */
export function renderPlanTable(plan: Plan, warnings: RunWarning[], failures: ServiceFailure[], style: Style): string {
  const lines: string[] = [];
  const shown = shownDecisions(plan);
  const groups = new Map<string, Decision[]>();
  for (const d of shown) {
    const key = `${d.regionId} ${d.serviceId}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  for (const [key, decisions] of groups) {
    lines.push(style.bold(key));
    const rows = decisions.map((d) => [
      label(d, style),
      d.endpointId,
      account(d),
      d.statusBefore,
      `${bandwidth(d)} Mbit/s`,
      d.rule,
      d.blocked === undefined ? d.reason : `${d.reason}; ${d.blocked.reason}`,
    ]);
    lines.push(...formatColumns(rows));
    lines.push('');
  }
  const changes = plan.decisions.filter(isChange);
  const blocked = changes.filter((d) => d.blocked !== undefined).length;
  const held = plan.decisions.filter((d) => d.kind === 'hold').length;
  const unchanged = plan.decisions.length - shown.length;
  const parts = [`${changes.length} change${changes.length === 1 ? '' : 's'}`];
  if (blocked > 0) parts.push(`${blocked} blocked by a safety limit`);
  parts.push(`${held} held for a person`, `${unchanged} unchanged`, `${plan.governedConnections} governed connections`);
  lines.push(
    changes.length === 0 ? style.green(`Nothing to change: ${parts.join(', ')}.`) : `Plan: ${parts.join(', ')}.`,
  );
  for (const w of warnings)
    lines.push(
      style.yellow(`WARNING ${w.code} ${w.region}${w.serviceId === null ? '' : ` ${w.serviceId}`}: ${w.message}`),
    );
  for (const f of failures) {
    lines.push(
      style.red(
        `NOT COLLECTED ${f.region} ${f.serviceId ?? '(whole region)'}: ${f.errorCode}: ${f.errorMessage} (no decisions for it in this run)`,
      ),
    );
  }
  return lines.join('\n') + '\n';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown table for a pull-request comment. */
export function renderPlanMarkdown(plan: Plan, warnings: RunWarning[], failures: ServiceFailure[]): string {
  const shown = shownDecisions(plan);
  const lines = [
    `**privatelink-approver plan**: ${plan.decisions.filter(isChange).length} change(s), ${plan.governedConnections} governed connections`,
    '',
  ];
  if (shown.length > 0) {
    lines.push(
      '| decision | region | service | endpoint | account | status | bandwidth | rule | reason |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const d of shown) {
      const kind = d.blocked === undefined ? d.kind : `${d.kind} (blocked: ${d.blocked.limit})`;
      lines.push(
        `| ${[kind, d.regionId, d.serviceId, d.endpointId, account(d), d.statusBefore, bandwidth(d), d.rule, d.reason].map(cell).join(' | ')} |`,
      );
    }
    lines.push('');
  }
  for (const w of warnings) lines.push(`> **Warning** \`${w.code}\` ${cell(w.message)}`);
  for (const f of failures)
    lines.push(
      `> **Not collected** ${f.region} ${f.serviceId ?? '(whole region)'}: \`${f.errorCode}\` ${cell(f.errorMessage)}`,
    );
  return lines.join('\n') + '\n';
}
