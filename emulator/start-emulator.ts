/**
 * `startEmulator()`: the PrivateLink API emulator on an HTTP port - the RPC path `/` that
 * @alicloud/pop-core talks to, and the control path `/__emulator/...`. Used by tests (port 0), by
 * `privatelink-approver emulator`, and by `npm start`.
 */
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTROL_PREFIX, createControlHandler } from './control-path.ts';
import { FaultInjector } from './faults.ts';
import { ManualClock } from './model/clock.ts';
import { PrivateLinkModel } from './model/private-link-model.ts';
import type { Scenario } from './model/scenario.ts';
import { defaultSettings, demoScenario, loadScenarioFile } from './model/scenario.ts';
import { RequestLog } from './request-log.ts';
import type { RequestLogEntry } from './request-log.ts';
import { createRpcHandler } from './rpc-server.ts';
import type { AccountInfo, EmulatorClock, EmulatorSettings } from './types.ts';

export interface StartEmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** A scenario, or the path of a scenario file; default the demo fleet. */
  scenario?: Scenario | string;
  /** Overrides on top of the defaults and the scenario's `settings:` block. */
  settings?: Partial<EmulatorSettings>;
  /** Default: a running ManualClock starting now. */
  clock?: EmulatorClock;
  /** How many requests the log keeps (default 10,000). */
  requestLogCapacity?: number;
}

/** A running emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`: the endpoint to give the RPC client. */
  url: string;
  port: number;
  accounts: AccountInfo[];
  model: PrivateLinkModel;
  clock: EmulatorClock;
  /** Live and mutable: changes apply to the next request (the control path PATCHes this object). */
  settings: EmulatorSettings;
  /** The request log, oldest first; `since` returns entries with a higher sequence number. */
  requests(since?: number): RequestLogEntry[];
  /** Stops listening, ends hanging and delayed requests, closes every connection. */
  close(): Promise<void>;
}

/**
 * Starts an emulator and resolves once it listens.
 * @throws ScenarioError when a scenario file does not load; the listen error when the port is taken.
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const scenario =
    options.scenario === undefined
      ? demoScenario()
      : typeof options.scenario === 'string'
        ? loadScenarioFile(options.scenario)
        : options.scenario;
  const settings: EmulatorSettings = { ...defaultSettings(), ...scenario.settings, ...options.settings };
  settings.faults = { ...settings.faults, rules: [...settings.faults.rules] };
  const clock = options.clock ?? new ManualClock();
  const model = new PrivateLinkModel(scenario, clock, settings);
  const log = new RequestLog(options.requestLogCapacity);
  const closing = new AbortController();
  const hanging = new Set<ServerResponse>();

  const rpc = createRpcHandler({
    model,
    clock,
    settings,
    log,
    faults: new FaultInjector(() => settings.faults),
    closing: closing.signal,
    hanging,
  });
  const control = createControlHandler({
    model,
    accounts: model.accounts,
    clock,
    settings,
    log,
    startedAt: Date.now(),
  });

  // pop-core keeps sockets alive and never retries: a server that closes an idle socket just as the
  // client reuses it answers that call with ECONNRESET. A long idle timeout makes that race rare for
  // clients that pause between calls (retry waits of a few seconds); close() still ends every socket.
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    // Split by hand: a full URL parse per RPC request costs more than the split, and only the control
    // path needs one (the host part is a placeholder).
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    if (pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`))
      control(req, res, new URL(raw, 'http://emulator'));
    else rpc(req, res, q < 0 ? '' : raw.slice(q + 1));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    accounts: model.accounts,
    model,
    clock,
    settings,
    requests: (since?: number) => log.list(since),
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        for (const res of hanging) res.destroy();
        hanging.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
