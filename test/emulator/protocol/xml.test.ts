import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toXml } from '../../../emulator/xml.ts';

test('XML: fields in order, arrays as repeated elements, nested objects, escaping', () => {
  const xml = toXml('GetVpcEndpointServiceAttributeResponse', {
    RequestId: 'R',
    ServiceDescription: 'a <b> & "c"',
    AutoAcceptEnabled: true,
    Zones: ['eu-west-1a', 'eu-west-1b'],
    Regions: { Region: [{ RegionId: 'r1' }, { RegionId: 'r2' }] },
    Empty: [],
    Nothing: null,
    Skipped: undefined,
  });
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?><GetVpcEndpointServiceAttributeResponse><RequestId>R</RequestId>' +
      '<ServiceDescription>a &lt;b&gt; &amp; &quot;c&quot;</ServiceDescription><AutoAcceptEnabled>true</AutoAcceptEnabled>' +
      '<Zones>eu-west-1a</Zones><Zones>eu-west-1b</Zones><Regions><Region><RegionId>r1</RegionId></Region><Region><RegionId>r2</RegionId></Region></Regions>' +
      '<Nothing></Nothing></GetVpcEndpointServiceAttributeResponse>',
  );
});
