/**
 * Parses policy YAML with positions, and maps a path in the policy back to a line and column. Every
 * problem the YAML layer can have (syntax errors, duplicate keys, tabs, several documents, alias bombs,
 * an empty file, a document that is not a mapping) becomes a Diagnostic, never an exception.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from 'yaml';
import type { Document, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import type { Diagnostic } from './diagnostic.ts';
import type { PolicyPath } from './policy-path.ts';

/** Policies larger than this are refused before parsing (a policy of 1,000 accounts is about 100 KB). */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** Aliases a policy may expand; a handful is plenty for sharing a list, thousands is an alias bomb. */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedPolicyDocument {
  /** The document as plain data (undefined when it could not be parsed). */
  data: unknown;
  /** Maps a path to the position of its key (`at: 'key'`) or its value; falls back to the nearest parent. */
  locate(path: PolicyPath, at?: 'key' | 'value'): { line: number; column: number };
  /** The YAML node at a path (aliases resolved), when there is one. */
  nodeAt(path: PolicyPath): YamlNode | undefined;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** yaml's error codes, said in terms of a policy file and how to fix it. */
const YAML_MESSAGES: Record<string, string> = {
  DUPLICATE_KEY:
    'duplicate key: a key may appear only once in a mapping (YAML would silently keep the last value); remove one',
  TAB_AS_INDENT: 'tab used for indentation: YAML indents with spaces only',
};

const TOO_DEEP = 'the YAML nests too deeply to be read (a policy needs only a few levels)';

/** Flow collections (`[`, `{`) nested deeper than this are refused before parsing. */
export const MAX_FLOW_DEPTH = 200;

/**
 * The offset of the first flow opener nested deeper than MAX_FLOW_DEPTH, found in one pass before parsing:
 * yaml builds the whole syntax tree of `[[[[...` (a million levels in 1 MiB) before running out of stack,
 * which takes seconds. Approximate YAML lexing, enough for this: quoted strings and comments are skipped,
 * and outside a flow collection only a `[` or `{` where a value starts opens one (not `a[b`).
 */
function flowTooDeep(text: string): number | undefined {
  let depth = 0;
  let prev = '\n';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const space = prev === ' ' || prev === '\n' || prev === '\t' || prev === '\r';
    const valueStart = space || (depth > 0 ? '[{,:'.includes(prev) : ':-?'.includes(prev));
    if (ch === '#' && space) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end - 1;
      continue;
    }
    if ((ch === '"' || ch === "'") && (valueStart || '[{,'.includes(prev))) {
      i = closingQuote(text, i, ch);
      prev = ch;
      continue;
    }
    if ((ch === '[' || ch === '{') && (depth > 0 || valueStart)) {
      depth += 1;
      if (depth > MAX_FLOW_DEPTH) return i;
    } else if ((ch === ']' || ch === '}') && depth > 0) depth -= 1;
    prev = ch;
  }
  return undefined;
}

/** The offset of the quote closing the string opened at `start` (or the end of the text). */
function closingQuote(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i += 1;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i += 1;
      else return i;
    }
  }
  return text.length;
}

/** Builds positioned diagnostics for one file; positions are 1-based. */
interface Reporter {
  position(offset: number): { line: number; column: number };
  diagnostic(severity: Diagnostic['severity'], offset: number, message: string, hint?: string): Diagnostic;
}

function reporter(file: string, lineCounter: LineCounter): Reporter {
  const position = (offset: number): { line: number; column: number } => {
    // Before parsing (e.g. a file refused for its size) the counter knows no lines yet.
    if (lineCounter.lineStarts.length === 0) return { line: 1, column: 1 };
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const diagnostic = (
    severity: Diagnostic['severity'],
    offset: number,
    message: string,
    hint?: string,
  ): Diagnostic => ({
    severity,
    file,
    ...position(offset),
    path: '',
    message,
    ...(hint === undefined ? {} : { hint }),
  });
  return { position, diagnostic };
}

const unknownTag = (tag: string): string =>
  `unknown YAML tag ${tag.length <= 40 ? tag : `${tag.slice(0, 37)}...`}: a policy uses plain values, no custom tags`;
const TAG_HINT = 'remove the tag; account IDs are quoted strings, e.g. account: "2000000000000001"';

/** Parses `text` (the content of `file`). Positions are 1-based. */
export function parsePolicyDocument(text: string, file: string): ParsedPolicyDocument {
  const lineCounter = new LineCounter();
  const report = reporter(file, lineCounter);
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const failed = (): ParsedPolicyDocument => ({
    data: undefined,
    locate: () => ({ line: 1, column: 1 }),
    nodeAt: () => undefined,
    errors,
    warnings,
  });

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_POLICY_BYTES) {
    const message = `the file is ${bytes} bytes; a policy may be at most ${MAX_POLICY_BYTES} bytes (1 MiB)`;
    errors.push(
      report.diagnostic(
        'error',
        0,
        message,
        'split the customer list into groups or check that this is the right file',
      ),
    );
    return failed();
  }
  const tooDeep = flowTooDeep(text);
  if (tooDeep !== undefined) {
    // The line counter is filled by parsing, which is what this check avoids: count lines here.
    const line = text.slice(0, tooDeep).split('\n').length;
    errors.push({ ...report.diagnostic('error', 0, TOO_DEEP), line, column: 1 });
    return failed();
  }
  const doc = singleDocument(text, lineCounter, report, errors);
  if (doc === undefined) return failed();
  errors.push(...syntaxErrors(doc, text, report));
  for (const warning of doc.warnings) {
    // An unknown tag (`!account "..."`) would be read as the plain value, silently dropping what the
    // writer meant by it: a policy uses no tags of its own, so that is an error.
    const tag = warning.code === 'TAG_RESOLVE_FAILED' ? /tag: (\S+)/.exec(warning.message)?.[1] : undefined;
    if (tag !== undefined) errors.push(report.diagnostic('error', warning.pos[0], unknownTag(tag), TAG_HINT));
    else warnings.push(report.diagnostic('warning', warning.pos[0], `YAML: ${firstLine(warning.message)}`));
  }
  if (errors.length > 0) return failed();
  const notMapping = notAMapping(doc, report);
  if (notMapping !== undefined) return (errors.push(notMapping), failed());

  const data = toData(doc, report, errors);
  if (errors.length > 0) return failed();
  const nodeAt = (path: PolicyPath): YamlNode | undefined => walk(doc, path).value;
  const locate = (path: PolicyPath, at: 'key' | 'value' = 'value'): { line: number; column: number } => {
    for (let depth = path.length; depth >= 0; depth--) {
      const found = walk(doc, path.slice(0, depth));
      const node = at === 'key' && depth === path.length ? (found.key ?? found.value) : found.value;
      const offset = node?.range?.[0];
      if (offset !== undefined && (found.value !== undefined || found.key !== undefined))
        return report.position(offset);
    }
    return { line: 1, column: 1 };
  };
  return { data, locate, nodeAt, errors, warnings };
}

/** Parses the text into its one document; pushes an error (empty, several documents) and returns undefined. */
function singleDocument(
  text: string,
  lineCounter: LineCounter,
  report: Reporter,
  errors: Diagnostic[],
): Document.Parsed | undefined {
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    // yaml's own duplicate-key check scans the mapping for every key: quadratic in a mapping of 100,000
    // keys. duplicateKeys() below does the same check in linear time.
    uniqueKeys: false,
    strict: true,
    logLevel: 'error',
  });
  // A stray trailing `---` opens an empty document: harmless, so only documents with content count.
  const list = (Array.isArray(docs) ? docs : []).filter((d, i) => i === 0 || !isEmptyDocument(d));
  if (list.length === 0 || (list.length === 1 && list[0] !== undefined && isEmptyDocument(list[0]))) {
    errors.push(report.diagnostic('error', 0, 'the policy is empty', 'start from policies/examples/small-saas.yaml'));
    return undefined;
  }
  if (list.length > 1) {
    const second = list[1] as Document.Parsed;
    errors.push(
      report.diagnostic(
        'error',
        second.range[0],
        `the file holds ${list.length} YAML documents; a policy file holds exactly one`,
        'remove the "---" separator, or split the documents into separate files',
      ),
    );
    return undefined;
  }
  return list[0] as Document.Parsed;
}

/**
 * The document's YAML errors as diagnostics. After the first syntax error the parser's further
 * complaints are mostly echoes of it; duplicate keys are independent, so every one is reported.
 */
function syntaxErrors(doc: Document.Parsed, text: string, report: Reporter): Diagnostic[] {
  const firstSyntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  return [...(firstSyntax === undefined ? [] : [firstSyntax]), ...duplicateKeys(doc)]
    .sort((a, b) => a.pos[0] - b.pos[0])
    .map((error) => {
      const own = YAML_MESSAGES[error.code];
      // yaml reports a stack overflow on absurd nesting (`[[[[...`) as an error of its own.
      const tooDeep = /call stack/i.test(error.message);
      let message = own ?? (tooDeep ? TOO_DEEP : `YAML syntax error: ${firstLine(error.message)}`);
      if (error.code === 'DUPLICATE_KEY') {
        const key =
          /^("[^"\n]*"|'[^'\n]*'|[^:#\n]+?)\s*:/.exec(text.slice(error.pos[0]))?.[1]?.replace(/^["']|["']$/g, '') ?? '';
        if (key !== '' && key.length <= 60)
          message = `duplicate key "${key}": ${(YAML_MESSAGES.DUPLICATE_KEY ?? '').replace(/^duplicate key: /, '')}`;
      }
      // Where the stack ran out depends on the machine: point at the start of that line instead.
      const offset = tooDeep ? error.pos[0] - (report.position(error.pos[0]).column - 1) : error.pos[0];
      return report.diagnostic('error', offset, message);
    });
}

/**
 * Every key that repeats an earlier scalar key of the same mapping (equal values, as yaml's own
 * `uniqueKeys` compares them), as yaml would report it; one Set per mapping instead of a scan per key.
 */
function duplicateKeys(doc: Document.Parsed): { code: 'DUPLICATE_KEY'; pos: [number, number]; message: string }[] {
  const found: { code: 'DUPLICATE_KEY'; pos: [number, number]; message: string }[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) {
          const start = pair.key.range?.[0] ?? 0;
          found.push({ code: 'DUPLICATE_KEY', pos: [start, start + 1], message: 'Map keys must be unique' });
        } else seen.add(pair.key.value);
      }
    },
  });
  return found;
}

/** An error when the document is not a mapping of keys. */
function notAMapping(doc: Document.Parsed, report: Reporter): Diagnostic | undefined {
  if (isMap(doc.contents)) return undefined;
  const offset = doc.contents?.range?.[0] ?? 0;
  const what = isSeq(doc.contents) ? 'a list' : 'a single value';
  return report.diagnostic(
    'error',
    offset,
    `the policy must be a mapping of keys (version, mode, services, ...), not ${what}`,
    'see policies/README.md',
  );
}

/** The document as plain data, with aliases expanded at most MAX_ALIAS_COUNT times. */
function toData(doc: Document.Parsed, report: Reporter, errors: Diagnostic[]): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const alias = firstAliasOffset(doc);
    errors.push(
      /alias count/i.test(message)
        ? report.diagnostic(
            'error',
            alias,
            `aliases expand to too large a document (more than ${MAX_ALIAS_COUNT} expansions)`,
            'write the values out, or use groups to share account lists',
          )
        : report.diagnostic('error', alias, `the YAML cannot be read: ${firstLine(message)}`),
    );
    return undefined;
  }
}

/** A document with no content: only comments, or a bare `---`. */
function isEmptyDocument(doc: Document.Parsed): boolean {
  if (doc.errors.length > 0) return false;
  const contents = doc.contents;
  return (
    contents === null || (isScalar(contents) && contents.value === null && contents.range?.[0] === contents.range?.[1])
  );
}

/** Follows `path` through maps and sequences (resolving aliases); returns the final key and value nodes. */
function walk(doc: Document.Parsed, path: PolicyPath): { key: YamlNode | undefined; value: YamlNode | undefined } {
  let value: YamlNode | undefined = resolve(doc, doc.contents ?? undefined);
  let key: YamlNode | undefined;
  for (const segment of path) {
    key = undefined;
    if (isMap(value)) {
      const pair = pairsByKey(value).get(String(segment));
      if (pair === undefined) return { key: undefined, value: undefined };
      key = pair.key as YamlNode;
      // A key with no value (`mode:`) has an empty null scalar just after the colon; point at the key.
      const written = pair.value as YamlNode | null;
      const empty =
        written === null || (isScalar(written) && written.value === null && written.range?.[0] === written.range?.[1]);
      value = empty ? key : resolve(doc, written);
    } else if (isSeq(value) && typeof segment === 'number') {
      value = resolve(doc, (value.items[segment] as YamlNode | undefined) ?? undefined);
    } else {
      return { key: undefined, value: undefined };
    }
  }
  return { key, value };
}

const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

/**
 * A mapping's pairs by key text (the first pair for a key, as a scan would find), built once per node:
 * diagnostics locate every one of possibly 100,000 unknown keys, and scanning the mapping for each made
 * `validate` quadratic.
 */
function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = pairIndexes.get(map);
  if (index === undefined) {
    index = new Map();
    for (const p of map.items)
      if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    pairIndexes.set(map, index);
  }
  return index;
}

function resolve(doc: Document.Parsed, node: YamlNode | undefined): YamlNode | undefined {
  let here = node;
  for (let hops = 0; isAlias(here) && hops < 10; hops++) here = here.resolve(doc) as YamlNode | undefined;
  return here;
}

function firstAliasOffset(doc: Document.Parsed): number {
  let offset = 0;
  const visit = (node: unknown): boolean => {
    if (isAlias(node)) {
      offset = node.range?.[0] ?? 0;
      return true;
    }
    if (isMap(node) || isSeq(node))
      return node.items.some((item) => (isPair(item) ? visit(item.key) || visit(item.value) : visit(item)));
    return false;
  };
  visit(doc.contents);
  return offset;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}
