/**
 * The decision record schema as docs/audit-records.md documents it, read from the doc's field table and
 * outcome table, so that tests can check real records against what an auditor was promised (types,
 * allowed values, no undocumented field) rather than against the builders' own idea of it.
 */
import { readFileSync } from 'node:fs';

const doc = readFileSync('docs/audit-records.md', 'utf8');

function section(title: string): string {
  const start = doc.indexOf(title);
  if (start === -1) throw new Error(`docs/audit-records.md has no "${title}"`);
  const next = doc.indexOf('\n#', start + title.length);
  return doc.slice(start, next === -1 ? undefined : next);
}

/** field -> the documented alternatives (`string`, `null`, `` `enforce` ``, ...). */
const FIELDS = new Map(
  [...section('## Decision record').matchAll(/^\| `([a-zA-Z]+)` \| (.+?) \| .* \|$/gm)].map((m) => [
    m[1] ?? '',
    (m[2] ?? '').split('\\|').map((t) => t.trim()),
  ]),
);
const DOCUMENTED_OUTCOMES = [...section('### Outcomes').matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1] ?? '');

function fits(value: unknown, type: string): boolean {
  if (type === 'string') return typeof value === 'string';
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (type === 'null') return value === null;
  if (type === 'see below') return typeof value === 'string' && DOCUMENTED_OUTCOMES.includes(value);
  if (type === '`{hash, commit}`') {
    const v = value as { hash?: unknown; commit?: unknown } | null;
    return (
      typeof v === 'object' &&
      v !== null &&
      Object.keys(v).sort().join() === 'commit,hash' &&
      typeof v.hash === 'string' &&
      (typeof v.commit === 'string' || v.commit === null)
    );
  }
  const literal = /^`([^`]+)`$/.exec(type);
  if (literal !== null) return value === literal[1];
  throw new Error(`docs/audit-records.md: a type this check does not know: ${type}`);
}

/** The ways `record` departs from the documented decision record schema; empty when it conforms. */
export function recordSchemaProblems(record: unknown): string[] {
  if (typeof record !== 'object' || record === null) return ['not an object'];
  const problems: string[] = [];
  const r = record as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!FIELDS.has(key)) problems.push(`${key}: not documented`);
  for (const [field, types] of FIELDS) {
    if (!(field in r)) problems.push(`${field}: missing`);
    else if (!types.some((t) => fits(r[field], t)))
      problems.push(`${field}: ${JSON.stringify(r[field])} is not ${types.join(' | ')}`);
  }
  if (r['schema'] !== 'privatelink-approver/decision/v1') problems.push(`schema: ${JSON.stringify(r['schema'])}`);
  return problems;
}

export { DOCUMENTED_OUTCOMES };
