/** The run summary record (`privatelink-approver/run/v1`): what a run saw, decided and did. */
import type { Plan } from '../engine/decision.ts';
import type { PolicyRevisionRef, RecordMode, RunSummaryRecord } from '../audit/audit-records.ts';
import { RUN_SCHEMA } from '../audit/audit-records.ts';
import type { Collected } from './collect.ts';

export interface SummaryInput {
  runId: string;
  mode: RecordMode;
  apply: boolean;
  policyRevision: PolicyRevisionRef;
  startedAt: number;
  end: number;
  counts: RunSummaryRecord['counts'];
  collected: Collected;
  plan: Plan | undefined;
  apiCalls: number;
  retries: number;
  deadlineReached: boolean;
  aborted: RunSummaryRecord['aborted'];
  scope: RunSummaryRecord['scope'];
  handler: string | null;
  timeToDecision: RunSummaryRecord['timeToDecision'];
}

/**
 * One `listing-invalid` warning per region and service with listed items that failed validation: they
 * were never decided on (their `outcome: invalid` records name the field), so the run is partial.
 */
function invalidWarnings(collected: Collected): RunSummaryRecord['warnings'] {
  const counts = new Map<string, { region: string; serviceId: string | null; n: number }>();
  for (const item of collected.invalid) {
    const key = `${item.region}\u0000${item.serviceId ?? ''}`;
    const entry = counts.get(key) ?? { region: item.region, serviceId: item.serviceId, n: 0 };
    entry.n += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].map(({ region, serviceId, n }) => ({
    code: 'listing-invalid',
    region,
    serviceId,
    message: `${n} listed item(s) ${serviceId === null ? `of region ${region}` : `of ${serviceId}`} failed validation and were never decided on`,
  }));
}

/** Builds the summary; warnings are the collector's, then the listing's invalid items, then the engine's. */
export function summarise(input: SummaryInput): RunSummaryRecord {
  const { collected, plan } = input;
  return {
    schema: RUN_SCHEMA,
    runId: input.runId,
    time: new Date(input.end).toISOString(),
    startedAt: new Date(input.startedAt).toISOString(),
    mode: input.mode,
    apply: input.apply,
    policyRevision: input.policyRevision,
    regions: collected.regions,
    counts: input.counts,
    servicesScanned: collected.snapshot.services.length,
    servicesFailed: collected.failures,
    connectionsSeen: collected.snapshot.services.reduce((n, s) => n + s.connections.length, 0),
    governedConnections: plan?.governedConnections ?? 0,
    apiCalls: input.apiCalls,
    retries: input.retries,
    durationMs: input.end - input.startedAt,
    deadlineReached: input.deadlineReached,
    aborted: input.aborted,
    warnings: [
      ...collected.warnings,
      ...invalidWarnings(collected),
      ...(plan?.warnings ?? []).map((w) => ({
        code: w.code,
        region: w.regionId,
        serviceId: w.serviceId ?? null,
        message: w.message,
      })),
    ],
    scope: input.scope,
    handler: input.handler,
    timeToDecision: input.timeToDecision,
  };
}
