/**
 * Every hostile answer the emulator can give (its fault rules' `answers`, emulator/README.md "Hostile
 * answers") through the real client: a bad field puts that connection in `page.invalid` and keeps the
 * rest, a page of the wrong shape or size is refused whole, an echo of the credentials leaves no trace.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AnswerFault } from '../../emulator/index.ts';
import { ApiError } from '../../functions/client/api-error.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { accessKeyFor, startTestEmulator } from '../emulator/helpers.ts';
import type { RunningEmulator } from '../emulator/helpers.ts';
import { assertNoSecrets } from './no-secrets.ts';

const ORDERS = { regionId: 'cn-hangzhou', serviceId: 'epsrv-bp1demoorders000001' };

let emu: RunningEmulator;
let client: PrivateLinkClient;
let secret: string;
/** How many connections the first page has without faults. */
let listed: number;

before(async () => {
  emu = await startTestEmulator();
  const provider = accessKeyFor(emu, 'provider');
  secret = provider.accessKeySecret;
  client = createPrivateLinkClient({ credentials: staticCredentials(provider), endpoint: emu.url, timeoutMs: 5000 });
  listed = (await client.listVpcEndpointConnections(ORDERS)).items.length;
  assert.ok(listed >= 2, 'the demo fleet lists several connections of the orders service');
});
after(async () => {
  client?.close();
  await emu.close();
});
beforeEach(() => {
  emu.settings.faults = { seed: 1, rules: [] };
});

/** Every answer of ListVpcEndpointConnections is hostile in this way. */
function only(kind: AnswerFault, extra: Record<string, unknown> = {}): void {
  emu.settings.faults = {
    seed: 1,
    rules: [{ actions: ['ListVpcEndpointConnections'], answers: { [kind]: 1 }, ...extra }],
  };
}

async function rejection(kind: AnswerFault): Promise<ApiError> {
  const error = await client.listVpcEndpointConnections(ORDERS).catch((e: unknown) => e);
  assert.ok(error instanceof ApiError, `${kind}: not an ApiError: ${String(error)}`);
  return error;
}

describe('a bad field of one connection: that one is invalid, naming the field; the rest are believed', () => {
  const cases: [AnswerFault, string][] = [
    ['ownerIdMissing', 'EndpointOwnerId'],
    ['ownerIdNull', 'EndpointOwnerId'],
    ['ownerIdObject', 'EndpointOwnerId'],
    ['ownerIdFraction', 'EndpointOwnerId'],
    ['endpointIdMissing', 'EndpointId'],
    ['bandwidthHuge', 'Bandwidth'],
    ['statusUnknown', 'ConnectionStatus'],
    ['modifiedTimeBad', 'ModifiedTime'],
  ];
  for (const [kind, field] of cases) {
    it(kind, async () => {
      only(kind);
      const page = await client.listVpcEndpointConnections(ORDERS);
      assert.equal(page.items.length, listed - 1);
      assert.equal(page.invalid.length, 1);
      assert.equal(page.invalid[0]?.field, field);
      assert.equal(page.invalid[0]?.endpointId === undefined, field === 'EndpointId');
      assert.equal(page.invalid[0]?.ownerId === undefined, field === 'EndpointOwnerId');
    });
  }
});

describe('a page of the wrong shape or size is refused whole', () => {
  const cases: [AnswerFault, string, Record<string, unknown>?][] = [
    ['listMissing', 'MalformedResponse'],
    ['listNotArray', 'MalformedResponse'],
    ['listNonObjects', 'MalformedResponse'],
    ['hugePage', 'MalformedResponse', { hugePageConnections: 1000 }],
    ['hugePage', 'ResponseTooLarge'],
    ['hugeBody', 'ResponseTooLarge'],
    ['malformedPage', 'BadResponse'],
  ];
  for (const [kind, code, extra] of cases) {
    it(`${kind}${extra === undefined ? '' : ` ${JSON.stringify(extra)}`}: ${code}`, async () => {
      only(kind, extra);
      const error = await rejection(kind);
      assert.equal(error.code, code, error.message);
      assert.equal(error.httpStatus, 200);
    });
  }
});

describe('paging faults pass through the client as pages (the sweep bounds the paging)', () => {
  for (const kind of ['endlessPaging', 'cyclingPaging'] as const) {
    it(kind, async () => {
      only(kind);
      const first = await client.listVpcEndpointConnections(ORDERS);
      const second = await client.listVpcEndpointConnections({ ...ORDERS, nextToken: first.nextToken });
      assert.equal(first.items.length, listed);
      assert.ok(first.nextToken !== undefined && second.nextToken !== undefined);
      assert.notEqual(first.nextToken, second.nextToken);
    });
  }
});

describe('credentials echoed into an error answer leave no trace', () => {
  for (const kind of ['credentialsInCode', 'credentialsInRequestId', 'credentialsInMessage'] as const) {
    it(kind, async () => {
      only(kind);
      const error = await rejection(kind);
      assert.equal(error.kind, 'invalid');
      assertNoSecrets(error, [secret, encodeURIComponent(secret)]);
      // The signature (HMAC-SHA1, base64: 27 characters and "=") is echoed too; the emulator never logs it.
      const text = JSON.stringify(error);
      assert.doesNotMatch(text, /[A-Za-z0-9+/]{27}=/);
      assert.match(text, /\[redacted\]/);
    });
  }
});
