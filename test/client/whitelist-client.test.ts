/**
 * The whitelist methods of the pop-core adapter (issue 13, "Keep the whitelist in step"): against the
 * emulator through the real @alicloud/pop-core (paging, add/remove, a 16-digit UserId as a string), and
 * against a hand-written answer (a UserId that is not a 64-bit account ID goes to `page.invalid`, never
 * into `items`; a UserId that is not sent when it is not an account ID).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoScenario } from '../../emulator/index.ts';
import { ApiError } from '../../functions/client/api-error.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { ServiceUser } from '../../functions/client/private-link-api.ts';
import { accessKeyFor, startTestEmulator } from '../emulator/helpers.ts';
import type { RunningEmulator } from '../emulator/helpers.ts';
import { json, startWireServer } from './wire-server.ts';
import type { WireServer } from './wire-server.ts';

const REGION = 'cn-hangzhou';
const ORDERS = 'epsrv-bp1demoorders000001';

async function allUsers(client: PrivateLinkClient, maxResults: number): Promise<string[]> {
  const users: ServiceUser[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.listVpcEndpointServiceUsers({
      regionId: REGION,
      serviceId: ORDERS,
      maxResults,
      nextToken,
    });
    assert.deepEqual(page.invalid, []);
    users.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return users.map((u) => u.userId).sort();
}

describe('whitelist methods against the emulator', () => {
  let emu: RunningEmulator;
  let client: PrivateLinkClient;
  before(async () => {
    emu = await startTestEmulator({ scenario: demoScenario() });
    client = createPrivateLinkClient({
      credentials: staticCredentials(accessKeyFor(emu, 'provider')),
      endpoint: emu.url,
      timeoutMs: 2000,
    });
  });
  after(async () => {
    client.close();
    await emu.close();
  });

  it('lists every page, adds and removes an account', async () => {
    const before = await allUsers(client, 2);
    // The owner and the four consumers of the demo fleet, as strings of digits (16-digit JSON numbers on the wire).
    assert.deepEqual(before, [
      '1000000000000001',
      '2000000000000001',
      '2000000000000002',
      '2000000000000003',
      '2000000000000004',
    ]);
    const added = await client.addUserToVpcEndpointService({
      regionId: REGION,
      serviceId: ORDERS,
      userId: '2000000000000099',
    });
    assert.match(added.requestId, /\S/);
    await client.removeUserFromVpcEndpointService({ regionId: REGION, serviceId: ORDERS, userId: '2000000000000002' });
    const after = await allUsers(client, 50);
    assert.deepEqual(after, [
      '1000000000000001',
      '2000000000000001',
      '2000000000000003',
      '2000000000000004',
      '2000000000000099',
    ]);
  });

  it('refuses to send a UserId that is not an account ID', async () => {
    await assert.rejects(
      client.addUserToVpcEndpointService({ regionId: REGION, serviceId: ORDERS, userId: '12a' }),
      (e: unknown) => e instanceof ApiError && e.code === 'InvalidId',
    );
  });
});

describe('a listed UserId is believed only as a 64-bit account ID', () => {
  let server: WireServer;
  let client: PrivateLinkClient;
  before(async () => {
    server = await startWireServer((_req, res) => json(res, { RequestId: 'R' }));
    const credentials = staticCredentials({ accessKeyId: 'LTAIwhitelist', accessKeySecret: 'whitelist-secret-1' });
    client = createPrivateLinkClient({ credentials, endpoint: server.url, timeoutMs: 2000 });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('keeps valid IDs (a 19-digit one exactly) and refuses the rest by field', async () => {
    const users = ['9223372036854775807', '"2000000000000001"', '"acme"', '9223372036854775808', '1.5', 'null'];
    server.handle((_req, res) =>
      json(res, `{"RequestId":"R-u","Users":[${users.map((u) => `{"UserId":${u}}`).join(',')}]}`),
    );
    const page = await client.listVpcEndpointServiceUsers({ regionId: REGION, serviceId: ORDERS });
    assert.deepEqual(
      page.items.map((u) => u.userId),
      ['9223372036854775807', '2000000000000001'],
    );
    assert.deepEqual(
      page.invalid.map((i) => i.field),
      ['UserId', 'UserId', 'UserId', 'UserId'],
    );
  });

  it('refuses a page whose Users is not a list', async () => {
    server.handle((_req, res) => json(res, '{"RequestId":"R-u","Users":"everyone"}'));
    await assert.rejects(
      client.listVpcEndpointServiceUsers({ regionId: REGION, serviceId: ORDERS }),
      (e: unknown) => e instanceof ApiError && e.code === 'MalformedResponse',
    );
  });
});
