/**
 * Bandwidth arithmetic for accepts and drift resizes. The service's MinBandwidth/MaxBandwidth bound
 * every value at run time (API reference, EnableVpcEndpointConnection / UpdateVpcEndpointConnectionAttribute:
 * Bandwidth; newer docs: the range depends on the backend, so the policy cannot know it in advance).
 * Pure; results are data, rendered to text by ./reason-text.ts.
 */
import type { EndpointService } from './resources.ts';
import type { AllowEntry, ServiceRule } from '../policy/policy.ts';

/** A bandwidth cap and the policy path it comes from. */
export interface BandwidthCap {
  value: number;
  source: string;
}

/** The cap for an account's connections: the entry's `maxBandwidth`, else the rule's (its own or defaults'). */
export function bandwidthCap(rule: ServiceRule, entry: AllowEntry | undefined): BandwidthCap | undefined {
  if (entry?.maxBandwidth !== undefined) return { value: entry.maxBandwidth, source: `${entry.source} maxBandwidth` };
  if (rule.bandwidth.max !== undefined)
    return { value: rule.bandwidth.max, source: rule.bandwidth.maxSource ?? `${rule.source}.maxBandwidth` };
  return undefined;
}

/** One step from the wanted bandwidth to the one accepted with. */
export type AcceptStep =
  | { step: 'wanted'; value: number; from: string }
  | { step: 'capped'; value: number; capSource: string }
  | { step: 'raised-to-minimum'; value: number }
  | { step: 'lowered-to-maximum'; value: number };

/** Why no bandwidth fits: the service's range is unusable, or the cap is below the service minimum. */
export type BandwidthProblem =
  | { problem: 'unusable-range'; wanted: number; wantedFrom: string; min: number; max: number }
  | { problem: 'cap-below-minimum'; cap: number; capSource: string; min: number };

export type AcceptBandwidth =
  | { ok: true; bandwidth: number; steps: AcceptStep[] }
  /** No value respects both the cap and the service's range: the request is held for a person. */
  | { ok: false; problem: BandwidthProblem };

/**
 * The bandwidth to accept a request with: the entry's `bandwidth`, else the rule's `bandwidth.default`,
 * else the service's ConnectBandwidth; lowered to the cap; then brought into the service's
 * MinBandwidth..MaxBandwidth. Raising to the service minimum is only done when the cap allows it: a cap
 * below the service minimum cannot be honoured, so the answer is "hold" with what to change.
 */
export function acceptBandwidth(rule: ServiceRule, entry: AllowEntry, service: EndpointService): AcceptBandwidth {
  const [wanted, wantedFrom] =
    entry.bandwidth !== undefined
      ? [entry.bandwidth, `${entry.source} bandwidth`]
      : rule.bandwidth.default !== undefined
        ? [rule.bandwidth.default, rule.bandwidth.defaultSource ?? `${rule.source}.bandwidth`]
        : [service.connectBandwidth, "the service's ConnectBandwidth"];
  const { minBandwidth: min, maxBandwidth: max } = service;
  if (![wanted, min, max].every(Number.isFinite) || min > max) {
    return { ok: false, problem: { problem: 'unusable-range', wanted, wantedFrom, min, max } };
  }
  const cap = bandwidthCap(rule, entry);
  const steps: AcceptStep[] = [{ step: 'wanted', value: wanted, from: wantedFrom }];
  let bandwidth = wanted;
  if (cap !== undefined && bandwidth > cap.value) {
    bandwidth = cap.value;
    steps.push({ step: 'capped', value: cap.value, capSource: cap.source });
  }
  if (bandwidth < min) {
    if (cap !== undefined && cap.value < min) {
      return { ok: false, problem: { problem: 'cap-below-minimum', cap: cap.value, capSource: cap.source, min } };
    }
    bandwidth = min;
    steps.push({ step: 'raised-to-minimum', value: min });
  }
  if (bandwidth > max) {
    bandwidth = max;
    steps.push({ step: 'lowered-to-maximum', value: max });
  }
  return { ok: true, bandwidth, steps };
}

/**
 * A Connected connection's bandwidth against its cap. Nothing to reduce: no cap, within it, or above a
 * cap that is below the service minimum while not above that minimum. To reduce: to the cap (`above`),
 * or to the service minimum when the cap is below it (`above-to-minimum`).
 */
export type DriftAssessment =
  | { kind: 'no-cap' }
  | { kind: 'within'; current: number; cap: number; capSource: string }
  | { kind: 'cap-below-minimum'; current: number; cap: number; capSource: string; min: number }
  | { kind: 'above'; current: number; cap: number; capSource: string }
  | { kind: 'above-to-minimum'; current: number; cap: number; capSource: string; min: number };

export type DriftBandwidth =
  | { kind: 'within'; assessment: DriftAssessment }
  | { kind: 'above'; cap: BandwidthCap; target: number; assessment: DriftAssessment };

/**
 * Whether a Connected connection's bandwidth is above its cap, and what to reduce it to: the cap, or
 * the service minimum when the cap is below it. Never up: a connection at or below the target stays.
 */
export function driftBandwidth(
  rule: ServiceRule,
  entry: AllowEntry | undefined,
  service: EndpointService,
  current: number,
): DriftBandwidth {
  const cap = bandwidthCap(rule, entry);
  if (cap === undefined) return { kind: 'within', assessment: { kind: 'no-cap' } };
  const measured = { current, cap: cap.value, capSource: cap.source };
  if (current <= cap.value) return { kind: 'within', assessment: { kind: 'within', ...measured } };
  const min = service.minBandwidth;
  const target = Math.max(cap.value, min);
  if (!(target < current)) return { kind: 'within', assessment: { kind: 'cap-below-minimum', ...measured, min } };
  const assessment: DriftAssessment =
    target === cap.value ? { kind: 'above', ...measured } : { kind: 'above-to-minimum', ...measured, min };
  return { kind: 'above', cap, target, assessment };
}
