/**
 * Bandwidth arithmetic for accepts and drift resizes. The service's MinBandwidth/MaxBandwidth bound
 * every value at run time (API reference, EnableVpcEndpointConnection / UpdateVpcEndpointConnectionAttribute:
 * Bandwidth; newer docs: the range depends on the backend, so the policy cannot know it in advance).
 * Pure.
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

export type AcceptBandwidth =
  | { ok: true; bandwidth: number; explanation: string }
  /** No value respects both the cap and the service's range: the request is held for a person. */
  | { ok: false; reason: string };

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
    return {
      ok: false,
      reason: `cannot choose a bandwidth: ${wantedFrom} is ${wanted} Mbit/s and the service allows ${min}..${max} Mbit/s (check the service listing)`,
    };
  }
  const cap = bandwidthCap(rule, entry);
  const steps = [`${wanted} Mbit/s from ${wantedFrom}`];
  let bandwidth = wanted;
  if (cap !== undefined && bandwidth > cap.value) {
    bandwidth = cap.value;
    steps.push(`lowered to the cap ${cap.value} Mbit/s (${cap.source})`);
  }
  if (bandwidth < min) {
    if (cap !== undefined && cap.value < min) {
      return {
        ok: false,
        reason: `the cap ${cap.value} Mbit/s (${cap.source}) is below the service minimum ${min} Mbit/s: raise the cap to at least ${min} or accept by hand`,
      };
    }
    bandwidth = min;
    steps.push(`raised to the service minimum ${min} Mbit/s`);
  }
  if (bandwidth > max) {
    bandwidth = max;
    steps.push(`lowered to the service maximum ${max} Mbit/s`);
  }
  return { ok: true, bandwidth, explanation: steps.join(', ') };
}

export type DriftBandwidth =
  /** Nothing to reduce; `explanation` says why (no cap, within it, or already at the service minimum). */
  { kind: 'within'; explanation: string } | { kind: 'above'; cap: BandwidthCap; target: number; explanation: string };

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
  if (cap === undefined) return { kind: 'within', explanation: 'no bandwidth cap applies' };
  if (current <= cap.value) {
    return { kind: 'within', explanation: `${current} Mbit/s is within the cap ${cap.value} Mbit/s (${cap.source})` };
  }
  const target = Math.max(cap.value, service.minBandwidth);
  if (!(target < current)) {
    return {
      kind: 'within',
      explanation: `${current} Mbit/s is above the cap ${cap.value} Mbit/s (${cap.source}), but that cap is below the service minimum ${service.minBandwidth} Mbit/s, which it does not exceed`,
    };
  }
  const explanation =
    target === cap.value
      ? `${current} Mbit/s is above the cap ${cap.value} Mbit/s (${cap.source})`
      : `${current} Mbit/s is above the cap ${cap.value} Mbit/s (${cap.source}), which is below the service minimum ${service.minBandwidth} Mbit/s: reduce to the minimum`;
  return { kind: 'above', cap, target, explanation };
}
