/**
 * A call's result as a value: the sweep decides what a failed call means (a failure record, `deferred`,
 * a stop) by looking at it, never by catching it several frames up.
 */
import type { ApiError } from '../client/api-error.ts';
import { toApiError } from './metered-api.ts';

export type Settled<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Waits for `promise`; a rejection becomes `{ ok: false, error }` (an ApiError, see toApiError). */
export async function outcomeOf<T>(promise: Promise<T>, action = ''): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: toApiError(error, action) };
  }
}
