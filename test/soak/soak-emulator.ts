/**
 * The emulator as the soak uses it: started from emulator/index.ts, read and steered only through its
 * control path (/__emulator/...), behind a loopback TCP relay that notes every `Signature` sent (the
 * emulator's log leaves signatures out, and the secret scan must know them). The relay forwards bytes
 * untouched, so hangs and dropped connections reach the client as the emulator made them.
 */
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { startEmulator } from '../../emulator/index.ts';
import type { EmulatorSettings, RequestLogEntry, RunningEmulator, Scenario } from '../../emulator/index.ts';

/** A connection as the control path's state shows it. */
export interface StateConnection {
  regionId: string;
  serviceId: string;
  endpointId: string;
  endpointOwnerId: string;
  connectionStatus: string;
  awaitingDecision: boolean;
  bandwidth: number;
  modifiedTime: string;
}

export interface SoakEmulator {
  /** The relay's URL: what the CLI and the function are given as their endpoint. */
  url: string;
  /** The emulator's own URL (control path). */
  controlUrl: string;
  /** Every Signature seen on the wire, as sent (URL-encoded). */
  signatures: Set<string>;
  /** The highest request sequence number so far. */
  lastSeq(): Promise<number>;
  /** Request log entries with seq > since. */
  requests(since?: number): Promise<RequestLogEntry[]>;
  connections(): Promise<StateConnection[]>;
  patchSettings(patch: Partial<EmulatorSettings> | Record<string, unknown>): Promise<Response>;
  close(): Promise<void>;
}

async function control(base: string, path: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(`${base}/__emulator/${path}`, init);
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** A TCP relay to `port` that scans the client's bytes for `Signature=...`. */
function startRelay(port: number, signatures: Set<string>, sockets: Set<Socket>): Promise<Server> {
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port });
    sockets.add(client).add(upstream);
    let tail = '';
    client.on('data', (chunk: Buffer) => {
      // Keep a short tail so a Signature split across two chunks is still seen whole.
      const text = tail + chunk.toString('latin1');
      for (const m of text.matchAll(/(?:^|[?&\s])Signature=([^&\s]+)(?=[&\s])/g)) if (m[1]) signatures.add(m[1]);
      tail = text.slice(-160);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      // Flush a Signature that ended the body.
      const m = /(?:^|[?&\s])Signature=([^&\s]+)$/.exec(tail);
      if (m?.[1]) signatures.add(m[1]);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on('close', end);
      s.on('error', end);
      s.on('end', end);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Starts the emulator with `scenario` and `settings`, and the relay in front of it. */
export async function startSoakEmulator(
  scenario: Scenario,
  settings: Partial<EmulatorSettings>,
): Promise<SoakEmulator> {
  const emu: RunningEmulator = await startEmulator({ scenario, settings, requestLogCapacity: 1_000_000 });
  const signatures = new Set<string>();
  const sockets = new Set<Socket>();
  const relay = await startRelay(emu.port, signatures, sockets);
  const base = emu.url;
  return {
    url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    controlUrl: base,
    signatures,
    lastSeq: async () => ((await control(base, 'requests?since=999999999')) as { last: number }).last,
    requests: async (since = 0) =>
      ((await control(base, `requests?since=${since}`)) as { requests: RequestLogEntry[] }).requests,
    connections: async () => ((await control(base, 'state')) as { connections: StateConnection[] }).connections,
    patchSettings: (patch) =>
      fetch(`${base}/__emulator/settings`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(patch),
      }),
    close: async () => {
      const closed = new Promise<void>((resolve) => relay.close(() => resolve()));
      sockets.forEach((s) => s.destroy());
      await closed;
      await emu.close();
    },
  };
}

/** PATCHes settings and throws when the emulator refuses them. */
export async function setSettings(emu: SoakEmulator, patch: Record<string, unknown>): Promise<void> {
  const res = await emu.patchSettings(patch);
  if (!res.ok) throw new Error(`settings refused: ${res.status} ${await res.text()}`);
}
