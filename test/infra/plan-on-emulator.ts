/**
 * Runs `privatelink-approver plan` in-process against a fresh emulator, signed with the demo provider's
 * key from the environment (the default credential chain's first source): what the pipeline's plan job
 * does, minus the cloud.
 */
import { main } from '../../cli/main.ts';
import { startEmulator } from '../../emulator/index.ts';
import type { RequestLogEntry, StartEmulatorOptions } from '../../emulator/index.ts';
import { testIO, withEnv } from '../cli/cli-io.ts';
import { PROVIDER_KEY } from '../fc/fc-harness.ts';

export interface PlanOnEmulator {
  code: number;
  stdout: string;
  stderr: string;
  /** Every request the emulator received. */
  requests: RequestLogEntry[];
}

/** `plan` with these arguments (e.g. `--policy FILE --format json`). */
export async function planOnEmulator(args: string[], emulator: StartEmulatorOptions = {}): Promise<PlanOnEmulator> {
  const emu = await startEmulator(emulator);
  try {
    const io = testIO({ env: { PRIVATELINK_ENDPOINT: emu.url } });
    const code = await withEnv(
      {
        ALIBABA_CLOUD_ACCESS_KEY_ID: PROVIDER_KEY.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: PROVIDER_KEY.accessKeySecret,
        ALIBABA_CLOUD_SECURITY_TOKEN: undefined,
      },
      () => main(['plan', ...args], io),
    );
    return { code, stdout: io.out(), stderr: io.err(), requests: emu.requests() };
  } finally {
    await emu.close();
  }
}
