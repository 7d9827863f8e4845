import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch } from '../../functions/policy/glob-match.ts';
import { matchServiceRule } from '../../functions/engine/match-service.ts';
import { HANGZHOU, ORDERS, SEARCH, SHANGHAI, policy, rule, service } from './builders.ts';
import type { ServiceRule } from '../../functions/policy/policy.ts';

test('globMatch: whole string, * and ?, case-sensitive', () => {
  const cases: [string, string, boolean][] = [
    ['orders-api', 'orders-api', true],
    ['orders-api', 'orders-api-v2', false], // whole string, not a prefix
    ['orders-api', 'my-orders-api', false],
    ['orders-*', 'orders-api', true],
    ['orders-*', 'orders-', true], // * matches nothing too
    ['orders-*', 'order-api', false],
    ['*-api', 'search-api', true],
    ['*', '', true],
    ['', '', true],
    ['', 'x', false],
    ['?', '', false],
    ['?', 'a', true],
    ['??', 'a', false],
    ['orders-ap?', 'orders-api', true],
    ['orders-ap?', 'orders-ap', false],
    ['Orders-*', 'orders-api', false], // case-sensitive
    ['*a*b*c', 'xaybzc', true],
    ['*a*b*c', 'xaybzcd', false],
    ['a*b*c', 'abcbc', true],
    ['a**', 'a', true],
    ['a.b', 'axb', false], // `.` is literal, not a regex wildcard
    ['(x)+', '(x)+', true],
    ['订单?', '订单服', true], // `?` is one character (code point)
    ['?', '😀', true],
  ];
  for (const [pattern, text, want] of cases) assert.equal(globMatch(pattern, text), want, `${pattern} vs ${text}`);
});

test('globMatch stays fast on a pathological pattern', () => {
  const t0 = performance.now();
  assert.equal(globMatch('*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)), false);
  assert.ok(performance.now() - t0 < 1000);
});

const selector = (over: Partial<Extract<ServiceRule['match'], { kind: 'selector' }>> = {}): ServiceRule['match'] => ({
  kind: 'selector',
  regionId: HANGZHOU,
  name: undefined,
  description: undefined,
  tags: {},
  ...over,
});

test('matchServiceRule: by ID and region', () => {
  const p = policy({
    services: [rule({ source: 'services[0]', match: { kind: 'id', regionId: HANGZHOU, serviceId: ORDERS } })],
  });
  assert.equal(matchServiceRule(p, service())?.source, 'services[0]');
  assert.equal(matchServiceRule(p, service({ serviceId: SEARCH })), undefined);
  // Same ID in another region: not governed (rules are confined to their region).
  assert.equal(matchServiceRule(p, service({ regionId: SHANGHAI })), undefined);
});

test('matchServiceRule: selectors (name, description, tags, region)', () => {
  const table: { name: string; match: ServiceRule['match']; svc: Parameters<typeof service>[0]; want: boolean }[] = [
    { name: 'empty selector matches any service in its region', match: selector(), svc: {}, want: true },
    { name: 'empty selector, other region', match: selector(), svc: { regionId: SHANGHAI }, want: false },
    { name: 'name glob', match: selector({ name: 'orders-*' }), svc: {}, want: true },
    { name: 'name glob miss', match: selector({ name: 'search-*' }), svc: {}, want: false },
    { name: 'name is case-sensitive', match: selector({ name: 'ORDERS-API' }), svc: {}, want: false },
    { name: 'description glob', match: selector({ description: 'Orders*' }), svc: {}, want: true },
    { name: 'description glob miss', match: selector({ description: 'Search*' }), svc: {}, want: false },
    { name: 'every tag equal', match: selector({ tags: { team: 'orders', tier: 'gold' } }), svc: {}, want: true },
    { name: 'subset of tags', match: selector({ tags: { team: 'orders' } }), svc: {}, want: true },
    { name: 'tag value differs', match: selector({ tags: { tier: 'silver' } }), svc: {}, want: false },
    { name: 'tag missing', match: selector({ tags: { env: 'prod' } }), svc: {}, want: false },
    { name: 'tag value is not a glob', match: selector({ tags: { team: 'ord*' } }), svc: {}, want: false },
    { name: 'inherited member is not a tag', match: selector({ tags: { constructor: 'x' } }), svc: {}, want: false },
    { name: 'service without tags', match: selector({ tags: { team: 'orders' } }), svc: { tags: {} }, want: false },
    {
      name: 'name and tags both needed',
      match: selector({ name: 'orders-*', tags: { team: 'search' } }),
      svc: {},
      want: false,
    },
  ];
  for (const c of table) {
    const p = policy({ services: [rule({ match: c.match })] });
    assert.equal(matchServiceRule(p, service(c.svc)) !== undefined, c.want, c.name);
  }
});

test('matchServiceRule: the first rule in file order wins', () => {
  const p = policy({
    services: [
      rule({ source: 'services[0]', match: selector({ name: 'search-*' }) }),
      rule({ source: 'services[1]', match: selector({ tags: { team: 'orders' } }) }),
      rule({ source: 'services[2]', match: { kind: 'id', regionId: HANGZHOU, serviceId: ORDERS } }),
      rule({ source: 'services[3]', match: selector() }),
    ],
  });
  assert.equal(matchServiceRule(p, service())?.source, 'services[1]');
  assert.equal(
    matchServiceRule(p, service({ serviceId: SEARCH, serviceName: 'search-api', tags: { team: 'search' } }))?.source,
    'services[0]',
  );
  assert.equal(
    matchServiceRule(p, service({ serviceId: 'epsrv-other', serviceName: 'x', tags: {} }))?.source,
    'services[3]',
  );
  assert.equal(matchServiceRule(p, service({ regionId: SHANGHAI })), undefined);
});
