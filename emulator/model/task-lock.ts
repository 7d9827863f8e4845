/**
 * The `task` reading of the connection write lock (emulator/README.md, "Write lock"): while a connection
 * task an account started is still running (an accept until Connected, a disconnect until Disconnected,
 * a bandwidth change until applied), every other connection write of that account is refused with
 * ConcurrentCallNotSupported. The lock is per provider account, or per account and region
 * (`writeLockScope`). A task's end is fixed when it starts, so the lock holds the latest end only.
 */
import type { ActionContext, EmulatorSettings } from '../types.ts';
import { EmulatorApiError } from '../types.ts';

/** ConcurrentCallNotSupported, as Alibaba's Terraform provider retries it (platform notes). */
export function concurrentCall(): EmulatorApiError {
  return new EmulatorApiError(
    'ConcurrentCallNotSupported',
    'Another operation on a connection of this account is in progress. Retry later.',
    400,
  );
}

/** What the write lock covers for a request of `accountId` in `regionId`. */
export function lockKey(settings: EmulatorSettings, accountId: string, regionId: string | undefined): string {
  return settings.writeLockScope === 'region' ? `${accountId}/${regionId ?? ''}` : accountId;
}

/** The running connection tasks per lock key: when the last one ends, ms. */
export class TaskLocks {
  private readonly until = new Map<string, number>();

  constructor(private readonly settings: EmulatorSettings) {}

  /** @throws ConcurrentCallNotSupported while a task of the caller's lock is running (`task` reading). */
  check(ctx: ActionContext, regionId: string): void {
    if (this.settings.writeLock !== 'task') return;
    const key = lockKey(this.settings, ctx.accountId, regionId);
    const end = this.until.get(key);
    if (end === undefined) return;
    if (ctx.now < end) throw concurrentCall();
    this.until.delete(key);
  }

  /** Records a task started now that ends at `end`. */
  started(ctx: ActionContext, regionId: string, end: number): void {
    if (end <= ctx.now) return;
    const key = lockKey(this.settings, ctx.accountId, regionId);
    this.until.set(key, Math.max(end, this.until.get(key) ?? 0));
  }
}
