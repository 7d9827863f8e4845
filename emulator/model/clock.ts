import type { EmulatorClock } from '../types.ts';

/**
 * The emulator's controllable clock. While running it follows the real clock from its last anchor, so
 * an emulator started for `npm start` behaves like the cloud; tests pause it and move it with `advance`
 * so asynchronous transitions (Enable, Disable, deletes) complete without real sleeps.
 */
export class ManualClock implements EmulatorClock {
  /** Emulated time at the anchor. */
  private anchorMs: number;
  /** Real time at the anchor (meaningless while paused). */
  private anchorRealMs: number;
  private isPaused = false;

  constructor(startMs: number = Date.now()) {
    this.anchorMs = startMs;
    this.anchorRealMs = Date.now();
  }

  get paused(): boolean {
    return this.isPaused;
  }

  now(): number {
    return this.isPaused ? this.anchorMs : this.anchorMs + (Date.now() - this.anchorRealMs);
  }

  /** Move the clock forward by `ms` (also while paused). Negative values are refused: time does not run back. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance(ms) needs a non-negative number of milliseconds, got ${ms}`);
    this.anchorMs = this.now() + ms;
    this.anchorRealMs = Date.now();
  }

  pause(): void {
    if (this.isPaused) return;
    this.anchorMs = this.now();
    this.isPaused = true;
  }

  resume(): void {
    if (!this.isPaused) return;
    this.anchorRealMs = Date.now();
    this.isPaused = false;
  }
}
