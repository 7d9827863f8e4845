/**
 * Fault injection for the RPC path (`settings.faults`), deterministic from `FaultSettings.seed`: each rule
 * owns a seeded PRNG that advances exactly once per request the rule matches, so the same request
 * sequence meets the same faults. Settings may change while the emulator runs; a change restarts every
 * rule's PRNG and rate-limit window.
 */
import type { AnswerFault, FaultRule, FaultSettings } from './types.ts';
import { ANSWER_FAULTS } from './types.ts';
import { seededRandom } from './model/ids.ts';

/** What a request meets on its way: added latency, then at most one of the outcomes. */
export interface FaultDecision {
  latencyMs: number;
  /** `Throttling.User` from a rule's rate limit. */
  throttled: boolean;
  outcome: FaultOutcome | undefined;
  /** A malformed or hostile answer, and the rule that chose it (for its options). */
  answer: AnswerFault | undefined;
  answerRule: FaultRule | undefined;
}

export type FaultOutcome = 'internalError' | 'serviceUnavailable' | 'badGateway' | 'hang' | 'drop';

/** Share fields in the order their intervals are laid out on [0, 1). */
const OUTCOMES: FaultOutcome[] = ['internalError', 'serviceUnavailable', 'badGateway', 'hang', 'drop'];

interface RuleState {
  rule: FaultRule;
  actions: Set<string> | undefined;
  random: () => number;
  /** Per AccessKey: times (ms) of the requests admitted within the last second. */
  windows: Map<string, number[]>;
}

const ECHOES = ['accessKeySecret', 'securityToken', 'signature'];

/** Problems of a rule's `answers` map: known kinds, shares between 0 and 1. */
function answerProblems(at: string, value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${at}.answers must be an object`];
  return Object.entries(value).flatMap(([kind, share]) => {
    if (!(ANSWER_FAULTS as readonly string[]).includes(kind))
      return [`${at}.answers.${kind} is not a known answer fault (known: ${ANSWER_FAULTS.join(', ')})`];
    return typeof share === 'number' && share >= 0 && share <= 1
      ? []
      : [`${at}.answers.${kind} must be a share between 0 and 1`];
  });
}

/** Checks a fault settings object; returns the problems found (empty when valid). */
export function validateFaultSettings(value: unknown): string[] {
  const problems: string[] = [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['faults must be an object'];
  const faults = value as Record<string, unknown>;
  for (const key of Object.keys(faults))
    if (key !== 'seed' && key !== 'rules') problems.push(`faults.${key} is not a known field`);
  if (faults['seed'] !== undefined && !Number.isInteger(faults['seed']))
    problems.push('faults.seed must be an integer');
  if (faults['rules'] === undefined) return problems;
  if (!Array.isArray(faults['rules'])) return [...problems, 'faults.rules must be an array'];
  faults['rules'].forEach((rule: unknown, i) => {
    const at = `faults.rules[${i}]`;
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
      problems.push(`${at} must be an object`);
      return;
    }
    for (const [key, v] of Object.entries(rule)) {
      if (key === 'answers') {
        problems.push(...answerProblems(at, v));
      } else if (key === 'hugeBodyBytes' || key === 'hugePageConnections') {
        if (!Number.isInteger(v) || (v as number) < 1) problems.push(`${at}.${key} must be an integer >= 1`);
      } else if (key === 'echo') {
        if (!Array.isArray(v) || !v.every((x) => ECHOES.includes(x as string)))
          problems.push(`${at}.echo must be a list of ${ECHOES.join(', ')}`);
      } else if (key === 'actions') {
        if (!Array.isArray(v) || !v.every((a) => typeof a === 'string'))
          problems.push(`${at}.actions must be an array of action names`);
      } else if (key === 'latencyMs' || key === 'rateLimitPerSecond') {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`${at}.${key} must be a number >= 0`);
      } else if ((OUTCOMES as string[]).includes(key)) {
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) problems.push(`${at}.${key} must be a share between 0 and 1`);
      } else {
        problems.push(`${at}.${key} is not a known field`);
      }
    }
    const r = rule as Record<string, unknown>;
    const answers = (typeof r['answers'] === 'object' && r['answers'] !== null ? r['answers'] : {}) as Record<
      string,
      unknown
    >;
    const total =
      OUTCOMES.reduce((sum, k) => sum + Number(r[k] ?? 0), 0) +
      Object.values(answers).reduce((sum: number, v) => sum + (typeof v === 'number' ? v : 0), 0);
    if (total > 1 + 1e-9) problems.push(`${at}: the shares add up to more than 1`);
  });
  return problems;
}

/** Lays the rule's shares out on [0, 1): failures first, then hostile answers; the draw picks one. */
function pick(decision: FaultDecision, rule: FaultRule, draw: number): void {
  let edge = 0;
  for (const outcome of OUTCOMES) {
    edge += rule[outcome] ?? 0;
    if (draw < edge) {
      decision.outcome = outcome;
      return;
    }
  }
  for (const answer of ANSWER_FAULTS) {
    edge += rule.answers?.[answer] ?? 0;
    if (draw < edge) {
      decision.answer = answer;
      decision.answerRule = rule;
      return;
    }
  }
}

/** Decides, per request, which faults a request meets. One instance per emulator. */
export class FaultInjector {
  private key = '';
  private states: RuleState[] = [];

  constructor(private readonly settings: () => FaultSettings) {}

  private refresh(): RuleState[] {
    const faults = this.settings();
    const key = JSON.stringify(faults);
    if (key !== this.key) {
      this.key = key;
      this.states = faults.rules.map((rule, index) => ({
        rule,
        actions: rule.actions === undefined ? undefined : new Set(rule.actions),
        // Distinct, reproducible streams per rule: mix the rule's index into the seed.
        random: seededRandom(Math.imul(faults.seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)),
        windows: new Map(),
      }));
    }
    return this.states;
  }

  /**
   * The faults for one request of `action` by `accessKeyId`, at wall-clock time `nowMs` (the rate
   * limit counts real time: the emulator clock may be paused or jumped by tests).
   */
  decide(action: string, accessKeyId: string, nowMs: number): FaultDecision {
    const decision: FaultDecision = {
      latencyMs: 0,
      throttled: false,
      outcome: undefined,
      answer: undefined,
      answerRule: undefined,
    };
    for (const state of this.refresh()) {
      if (state.actions !== undefined && !state.actions.has(action)) continue;
      const { rule } = state;
      decision.latencyMs += rule.latencyMs ?? 0;
      // Drawn for every matching request, whatever else happens, so the sequence depends only on the
      // sequence of matching requests.
      const draw = state.random();
      if (rule.rateLimitPerSecond !== undefined && !decision.throttled) {
        const window = (state.windows.get(accessKeyId) ?? []).filter((t) => t > nowMs - 1000);
        if (window.length >= rule.rateLimitPerSecond) decision.throttled = true;
        else window.push(nowMs);
        state.windows.set(accessKeyId, window);
      }
      if (decision.outcome !== undefined || decision.answer !== undefined) continue;
      pick(decision, rule, draw);
    }
    return decision;
  }
}

/** A short description of the faults a request met, for the request log; undefined when none. */
export function describeFaults(decision: FaultDecision): string | undefined {
  const parts: string[] = [];
  if (decision.latencyMs > 0) parts.push(`latency ${decision.latencyMs}ms`);
  if (decision.throttled) parts.push('throttled');
  if (decision.outcome !== undefined) parts.push(decision.outcome);
  if (decision.answer !== undefined) parts.push(decision.answer);
  return parts.length === 0 ? undefined : parts.join(' + ');
}
