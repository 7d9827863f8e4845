/**
 * Phase one of loading a scenario: structure, checked by ajv against SCENARIO_SCHEMA (allErrors,
 * additionalProperties false everywhere), each raw ajv error said as the one message a person needs and
 * pointed into the file (`file:line:col: path: message`). A small sibling of the policy validator
 * (functions/policy/schema-diagnostics.ts), which the emulator may not import.
 */
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { SCENARIO_SCHEMA } from './scenario-schema.ts';

/** A path into the scenario data: keys and list indexes. */
export type Path = Array<string | number>;

/** One problem, before it has a position. `atKey` points at the key rather than its value. */
export interface Problem {
  path: Path;
  message: string;
  atKey?: boolean;
}

/** The compiled validator, made on first use: a generated fleet (the benchmark's) never loads ajv, which
 *  would add a few MB of code to the emulator's memory. ajv is CommonJS, so it loads synchronously. */
let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (compiled === undefined) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
    compiled = ajv.compile(SCENARIO_SCHEMA);
  }
  return compiled;
}

/** `accounts[1].colour`; `(top level)` for the document itself. */
export function pathText(path: Path): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s === '' ? '(top level)' : s;
}

/** The path of an ajv instancePath (a JSON pointer), with list indexes as numbers. */
function toPath(pointer: string, data: unknown): Path {
  const path: Path = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = Array.isArray(node) ? Number(key) : undefined;
    path.push(index ?? key);
    node = (node as Record<string | number, unknown> | undefined)?.[index ?? key];
  }
  return path;
}

/** What a value of the wrong type must be. */
function typeMessage(expected: unknown, value: unknown): string {
  const types = Array.isArray(expected) ? expected : [expected];
  if (types.includes('string'))
    return typeof value === 'number' ? 'must be a string (quote it)' : 'must be a non-empty string';
  if (types.includes('object')) return 'must be a mapping';
  if (types.includes('array')) return 'must be a list';
  if (types.includes('boolean')) return 'must be true or false';
  return `must be ${types.join(' or ')}`;
}

/** The message of one ajv error, or undefined when another error already says it. */
function explain(error: ErrorObject, path: Path): Problem | undefined {
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const custom = typeof schema['x-message'] === 'string' ? schema['x-message'] : undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((schema.properties as object | undefined) ?? {}).join(', ');
      return { path: [...path, key], message: `unknown key '${key}' (allowed: ${allowed})`, atKey: true };
    }
    case 'required':
      return { path, message: `'${String(params.missingProperty)}' is required` };
    case 'type':
      // A value of another type: an x-message that speaks of types wins, else the type's own message.
      return {
        path,
        message: custom !== undefined && Array.isArray(schema.type) ? custom : typeMessage(schema.type, error.data),
      };
    case 'minLength':
      return { path, message: 'must be a non-empty string' };
    case 'minimum':
    case 'maximum':
      return {
        path,
        message:
          custom ??
          (schema.type === 'integer'
            ? `must be an integer between ${String(schema.minimum)} and ${String(schema.maximum)}`
            : `must be a number between ${String(schema.minimum)} and ${String(schema.maximum)}`),
      };
    case 'enum':
      return {
        path,
        message: (custom ?? `must be one of ${(schema.enum as unknown[]).join(', ')}`).replace(
          '{value}',
          String(error.data),
        ),
      };
    default:
      return { path, message: custom ?? `${error.message ?? 'is not valid'}` };
  }
}

/** The structural problems of `data` (a parsed scenario file), in the order ajv finds them. */
export function schemaProblems(data: unknown): Problem[] {
  const validate = validator();
  if (validate(data)) return [];
  const out: Problem[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // A value of the wrong type says so once: its enum, pattern or bounds are moot.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const error of errors) {
    if (error.keyword !== 'type' && wrongType.has(error.instancePath)) continue;
    const path = toPath(error.instancePath, data);
    const problem = explain(error, path);
    if (problem === undefined) continue;
    const key = `${pathText(problem.path)}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}

/**
 * The node at `path`, or the deepest existing ancestor (a missing key is reported at its parent). The
 * key rather than the value when `atKey` is set or the value is a collection (its start is the next line).
 */
function nodeAt(doc: Document, path: Path, atKey: boolean): YamlNode | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (node && (isMap(node) || isSeq(node) || isScalar(node))) {
      if (n > 0 && n === path.length && (atKey || !isScalar(node))) {
        const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === path[n - 1]);
          if (pair && isScalar(pair.key)) return pair.key;
        }
      }
      return node as YamlNode;
    }
  }
  return undefined;
}

/** `file:line:col` of an offset (1:1 when unknown). */
export function position(file: string, lineCounter: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return `${file}:1:1`;
  const lp = lineCounter.linePos(offset);
  return `${file}:${lp.line}:${lp.col}`;
}

/** Where in the text a problem points (the offset of its node). */
export function offsetOf(doc: Document, problem: Problem): number | undefined {
  return nodeAt(doc, problem.path, problem.atKey === true)?.range?.[0];
}

/** `file:line:col: path: message` for a problem. */
export function formatProblem(file: string, doc: Document, lineCounter: LineCounter, problem: Problem): string {
  return `${position(file, lineCounter, offsetOf(doc, problem))}: ${pathText(problem.path)}: ${problem.message}`;
}
