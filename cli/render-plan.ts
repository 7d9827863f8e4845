/**
 * How `plan` shows a plan: a table grouped by service for people, a JSON document for tools (a
 * pull-request comment bot, jq), and a Markdown table to paste into a pull request.
 */
import type { ServiceFailure, RunWarning } from '../functions/audit/audit-records.ts';
import { decisionSubject } from '../functions/audit/audit-records.ts';
import type { Decision, Plan } from '../functions/engine/decision.ts';
import type { WhitelistChange } from '../functions/engine/whitelist-plan.ts';
import { errorText, markdownText, safeText } from './safe-text.ts';
import type { Style } from './style.ts';

/** Decisions that would write something (blocked ones included: they are changes the policy wants). */
export function isChange(decision: Decision): boolean {
  return (
    decision.kind === 'accept' || decision.kind === 'reject' || decision.kind === 'resize' || decision.kind === 'revoke'
  );
}

/** Whether a plan would write anything: a connection change or a whitelist change (blocked ones included). */
export function hasChanges(plan: Plan): boolean {
  return plan.decisions.some(isChange) || (plan.whitelist ?? []).length > 0;
}

/** One whitelist change as `plan --format json` prints it (README "Keep the whitelist in step"). */
export interface PlanJsonWhitelistChange {
  region: string;
  serviceId: string;
  accountId: string;
  accountName: string | null;
  decision: WhitelistChange['kind'];
  rule: string;
  reason: string;
  blocked: { limit: string; reason: string } | null;
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
  /** Whitelist changes of rules with `whitelist: sync` (empty without them). */
  whitelist: PlanJsonWhitelistChange[];
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
    whitelist: (plan.whitelist ?? []).map((c) => ({
      region: c.regionId,
      serviceId: c.serviceId,
      accountId: c.accountId,
      accountName: c.accountName ?? null,
      decision: c.kind,
      rule: c.rule,
      reason: c.reason,
      blocked: c.blocked ?? null,
    })),
  };
}

/** The whitelist changes as table rows (a header first), for the table after the decisions. */
function whitelistRows(changes: WhitelistChange[], style: Style): string[][] {
  const header = ['WHITELIST', 'SERVICE', 'ACCOUNT', 'RULE', 'REASON'];
  return [
    header.map((h) => style.dim(h)),
    ...changes.map((c) => {
      const word = c.kind === 'whitelist-add' ? style.green('ADD') : style.red('REMOVE');
      return [
        c.blocked === undefined ? word : style.yellow(`${c.kind === 'whitelist-add' ? 'ADD' : 'REMOVE'} (blocked)`),
        serviceLabel(c.regionId, c.serviceId),
        safeText(c.accountName === undefined ? c.accountId : `${c.accountName} (${c.accountId})`),
        safeText(c.rule),
        safeText(c.blocked === undefined ? c.reason : `${c.reason}; ${c.blocked.reason}`),
      ];
    }),
  ];
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
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell))))
        .join('  ')
        .trimEnd(),
  );
}

/** The length of a text as a terminal shows it: without our own ANSI colour codes. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

function serviceLabel(region: string, serviceId: string | null): string {
  return safeText(`${region} ${serviceId ?? '(whole region)'}`);
}

/** A warning line: code, where, message; every part safe for a terminal. */
export function warningText(w: RunWarning): string {
  return `WARNING ${safeText(w.code)} ${serviceLabel(w.region, w.serviceId)}: ${safeText(w.message)}`;
}

/** A service that was not collected: where and why. */
export function failureText(f: ServiceFailure): string {
  return `NOT COLLECTED ${serviceLabel(f.region, f.serviceId)}: ${errorText(f.errorCode, f.errorMessage)}`;
}

function planRows(decisions: Decision[], style: Style): string[][] {
  const header = ['DECISION', 'ENDPOINT', 'ACCOUNT', 'STATUS', 'BANDWIDTH', 'RULE', 'REASON'];
  return [
    header.map((h) => style.dim(h)),
    ...decisions.map((d) => [
      label(d, style),
      safeText(d.endpointId),
      safeText(account(d)),
      safeText(d.statusBefore),
      `${bandwidth(d)} Mbit/s`,
      safeText(d.rule),
      safeText(d.blocked === undefined ? d.reason : `${d.reason}; ${d.blocked.reason}`),
    ]),
  ];
}

/** The summary line: never "Nothing to change" when a service could not be listed (the plan is partial). */
function planSummaryLine(plan: Plan, shown: number, partial: boolean, style: Style): string {
  const changes = plan.decisions.filter(isChange);
  const blocked = changes.filter((d) => d.blocked !== undefined).length;
  const held = plan.decisions.filter((d) => d.kind === 'hold').length;
  const flagged = plan.decisions.filter((d) => d.kind === 'flag').length;
  const parts = [`${changes.length} change${changes.length === 1 ? '' : 's'}`];
  if (blocked > 0) parts.push(`${blocked} blocked by a safety limit`);
  const unchanged = plan.decisions.length - shown;
  parts.push(`${held} held for a person`);
  if (flagged > 0) parts.push(`${flagged} flagged (drift off)`);
  parts.push(`${unchanged} unchanged`, `${plan.governedConnections} governed connections`);
  const whitelist = (plan.whitelist ?? []).length;
  if (whitelist > 0) parts.push(`${whitelist} whitelist change${whitelist === 1 ? '' : 's'}`);
  if (partial) return style.red(`Partial plan (services above not collected): ${parts.join(', ')}.`);
  return changes.length + whitelist === 0
    ? style.green(`Nothing to change: ${parts.join(', ')}.`)
    : `Plan: ${parts.join(', ')}.`;
}

/**
 * The human table: services that could not be listed first (the plan is partial), then decisions
 * grouped by service with a header row, the summary line and the warnings. Every string is made safe.
 */
export function renderPlanTable(plan: Plan, warnings: RunWarning[], failures: ServiceFailure[], style: Style): string {
  const lines: string[] = [];
  for (const f of failures) lines.push(style.red(`${failureText(f)} (no decisions for it in this run)`));
  if (failures.length > 0) lines.push('');
  const shown = shownDecisions(plan);
  const groups = new Map<string, Decision[]>();
  for (const d of shown) {
    const key = serviceLabel(d.regionId, d.serviceId);
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  for (const [key, decisions] of groups) {
    lines.push(style.bold(key), ...formatColumns(planRows(decisions, style)), '');
  }
  const whitelist = plan.whitelist ?? [];
  if (whitelist.length > 0)
    lines.push(style.bold('Whitelist (whitelist: sync)'), ...formatColumns(whitelistRows(whitelist, style)), '');
  lines.push(planSummaryLine(plan, shown.length, failures.length > 0, style));
  for (const w of warnings) lines.push(style.yellow(warningText(w)));
  return lines.join('\n') + '\n';
}

/** A Markdown table for a pull-request comment; every string from the API or the policy escaped. */
export function renderPlanMarkdown(plan: Plan, warnings: RunWarning[], failures: ServiceFailure[]): string {
  const shown = shownDecisions(plan);
  const changes = plan.decisions.filter(isChange).length;
  const lines = [
    `**privatelink-approver plan**: ${changes} change(s), ${plan.governedConnections} governed connections` +
      (failures.length === 0 ? '' : `; **partial**: ${failures.length} service(s) not collected`),
    '',
  ];
  for (const f of failures) {
    const where = `${f.region} ${f.serviceId ?? '(whole region)'}`;
    lines.push(`> **Not collected** ${markdownText(where)}: ${markdownText(errorText(f.errorCode, f.errorMessage))}`);
  }
  if (failures.length > 0) lines.push('');
  if (shown.length > 0) {
    lines.push(
      '| decision | region | service | endpoint | account | status | bandwidth (Mbit/s) | rule | reason |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const d of shown) {
      const kind = d.blocked === undefined ? d.kind : `${d.kind} (blocked: ${d.blocked.limit})`;
      const cells = [kind, d.regionId, d.serviceId, d.endpointId, account(d), d.statusBefore, bandwidth(d), d.rule];
      lines.push(`| ${[...cells, d.reason].map(markdownText).join(' | ')} |`);
    }
    lines.push('');
  }
  const whitelist = plan.whitelist ?? [];
  if (whitelist.length > 0) {
    lines.push('| whitelist | region | service | account | rule | reason |', '| --- | --- | --- | --- | --- | --- |');
    for (const c of whitelist) {
      const kind = c.blocked === undefined ? c.kind : `${c.kind} (blocked: ${c.blocked.limit})`;
      const who = c.accountName === undefined ? c.accountId : `${c.accountName} (${c.accountId})`;
      const cells = [kind, c.regionId, c.serviceId, who, c.rule, c.reason];
      lines.push(`| ${cells.map(markdownText).join(' | ')} |`);
    }
    lines.push('');
  }
  for (const w of warnings) lines.push(`> **Warning** ${markdownText(w.code)}: ${markdownText(w.message)}`);
  return lines.join('\n') + '\n';
}
