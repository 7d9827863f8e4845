/**
 * The regions and zones the emulator knows, with the three-character prefix real resource IDs carry in
 * each region (`epsrv-bp1...` in cn-hangzhou, `ep-uf6...` in cn-shanghai). DescribeRegions and
 * DescribeZones answer from this table.
 */
export interface RegionInfo {
  regionId: string;
  localName: string;
  idPrefix: string;
  zones: Array<{ zoneId: string; localName: string }>;
}

function zones(regionId: string, localName: string, letters: string): RegionInfo['zones'] {
  return [...letters].map((l) => ({ zoneId: `${regionId}-${l}`, localName: `${localName} Zone ${l.toUpperCase()}` }));
}

export const REGIONS: readonly RegionInfo[] = [
  {
    regionId: 'cn-hangzhou',
    localName: 'China (Hangzhou)',
    idPrefix: 'bp1',
    zones: zones('cn-hangzhou', 'Hangzhou', 'bhijk'),
  },
  {
    regionId: 'cn-shanghai',
    localName: 'China (Shanghai)',
    idPrefix: 'uf6',
    zones: zones('cn-shanghai', 'Shanghai', 'bdefg'),
  },
  {
    regionId: 'cn-beijing',
    localName: 'China (Beijing)',
    idPrefix: '2ze',
    zones: zones('cn-beijing', 'Beijing', 'ghijk'),
  },
  {
    regionId: 'cn-shenzhen',
    localName: 'China (Shenzhen)',
    idPrefix: 'wz9',
    zones: zones('cn-shenzhen', 'Shenzhen', 'adef'),
  },
  {
    regionId: 'cn-huhehaote',
    localName: 'China (Hohhot)',
    idPrefix: 'hp3',
    zones: zones('cn-huhehaote', 'Hohhot', 'ab'),
  },
  {
    regionId: 'ap-southeast-1',
    localName: 'Singapore',
    idPrefix: 't4n',
    zones: zones('ap-southeast-1', 'Singapore', 'abc'),
  },
  {
    regionId: 'eu-central-1',
    localName: 'Germany (Frankfurt)',
    idPrefix: 'gw8',
    zones: zones('eu-central-1', 'Frankfurt', 'ab'),
  },
  { regionId: 'eu-west-1', localName: 'UK (London)', idPrefix: 'd7o', zones: zones('eu-west-1', 'London', 'ab') },
  {
    regionId: 'us-west-1',
    localName: 'US (Silicon Valley)',
    idPrefix: 'rj9',
    zones: zones('us-west-1', 'Silicon Valley', 'ab'),
  },
];

const BY_ID = new Map(REGIONS.map((r) => [r.regionId, r]));

/** The region's entry, or undefined when the emulator does not know it. */
export function findRegion(regionId: string): RegionInfo | undefined {
  return BY_ID.get(regionId);
}
