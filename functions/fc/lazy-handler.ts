/**
 * FC's entry point, cheap to load: the real handler (./create-handler.ts with the sweep, the policy
 * loader and pop-core) is loaded by the first invocation, so that an instance's start-up reads the
 * environment and nothing else. A load that fails (a broken bundle, a module that throws while
 * initialising) still ends in one JSON error record on stdout rather than a bare stack trace, and the
 * next invocation tries again.
 */
import type { FcEventHandler } from './create-handler.ts';
import type { FcContext } from './fc-context.ts';
import { fcRequestIdOf } from './fc-context.ts';
import { invocationErrorRecord } from './invocation-result.ts';
import type { HandlerResult } from './invocation-result.ts';
import { jsonLine } from '../audit/json-line.ts';

/** The handler FC calls: `(event, context)`. */
export type FcEntryPoint = (event: Buffer | string | null | undefined, context: FcContext) => Promise<HandlerResult>;

/**
 * Wraps `load` (a dynamic import of the real handler) into FC's entry point. `write` receives one JSON
 * line without a newline; `now` is epoch ms. The invocation's start is taken before the load, so the
 * run deadline counts the load too.
 */
export function lazyHandler(
  load: () => Promise<FcEventHandler>,
  write: (line: string) => void,
  now: () => number = Date.now,
): FcEntryPoint {
  let loaded: Promise<FcEventHandler> | undefined;
  return async (event, context) => {
    const startedAt = now();
    loaded ??= load();
    let handle: FcEventHandler;
    try {
      handle = await loaded;
    } catch (error) {
      loaded = undefined;
      const record = invocationErrorRecord({
        fcRequestId: fcRequestIdOf(context),
        time: now(),
        errorCode: 'Internal',
        message: `internal error: the function's code did not load: nothing changed: ${error instanceof Error ? error.message : String(error)}`,
        details: [],
      });
      write(jsonLine(record));
      return record;
    }
    return handle(event, context, startedAt);
  };
}
