/**
 * The Function Compute 3.0 entry points (runtime nodejs20, once bundled by scripts/build.ts into
 * dist/index.js): `index.requests` and `index.reconcile`, two functions of one code package, each with its
 * own timer (s.yaml, docs/cadences.md). Each call runs one sweep and returns the run summary. See ./fc/create-handler.ts for what an invocation does and the
 * README's "Deploy" section for the environment variables.
 *
 * Loading this module reads the configuration (cold start) and nothing else: the sweep, the policy
 * loader (yaml, the generated validator) and the API client (pop-core, http/https/zlib) are loaded by
 * the first invocation, through a dynamic import that esbuild keeps lazy inside the one-file bundle.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFcConfig } from './fc/fc-config.ts';
import { lazyHandler } from './fc/lazy-handler.ts';
import type { HandlerName } from './fc/create-handler.ts';

/** Stamped by scripts/build.ts (`git rev-parse HEAD` at build); absent when run from source. */
declare const __POLICY_COMMIT__: string | undefined;

const buildCommit = typeof __POLICY_COMMIT__ === 'string' && __POLICY_COMMIT__ !== '' ? __POLICY_COMMIT__ : undefined;

/** Read once, at cold start. */
const config = loadFcConfig(process.env, dirname(fileURLToPath(import.meta.url)), buildCommit);

/**
 * FC's handler. Lines go straight to stdout: FC's console.log decorates lines (time, request id, level),
 * which would break the one-JSON-object-per-line stream that SLS indexes.
 */
const write = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** One entry point per handler; each loads the same code (once per instance) on its first invocation. */
const entry = (name: HandlerName) =>
  lazyHandler(
    () => import('./fc/create-handler.ts').then(({ createHandler }) => createHandler({ config, write, name })),
    write,
  );

/** `index.requests`: decides only the connections awaiting a decision (timer: every minute). */
export const requests = entry('requests');

/** `index.reconcile`: the full sweep, drift included (timer: every 15 minutes). */
export const reconcile = entry('reconcile');

/** `index.handler`: the full sweep under its earlier name, for a deployment made before the two cadences. */
export const handler = reconcile;
