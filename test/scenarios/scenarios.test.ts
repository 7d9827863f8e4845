/**
 * Every test/scenarios/*.yaml file, end to end: emulator + real client + runSweep (see ./scenario-runner.ts).
 */
import { test } from 'node:test';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenarioFile } from './scenario-runner.ts';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

for (const file of files) {
  test(`scenario ${file}`, async () => {
    await runScenarioFile(join(here, file));
  });
}
