/**
 * The blast-radius brake: a plan that would disconnect or resize more connections than the policy's
 * `limits` allow applies none of them, and says why. Pure.
 */
import type { SafetyLimits } from '../policy/policy.ts';
import type { BlockingLimit, Decision, PlanWarning } from './decision.ts';

export interface Brake {
  kind: 'revoke' | 'resize';
  absolute: { limit: BlockingLimit; value: number | undefined };
  percent: { limit: BlockingLimit; value: number | undefined };
  verb: string;
  noun: string;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How a brake's reason names what it counts: `connection` of `connected connection`s, by default. */
export interface BrakeWords {
  item: string;
  total: string;
}

/**
 * Whether `count` changes exceed a brake's absolute limit or its percentage of `total`, and the reason
 * (strictly above a limit; the absolute one checked first). Shared with the whitelist plan
 * (./whitelist-plan.ts), whose removals count against `maxDisconnects`.
 */
export function limitBreach(
  count: number,
  total: number,
  brake: Pick<Brake, 'absolute' | 'percent' | 'verb' | 'noun'>,
  words: BrakeWords,
): { limit: BlockingLimit; reason: string } | undefined {
  if (brake.absolute.value !== undefined && count > brake.absolute.value) {
    return {
      limit: brake.absolute.limit,
      reason:
        `plan would ${brake.verb} ${plural(count, words.item)}, ` +
        `more than ${brake.absolute.limit} ${brake.absolute.value}: no ${brake.noun} applied`,
    };
  }
  if (brake.percent.value !== undefined && count * 100 > brake.percent.value * total) {
    const share = total === 0 ? 100 : Math.round((count * 1000) / total) / 10;
    return {
      limit: brake.percent.limit,
      reason:
        `plan would ${brake.verb} ${count} of ${plural(total, words.total)} (${share}%), ` +
        `more than ${brake.percent.limit} ${brake.percent.value}%: no ${brake.noun} applied`,
    };
  }
  return undefined;
}

/**
 * Marks every `revoke` as blocked when their number exceeds `maxDisconnects` or `maxDisconnectsPercent`
 * of `connected`, and every `resize` likewise with `maxResizes`/`maxResizesPercent`; one `safety-limit`
 * warning per brake that engaged. All or nothing: applying "the first N" would pick an arbitrary subset
 * of a plan that is already suspicious (a policy typo, a wrong account list).
 *
 * - "Exceeds" is strict: a plan exactly at a limit goes ahead.
 * - The percentage is of `connected`, the `Connected` connections of the governed services: those are
 *   the ones a revoke could cut and a resize could change, so the brake measures the share of live
 *   traffic touched. (Counting awaiting and closed requests too would make a large backlog of pending
 *   requests loosen the brake.)
 * - The absolute limit is checked first, so `blocked.limit` names it when both are exceeded.
 * - Accepts, rejects and holds are never blocked: they do not cut existing traffic.
 *
 * Returns a new list; a blocked decision is a new object, the others are the input's own (never modified).
 */
export function applySafetyLimits(
  decisions: readonly Decision[],
  limits: SafetyLimits,
  connected: number,
): { decisions: Decision[]; warnings: PlanWarning[] } {
  const brakes: Brake[] = [
    {
      kind: 'revoke',
      absolute: { limit: 'maxDisconnects', value: limits.maxDisconnects },
      percent: { limit: 'maxDisconnectsPercent', value: limits.maxDisconnectsPercent },
      verb: 'disconnect',
      noun: 'disconnects',
    },
    {
      kind: 'resize',
      absolute: { limit: 'maxResizes', value: limits.maxResizes },
      percent: { limit: 'maxResizesPercent', value: limits.maxResizesPercent },
      verb: 'resize',
      noun: 'resizes',
    },
  ];
  let out = [...decisions];
  const warnings: PlanWarning[] = [];
  for (const brake of brakes) {
    const affected = out.filter((d) => d.kind === brake.kind);
    const count = affected.length;
    if (count === 0) continue;
    const blocked = limitBreach(count, connected, brake, { item: 'connection', total: 'connected connection' });
    if (blocked === undefined) continue;
    const block = blocked;
    out = out.map((d) => (d.kind === brake.kind ? { ...d, blocked: { ...block } } : d));
    const regions = [...new Set(affected.map((d) => d.regionId))].sort();
    warnings.push({ code: 'safety-limit', regionId: regions.join(','), serviceId: undefined, message: block.reason });
  }
  return { decisions: out, warnings };
}
