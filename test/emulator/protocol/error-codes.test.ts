/**
 * Every error code the reference lists for an action, produced through the real @alicloud/pop-core over
 * loopback: the code pop-core throws, the HTTP status the emulator answered (from the request log), and
 * that nothing changed. The model tests (test/emulator/model) pin the messages and the finer cases.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type RPCClient from '@alicloud/pop-core';
import { parseScenario } from '../../../emulator/model/scenario.ts';
import type { RunningEmulator } from '../helpers.ts';
import { clientFor, rejection, startTestEmulator } from '../helpers.ts';

const SCENARIO = `
accounts:
  - { id: "1000000000000001", name: provider, accessKeys: [{ id: LTAIerrProvider01, secret: s1 }] }
  - { id: "2000000000000001", name: acme, accessKeys: [{ id: LTAIerrAcme000001, secret: s2 }] }
  - { id: "2000000000000002", name: globex, accessKeys: [{ id: LTAIerrGlobex0001, secret: s3 }] }
services:
  - { id: epsrv-bp1open, region: cn-hangzhou, owner: provider, name: open, whitelist: [acme, globex], zones: [cn-hangzhou-h, cn-hangzhou-i], resources: [{ id: lb-bp1open01, type: slb, zone: cn-hangzhou-h }] }
  - { id: epsrv-bp1locked, region: cn-hangzhou, owner: provider, name: locked, businessStatus: FinancialLocked }
  - { id: epsrv-bp1empty, region: cn-hangzhou, owner: provider, name: empty, whitelist: [acme, globex] }
endpoints:
  - { id: ep-bp1conn, owner: acme, service: open, vpc: vpc-bp1acme1, zones: [cn-hangzhou-h], securityGroups: [sg-bp1a], connection: { status: Connected, bandwidth: 1024 } }
  - { id: ep-bp1busy, owner: acme, service: open, vpc: vpc-bp1acme2, zones: [cn-hangzhou-h], securityGroups: [sg-bp1a], connection: { status: Connecting, remainingMs: 60000 } }
  - { id: ep-bp1lockedep, owner: acme, service: open, vpc: vpc-bp1acme3, businessStatus: FinancialLocked, securityGroups: [sg-bp1a] }
  - { id: ep-bp1await, owner: globex, service: open, connection: { status: Awaiting } }
`;

type Who = 'provider' | 'acme' | 'globex';
type Row = [code: string, who: Who, action: string, params: Record<string, string>];

const OPEN = { ServiceId: 'epsrv-bp1open' };
const CREATE = { ServiceId: 'epsrv-bp1open', VpcId: 'vpc-bp1acmenew', 'SecurityGroupId.1': 'sg-bp1a' };

/** One call per code, as the reference's error tables list them (OCR'd names restored). */
const ROWS: Row[] = [
  ['EndpointServiceNotFound', 'provider', 'GetVpcEndpointServiceAttribute', { ServiceId: 'epsrv-bp1nothere' }],
  ['EndpointServiceNotFound', 'acme', 'ListVpcEndpointConnections', OPEN],
  [
    'EndpointServiceLocked',
    'provider',
    'UpdateVpcEndpointServiceAttribute',
    { ServiceId: 'epsrv-bp1locked', ServiceDescription: 'x' },
  ],
  ['EndpointServiceDependenceViolation', 'provider', 'DeleteVpcEndpointService', OPEN],
  [
    'EndpointServiceResourceExist',
    'provider',
    'AttachResourceToVpcEndpointService',
    { ...OPEN, ResourceId: 'lb-bp1open01', ResourceType: 'slb' },
  ],
  [
    'LoadBalancerNotFound',
    'provider',
    'AttachResourceToVpcEndpointService',
    { ...OPEN, ResourceId: 'alb-bp1x', ResourceType: 'slb' },
  ],
  [
    'AlbNotFound',
    'provider',
    'AttachResourceToVpcEndpointService',
    { ...OPEN, ResourceId: 'lb-bp1x', ResourceType: 'alb' },
  ],
  [
    'EndpointServiceResourceTypeNotSupport',
    'provider',
    'AttachResourceToVpcEndpointService',
    { ...OPEN, ResourceId: 'i-bp1x', ResourceType: 'ecs' },
  ],
  ['EndpointExist', 'acme', 'CreateVpcEndpoint', { ...CREATE, VpcId: 'vpc-bp1acme1' }],
  [
    'EndpointZoneDuplicated',
    'acme',
    'CreateVpcEndpoint',
    {
      ...CREATE,
      'Zone.1.ZoneId': 'cn-hangzhou-h',
      'Zone.1.VSwitchId': 'vsw-bp1a',
      'Zone.2.ZoneId': 'cn-hangzhou-h',
      'Zone.2.VSwitchId': 'vsw-bp1b',
    },
  ],
  [
    'EndpointServiceNotSupportedZone',
    'acme',
    'CreateVpcEndpoint',
    { ...CREATE, 'Zone.1.ZoneId': 'cn-hangzhou-k', 'Zone.1.VSwitchId': 'vsw-bp1a' },
  ],
  [
    'VSwitchNotFound',
    'acme',
    'CreateVpcEndpoint',
    { ...CREATE, 'Zone.1.ZoneId': 'cn-hangzhou-h', 'Zone.1.VSwitchId': 'switch-1' },
  ],
  ['SecurityGroupNotFound', 'acme', 'CreateVpcEndpoint', { ...CREATE, 'SecurityGroupId.1': 'group-1' }],
  ['VpcNotFound', 'acme', 'CreateVpcEndpoint', { ...CREATE, VpcId: 'network-1' }],
  [
    'EndpointMustContainSecurityGroup',
    'acme',
    'DetachSecurityGroupFromVpcEndpoint',
    { EndpointId: 'ep-bp1conn', SecurityGroupId: 'sg-bp1a' },
  ],
  ['EndpointNotFound', 'acme', 'GetVpcEndpointAttribute', { EndpointId: 'ep-bp1nothere' }],
  ['EndpointNotFound', 'globex', 'ListVpcEndpointZones', { EndpointId: 'ep-bp1conn' }],
  [
    'EndpointLocked',
    'acme',
    'UpdateVpcEndpointAttribute',
    { EndpointId: 'ep-bp1lockedep', EndpointName: 'renamed', EndpointDescription: 'new text' },
  ],
  ['EndpointOperationDenied', 'acme', 'DeleteVpcEndpoint', { EndpointId: 'ep-bp1busy' }],
  [
    'EndpointConnectionNotFound',
    'provider',
    'EnableVpcEndpointConnection',
    { ...OPEN, EndpointId: 'ep-bp1nothere', Bandwidth: '1024' },
  ],
  [
    'EndpointConnectionOperationDenied',
    'provider',
    'EnableVpcEndpointConnection',
    { ...OPEN, EndpointId: 'ep-bp1busy', Bandwidth: '1024' },
  ],
  [
    'EndpointConnectionOperationDenied',
    'provider',
    'DisableVpcEndpointConnection',
    { ...OPEN, EndpointId: 'ep-bp1busy' },
  ],
  [
    'EndpointConnectionOperationDenied',
    'acme',
    'AddZoneToVpcEndpoint',
    { EndpointId: 'ep-bp1busy', ZoneId: 'cn-hangzhou-i', VSwitchId: 'vsw-bp1a' },
  ],
  ['EndpointZoneNotFound', 'acme', 'RemoveZoneFromVpcEndpoint', { EndpointId: 'ep-bp1conn', ZoneId: 'cn-hangzhou-i' }],
  [
    'EndpointZoneDuplicated',
    'acme',
    'AddZoneToVpcEndpoint',
    { EndpointId: 'ep-bp1conn', ZoneId: 'cn-hangzhou-h', VSwitchId: 'vsw-bp1a' },
  ],
  [
    'SecurityGroupExist',
    'acme',
    'AttachSecurityGroupToVpcEndpoint',
    { EndpointId: 'ep-bp1conn', SecurityGroupId: 'sg-bp1a' },
  ],
  [
    'SecurityGroupNotFound',
    'acme',
    'DetachSecurityGroupFromVpcEndpoint',
    { EndpointId: 'ep-bp1conn', SecurityGroupId: 'sg-bp1other' },
  ],
  [
    'EndpointServiceLocked',
    'provider',
    'UpdateVpcEndpointConnectionAttribute',
    { ServiceId: 'epsrv-bp1locked', EndpointId: 'ep-bp1nothere', Bandwidth: '2000' },
  ],
  [
    'InvalidParameter',
    'provider',
    'EnableVpcEndpointConnection',
    { ...OPEN, EndpointId: 'ep-bp1await', Bandwidth: '99999' },
  ],
  ['MissingParameter', 'provider', 'EnableVpcEndpointConnection', { ...OPEN, EndpointId: 'ep-bp1await' }],
  ['InvalidParameter', 'provider', 'ListVpcEndpointConnections', { MaxResults: '51' }],
];

describe('error codes of the reference through pop-core', () => {
  let emu: RunningEmulator;
  const clients = new Map<Who, RPCClient>();
  const client = (who: Who): RPCClient => clients.get(who) ?? assert.fail(`no client for ${who}`);

  before(async () => {
    emu = await startTestEmulator({ scenario: parseScenario(SCENARIO, 'error-codes.yaml') });
    for (const who of ['provider', 'acme', 'globex'] as const) clients.set(who, clientFor(emu, who));
  });
  after(() => emu.close());

  test('each listed code, HTTP 400, and no change to the state', async () => {
    const state = async (): Promise<string> =>
      JSON.stringify(await (await fetch(`${emu.url}/__emulator/state`)).json());
    const before = await state();
    for (const [code, who, action, params] of ROWS) {
      const error = await rejection(() =>
        client(who).request(action, { RegionId: 'cn-hangzhou', ...params }, { method: 'POST' }),
      );
      const label = `${who} ${action} ${JSON.stringify(params)}`;
      assert.equal(error['code'], code, label);
      const logged = emu.requests().at(-1);
      assert.equal(logged?.code, code, label);
      assert.equal(logged?.status, 400, label);
    }
    assert.equal(await state(), before);
  });

  test('EndpointServiceOperationDenied: a write on a service being deleted', async () => {
    await client('provider').request(
      'DeleteVpcEndpointService',
      { RegionId: 'cn-hangzhou', ServiceId: 'epsrv-bp1empty' },
      { method: 'POST' },
    );
    const error = await rejection(() =>
      client('provider').request(
        'UpdateVpcEndpointServiceAttribute',
        { RegionId: 'cn-hangzhou', ServiceId: 'epsrv-bp1empty', ServiceDescription: 'x' },
        { method: 'POST' },
      ),
    );
    assert.equal(error['code'], 'EndpointServiceOperationDenied');
    emu.clock.advance(emu.settings.deleteDelayMs);
    const gone = await rejection(() =>
      client('provider').request(
        'GetVpcEndpointServiceAttribute',
        { RegionId: 'cn-hangzhou', ServiceId: 'epsrv-bp1empty' },
        { method: 'POST' },
      ),
    );
    assert.equal(gone['code'], 'EndpointServiceNotFound');
  });
});
