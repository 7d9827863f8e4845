/**
 * A concurrency bound for asynchronous work: at most `limit` tasks run at once, the rest wait in FIFO
 * order. Used for the sweep's reads (writes are strictly serial and do not need it).
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Creates a limiter allowing `limit` (>= 1) tasks at a time. */
export function createLimiter(limit: number): Limiter {
  const max = Math.max(1, Math.floor(limit));
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    active -= 1;
    const next = waiting.shift();
    if (next !== undefined) next();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
