/**
 * Generated hostile policies for the linear-validation promise (issue 10): each fills about `bytes` of
 * YAML with one shape a bad pull request could have. Used by test/policy/validate-linear.test.ts (ratios)
 * and test/bench/policy.bench.ts (timings).
 */

const HEAD = ['version: 1', 'mode: enforce', 'defaults:', '  unknownAccounts: reject'];
const RULE = ['services:', '  - region: cn-hangzhou', '    serviceId: epsrv-hostile0'];

/** Lines appended until the text reaches `bytes`; `line(i)` gives the i-th line (or lines). */
function fill(head: string[], bytes: number, line: (i: number) => string, tail: string[] = []): string {
  const out = [...head];
  let size = out.join('\n').length + tail.join('\n').length + 2;
  for (let i = 0; size < bytes; i++) {
    const next = line(i);
    out.push(next);
    size += next.length + 1;
  }
  return `${[...out, ...tail].join('\n')}\n`;
}

const account = (i: number): string => String(2000000000000000 + i);

/** A policy shape: a name and a generator of about `bytes` of text. */
export interface HostileShape {
  name: string;
  generate(bytes: number): string;
}

export const HOSTILE_SHAPES: readonly HostileShape[] = [
  {
    // The reported case: 939 KB with 95,000 unknown keys took 156 s.
    name: 'unknown keys at the top level',
    generate: (bytes) => fill([...HEAD, ...RULE], bytes, (i) => `k${i}: 1`),
  },
  {
    name: 'unknown keys in one allow entry',
    generate: (bytes) =>
      fill([...HEAD, ...RULE, '    allow:', `      - account: "${account(0)}"`], bytes, (i) => `        k${i}: 1`),
  },
  {
    name: 'a wrong value in every allow entry',
    generate: (bytes) =>
      fill([...HEAD, ...RULE, '    allow:'], bytes, (i) => `      - {account: "${account(i)}", bandwidth: 5}`),
  },
  {
    name: 'deep nesting (block mappings)',
    generate: (bytes) => {
      // Each level indents one more space: depth grows with the square root of the size.
      const depth = Math.floor(Math.sqrt(2 * bytes)) - 10;
      return fill([...HEAD, ...RULE], bytes, (i) => (i < depth ? `${' '.repeat(i)}n:` : `${' '.repeat(depth)}# pad`));
    },
  },
  {
    name: 'deep nesting (flow lists)',
    generate: (bytes) => `${[...HEAD, ...RULE].join('\n')}\n    allow: ${'['.repeat(bytes - 200)}\n`,
  },
  {
    name: 'a long list of VPCs, every one twice',
    generate: (bytes) =>
      fill(
        [...HEAD, ...RULE, '    allow:', `      - account: "${account(0)}"`, '        vpcs:'],
        bytes,
        (i) => `          - vpc-h${Math.floor(i / 2)}`,
      ),
  },
  {
    name: 'many accounts, every one twice',
    generate: (bytes) => fill([...HEAD, ...RULE, '    allow:'], bytes, (i) => `      - account: "${account(i >> 1)}"`),
  },
  {
    name: 'many accounts in groups',
    generate: (bytes) =>
      fill(
        [...HEAD, 'groups:', '  all:', '    accounts:'],
        bytes,
        (i) => `      - {account: "${account(i)}", name: c${i}, expires: 2030-01-01}`,
        [...RULE, '    allow:', '      - group: all'],
      ),
  },
  {
    name: 'many service rules by ID',
    generate: (bytes) =>
      fill(
        [...HEAD, 'services:'],
        bytes,
        (i) => `  - {region: cn-hangzhou, serviceId: epsrv-h${i}, allow: [{account: "${account(i)}"}]}`,
      ),
  },
  {
    name: 'many service rules by selector',
    generate: (bytes) =>
      fill(
        [...HEAD, 'services:'],
        bytes,
        (i) => `  - {region: cn-hangzhou, match: {name: "svc-${i}*", tags: {t: "${i}"}}}`,
      ),
  },
];
