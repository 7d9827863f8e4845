import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../../emulator/model/scenario.ts';
import { createPrivateLinkClient } from '../../../functions/client/pop-core-private-link-client.ts';
import { staticCredentials } from '../../../functions/client/credentials.ts';
import { accessKeyFor, rawCall, startTestEmulator } from '../helpers.ts';

// 9876543210987655 > 2^53 (9007199254740992) and odd: as a JS number it would become ...656.
const BIG = '9876543210987655';

const scenario = parseScenario(
  `
accounts:
  - { id: "1000000000000001", name: provider, accessKeys: [{ id: LTAIbigProvider00001, secret: s1 }] }
  - { id: "${BIG}", name: big, accessKeys: [{ id: LTAIbigConsumer00001, secret: s2 }] }
services:
  - { id: epsrv-bp1bigids000000001, region: cn-hangzhou, owner: provider, name: svc, minBandwidth: 100, maxBandwidth: 10240, connectBandwidth: 1024, whitelist: [big] }
endpoints:
  - { id: ep-bp1bigids00000000001, owner: big, service: epsrv-bp1bigids000000001, vpc: vpc-bp1bigids0000000001, connection: { status: Awaiting, bandwidth: 1024 } }
`,
  'long-ids.yaml',
);

test('account IDs above 2^53 survive the wire exactly: JSON and XML bodies, the client parse, client records', async () => {
  const emu = await startTestEmulator({ scenario });
  after(() => emu.close());
  const provider = accessKeyFor(emu, 'provider');

  const json = await rawCall(emu.url, provider, 'ListVpcEndpointConnections', {
    RegionId: 'cn-hangzhou',
    ServiceId: 'epsrv-bp1bigids000000001',
  });
  assert.match(json.text, new RegExp(`"EndpointOwnerId":${BIG}[,}]`), 'a bare JSON number with every digit');
  const xml = await rawCall(emu.url, provider, 'ListVpcEndpointServiceUsers', {
    RegionId: 'cn-hangzhou',
    ServiceId: 'epsrv-bp1bigids000000001',
    Format: 'XML',
  });
  assert.match(xml.text, new RegExp(`<UserId>${BIG}</UserId>`));

  const client = createPrivateLinkClient({ credentials: staticCredentials(provider), endpoint: emu.url });
  const page = await client.listVpcEndpointConnections({
    regionId: 'cn-hangzhou',
    serviceId: 'epsrv-bp1bigids000000001',
  });
  assert.deepEqual(
    page.items.map((c) => c.endpointOwnerId),
    [BIG],
  );
  const filtered = await client.listVpcEndpointConnections({
    regionId: 'cn-hangzhou',
    serviceId: 'epsrv-bp1bigids000000001',
    endpointOwnerId: BIG,
  });
  assert.equal(filtered.items.length, 1, 'filtering by the exact digits finds it');
});
