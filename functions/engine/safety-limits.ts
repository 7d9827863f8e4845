/**
 * The blast-radius brake: a plan that would disconnect or resize more connections than the policy's
 * `limits` allow applies none of them, and says why. Pure.
 */
import type { SafetyLimits } from '../policy/policy.ts';
import type { BlockingLimit, Decision, PlanWarning } from './decision.ts';

interface Brake {
  kind: 'revoke' | 'resize';
  absolute: { limit: BlockingLimit; value: number | undefined };
  percent: { limit: BlockingLimit; value: number | undefined };
  verb: string;
  noun: string;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

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
 * Returns new decision objects; the input is not modified.
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
  let out = decisions.map((d) => ({ ...d }));
  const warnings: PlanWarning[] = [];
  for (const brake of brakes) {
    const affected = out.filter((d) => d.kind === brake.kind);
    const count = affected.length;
    if (count === 0) continue;
    let blocked: { limit: BlockingLimit; reason: string } | undefined;
    if (brake.absolute.value !== undefined && count > brake.absolute.value) {
      blocked = {
        limit: brake.absolute.limit,
        reason:
          `plan would ${brake.verb} ${plural(count, 'connection')}, ` +
          `more than ${brake.absolute.limit} ${brake.absolute.value}: no ${brake.noun} applied`,
      };
    } else if (brake.percent.value !== undefined && count * 100 > brake.percent.value * connected) {
      const share = connected === 0 ? 100 : Math.round((count * 1000) / connected) / 10;
      blocked = {
        limit: brake.percent.limit,
        reason:
          `plan would ${brake.verb} ${count} of ${plural(connected, 'connected connection')} (${share}%), ` +
          `more than ${brake.percent.limit} ${brake.percent.value}%: no ${brake.noun} applied`,
      };
    }
    if (blocked === undefined) continue;
    const block = blocked;
    out = out.map((d) => (d.kind === brake.kind ? { ...d, blocked: { ...block } } : d));
    const regions = [...new Set(affected.map((d) => d.regionId))].sort();
    warnings.push({ code: 'safety-limit', regionId: regions.join(','), serviceId: undefined, message: block.reason });
  }
  return { decisions: out, warnings };
}
