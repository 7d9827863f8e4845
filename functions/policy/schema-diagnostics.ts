/**
 * Phase one of validation: structure, checked by the ajv validator generated from policies/schema.json
 * (functions/policy/generated, `npm run generate`). ajv's raw errors are turned into the one message a
 * person needs: unknown keys get a "did you mean", `oneOf` noise collapses into "needs serviceId or
 * match", unquoted account IDs are told to be quoted, and every message points at the offending key or
 * value.
 */
import type { ErrorObject } from 'ajv';
import { isScalar } from 'yaml';
import { policySchema, validate } from './generated/validate-policy-schema.js';
import { MAX_DIAGNOSTICS, moreDiagnostics } from './diagnostic.ts';
import type { Diagnostic } from './diagnostic.ts';
import { didYouMean, editDistance } from './did-you-mean.ts';
import type { ParsedPolicyDocument } from './policy-document.ts';
import type { PolicyPath } from './policy-path.ts';
import { formatPath, fromJsonPointer } from './policy-path.ts';

/** A JSON Schema object, as far as these messages need to read one. */
interface SchemaNode {
  $ref?: string;
  description?: string;
  type?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  oneOf?: { required?: string[] }[];
  minimum?: number;
  maximum?: number;
}

const ROOT = policySchema as unknown as SchemaNode & { definitions: Record<string, SchemaNode> };

/**
 * What a value of each named definition must be, said once for every way it can be wrong (wrong type,
 * pattern, bounds). test/policy/schema-agreement.test.ts checks that every definition with a pattern or
 * bounds has an entry.
 */
export const DEFINITION_MESSAGES: Record<string, string> = {
  accountId: 'must be an account ID: a quoted string of digits such as "1234567890123456" (no leading zero)',
  serviceId: 'must be an endpoint service ID: "epsrv-" followed by lowercase letters and digits',
  endpointId: 'must be an endpoint ID: "ep-" followed by lowercase letters and digits',
  vpcId: 'must be a VPC ID: "vpc-" followed by lowercase letters and digits',
  region: 'must be a region ID such as cn-hangzhou, ap-southeast-1 or eu-central-1',
  groupName: 'must be a group name: lowercase letters, digits, "-" and "_", starting with a letter or digit',
  bandwidth: 'must be an integer from 100 to 25600 (Mbit/s)',
  maxConnections: 'must be an integer of at least 1',
  count: 'must be an integer of at least 0',
  percent: 'must be an integer from 0 to 100 (a percentage)',
  expires: 'must be a date such as 2027-01-31 (from 00:00 UTC that day) or an instant such as 2027-01-31T12:00:00Z',
  from: 'must be a date such as 2027-01-31 (from 00:00 UTC that day) or an instant such as 2027-01-31T12:00:00Z',
  text: 'must be non-empty text',
  glob: 'must be a non-empty glob (* matches any run of characters, ? one character)',
};

/** `oneOf` rules: said as what is missing and what is too much. */
const ONE_OF_MESSAGES: Record<string, { none: string; both: string }> = {
  serviceRule: {
    none: 'a service rule needs serviceId (one service) or match (every service a selector matches in the region)',
    both:
      'serviceId and match cannot both be set: a rule governs one service (serviceId) or the services a ' +
      'selector matches (match); split it into two rules',
  },
  allowItem: {
    none: 'an allow entry needs account (one account) or group (every account of a group)',
    both:
      'account and group cannot both be set in one entry: write {group: NAME}, and to change a ' +
      "member's fields for this service add a separate {account: ...} entry",
  },
};

/** Validates the parsed data against the schema; returns errors in document order of discovery. */
export function schemaDiagnostics(parsed: ParsedPolicyDocument, file: string): Diagnostic[] {
  if (validate(parsed.data)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // A value of the wrong type (a string where an entry belongs) says so once; its oneOf is moot.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  let more = 0;
  let firstMore: { line: number; column: number } | undefined;
  for (const error of errors) {
    if (error.keyword === 'oneOf' && wrongType.has(error.instancePath)) continue;
    if (out.length >= MAX_DIAGNOSTICS) {
      // Counted, not explained: explaining is the costly part (did-you-mean, positions).
      if (/\/(oneOf|anyOf)\/\d+\//.test(error.schemaPath) || error.keyword === 'propertyNames') continue;
      more += 1;
      firstMore ??= parsed.locate(fromJsonPointer(error.instancePath, parsed.data));
      continue;
    }
    const diagnostic = explain(error, parsed, file);
    if (diagnostic === undefined) continue;
    const key = `${diagnostic.path}\u0000${diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(diagnostic);
  }
  if (firstMore !== undefined) out.push(moreDiagnostics(file, 'error', more, firstMore));
  return out;
}

function explain(error: ErrorObject, parsed: ParsedPolicyDocument, file: string): Diagnostic | undefined {
  // Branch errors of a oneOf (each branch only lists required keys) are said by the oneOf error itself.
  if (/\/(oneOf|anyOf)\/\d+\//.test(error.schemaPath)) return undefined;
  const path = fromJsonPointer(error.instancePath, parsed.data);
  const at: At = (where, message, hint, position = 'value') => ({
    severity: 'error',
    file,
    ...parsed.locate(where, position),
    path: formatPath(where),
    message,
    ...(hint === undefined ? {} : { hint }),
  });
  const params = error.params as Record<string, unknown>;
  const found = schemaAt(path);

  // propertyNames: an invalid key of a map (a group name).
  if (typeof error.propertyName === 'string' || typeof params.propertyName === 'string') {
    if (error.keyword === 'propertyNames') return undefined;
    const name = String(error.propertyName ?? params.propertyName);
    return at(
      [...path, name],
      `"${name}" is not a valid group name: ` +
        (DEFINITION_MESSAGES.groupName?.replace(/^must be a group name: /, 'use ') ?? ''),
      undefined,
      'key',
    );
  }

  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(path, String(params.additionalProperty), found, at);
    case 'required':
      return missingKey(path, String(params.missingProperty), found, at);
    case 'oneOf':
      return oneOfError(path, found, parsed, at);
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const value = valueAt(parsed.data, path);
      const suggestion = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
      return at(
        path,
        `must be one of: ${allowed.join(', ')}`,
        suggestion === undefined ? undefined : `did you mean "${suggestion}"?`,
      );
    }
    case 'const':
      return at(
        path,
        `must be ${JSON.stringify(params.allowedValue)}` +
          (path[0] === 'version' && path.length === 1 ? ' (the only policy format version)' : ''),
      );
    case 'minItems':
      return at(
        path,
        path.length === 1 && path[0] === 'services'
          ? 'must list at least one service rule'
          : 'must not be an empty list',
        'remove the key or add an item',
      );
    case 'minProperties':
      return at(path, 'must not be empty', 'remove the key or add at least one entry');
    case 'type':
      return typeError(path, String(params.type), found, parsed, at);
    default: {
      const message = found?.def !== undefined ? DEFINITION_MESSAGES[found.def] : undefined;
      const value = valueAt(parsed.data, path);
      const hint =
        found?.def === 'expires' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T[0-9:.]+$/.test(value)
          ? `add a zone: ${value}Z for UTC`
          : undefined;
      return at(path, message ?? error.message ?? 'is invalid', hint);
    }
  }
}

type At = (where: PolicyPath, message: string, hint?: string, position?: 'key' | 'value') => Diagnostic;
type Found = { schema: SchemaNode; def: string | undefined } | undefined;

/** An unknown key: a likely typo of a key valid here, or a key that belongs elsewhere. */
function unknownKey(path: PolicyPath, key: string, found: Found, at: At): Diagnostic {
  const allowed = Object.keys(found?.schema.properties ?? {});
  const suggestion = didYouMean(key, allowed);
  const elsewhere = placesOf(key);
  // A key that is valid elsewhere was probably misplaced, unless it is one slip away from a key valid here.
  const closeTypo = suggestion !== undefined && editDistance(key.toLowerCase(), suggestion.toLowerCase()) <= 1;
  const hint =
    suggestion !== undefined && (closeTypo || elsewhere.length === 0)
      ? `did you mean "${suggestion}"?`
      : elsewhere.length > 0
        ? `"${key}" belongs in ${elsewhere.join(' or ')}`
        : allowed.length > 0
          ? `allowed here: ${allowed.join(', ')}`
          : undefined;
  return at([...path, key], `unknown key "${key}"`, hint, 'key');
}

/** A missing required key, with its allowed values or its description as the hint. */
function missingKey(path: PolicyPath, key: string, found: Found, at: At): Diagnostic {
  const target = found?.schema.properties?.[key];
  const targetSchema = target === undefined ? undefined : deref(target).schema;
  const choices =
    targetSchema?.enum ?? (targetSchema !== undefined && 'const' in targetSchema ? [targetSchema.const] : undefined);
  const described =
    target === undefined ? undefined : (target.description ?? targetSchema?.description)?.replace(/\.$/, '');
  const hint =
    choices !== undefined
      ? `add "${key}: ${choices.map(String).join('" or "' + key + ': ')}"`
      : described !== undefined
        ? `${key}: ${described}`
        : undefined;
  return at(path, `missing required key "${key}"`, hint);
}

/** A `oneOf` said as what is missing (none of the keys) or too much (several). */
function oneOfError(path: PolicyPath, found: Found, parsed: ParsedPolicyDocument, at: At): Diagnostic {
  const keys = (found?.schema.oneOf ?? []).flatMap((branch) => branch.required ?? []);
  const value = valueAt(parsed.data, path);
  const present = keys.filter((k) => value !== null && typeof value === 'object' && k in value);
  const messages = ONE_OF_MESSAGES[found?.def ?? ''];
  if (present.length === 0) return at(path, messages?.none ?? `needs one of: ${keys.join(', ')}`);
  return at(path, messages?.both ?? `only one of ${keys.join(', ')} may be set`);
}

function typeError(
  path: PolicyPath,
  expected: string,
  found: { schema: SchemaNode; def: string | undefined } | undefined,
  parsed: ParsedPolicyDocument,
  at: (where: PolicyPath, message: string, hint?: string) => Diagnostic,
): Diagnostic {
  const node = parsed.nodeAt(path);
  const value = valueAt(parsed.data, path);
  // Hints echo the value as written; a long one is cut so a message stays one readable line.
  const source = isScalar(node) && typeof node.source === 'string' ? clip(node.source) : undefined;
  if (
    found?.def === 'accountId' &&
    isScalar(node) &&
    (typeof node.value === 'number' || typeof node.value === 'bigint')
  ) {
    // Never let a 16-digit ID become a float: say to quote it, showing the digits as written.
    return at(
      path,
      'account IDs must be quoted: an unquoted number loses digits',
      `write "${source ?? clip(String(node.value))}"`,
    );
  }
  const defMessage = found?.def !== undefined ? DEFINITION_MESSAGES[found.def] : undefined;
  if (value === null || value === undefined) {
    const remove = typeof path[path.length - 1] === 'number' ? 'remove the item' : 'remove the key';
    return at(
      path,
      defMessage !== undefined
        ? `is empty; it ${defMessage}`
        : `is empty: give it a value (${describe(expected, found)}) or ${remove}`,
    );
  }
  if (expected === 'integer' && typeof value === 'string' && /^[0-9]+$/.test(value)) {
    return at(path, defMessage ?? 'must be an integer', `write ${value} without quotes`);
  }
  if (expected === 'array' && isScalar(node)) {
    return at(path, 'must be a list', `write it as a list: [${source ?? clip(String(value))}]`);
  }
  if (expected === 'array' && typeof value === 'object') {
    return at(path, 'must be a list', 'start each entry with "- "');
  }
  if (expected === 'string' && isScalar(node) && typeof value !== 'object') {
    return at(path, defMessage ?? 'must be a string', `quote it: "${source ?? clip(String(value))}"`);
  }
  if (defMessage !== undefined) return at(path, defMessage);
  if (expected === 'boolean' && typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value)) {
    return at(
      path,
      'must be true or false',
      `YAML 1.2 reads "${value}" as text: write ${/^(yes|on|y)$/i.test(value) ? 'true' : 'false'}`,
    );
  }
  if (found?.def === 'allowItem' && (typeof value === 'string' || typeof value === 'number')) {
    return at(
      path,
      'must be a mapping such as {account: "..."} or {group: NAME}',
      `write it as: account: "${source ?? clip(String(value))}"`,
    );
  }
  const keys = Object.keys(found?.schema.properties ?? {});
  return at(
    path,
    `must be ${describe(expected, found)}`,
    expected === 'object' && keys.length > 0 ? `keys: ${keys.join(', ')}` : undefined,
  );
}

/** At most 60 characters: longer text keeps its start and says it was cut. */
function clip(text: string): string {
  return text.length <= 60 ? text : `${text.slice(0, 50)}... (${text.length} characters)`;
}

function describe(expected: string, _found: { schema: SchemaNode } | undefined): string {
  switch (expected) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    default:
      return `of type ${expected}`;
  }
}

let keyPlaces: Map<string, string[]> | undefined;

/** Where else in the schema a key is allowed, as parent paths (`services[].allow[]`, `defaults`). */
function placesOf(key: string): string[] {
  if (keyPlaces === undefined) {
    const places = new Map<string, string[]>();
    const visit = (schema: SchemaNode, prefix: string, depth: number): void => {
      const here = deref(schema).schema;
      if (depth > 8) return;
      for (const [name, child] of Object.entries(here.properties ?? {})) {
        places.set(name, [...(places.get(name) ?? []), prefix === '' ? 'the top level' : prefix]);
        visit(child, prefix === '' ? name : `${prefix}.${name}`, depth + 1);
      }
      if (typeof here.additionalProperties === 'object') visit(here.additionalProperties, `${prefix}.NAME`, depth + 1);
      if (here.items !== undefined) visit(here.items, `${prefix}[]`, depth + 1);
    };
    visit(ROOT, '', 0);
    keyPlaces = places;
  }
  return keyPlaces.get(key) ?? [];
}

/** The subschema governing the value at `path`, and the name of the last definition on the way. */
export function schemaAt(path: PolicyPath): { schema: SchemaNode; def: string | undefined } | undefined {
  let here = deref(ROOT);
  for (const segment of path) {
    let next: SchemaNode | undefined;
    if (typeof segment === 'number') next = here.schema.items;
    else
      next =
        here.schema.properties?.[segment] ??
        (typeof here.schema.additionalProperties === 'object' ? here.schema.additionalProperties : undefined);
    if (next === undefined) return undefined;
    here = deref(next);
  }
  return here;
}

function deref(schema: SchemaNode): { schema: SchemaNode; def: string | undefined } {
  let here = schema;
  let def: string | undefined;
  for (let hops = 0; here.$ref !== undefined && hops < 10; hops++) {
    def = here.$ref.replace('#/definitions/', '');
    here = ROOT.definitions[def] ?? {};
  }
  return { schema: here, def };
}

function valueAt(data: unknown, path: PolicyPath): unknown {
  let here = data;
  for (const segment of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string | number, unknown>)[segment];
  }
  return here;
}
