/**
 * Runs one sweep scenario file end to end: the emulator (real HTTP on 127.0.0.1) with the file's fleet,
 * the policy loaded from the file's YAML, the real pop-core client, `runSweep`; then checks the decision
 * records, the run summaries, the emulator's request log and its final state against the file.
 *
 * File format (test/scenarios/*.yaml):
 *
 *   description: what it proves
 *   fleet:             # an emulator scenario (emulator/model/scenario.ts); `accounts` default to the demo accounts
 *   policy: |          # the policy file's text
 *   client: { timeoutMs: 500 }         # optional client settings
 *   failListing: [epsrv-...]           # optional: these services' connection listings fail (ServiceUnavailable)
 *   runs:              # sweeps in order
 *     - person:                          # optional: writes a person makes by hand before this run (no ClientToken),
 *         - { action: DisableVpcEndpointConnection, endpointId: ep-... }   # then the clock settles
 *       waitMs: 5000                     # optional: the emulator clock moves this far before the run
 *       parallel: 2                      # optional: this many sweeps at once (same policy revision)
 *       scope: requests                  # optional: `requests` or `all` (default); a list: one sweep of each at once
 *       dryRun: true                     # optional
 *       maxCalls: 9                      # optional: deadline after this many API calls (fake run clock: 1 s per call)
 *       retry: { maxAttempts: 6 }        # optional
 *       readConcurrency: 1               # optional (default 4); 1 makes seeded faults deterministic
 *       settle: false                    # default true: advance the emulator clock past transitions afterwards
 *       expect:
 *         records: [{endpointId, decision, outcome, ...}]   # in order, each a subset; a list value = one of
 *         summary: { deadlineReached: true, counts: { byOutcome: { deferred: 2 } } }   # a nested subset
 *         writes: 3                      # successful write requests the emulator answered during the run
 *         minRetries: 1                  # at least this many retries in the summary
 *         codesSeen: [Throttling.User]   # error codes the emulator answered during the run (NoAnswer: a hang)
 *
 * Checked after every scenario: each (write action, connection) succeeded with one ClientToken only
 * between two changes a person made to that connection.
 *   end: { ep-...: { status: Connected, bandwidth: 1024 } }   # emulator state after the last run
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse, stringify } from 'yaml';
import { ManualClock } from '../../emulator/index.ts';
import { SCENARIOS_DIR, parseScenario } from '../../emulator/index.ts';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { foldReplays } from '../../functions/audit/read-records.ts';
import type { AuditRecord, SweepRecord } from '../../functions/audit/audit-records.ts';
import { isAuditRecord, isIntentRecord } from '../../functions/audit/audit-records.ts';
import { ApiError } from '../../functions/client/api-error.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { loadPolicyText } from '../../functions/policy-file/load-policy-file.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import { recordSchemaProblems } from '../sweep/record-schema.ts';
import type { SweepResult, SweepScope } from '../../functions/sweep/run-sweep.ts';

/** A write a person makes by hand between runs (the provider's console): no ClientToken. */
export interface PersonWrite {
  action: 'EnableVpcEndpointConnection' | 'DisableVpcEndpointConnection' | 'UpdateVpcEndpointConnectionAttribute';
  endpointId: string;
  bandwidth?: number;
}

export interface ScenarioRun {
  person?: PersonWrite[];
  /** The emulator clock moves this far before the run (after `person`). */
  waitMs?: number;
  parallel?: number;
  /** The sweep's scope; a list runs one sweep per entry at once (docs/cadences.md). */
  scope?: SweepScope | SweepScope[];
  dryRun?: boolean;
  maxCalls?: number;
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  settle?: boolean;
  /** Reads in flight at once (default 4); 1 makes the request order, and so seeded faults, deterministic. */
  readConcurrency?: number;
  expect?: {
    records?: Record<string, unknown>[];
    summary?: Record<string, unknown>;
    writes?: number;
    /** At least this many retries in each run's summary (faults were met and overcome). */
    minRetries?: number;
    /** Error codes the emulator must have answered during the run (the faults happened). */
    codesSeen?: string[];
  };
}

export interface ScenarioFile {
  description: string;
  fleet: Record<string, unknown>;
  policy: string;
  client?: { timeoutMs?: number };
  failListing?: string[];
  runs: ScenarioRun[];
  end?: Record<string, { status?: string; bandwidth?: number }>;
}

const WRITE_ACTIONS = new Set([
  'EnableVpcEndpointConnection',
  'DisableVpcEndpointConnection',
  'UpdateVpcEndpointConnectionAttribute',
]);

function demoAccounts(): unknown {
  return (parse(readFileSync(`${SCENARIOS_DIR}/demo.yaml`, 'utf8')) as { accounts: unknown }).accounts;
}

/** Checks `actual` contains `expected` (objects: a subset, recursively; a list where a scalar is expected: one of). */
export function assertSubset(actual: unknown, expected: unknown, where: string): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    assert.equal(actual.length, expected.length, `${where}: ${JSON.stringify(actual)}`);
    expected.forEach((e, i) => assertSubset(actual[i], e, `${where}[${i}]`));
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(
      expected.some((e) => JSON.stringify(e) === JSON.stringify(actual)),
      `${where}: ${JSON.stringify(actual)} is not one of ${JSON.stringify(expected)}`,
    );
    return;
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(
      actual !== null && typeof actual === 'object',
      `${where}: expected an object, got ${JSON.stringify(actual)}`,
    );
    for (const [key, value] of Object.entries(expected))
      assertSubset((actual as Record<string, unknown>)[key], value, `${where}.${key}`);
    return;
  }
  assert.deepEqual(actual, expected, where);
}

function describeRecords(records: AuditRecord[]): string {
  return records
    .map(
      (r) =>
        `  ${r.endpointId ?? r.serviceId} ${r.decision} ${r.outcome}${r.errorCode === null ? '' : ` ${r.errorCode}`}`,
    )
    .join('\n');
}

/** Loads, runs and checks one scenario file. */
export async function runScenarioFile(path: string): Promise<void> {
  const file = parse(readFileSync(path, 'utf8')) as ScenarioFile;
  const name = basename(path);
  const fleet = { accounts: demoAccounts(), ...file.fleet };
  const scenario = parseScenario(stringify(fleet), `${path}#fleet`);
  const loaded = loadPolicyText(file.policy, `${name}#policy`);
  assert.ok(loaded.ok, `${name}: the policy does not load: ${JSON.stringify(loaded)}`);
  const policy = loaded.policy;

  const clock = new ManualClock();
  clock.pause();
  const emu: RunningEmulator = await startEmulator({ port: 0, host: '127.0.0.1', scenario, clock });
  const provider = emu.accounts.find((a) => a.name === 'provider');
  const key = provider?.accessKeys[0];
  assert.ok(key !== undefined, 'the fleet needs the provider account');
  const clients: PrivateLinkClient[] = [];
  const newClient = (): PrivateLinkClient => {
    const client = createPrivateLinkClient({
      credentials: staticCredentials({ accessKeyId: key.accessKeyId, accessKeySecret: key.accessKeySecret }),
      endpoint: emu.url,
      timeoutMs: file.client?.timeoutMs ?? 2000,
    });
    clients.push(client);
    if (file.failListing !== undefined) {
      const failing = new Set(file.failListing);
      const list = client.listVpcEndpointConnections.bind(client);
      client.listVpcEndpointConnections = async (req) => {
        if (failing.has(req.serviceId)) {
          throw new ApiError({
            code: 'ServiceUnavailable',
            message: 'The request has failed due to a temporary failure of the server.',
            action: 'ListVpcEndpointConnections',
            httpStatus: 503,
          });
        }
        return list(req);
      };
    }
    return client;
  };
  const settleMs = Math.max(emu.settings.enableDelayMs, emu.settings.disableDelayMs, emu.settings.updateDelayMs) + 1;
  /** Request seqs of the person's writes, and per endpoint the seqs where a person changed it. */
  /** Every record of every run, for the audit-trail check at the end. */
  const trail: AuditRecord[] = [];
  const personSeqs = new Set<number>();
  const personChanges = new Map<string, number[]>();
  const person = async (writes: PersonWrite[]): Promise<void> => {
    const client = newClient();
    const state = emu.model.snapshot() as { endpoints: { endpointId: string; serviceId: string; regionId: string }[] };
    for (const w of writes) {
      const ep = state.endpoints.find((e) => e.endpointId === w.endpointId);
      assert.ok(ep !== undefined, `${name}: person: no endpoint ${w.endpointId}`);
      const target = { regionId: ep.regionId, serviceId: ep.serviceId, endpointId: w.endpointId };
      if (w.action === 'DisableVpcEndpointConnection') await client.disableVpcEndpointConnection(target);
      else if (w.action === 'EnableVpcEndpointConnection')
        await client.enableVpcEndpointConnection({ ...target, bandwidth: w.bandwidth ?? 1024 });
      else await client.updateVpcEndpointConnectionAttribute({ ...target, bandwidth: w.bandwidth ?? 1024 });
      const seq = emu.requests().at(-1)?.seq ?? 0;
      personSeqs.add(seq);
      personChanges.set(w.endpointId, [...(personChanges.get(w.endpointId) ?? []), seq]);
    }
    clock.advance(settleMs);
  };

  try {
    for (const [index, run] of file.runs.entries()) {
      const where = `${name} run ${index + 1}`;
      if (run.person !== undefined) await person(run.person);
      if (run.waitMs !== undefined) clock.advance(run.waitMs);
      const since = emu.requests().at(-1)?.seq ?? 0;
      const scopes = Array.isArray(run.scope) ? run.scope : undefined;
      const sweeps = Array.from({ length: scopes?.length ?? run.parallel ?? 1 }, async (_, n): Promise<SweepResult> => {
        const client = newClient();
        const start = Date.now();
        const sunk: SweepRecord[] = [];
        const result = await runSweep({
          policy,
          api: client,
          mode: run.dryRun === true ? 'dry-run' : 'enforce',
          scope: scopes?.[n] ?? (typeof run.scope === 'string' ? run.scope : 'all'),
          runId: `${name}-${index + 1}-${n + 1}`,
          sink: (r) => sunk.push(r),
          readConcurrency: run.readConcurrency ?? 4,
          callTimeoutMs: file.client?.timeoutMs ?? 2000,
          retry: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 40, ...run.retry },
          ...(run.maxCalls === undefined
            ? {}
            : // A run clock that moves 1 s per API call: the deadline then allows exactly maxCalls calls.
              {
                now: () => start + client.stats().calls * 1000,
                deadline: start + run.maxCalls * 1000 + (file.client?.timeoutMs ?? 2000),
              }),
        });
        // The sink saw every record as it happened (writes most urgent first); the result lists them in the
        // plan's order.
        const byJson = (rs: AuditRecord[]): string[] => rs.map((r) => JSON.stringify(r)).sort();
        assert.deepEqual(
          byJson(sunk.slice(0, -1).filter(isAuditRecord)),
          byJson(result.records),
          `${where}: the sink saw every record`,
        );
        // Intent before effect: every record of a sent write has its intent earlier in the stream.
        for (const r of result.records.filter((x) => x.clientToken !== null)) {
          const at = sunk.indexOf(r);
          const intent = sunk.findIndex(
            (x) => isIntentRecord(x) && x.decisionId === r.decisionId && x.clientToken === r.clientToken,
          );
          assert.ok(intent !== -1 && intent < at, `${where}: an intent precedes ${JSON.stringify(r)}`);
        }
        assert.deepEqual(sunk.at(-1), result.summary, `${where}: the summary comes last`);
        return result;
      });
      const results = await Promise.all(sweeps);
      for (const result of results) {
        trail.push(...result.records);
        // Every record is what docs/audit-records.md promises, and the summary's counts add up.
        for (const r of result.records) assert.deepEqual(recordSchemaProblems(r), [], `${where}: ${JSON.stringify(r)}`);
        const { byDecision, byOutcome } = result.summary.counts;
        const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
        assert.equal(sum(byOutcome), result.records.length, `${where}: counts.byOutcome adds up to the records`);
        assert.equal(
          sum(byDecision),
          result.summary.governedConnections,
          `${where}: counts.byDecision adds up to the governed connections`,
        );
        assert.equal(
          result.summary.governedConnections,
          result.plan.decisions.length,
          `${where}: one decision per governed connection`,
        );
        assert.equal(
          result.summary.servicesFailed.length,
          result.records.filter((r) => r.endpointId === null).length,
          `${where}: one failure record per service not collected`,
        );
      }
      if (process.env['SCENARIO_TRACE'] !== undefined) {
        for (const r of emu.requests(since))
          console.log(
            r.seq,
            r.action,
            r.params['EndpointId'] ?? r.params['ServiceId'] ?? '',
            r.status,
            r.code ?? '',
            (r.params['ClientToken'] ?? '').slice(0, 8),
          );
      }
      for (const result of results) {
        const expected = run.expect?.records;
        if (expected !== undefined) {
          assert.equal(result.records.length, expected.length, `${where}: records\n${describeRecords(result.records)}`);
          expected.forEach((e, i) =>
            assertSubset(result.records[i], e, `${where} record ${i + 1}\n${describeRecords(result.records)}\n`),
          );
        }
        if (run.expect?.summary !== undefined) assertSubset(result.summary, run.expect.summary, `${where} summary`);
        if (run.expect?.minRetries !== undefined) {
          assert.ok(
            result.summary.retries >= run.expect.minRetries,
            `${where}: ${result.summary.retries} retries, expected at least ${run.expect.minRetries}`,
          );
        }
      }
      const writes = emu
        .requests(since)
        .filter(
          (r) => r.action !== undefined && WRITE_ACTIONS.has(r.action) && r.status === 200 && r.code === undefined,
        );
      if (run.expect?.writes !== undefined)
        assert.equal(writes.length, run.expect.writes, `${where}: successful writes`);
      const seen = new Set(emu.requests(since).map((r) => (r.status === 0 ? 'NoAnswer' : r.code)));
      for (const code of run.expect?.codesSeen ?? [])
        assert.ok(seen.has(code), `${where}: the emulator never answered ${code} (saw ${[...seen].join(', ')})`);
      if (run.settle !== false) clock.advance(settleMs);
    }

    // Never twice: every successful write of one (action, connection) carries one ClientToken, so the
    // API applied it once (a replay with the same token has no second effect).
    const tokens = new Map<string, Set<string>>();
    for (const r of emu.requests()) {
      if (
        r.action === undefined ||
        !WRITE_ACTIONS.has(r.action) ||
        r.status !== 200 ||
        r.code !== undefined ||
        personSeqs.has(r.seq)
      )
        continue;
      const token = r.params['ClientToken'];
      assert.ok(
        token !== undefined && token !== '',
        `${name}: a write without ClientToken: ${JSON.stringify(r.params)}`,
      );
      const era = (personChanges.get(r.params['EndpointId'] ?? '') ?? []).filter((seq) => seq < r.seq).length;
      const k = `${r.action} ${r.params['ServiceId']} ${r.params['EndpointId']} after ${era} change(s) by a person`;
      tokens.set(k, new Set([...(tokens.get(k) ?? []), token]));
    }
    for (const [k, set] of tokens)
      assert.equal(set.size, 1, `${name}: ${k} was applied with ${set.size} different tokens`);

    // The audit trail claims exactly the changes the API made: one `applied` record per distinct write
    // request (action, connection, ClientToken) once replays are folded (docs/audit-records.md).
    const requests = new Set<string>();
    for (const r of emu.requests()) {
      if (
        r.action === undefined ||
        !WRITE_ACTIONS.has(r.action) ||
        r.status !== 200 ||
        r.code !== undefined ||
        personSeqs.has(r.seq)
      )
        continue;
      requests.add(`${r.action} ${r.params['ServiceId']} ${r.params['EndpointId']} ${r.params['ClientToken']}`);
    }
    const applied = foldReplays(trail).records.filter((r) => r.outcome === 'applied');
    assert.equal(
      applied.length,
      requests.size,
      `${name}: ${applied.length} applied record(s) once replays are folded, ${requests.size} write request(s) made\n${describeRecords(applied)}`,
    );

    if (file.end !== undefined) {
      const state = emu.model.snapshot() as {
        endpoints: { endpointId: string; connectionStatus: string; bandwidth: number }[];
      };
      for (const [endpointId, want] of Object.entries(file.end)) {
        const got = state.endpoints.find((e) => e.endpointId === endpointId);
        assert.ok(got !== undefined, `${name}: endpoint ${endpointId} not in the emulator`);
        if (want.status !== undefined) assert.equal(got.connectionStatus, want.status, `${name}: ${endpointId} status`);
        if (want.bandwidth !== undefined)
          assert.equal(got.bandwidth, want.bandwidth, `${name}: ${endpointId} bandwidth`);
      }
    }
  } finally {
    for (const c of clients) c.close();
    await emu.close();
  }
}
