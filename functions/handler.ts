/**
 * The Function Compute 3.0 entry point (runtime nodejs20, handler `index.handler` once bundled by
 * scripts/build.ts into dist/index.js). A timer trigger calls it every few minutes; each call runs one
 * sweep and returns the run summary. See ./fc/create-handler.ts for what an invocation does and the
 * README's "Deploy" section for the environment variables.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandler } from './fc/create-handler.ts';
import type { FcEventHandler } from './fc/create-handler.ts';

/** Stamped by scripts/build.ts (`git rev-parse HEAD` at build); absent when run from source. */
declare const __POLICY_COMMIT__: string | undefined;

const buildCommit = typeof __POLICY_COMMIT__ === 'string' && __POLICY_COMMIT__ !== '' ? __POLICY_COMMIT__ : undefined;

/** FC's handler. The configuration is read here, at cold start. Lines go straight to stdout: FC's
 *  console.log would prefix them with a timestamp and level and break the JSON lines SLS indexes. */
export const handler: FcEventHandler = createHandler({
  env: process.env,
  codeDir: dirname(fileURLToPath(import.meta.url)),
  buildCommit,
  write: (line) => {
    process.stdout.write(`${line}\n`);
  },
});
