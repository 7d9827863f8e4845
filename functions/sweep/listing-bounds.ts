/**
 * Hard bounds on paging, so that no listing (a cycling NextToken the repeat check misses, a hostile or
 * broken API) can keep a run reading forever (issue 10). README "How a sweep runs".
 *
 * The API documents no ceiling on connections per service; this project's is
 * {@link MAX_CONNECTIONS_PER_LISTING} (10,000: far above a real service's), so one listing may take
 * ceil(10,000 / MaxResults) + 1 pages (201 at MaxResults 50), and a whole run
 * {@link MAX_PAGES_PER_RUN} pages (100,000 connections at 50 a page are 2,000 full pages; a quarter more
 * for the partly filled last page of each service and the service listings). Past a bound the listing fails
 * (its service is not collected, with a record saying why); the rest of the run goes on.
 */
import { ApiError } from '../client/api-error.ts';

/** The most items one listing (one service's connections, one region's services) is believed to have. */
export const MAX_CONNECTIONS_PER_LISTING = 10_000;
/** The most pages one run reads in all. */
export const MAX_PAGES_PER_RUN = 2_500;

export interface PageBounds {
  /** The most pages of one listing. */
  maxPagesPerListing: number;
  /** Pages the run may still read, shared by all listings. */
  budget: { pagesLeft: number; total: number };
}

/** The bounds for a run listing `pageSize` items a page. */
export function pageBounds(pageSize: number, over: Partial<{ perListing: number; perRun: number }> = {}): PageBounds {
  return {
    maxPagesPerListing: over.perListing ?? Math.ceil(MAX_CONNECTIONS_PER_LISTING / Math.max(1, pageSize)) + 1,
    budget: { pagesLeft: over.perRun ?? MAX_PAGES_PER_RUN, total: over.perRun ?? MAX_PAGES_PER_RUN },
  };
}

/** The error that stops a listing before its page number `pageNumber` (1-based), or undefined. */
export function overBound(action: string, bounds: PageBounds, pageNumber: number): ApiError | undefined {
  if (pageNumber > bounds.maxPagesPerListing) {
    const message =
      `ListingTooLong: ${action} still had a NextToken after ${bounds.maxPagesPerListing} pages ` +
      `(the ceiling is ${MAX_CONNECTIONS_PER_LISTING} items): not collected`;
    return new ApiError({ code: 'ListingTooLong', message, action });
  }
  if (bounds.budget.pagesLeft <= 0) {
    const message = `PageBudgetSpent: the run has read its ${bounds.budget.total} pages; ${action} not collected`;
    return new ApiError({ code: 'PageBudgetSpent', message, action });
  }
  return undefined;
}
