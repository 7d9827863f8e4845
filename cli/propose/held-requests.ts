/**
 * The requests a plan holds for a person because the policy does not name their account (issue 13):
 * what `propose` turns into allow entries. Requests held for another reason (a connection limit, a
 * bandwidth the policy cannot give) are listed apart: an allow entry would not help them.
 */
import type { AuditRecord } from '../../functions/audit/audit-records.ts';
import type { Decision, Plan } from '../../functions/engine/decision.ts';

export interface HeldRequest {
  regionId: string;
  serviceId: string;
  endpointId: string;
  accountId: string;
  vpcId: string;
  /** Mbit/s the request asks for (its listed bandwidth). */
  bandwidth: number;
  status: string;
  /** The connection's ModifiedTime, when the run's records carry it. */
  modifiedTime: string | undefined;
  /** The service rule that holds it: `services[0]`. */
  rule: string;
  reason: string;
}

export interface HeldRequests {
  /** Held because the rule does not name the account: an allow entry would accept them. */
  unknown: HeldRequest[];
  /** Held for another reason (a limit, bandwidth): not proposed. */
  other: Decision[];
}

function modifiedTimeOf(records: AuditRecord[], endpointId: string): string | undefined {
  const record = records.find((r) => r.endpointId === endpointId) as { modifiedTime?: unknown } | undefined;
  return typeof record?.modifiedTime === 'string' ? record.modifiedTime : undefined;
}

/** Splits a plan's holds into those an allow entry would accept and the rest. */
export function heldRequests(plan: Plan, records: AuditRecord[]): HeldRequests {
  const unknown: HeldRequest[] = [];
  const other: Decision[] = [];
  for (const d of plan.decisions) {
    if (d.kind !== 'hold') continue;
    const params = d.reasonCode === 'not-allowed' ? d.reasonParams : undefined;
    const rule =
      params?.notAllowed.standing === 'unknown'
        ? /^(services\[\d+\])(?:\.|$)/.exec(params.notAllowed.rule)?.[1]
        : undefined;
    if (rule === undefined) {
      other.push(d);
      continue;
    }
    unknown.push({
      regionId: d.regionId,
      serviceId: d.serviceId,
      endpointId: d.endpointId,
      accountId: d.endpointOwnerId,
      vpcId: d.endpointVpcId,
      bandwidth: d.bandwidthBefore,
      status: d.statusBefore,
      modifiedTime: modifiedTimeOf(records, d.endpointId),
      rule,
      reason: d.reason,
    });
  }
  return { unknown, other };
}
