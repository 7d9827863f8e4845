#!/usr/bin/env node
// The package's CLI entry: registers tsx in-process and runs cli/main.ts. (The Function
// Compute bundle in dist/ is built with esbuild and needs no tsx.)
import { register } from 'tsx/esm/api';

register();
// `privatelink-approver plan | head`: when the reader goes away, stop quietly instead of a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { main } = await import('../cli/main.ts');
try {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  });
} catch (error) {
  // Commands map every expected failure to an exit code; anything else is a bug of ours (exit 1).
  process.stderr.write(
    `privatelink-approver: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
