/**
 * What every per-connection rule of the engine shares: the context of one governed service, and the one
 * constructor of decisions (its reason always built by ./reason-text.ts). Pure.
 */
import type { EndpointConnection, EndpointService } from './resources.ts';
import type { Policy, ServiceRule } from '../policy/policy.ts';
import { accountName } from './account-standing.ts';
import type { AccountStanding } from './account-standing.ts';
import type { Decision, DecisionKind } from './decision.ts';
import { reasonFields } from './reason-text.ts';
import type { AccountRef, NotAllowed, Reason, RequestSeen } from './reason-text.ts';

/** Everything the per-connection rules need to know. */
export interface Context {
  policy: Policy;
  rule: ServiceRule;
  service: EndpointService;
  now: number;
}

/** The decision `kind` for `c`, with its rule and reason; `bandwidthAfter` only for accept and resize. */
export function make(
  ctx: Context,
  c: EndpointConnection,
  kind: DecisionKind,
  rule: string,
  reason: Reason,
  bandwidthAfter?: number,
): Decision {
  return {
    kind,
    regionId: c.regionId,
    serviceId: c.serviceId,
    endpointId: c.endpointId,
    endpointOwnerId: c.endpointOwnerId,
    endpointVpcId: c.endpointVpcId,
    accountName: accountName(ctx.policy, ctx.rule, c.endpointOwnerId),
    statusBefore: c.connectionStatus,
    modifiedTime: c.modifiedTime,
    bandwidthBefore: c.bandwidth,
    bandwidthAfter: kind === 'accept' || kind === 'resize' ? bandwidthAfter : undefined,
    rule,
    ...reasonFields(reason),
    blocked: undefined,
  };
}

/** The connection's owner as reasons name it. */
export function accountOf(ctx: Context, c: EndpointConnection): AccountRef {
  return { accountId: c.endpointOwnerId, accountName: accountName(ctx.policy, ctx.rule, c.endpointOwnerId) };
}

/** How a request is described at the start of its reason. */
export function seenAs(ctx: Context, c: EndpointConnection, phase: 'awaiting' | 'maybe-awaiting'): RequestSeen {
  return phase === 'awaiting' ? { phase, status: c.connectionStatus } : { phase, reading: ctx.policy.pendingStatus };
}

/** Where the rule's `unknownAccounts` is written: the rule's own key, or `defaults.unknownAccounts`. */
export function unknownAccountsAt(rule: ServiceRule): string {
  return rule.unknownAccountsSource ?? `${rule.source}.unknownAccounts`;
}

/** Why an account (or endpoint) is not allowed, which rule says so, and what a request gets for it. */
export function notAllowed(
  ctx: Context,
  c: EndpointConnection,
  standing: Exclude<AccountStanding, { kind: 'allowed' }>,
): { rule: string; why: NotAllowed; kind: 'reject' | 'hold' } {
  const { rule } = ctx;
  switch (standing.kind) {
    case 'denied': {
      const { entry, by } = standing;
      const why: NotAllowed = {
        standing: 'denied',
        by,
        endpointId: c.endpointId,
        entry: entry.source,
        note: entry.reason,
      };
      return { rule: entry.source, why, kind: 'reject' };
    }
    case 'unknown':
      return {
        rule: unknownAccountsAt(rule),
        why: { standing: 'unknown', rule: rule.source },
        kind: rule.unknownAccounts,
      };
    case 'expired': {
      const { entry } = standing;
      const why: NotAllowed = { standing: 'expired', entry: entry.source, expires: entry.expires };
      return { rule: entry.source, why, kind: rule.unknownAccounts };
    }
    case 'vpc-not-allowed': {
      const { entry } = standing;
      const why: NotAllowed = {
        standing: 'vpc-not-allowed',
        entry: entry.source,
        vpcId: c.endpointVpcId,
        vpcs: [...(entry.vpcs ?? [])],
      };
      return { rule: entry.source, why, kind: rule.unknownAccounts };
    }
  }
}
