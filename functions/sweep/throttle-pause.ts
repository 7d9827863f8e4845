/**
 * Slowing a run down on `Throttling` (docs/cadences.md, "Within the API's quotas"): after a throttled
 * answer, every call of the run that starts later waits a pause first, doubling with each further throttled
 * answer (up to a ceiling) and halving with each answer that was not throttled. The throttled call itself is
 * retried by ./metered-api.ts as before; this spreads the run's other calls out instead of failing them.
 */
export interface ThrottlePauseSettings {
  /** The first pause after a throttled answer, ms. */
  firstMs: number;
  /** The longest pause, ms. */
  maxMs: number;
}

export const DEFAULT_THROTTLE_PAUSE: ThrottlePauseSettings = { firstMs: 500, maxMs: 8000 };

export class ThrottlePause {
  private pauseMs = 0;
  private until = 0;
  /** Throttled answers seen by the run. */
  throttled = 0;

  constructor(
    private readonly settings: ThrottlePauseSettings,
    private readonly now: () => number,
  ) {}

  /** Notes a throttled answer: the pause doubles (the first one: `firstMs`). */
  onThrottled(): void {
    this.throttled += 1;
    this.pauseMs = Math.min(this.settings.maxMs, this.pauseMs === 0 ? this.settings.firstMs : this.pauseMs * 2);
    this.until = Math.max(this.until, this.now() + this.pauseMs);
  }

  /** Notes an answer that was not throttled: the pause halves (under `firstMs`: none). */
  onAnswered(): void {
    this.pauseMs = this.pauseMs / 2 < this.settings.firstMs ? 0 : this.pauseMs / 2;
  }

  /** How long a call starting now waits first, ms (0: none). */
  waitMs(): number {
    return Math.max(0, this.until - this.now());
  }
}
