/**
 * `privatelink-approver invoke` end to end: the real @alicloud/fc2 client signs a request to a local FC
 * invocation endpoint (./fc-invoke-server.ts) that checks the signature the way FC does and runs the
 * built bundle through the local FC harness against the emulator.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { main } from '../../cli/main.ts';
import { testIO as io } from '../cli/cli-io.ts';
import { startEmulator } from '../../emulator/index.ts';
import type { RunningEmulator } from '../../emulator/index.ts';
import { REPO_ROOT } from '../../scripts/build.ts';
import type { BuildResult } from '../../scripts/build.ts';
import { buildBundleOnce, PROVIDER_KEY } from './fc-harness.ts';
import { fcStringToSign, startFcInvokeServer } from './fc-invoke-server.ts';
import type { FcFault, FcInvokeServer, FcKey } from './fc-invoke-server.ts';

const INVOKER: FcKey = { accessKeyId: 'LTAIinvokerKey000001', accessKeySecret: 'invoker-secret' };
const STS_INVOKER: FcKey = {
  accessKeyId: 'STS.invokerSession01',
  accessKeySecret: 'sts-invoker-secret',
  securityToken: 'sts-invoker-token',
};
const FLAGS = ['--region', 'cn-hangzhou', '--account-id', '1000000000000001'];

/** Uses this key as the CLI's credentials (the default chain's first source: environment variables). */
function useCredentials(key: FcKey): void {
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = key.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = key.accessKeySecret;
  if (key.securityToken === undefined) delete process.env.ALIBABA_CLOUD_SECURITY_TOKEN;
  else process.env.ALIBABA_CLOUD_SECURITY_TOKEN = key.securityToken;
}

describe('privatelink-approver invoke (fc2 -> local FC endpoint -> built bundle -> emulator)', () => {
  let bundle: BuildResult;
  let emu: RunningEmulator;
  let fc: FcInvokeServer;
  let work: string;

  before(async () => {
    bundle = await buildBundleOnce();
    emu = await startEmulator();
    work = mkdtempSync(join(tmpdir(), 'pla-invoke-'));
    process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
    process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = 'true';
    fc = await startFcInvokeServer({
      bundleDir: bundle.outDir,
      env: { PRIVATELINK_ENDPOINT: emu.url },
      keys: [INVOKER, STS_INVOKER],
      serviceName: 'default',
      functionName: 'privatelink-approver',
      timeout: 60,
      functionCredentials: [PROVIDER_KEY],
    });
  });
  after(async () => {
    await fc?.close();
    await emu?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('signs like fc2 and runs a dry run: summary on stdout, exit code from it', async () => {
    useCredentials(INVOKER);
    const s = io();
    const code = await main(['invoke', ...FLAGS, '--endpoint', fc.url, '--dry-run'], s);
    assert.equal(code, 0, s.err());
    const seen = fc.invocations.at(-1)!;
    assert.equal(seen.status, 200);
    assert.equal(seen.path, '/2016-08-15/services/default/functions/privatelink-approver/invocations');
    assert.equal(seen.accessKeyId, INVOKER.accessKeyId);
    const summary = JSON.parse(s.out()) as Record<string, unknown>;
    assert.equal(summary.schema, 'privatelink-approver/run/v1');
    assert.equal(summary.mode, 'dry-run');
    assert.equal(summary.fcRequestId, seen.requestId);
    assert.match(
      s.err(),
      new RegExp(`FC request ${seen.requestId}: dry-run run [0-9a-f-]+: \\d+ dry-run.* \\(exit 0\\)`),
    );
    // The function's own stdout: JSON lines carrying the FC request id.
    for (const line of seen.run!.lines)
      assert.equal((JSON.parse(line) as { fcRequestId?: string }).fcRequestId, seen.requestId);
    assert.equal(
      emu.requests().some((r) => r.action === 'EnableVpcEndpointConnection'),
      false,
    );
  });

  it('narrows an enforce run to --service, with an STS key (security token signed in)', async () => {
    useCredentials(STS_INVOKER);
    const s = io();
    const since = emu.requests().at(-1)?.seq ?? 0;
    const code = await main(['invoke', ...FLAGS, '--endpoint', fc.url, '--service', 'epsrv-bp1demosearch00002'], s);
    assert.equal(code, 0, s.err());
    const summary = JSON.parse(s.out()) as { mode: string; counts: { byOutcome: Record<string, number> } };
    assert.equal(summary.mode, 'enforce');
    assert.ok(summary.counts.byOutcome.applied! > 0);
    const writes = emu.requests(since).filter((r) => /^(Enable|Disable|Update)/.test(r.action ?? ''));
    assert.ok(writes.length > 0);
    assert.deepEqual([...new Set(writes.map((r) => r.params.ServiceId))], ['epsrv-bp1demosearch00002']);
  });

  it('a wrong secret is refused with 403 and a clear CLI error, and nothing runs', async () => {
    useCredentials({ ...INVOKER, accessKeySecret: 'not-the-secret' });
    const s = io();
    const before = fc.invocations.length;
    const code = await main(['invoke', ...FLAGS, '--endpoint', fc.url], s);
    assert.equal(code, 69);
    assert.equal(s.out(), '');
    const seen = fc.invocations.at(-1)!;
    assert.equal(fc.invocations.length, before + 1);
    assert.deepEqual([seen.status, seen.errorCode, seen.run], [403, 'SignatureNotMatch', undefined]);
    assert.match(
      s.err(),
      /^privatelink-approver invoke: the invocation failed: SignatureNotMatch: the request signature we calculated does not match the signature you provided; check your AccessKey secret \(HTTP 403, FC request 1-[0-9a-f-]+; service segment "default", function "privatelink-approver" at http:\/\/127\.0\.0\.1:\d+\)\. The caller's AccessKey \(the standard credential chain\) must be valid and allowed fc:InvokeFunction on the function\.$/m,
    );
    assert.doesNotMatch(s.err(), /not-the-secret/);
  });

  it('an STS key without its security token is refused before any call, exit 69', async () => {
    useCredentials({ accessKeyId: STS_INVOKER.accessKeyId, accessKeySecret: STS_INVOKER.accessKeySecret });
    const s = io();
    const before = fc.invocations.length;
    assert.equal(await main(['invoke', ...FLAGS, '--endpoint', fc.url], s), 69);
    assert.match(
      s.err(),
      /^privatelink-approver invoke: these credentials cannot sign an FC request: "config\.securityToken" must be passed in for STS$/m,
    );
    assert.equal(fc.invocations.length, before);
  });

  it('an unknown function is a clear 404', async () => {
    useCredentials(INVOKER);
    const s = io();
    assert.equal(await main(['invoke', ...FLAGS, '--endpoint', fc.url, '--function', 'other'], s), 69);
    assert.match(
      s.err(),
      /the invocation failed: FunctionNotFound: function 'other' does not exist \(HTTP 404, FC request 1-[0-9a-f-]+; service segment "default", function "other" at /,
    );
    assert.match(
      s.err(),
      /Check --function, --region and --account-id\. If the function does exist, FC did not find it under the FC 2016-08-15 address invoke uses \(not confirmed for FC 3\.0 functions, README "Deploy"\): run it with `s invoke`/,
    );
  });

  it('an unknown service segment names the 2016-08-15 addressing and the way around it', async () => {
    useCredentials(INVOKER);
    const s = io();
    assert.equal(await main(['invoke', ...FLAGS, '--endpoint', fc.url, '--fc-service', 'fc3'], s), 69);
    assert.match(
      s.err(),
      /ServiceNotFound: service 'fc3' does not exist \(HTTP 404, .*service segment "fc3", function "privatelink-approver".*FC 2016-08-15 address invoke uses.*`s invoke`/,
    );
  });

  describe("answers that are not the function's", () => {
    afterEach(() => {
      fc.fault = undefined;
    });
    const cases: Array<[string, FcFault, string[], RegExp]> = [
      [
        "a gateway's HTML 502",
        { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body>502 Bad Gateway</body></html>' },
        [],
        /^privatelink-approver invoke: the invocation failed: http:\/\/127\.0\.0\.1:\d+ answered HTTP 502, FC request 1-[0-9a-f-]+ without an FC error body: is --endpoint \(or --region\/--account-id\) an FC endpoint\? The function may not have run\.$/m,
      ],
      [
        'a busy function (429: a run in progress, reservedConcurrency 1)',
        {
          status: 429,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ErrorCode: 'ResourceExhausted', ErrorMessage: 'Resource exhausted' }),
        },
        [],
        /the invocation failed: ResourceExhausted: Resource exhausted \(HTTP 429, .*\)\. Probably a run is in progress: s\.yaml reserves one instance \(reservedConcurrency 1\)/,
      ],
      [
        'an FC error code without a message',
        {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ErrorCode: 'InternalServerError' }),
        },
        [],
        /the invocation failed: InternalServerError \(HTTP 500, FC request 1-[0-9a-f-]+; service segment "default", function "privatelink-approver" at http:\/\/127\.0\.0\.1:\d+\)$/m,
      ],
      [
        'a JSON content type with a broken body',
        { status: 200, headers: { 'content-type': 'application/json' }, body: '{"schema":' },
        [],
        /the invocation failed: http:\/\/127\.0\.0\.1:\d+ answered a JSON content type with a body that is not JSON/,
      ],
      [
        'no answer in time',
        'hang',
        ['--timeout', '1'],
        /the invocation failed: no answer within --timeout 1 s \(service segment "default".*\): the run may still be going on/,
      ],
    ];
    for (const [name, fault, flags, message] of cases) {
      it(`${name}: a clear error, exit 69, nothing on stdout`, async () => {
        useCredentials(STS_INVOKER);
        fc.fault = fault;
        const s = io();
        assert.equal(await main(['invoke', ...FLAGS, '--endpoint', fc.url, ...flags], s), 69, s.err());
        assert.equal(s.out(), '');
        assert.match(s.err(), message);
        for (const secret of [STS_INVOKER.accessKeySecret, STS_INVOKER.securityToken as string])
          assert.doesNotMatch(s.err(), new RegExp(secret));
      });
    }

    it('an endpoint that refuses connections: cannot reach it', async () => {
      useCredentials(INVOKER);
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const s = io();
      assert.equal(await main(['invoke', ...FLAGS, '--endpoint', `http://127.0.0.1:${port}`], s), 69);
      assert.match(
        s.err(),
        new RegExp(
          `the invocation failed: cannot reach http://127\\.0\\.0\\.1:${port}: ECONNREFUSED .*The function did not run\\.$`,
          'm',
        ),
      );
    });
  });

  it("takes its exit code from the function's answer: a policy that does not load exits 65", async () => {
    const mount = join(work, 'mount');
    mkdirSync(mount);
    writeFileSync(join(mount, 'policy.yaml'), 'version: 2\n');
    const broken = await startFcInvokeServer({
      bundleDir: bundle.outDir,
      env: { PRIVATELINK_ENDPOINT: emu.url, POLICY_OVERRIDE_PATH: mount },
      keys: [INVOKER],
      serviceName: 'default',
      functionName: 'privatelink-approver',
      timeout: 60,
      functionCredentials: [PROVIDER_KEY],
    });
    try {
      useCredentials(INVOKER);
      const s = io();
      assert.equal(await main(['invoke', ...FLAGS, '--endpoint', broken.url], s), 65);
      const result = JSON.parse(s.out()) as { errorCode: string; nothingChanged: boolean };
      assert.deepEqual([result.errorCode, result.nothingChanged], ['PolicyInvalid', true]);
      assert.match(s.err(), /policy .*mount\/policy\.yaml did not load: nothing changed \(exit 65\)/);
    } finally {
      await broken.close();
    }
  });

  it('refuses bad flags before any call (exit 64)', async () => {
    useCredentials(INVOKER);
    const before = fc.invocations.length;
    const cases: Array<[string[], RegExp]> = [
      [['--account-id', '1000000000000001'], /--region is required/],
      [['--region', 'cn-hangzhou'], /--account-id is required/],
      [[...FLAGS, '--service', '*'], /--service\[0\]: must be an ID such as "epsrv-bp1demoorders000001", got "\*"/],
      [
        [...FLAGS, '--endpoint', 'http://127.0.0.1:1/path'],
        /invoke: --endpoint: must not have a path, query or fragment; expected an http\(s\) URL such as http:\/\/127\.0\.0\.1:8080$/m,
      ],
      [[...FLAGS, '--policy', 'x.yaml'], /Unknown option '--policy'/],
    ];
    for (const [argv, message] of cases) {
      const s = io();
      assert.equal(await main(['invoke', ...argv], s), 64, argv.join(' '));
      assert.match(s.err(), message);
    }
    assert.equal(fc.invocations.length, before);
  });

  it("our endpoint's string to sign is fc2's own (lib/helper.js composeStringToSign)", () => {
    const headers = {
      'content-md5': 'bWQ1',
      'content-type': 'application/octet-stream',
      date: 'Wed, 25 Nov 2026 08:00:00 GMT',
      'x-fc-b': '2',
      'x-fc-a': '1',
      host: 'h',
    };
    const path = '/2016-08-15/services/s/functions/f/invocations';
    const expected =
      'POST\nbWQ1\napplication/octet-stream\nWed, 25 Nov 2026 08:00:00 GMT\nx-fc-a:1\nx-fc-b:2\n/2016-08-15/services/s/functions/f/invocations';
    const helper = createRequire(import.meta.url)('@alicloud/fc2/lib/helper.js') as {
      composeStringToSign(m: string, p: string, h: object, q: null): string;
    };
    assert.equal(helper.composeStringToSign('POST', path, headers, null), expected);
    assert.equal(fcStringToSign('POST', path, headers), expected);
    assert.equal(
      fcStringToSign('POST', path, { ...headers, 'X-FC-C': '3' }),
      expected.replace('x-fc-b:2\n', 'x-fc-b:2\nx-fc-c:3\n'),
    );
  });

  it('@alicloud/fc2 is loaded lazily: not by the CLI until invoke runs', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      await import(${JSON.stringify(join(REPO_ROOT, 'cli/main.ts'))});
      const fc2 = () => Object.keys(require.cache).some((k) => k.includes('@alicloud/fc2'));
      const before = fc2();
      const { loadFc2 } = await import(${JSON.stringify(join(REPO_ROOT, 'cli/invoke/fc2-client.ts'))});
      loadFc2();
      console.log(JSON.stringify({ before, after: fc2() }));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(code, 0, err);
    assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), { before: false, after: true });
  });
});
