import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ScenarioError,
  defaultSettings,
  demoScenario,
  loadScenarioFile,
  parseScenario,
} from '../../../emulator/model/scenario.ts';
import { ManualClock } from '../../../emulator/model/clock.ts';
import { generateFleet } from '../../../emulator/model/fleet-generator.ts';
import { ACCOUNTS, harness } from './model-harness.ts';

function errorsOf(text: string): string[] {
  try {
    parseScenario(text, 'fleet.yaml');
  } catch (err) {
    assert.ok(err instanceof ScenarioError, String(err));
    return err.errors;
  }
  assert.fail('expected a ScenarioError');
}

const BASE = `accounts:
  - id: "1000000000000001"
    name: provider
    accessKeys: [{ id: K1, secret: s1 }]
  - id: "2000000000000001"
    name: acme
    accessKeys: [{ id: K2, secret: s2, securityToken: tok }]
services:
  - id: epsrv-bp1svc0001
    region: cn-hangzhou
    owner: provider
    name: svc
`;

test('defaultSettings are the documented defaults', () => {
  assert.deepEqual(defaultSettings(), {
    pendingStatus: 'Connecting',
    enableDelayMs: 2000,
    disableDelayMs: 1000,
    updateDelayMs: 500,
    deleteDelayMs: 1000,
    createDelayMs: 1000,
    writeLock: 'request',
    writeLockScope: 'account',
    maxClockSkewMs: 900000,
    allowSts: true,
    faults: { seed: 1, rules: [] },
  });
});

test('the demo scenario has exactly the demo fleet IDs', () => {
  const s = demoScenario();
  assert.deepEqual(
    s.accounts.map((a) => [a.accountId, a.name, a.accessKeys.map((k) => `${k.accessKeyId}/${k.accessKeySecret}`)]),
    [
      ['1000000000000001', 'provider', ['LTAIdemoProvider0001/demo-provider-secret']],
      ['2000000000000001', 'acme', ['LTAIdemoAcme00000001/demo-acme-secret']],
      ['2000000000000002', 'globex', ['LTAIdemoGlobex000001/demo-globex-secret']],
      ['2000000000000003', 'initech', ['LTAIdemoInitech00001/demo-initech-secret']],
      ['2000000000000004', 'umbrella', ['LTAIdemoUmbrella0001/demo-umbrella-secret']],
    ],
  );
  assert.deepEqual(
    s.services.map((x) => [
      x.regionId,
      x.serviceId,
      x.name,
      x.autoAcceptEnabled,
      x.minBandwidth,
      x.maxBandwidth,
      x.connectBandwidth,
      x.tags,
    ]),
    [
      [
        'cn-hangzhou',
        'epsrv-bp1demoorders000001',
        'orders-api',
        false,
        100,
        10240,
        3072,
        { team: 'orders', tier: 'gold' },
      ],
      ['cn-hangzhou', 'epsrv-bp1demosearch00002', 'search-api', false, 100, 10240, 3072, { team: 'search' }],
      ['cn-shanghai', 'epsrv-uf6demoorders000003', 'orders-api', false, 100, 10240, 3072, { team: 'orders' }],
      ['cn-shanghai', 'epsrv-uf6demolegacy000004', 'legacy-api', true, 100, 10240, 3072, {}],
    ],
  );
  for (const e of s.endpoints) {
    assert.match(e.endpointId, e.regionId === 'cn-hangzhou' ? /^ep-bp1demo/ : /^ep-uf6demo/);
    assert.match(e.vpcId, e.regionId === 'cn-hangzhou' ? /^vpc-bp1demo/ : /^vpc-uf6demo/);
  }
  const pending = (who: string) =>
    s.endpoints.filter((e) => e.ownerId === who && e.connection.status === 'Awaiting').length;
  assert.equal(pending(ACCOUNTS.acme), 1);
  assert.equal(pending(ACCOUNTS.globex), 4, 'one per service, plus a second on orders-api in Hangzhou');
  assert.equal(pending(ACCOUNTS.initech), 1);
  assert.equal(pending(ACCOUNTS.umbrella), 2, 'held on orders-api in Hangzhou, rejected on search-api');
  // globex on orders-api in Hangzhou: one live connection and two requests, so the second request exceeds its 2-connection limit.
  const globexOrders = s.endpoints.filter(
    (e) => e.ownerId === ACCOUNTS.globex && e.serviceId === 'epsrv-bp1demoorders000001',
  );
  assert.deepEqual(
    globexOrders.map((e) => [e.endpointId, e.connection.status, e.connection.bandwidth]),
    [
      ['ep-bp1demoglobex00004', 'Connected', 2048],
      ['ep-bp1demoglobex00001', 'Awaiting', 3072],
      ['ep-bp1demoglobex00005', 'Awaiting', 3072],
    ],
  );
  const connected = s.endpoints.filter((e) => e.connection.status === 'Connected');
  assert.ok(
    connected.some((e) => e.ownerId === ACCOUNTS.acme && e.connection.bandwidth === 8192),
    'acme connected above its cap',
  );
  assert.ok(
    connected.some((e) => e.ownerId === ACCOUNTS.initech),
    'a Connected connection from initech',
  );
  // And it loads into a model whose key lookup knows the keys.
  const h = harness();
  assert.deepEqual(h.model.findAccessKey('LTAIdemoGlobex000001'), {
    accessKeyId: 'LTAIdemoGlobex000001',
    accessKeySecret: 'demo-globex-secret',
    accountId: ACCOUNTS.globex,
  });
  assert.equal(h.model.findAccessKey('LTAInobody'), undefined);
  assert.deepEqual(
    h.model.accounts.map((a) => a.name),
    ['provider', 'acme', 'globex', 'initech', 'umbrella'],
  );
});

test('a scenario with defaults: derived IDs are stable, zones and bandwidths default, STS tokens kept', () => {
  const text = `${BASE}    whitelist: [acme]\nendpoints:\n  - owner: acme\n    service: svc\n`;
  const a = parseScenario(text, 'a.yaml');
  const b = parseScenario(text, 'b.yaml');
  assert.deepEqual(a, b);
  const [e] = a.endpoints;
  assert.match(e?.endpointId ?? '', /^ep-bp1[a-z0-9]{17}$/);
  assert.match(e?.vpcId ?? '', /^vpc-bp1[a-z0-9]{17}$/);
  assert.deepEqual(e?.connection, { status: 'Awaiting', bandwidth: 3072 });
  assert.deepEqual(a.services[0]?.zones, ['cn-hangzhou-b', 'cn-hangzhou-h']);
  assert.equal(a.accounts[1]?.accessKeys[0]?.securityToken, 'tok');
  const h = harness({ scenario: a });
  assert.equal(h.model.findAccessKey('K2')?.securityToken, 'tok');
});

test('settings in a scenario override single defaults', () => {
  const s = parseScenario(
    `settings:\n  pendingStatus: Disconnected\n  enableDelayMs: 10\n  faults:\n    seed: 7\n    rules:\n      - actions: [EnableVpcEndpointConnection]\n        internalError: 0.5\n        latencyMs: 20\n${BASE}`,
    'x.yaml',
  );
  assert.deepEqual(s.settings, {
    pendingStatus: 'Disconnected',
    enableDelayMs: 10,
    faults: { seed: 7, rules: [{ actions: ['EnableVpcEndpointConnection'], internalError: 0.5, latencyMs: 20 }] },
  });
});

test('scenario errors carry file:line:col and the path, all of them at once', () => {
  const errs = errorsOf(`settings:
  pendingStatus: Waiting
  enableDelayMs: -1
accounts:
  - id: 1000000000000001
    name: provider
  - id: "2000000000000001"
    name: acme
    colour: red
services:
  - region: cn-nowhere
    owner: nobody
    name: svc
  - region: cn-hangzhou
    owner: provider
    name: svc2
    minBandwidth: 500
    connectBandwidth: 100
endpoints:
  - owner: acme
    service: nosuch
  - owner: acme
    service: svc2
    connection: { status: Sleeping, remainingMs: 5 }
`);
  assert.deepEqual(errs, [
    'fleet.yaml:2:18: settings.pendingStatus: must be Connecting (2020-04-15 reference) or Disconnected (newer docs)',
    'fleet.yaml:3:18: settings.enableDelayMs: must be an integer between 0 and 604800000',
    'fleet.yaml:5:9: accounts[0].id: must be a string (quote it)',
    "fleet.yaml:9:5: accounts[1].colour: unknown key 'colour' (allowed: id, name, accessKeys)",
    "fleet.yaml:11:13: services[0].region: unknown region 'cn-nowhere' (known: cn-hangzhou, cn-shanghai, cn-beijing, cn-shenzhen, cn-huhehaote, ap-southeast-1, eu-central-1, eu-west-1, us-west-1)",
    "fleet.yaml:12:12: services[0].owner: unknown account 'nobody' (name or id of an entry in accounts)",
    "fleet.yaml:15:12: services[1].owner: unknown account 'provider' (name or id of an entry in accounts)",
    'fleet.yaml:18:23: services[1].connectBandwidth: must lie between minBandwidth and maxBandwidth (500..10240)',
    "fleet.yaml:21:14: endpoints[0].service: unknown service 'nosuch'",
    'fleet.yaml:24:27: endpoints[1].connection.status: must be one of Awaiting, Connecting, Connected, Pending, Disconnecting, Disconnected, Deleting, ServiceDeleted',
    // A service that did not load cannot be referenced: the error shows where it is used.
    "fleet.yaml:23:14: endpoints[1].service: unknown service 'svc2'",
  ]);
});

test('the JSON Schema covers every level: nested unknown keys, wrong types, bounds, with positions', () => {
  const errs = errorsOf(`settings:
  faults:
    seed: 1
    rules:
      - { actions: [ListVpcEndpointConnections], internalEror: 0.5, hang: 2 }
${BASE}    whitelist: acme
    tags: { team: { nested: 1 } }
endpoints:
  - owner: acme
    service: svc
    zones: [7]
    connection: { bandwidth: 0 }
`);
  assert.deepEqual(errs, [
    "fleet.yaml:5:50: settings.faults.rules[0].internalEror: unknown key 'internalEror' (allowed: actions, latencyMs, rateLimitPerSecond, internalError, serviceUnavailable, badGateway, hang, drop, answers, hugeBodyBytes, hugePageConnections, echo)",
    'fleet.yaml:5:75: settings.faults.rules[0].hang: must be a number between 0 and 1',
    'fleet.yaml:18:16: services[0].whitelist: must be a list',
    'fleet.yaml:19:13: services[0].tags.team: must be a string',
    'fleet.yaml:23:13: endpoints[0].zones[0]: must be a zone id or a mapping { zone, vSwitch }',
    'fleet.yaml:24:30: endpoints[0].connection.bandwidth: must be an integer between 1 and 1000000',
    // The service did not load (its whitelist is not a list), so the endpoint's reference to it fails too.
    "fleet.yaml:22:14: endpoints[0].service: unknown service 'svc'",
  ]);
});

test('YAML syntax errors and duplicate keys are reported with positions, never a stack trace', () => {
  const [syntax] = errorsOf('accounts:\n  - id: "1"\n    name: [unclosed\n');
  assert.match(syntax ?? '', /^fleet\.yaml:\d+:\d+: /);
  assert.doesNotMatch(syntax ?? '', /\n\s+at /);
  const dup = errorsOf('accounts: []\naccounts: []\n');
  assert.match(dup[0] ?? '', /^fleet\.yaml:2:1: .*[Uu]nique|^fleet\.yaml:2:1: .*duplicate/i);
  assert.deepEqual(errorsOf('- just\n- a list\n'), ['fleet.yaml:1:1: (top level): must be a mapping']);
});

test('endpoint rules: region must match the service, whitelist respected, remainingMs only on transitions, bandwidth in range', () => {
  const errs = errorsOf(`${BASE}    whitelist: ["2000000000000009"]
    maxBandwidth: 2000
endpoints:
  - owner: acme
    region: cn-shanghai
    service: epsrv-bp1svc0001
    connection: { status: Connected, bandwidth: 5000, remainingMs: 10 }
  - owner: acme
    service: svc
    zones: [cn-hangzhou-k]
`);
  assert.deepEqual(
    errs.map((e) => e.replace(/^fleet\.yaml:\d+:\d+: /, '')),
    [
      'endpoints[0].connection.remainingMs: only applies to a transition (Connecting, Pending, Disconnecting, Deleting)',
      "endpoints[0].region: must be the service's region (cn-hangzhou): PrivateLink connects within one region",
      "endpoints[0].connection.bandwidth: must lie within the service's bandwidth range 100..2000",
      "endpoints[0].owner: account 2000000000000001 is not on the whitelist of epsrv-bp1svc0001 (add it to the service's whitelist)",
      "endpoints[1].zones[0]: zone 'cn-hangzhou-k' is not one of the service's zones (cn-hangzhou-b, cn-hangzhou-h)",
      "endpoints[1].owner: account 2000000000000001 is not on the whitelist of epsrv-bp1svc0001 (add it to the service's whitelist)",
    ],
  );
});

test('loadScenarioFile reads a file and names it in errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
  const good = join(dir, 'good.yaml');
  writeFileSync(good, BASE);
  assert.equal(loadScenarioFile(good).services[0]?.serviceId, 'epsrv-bp1svc0001');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, `${BASE}    autoAccept: maybe\n`);
  assert.throws(
    () => loadScenarioFile(bad),
    (e: unknown) =>
      e instanceof ScenarioError && e.message === `${bad}:13:17: services[0].autoAccept: must be true or false`,
  );
  assert.throws(
    () => loadScenarioFile(join(dir, 'missing.yaml')),
    (e: unknown) => e instanceof ScenarioError && e.message === `${join(dir, 'missing.yaml')}: cannot read: ENOENT`,
  );
});

test('every YAML example in the model section of the emulator README loads', () => {
  const full = readFileSync(new URL('../../../emulator/README.md', import.meta.url), 'utf8');
  const readme = full.slice(full.indexOf('<!-- section: model -->'), full.indexOf('<!-- /section: model -->'));
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  assert.ok(blocks.length >= 1, 'the README shows a scenario example');
  for (const b of blocks) {
    const s = parseScenario(b, 'README.md');
    assert.ok(s.accounts.length > 0);
  }
});

test('ManualClock: follows real time when running, freezes when paused, advance works in both', async () => {
  const c = new ManualClock(1_000_000);
  assert.equal(c.paused, false);
  await new Promise((r) => setTimeout(r, 15));
  assert.ok(c.now() >= 1_000_010, 'running clocks move with real time');
  c.pause();
  const t = c.now();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(c.now(), t);
  c.advance(5000);
  assert.equal(c.now(), t + 5000);
  c.resume();
  c.advance(1000);
  assert.ok(c.now() >= t + 6000 && c.now() < t + 6000 + 1000);
  assert.throws(() => c.advance(-1), RangeError);
});

test('generateFleet: deterministic from the seed, the requested counts, demo provider keys', () => {
  const opts = {
    services: 200,
    connectionsPerService: 50,
    pendingShare: 0.2,
    regions: ['cn-hangzhou', 'cn-shanghai'],
    seed: 42,
    consumers: 30,
  };
  const a = generateFleet(opts);
  const b = generateFleet(opts);
  assert.deepEqual(a, b);
  const small = (seed: number) =>
    generateFleet({ ...opts, services: 5, connectionsPerService: 1, seed }).services.map((s) => s.serviceId);
  assert.deepEqual(
    small(42),
    a.services.slice(0, 5).map((s) => s.serviceId),
  );
  assert.notDeepEqual(small(43), small(42));
  assert.equal(a.services.length, 200);
  assert.equal(a.endpoints.length, 10_000);
  assert.equal(a.endpoints.filter((e) => e.connection.status === 'Awaiting').length, 2000);
  assert.equal(new Set(a.endpoints.map((e) => e.endpointId)).size, 10_000);
  assert.equal(new Set(a.services.map((s) => s.serviceId)).size, 200);
  assert.deepEqual([...new Set(a.services.map((s) => s.regionId))].sort(), ['cn-hangzhou', 'cn-shanghai']);
  assert.equal(a.accounts.length, 31);
  assert.deepEqual(a.accounts[0], {
    accountId: '1000000000000001',
    name: 'provider',
    accessKeys: [{ accessKeyId: 'LTAIdemoProvider0001', accessKeySecret: 'demo-provider-secret' }],
  });
  assert.ok(a.services.every((s) => s.ownerId === '1000000000000001'));
  for (const s of a.services) assert.equal(a.endpoints.filter((e) => e.serviceId === s.serviceId).length, 50);
  // The model loads it and a listing of awaiting requests finds exactly those.
  const h = harness({ scenario: a });
  let pending = 0;
  for (const region of ['cn-hangzhou', 'cn-shanghai']) {
    let token = '';
    do {
      const r = h.call('provider', 'ListVpcEndpointConnections', {
        RegionId: region,
        ConnectionStatus: 'Connecting',
        ...(token ? { NextToken: token } : {}),
      }) as { Connections: unknown[]; NextToken: string };
      pending += r.Connections.length;
      token = r.NextToken;
    } while (token);
  }
  assert.equal(pending, 2000);
  assert.throws(() => generateFleet({ services: 1, connectionsPerService: 1, regions: ['mars-1'] }), RangeError);
});
