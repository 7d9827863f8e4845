/**
 * A sweep against the emulator through the real pop-core client: a fleet given as scenario YAML (the demo
 * accounts added), a policy as text. For the end-to-end tests of issue 9's failures.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, stringify } from 'yaml';
import { ManualClock, SCENARIOS_DIR, parseScenario, startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import type { SweepRecord } from '../../functions/audit/audit-records.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { Policy } from '../../functions/policy/policy.ts';
import { loadPolicyText } from '../../functions/policy-file/load-policy-file.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import type { SweepOptions, SweepResult } from '../../functions/sweep/run-sweep.ts';

/** Rewrites the JSON answer of an action on its way from the emulator to the client (a string: the raw body). */
export type Tamper = (body: Record<string, unknown>) => unknown;

export interface E2e {
  emu: RunningEmulator;
  /** Answers of these actions are rewritten between the emulator and the client (a malformed API). */
  tamper: Map<string, Tamper>;
  clock: ManualClock;
  policy: Policy;
  client(): PrivateLinkClient;
  sweep(over?: Partial<SweepOptions>): Promise<SweepResult & { sunk: SweepRecord[] }>;
  close(): Promise<void>;
}

type Fleet = { services?: Array<Record<string, unknown>>; endpoints?: Array<Record<string, unknown>> };

/** The emulator's services admit only whitelisted accounts (emulator/README.md "Whitelist"): each
 *  endpoint's owner is added to the whitelist of the service it names, unless the fleet gives one. */
function whitelistOwners(fleet: Fleet): Fleet {
  for (const s of fleet.services ?? []) {
    if (s['whitelist'] !== undefined) continue;
    const owners = (fleet.endpoints ?? []).filter((e) => e['service'] === s['id'] || e['service'] === s['name']);
    s['whitelist'] = [...new Set(owners.map((e) => e['owner']))];
  }
  return fleet;
}

/** Starts an emulator with `fleet` (YAML, without accounts) and loads `policyText`. */
export async function e2e(fleet: string, policyText: string): Promise<E2e> {
  const accounts = (parse(readFileSync(`${SCENARIOS_DIR}/demo.yaml`, 'utf8')) as { accounts: unknown }).accounts;
  const data = whitelistOwners(parse(fleet) as Fleet);
  const scenario = parseScenario(stringify({ accounts, ...data }), 'e2e#fleet');
  const loaded = loadPolicyText(policyText, 'e2e#policy');
  assert.ok(loaded.ok, JSON.stringify(loaded));
  const clock = new ManualClock();
  clock.pause();
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', scenario, clock });
  const tamper = new Map<string, Tamper>();
  const proxy = await startTamperingProxy(emu.url, tamper);
  const key = emu.accounts.find((a) => a.name === 'provider')?.accessKeys[0];
  assert.ok(key !== undefined);
  const clients: PrivateLinkClient[] = [];
  const client = (): PrivateLinkClient => {
    const c = createPrivateLinkClient({
      credentials: staticCredentials({ accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret }),
      endpoint: proxy.url,
      timeoutMs: 5000,
    });
    clients.push(c);
    return c;
  };
  return {
    emu,
    tamper,
    clock,
    policy: loaded.policy,
    client,
    sweep: async (over = {}) => {
      const sunk: SweepRecord[] = [];
      const result = await runSweep({
        policy: loaded.policy,
        api: client(),
        mode: 'enforce',
        sink: (r) => sunk.push(r),
        retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 },
        ...over,
      });
      return { ...result, sunk };
    },
    close: async () => {
      for (const c of clients) c.close();
      await proxy.close();
      await emu.close();
    },
  };
}

/** The status of each connection in the emulator now, by endpoint ID. */
export function statuses(emu: RunningEmulator): Record<string, string> {
  const state = emu.model.snapshot() as {
    connections?: { endpointId: string; connectionStatus: string; awaitingDecision: boolean }[];
  };
  return Object.fromEntries(
    (state.connections ?? []).map((c) => [
      c.endpointId,
      `${c.connectionStatus}${c.awaitingDecision ? ' (awaiting)' : ''}`,
    ]),
  );
}

/** A loopback HTTP proxy to `target` that passes requests through and rewrites the answers `tamper` names. */
async function startTamperingProxy(
  target: string,
  tamper: Map<string, Tamper>,
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const action = query.get('Action') ?? new URLSearchParams(body.toString('utf8')).get('Action') ?? '';
      const up = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            let out = Buffer.concat(parts);
            const rewrite = tamper.get(action);
            if (rewrite !== undefined && answer.statusCode === 200) {
              const rewritten = rewrite(JSON.parse(out.toString('utf8')) as Record<string, unknown>);
              // A string is the raw body (for numbers JSON.stringify cannot write, such as 2000000000000002.9).
              out = Buffer.from(typeof rewritten === 'string' ? rewritten : JSON.stringify(rewritten));
            }
            const headers = { ...answer.headers, 'content-length': String(out.length) };
            delete headers['transfer-encoding'];
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(out);
          });
        },
      );
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
