import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSRAMRoleCredentialsProvider } from '@alicloud/credentials';
import { ApiError, CredentialsError } from '../../functions/client/api-error.ts';
import {
  EndpointOverrideError,
  credentialsFromDefaultChain,
  fcContextCredentials,
  resolveEndpointOverride,
  staticCredentials,
} from '../../functions/client/credentials.ts';
import { assertNoSecrets } from './no-secrets.ts';

const SECRET = 'sEcReT-4f2a9c';
const TOKEN = 'ToKeN-77b1e0';

const savedEnv = { ...process.env };
let home: string;

/** Every test starts with no Alibaba Cloud variables, an empty temporary HOME, and IMDS disabled. */
beforeEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('ALIBABA_CLOUD_')) delete process.env[key];
  home = mkdtempSync(join(tmpdir(), 'plk-cred-'));
  process.env.HOME = home;
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

after(() => {
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

function writeCliConfig(config: unknown): void {
  mkdirSync(join(home, '.aliyun'));
  writeFileSync(join(home, '.aliyun', 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
}

describe('credentialsFromDefaultChain', () => {
  it('reads the environment variables, with the STS token', async () => {
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'STS.env-id';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = SECRET;
    process.env.ALIBABA_CLOUD_SECURITY_TOKEN = TOKEN;
    assert.deepEqual(await credentialsFromDefaultChain()(), {
      accessKeyId: 'STS.env-id',
      accessKeySecret: SECRET,
      securityToken: TOKEN,
    });
  });

  it('re-reads the environment on every call (rotation)', async () => {
    const source = credentialsFromDefaultChain();
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'id-1';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'secret-1';
    assert.equal((await source()).accessKeyId, 'id-1');
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'id-2';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'secret-2';
    assert.deepEqual(await source(), { accessKeyId: 'id-2', accessKeySecret: 'secret-2', securityToken: undefined });
  });

  it('uses the aliyun CLI profile from ~/.aliyun/config.json: current, or ALIBABA_CLOUD_PROFILE', async () => {
    writeCliConfig({
      current: 'dev',
      profiles: [
        { name: 'dev', mode: 'AK', access_key_id: 'cli-ak', access_key_secret: SECRET },
        { name: 'ops', mode: 'StsToken', access_key_id: 'STS.cli', access_key_secret: SECRET, sts_token: TOKEN },
      ],
    });
    assert.deepEqual(await credentialsFromDefaultChain()(), {
      accessKeyId: 'cli-ak',
      accessKeySecret: SECRET,
      securityToken: undefined,
    });
    process.env.ALIBABA_CLOUD_PROFILE = 'ops';
    assert.deepEqual(await credentialsFromDefaultChain()(), {
      accessKeyId: 'STS.cli',
      accessKeySecret: SECRET,
      securityToken: TOKEN,
    });
  });

  it('prefers the environment over the CLI profile (library order)', async () => {
    writeCliConfig({
      current: 'dev',
      profiles: [{ name: 'dev', mode: 'AK', access_key_id: 'cli-ak', access_key_secret: 'x' }],
    });
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'env-ak';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'y';
    assert.equal((await credentialsFromDefaultChain()()).accessKeyId, 'env-ak');
  });

  it('reads the credentials ini file named by ALIBABA_CLOUD_CREDENTIALS_FILE', async () => {
    const file = join(home, 'creds.ini');
    writeFileSync(file, `[default]\ntype = access_key\naccess_key_id = ini-ak\naccess_key_secret = ${SECRET}\n`);
    process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = file;
    assert.deepEqual(await credentialsFromDefaultChain()(), {
      accessKeyId: 'ini-ak',
      accessKeySecret: SECRET,
      securityToken: undefined,
    });
  });

  it('fetches STS credentials from ALIBABA_CLOUD_CREDENTIALS_URI (loopback)', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          Code: 'Success',
          AccessKeyId: 'STS.uri',
          AccessKeySecret: SECRET,
          SecurityToken: TOKEN,
          Expiration: '2099-01-01T00:00:00Z',
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      process.env.ALIBABA_CLOUD_CREDENTIALS_URI = `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds`;
      assert.deepEqual(await credentialsFromDefaultChain()(), {
        accessKeyId: 'STS.uri',
        accessKeySecret: SECRET,
        securityToken: TOKEN,
      });
    } finally {
      server.close();
    }
  });

  it('with nothing configured, fails with CredentialsError listing every source and why', async () => {
    const error = await credentialsFromDefaultChain()().then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CredentialsError);
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'CredentialsUnavailable');
    assert.equal(error.retryable, false);
    assert.deepEqual(error.sources, [
      { source: 'env', reason: 'ALIBABA_CLOUD_ACCESS_KEY_ID is not set' },
      { source: 'oidc_role_arn', reason: 'ALIBABA_CLOUD_ROLE_ARN is not set' },
      { source: 'cli_profile', reason: `${join(home, '.aliyun', 'config.json')} does not exist` },
      { source: 'profile', reason: `${join(home, '.alibabacloud', 'credentials')} does not exist` },
      { source: 'ecs_ram_role', reason: 'disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED' },
      { source: 'credentials_uri', reason: 'ALIBABA_CLOUD_CREDENTIALS_URI is not set' },
    ]);
    assert.match(
      error.message,
      /^no usable Alibaba Cloud credentials; tried env \(ALIBABA_CLOUD_ACCESS_KEY_ID is not set\), oidc_role_arn/,
    );
    assert.deepEqual(JSON.parse(JSON.stringify(error)).sources, error.sources);
  });

  it('does not try the metadata service unless a role name is set or imds: true', async () => {
    delete process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED;
    const auto = await credentialsFromDefaultChain()().catch((e: unknown) => e);
    assert.ok(auto instanceof CredentialsError);
    assert.deepEqual(
      auto.sources.find((s) => s.source === 'ecs_ram_role'),
      { source: 'ecs_ram_role', reason: 'not tried: ALIBABA_CLOUD_ECS_METADATA (the role name) is not set' },
    );
    const off = await credentialsFromDefaultChain({ imds: false })().catch((e: unknown) => e);
    assert.ok(off instanceof CredentialsError);
    assert.equal(off.sources.find((s) => s.source === 'ecs_ram_role')?.reason, 'disabled');
  });

  it('ALIBABA_CLOUD_ECS_METADATA_DISABLED=true wins over imds: true, and the library honours it too', async () => {
    const error = await credentialsFromDefaultChain({ imds: true })().catch((e: unknown) => e);
    assert.ok(error instanceof CredentialsError);
    assert.equal(
      error.sources.find((s) => s.source === 'ecs_ram_role')?.reason,
      'disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED',
    );
    assert.throws(() => ECSRAMRoleCredentialsProvider.builder().build(), /IMDS credentials is disabled/);
  });

  it('never echoes a broken config file: the library would put its content in the message', async () => {
    writeCliConfig(
      `{"current":"dev","profiles":[{"name":"dev","mode":"AK","access_key_id":"x","access_key_secret":"${SECRET}"}`,
    );
    const error = await credentialsFromDefaultChain()().catch((e: unknown) => e);
    assert.ok(error instanceof CredentialsError);
    assert.deepEqual(
      error.sources.find((s) => s.source === 'cli_profile'),
      {
        source: 'cli_profile',
        reason: `parse aliyun cli config from '${join(home, '.aliyun', 'config.json')}' failed`,
      },
    );
    assertNoSecrets(error, [SECRET]);
  });

  it('never echoes a credentials URI response body', async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 500;
      res.end(`oops AccessKeySecret=${SECRET} SecurityToken=${TOKEN}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      process.env.ALIBABA_CLOUD_CREDENTIALS_URI = `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds`;
      const error = await credentialsFromDefaultChain()().catch((e: unknown) => e);
      assert.ok(error instanceof CredentialsError);
      assert.equal(
        error.sources.find((s) => s.source === 'credentials_uri')?.reason,
        'get sts token failed, httpStatus',
      );
      assertNoSecrets(error, [SECRET, TOKEN]);
    } finally {
      server.close();
    }
  });

  it('an unknown CLI profile is reported by name', async () => {
    writeCliConfig({
      current: 'dev',
      profiles: [{ name: 'dev', mode: 'AK', access_key_id: 'a', access_key_secret: 'b' }],
    });
    process.env.ALIBABA_CLOUD_PROFILE = 'nope';
    const error = await credentialsFromDefaultChain()().catch((e: unknown) => e);
    assert.ok(error instanceof CredentialsError);
    assert.equal(error.sources.find((s) => s.source === 'cli_profile')?.reason, "unable to get profile with 'nope'");
  });

  it('after a failure, the next call walks the whole chain again', async () => {
    const source = credentialsFromDefaultChain();
    await assert.rejects(source(), CredentialsError);
    writeCliConfig({
      current: 'dev',
      profiles: [{ name: 'dev', mode: 'AK', access_key_id: 'late', access_key_secret: 'b' }],
    });
    assert.equal((await source()).accessKeyId, 'late');
  });

  it('when the source it kept stops yielding, that call fails and the next one walks the chain again', async () => {
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'from-env';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = SECRET;
    const source = credentialsFromDefaultChain();
    assert.equal((await source()).accessKeyId, 'from-env');
    delete process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
    delete process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
    writeCliConfig({
      current: 'dev',
      profiles: [{ name: 'dev', mode: 'AK', access_key_id: 'from-profile', access_key_secret: 'b' }],
    });
    const error = await source().then(
      () => assert.fail('expected the kept env source to fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CredentialsError);
    assert.equal(error.sources[0]?.source, 'env');
    assertNoSecrets(error, [SECRET]);
    assert.equal((await source()).accessKeyId, 'from-profile');
  });
});

describe('staticCredentials and fcContextCredentials', () => {
  it('staticCredentials returns a copy and drops an empty token', async () => {
    const input = { accessKeyId: 'a', accessKeySecret: SECRET, securityToken: '' };
    const source = staticCredentials(input);
    input.accessKeyId = 'changed';
    assert.deepEqual(await source(), { accessKeyId: 'a', accessKeySecret: SECRET, securityToken: undefined });
  });

  it('staticCredentials with an empty secret rejects with CredentialsError', async () => {
    await assert.rejects(staticCredentials({ accessKeyId: 'a', accessKeySecret: '' })(), (e: unknown) => {
      assert.ok(e instanceof CredentialsError);
      assert.equal(e.message, 'no usable Alibaba Cloud credentials: static: accessKeySecret is empty');
      return true;
    });
  });

  it('fcContextCredentials re-reads the context on every call (FC rotates STS credentials)', async () => {
    let current = { accessKeyId: 'STS.one', accessKeySecret: 's1', securityToken: 't1' };
    const source = fcContextCredentials(() => current);
    assert.deepEqual(await source(), current);
    current = { accessKeyId: 'STS.two', accessKeySecret: 's2', securityToken: 't2' };
    assert.deepEqual(await source(), current);
  });

  it('fcContextCredentials without credentials (no role on the function) rejects clearly', async () => {
    await assert.rejects(fcContextCredentials(() => undefined)(), (e: unknown) => {
      assert.ok(e instanceof CredentialsError);
      const reason =
        'context.credentials: accessKeyId and accessKeySecret are empty; ' +
        'does the function have a RAM role (s.yaml props.role)?';
      assert.equal(e.message, `no usable Alibaba Cloud credentials: fc_context: ${reason}`);
      assert.deepEqual(e.sources, [{ source: 'fc_context', reason }]);
      assert.equal(e.forAction('ListVpcEndpointServices').action, 'ListVpcEndpointServices');
      return true;
    });
  });
});

describe('resolveEndpointOverride', () => {
  it('is undefined when neither flag nor variable is set (an empty variable counts as unset)', () => {
    assert.equal(resolveEndpointOverride(undefined, {}), undefined);
    assert.equal(resolveEndpointOverride(undefined, { PRIVATELINK_ENDPOINT: ' ' }), undefined);
  });

  it('takes the flag over the variable and returns the origin', () => {
    assert.equal(
      resolveEndpointOverride('http://127.0.0.1:8080/', { PRIVATELINK_ENDPOINT: 'http://other:1' }),
      'http://127.0.0.1:8080',
    );
    assert.equal(
      resolveEndpointOverride(undefined, { PRIVATELINK_ENDPOINT: 'https://privatelink.example.com' }),
      'https://privatelink.example.com',
    );
  });

  for (const [value, message] of [
    [
      '127.0.0.1:8080',
      '--endpoint: "127.0.0.1:8080" is not a URL; expected an http(s) URL such as http://127.0.0.1:8080',
    ],
    ['not a url', '--endpoint: "not a url" is not a URL; expected an http(s) URL such as http://127.0.0.1:8080'],
    ['ftp://host', '--endpoint: unsupported scheme "ftp"; expected an http(s) URL such as http://127.0.0.1:8080'],
    [
      'http://user:pw@host',
      '--endpoint: must not contain user info; expected an http(s) URL such as http://127.0.0.1:8080',
    ],
    [
      'http://host/api?x=1',
      '--endpoint: must not have a path, query or fragment; expected an http(s) URL such as http://127.0.0.1:8080',
    ],
    ['', '--endpoint: "" is not a URL; expected an http(s) URL such as http://127.0.0.1:8080'],
  ] as const) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => resolveEndpointOverride(value, {}),
        (e: unknown) => e instanceof EndpointOverrideError && e.message === message,
      );
    });
  }

  it('names the variable when the bad value comes from it', () => {
    assert.throws(
      () => resolveEndpointOverride(undefined, { PRIVATELINK_ENDPOINT: 'ftp://x' }),
      /^EndpointOverrideError: PRIVATELINK_ENDPOINT: unsupported scheme/,
    );
  });
});
