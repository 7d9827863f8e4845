/**
 * The one JSON parse of every answer pop-core reads: native `JSON.parse`, with long numbers kept exact.
 *
 * pop-core (lib/rpc.js) does `const JSON = require('json-bigint')` and calls `JSON.parse(buffer)` when a
 * body has arrived. json-bigint's parser is written in JavaScript and makes a BigNumber of every number
 * longer than 15 characters: about 0.3 ms per page of 50 connections, and most of the client's garbage.
 * `installAnswerParse` replaces the `parse` property of json-bigint's module exports (the one copy pop-core
 * requires: the same module object under node or tsx, whose CommonJS cache is shared, and in an esbuild
 * bundle) with `parseAnswer`. It is the only change to pop-core's behaviour. Each call records that its
 * answer went through it (`CallRecord.parsed`) and the client refuses an answer that did not, so a second
 * copy of json-bigint can never leave another parser in use unnoticed (README "API client").
 *
 * What the parse gives:
 * - JSON.parse's values: plain objects (`Object.prototype`; a `__proto__` key is an own property, never
 *   the prototype) and lists;
 * - a number token longer than 15 characters (json-bigint's rule) that a double cannot hold exactly (any
 *   but an integer of at most 2^53-1) as a string of its text: `9223372036854775807`, `2000000000000002.9`
 *   arrive as strings, never rounded; only tokens outside strings are touched;
 * - for a body that is not JSON, an `AnswerNotJson` error that carries nothing of the body.
 * Unlike json-bigint, and failing closed: a long fraction in an integer field (`1000.0000000000000`) stays
 * a string the field checks refuse, and `1e400` parses to Infinity, which every check refuses too.
 * The body's size, objects and commas are bounded before it gets here (./pop-core-call.ts).
 */
import jsonBigint from 'json-bigint';
import { currentCall } from './pop-core-call.ts';

/** The body of an answer is not JSON: nothing of it is kept (it may be a proxy's error page). */
export class AnswerNotJson extends Error {
  override readonly name = 'AnswerNotJson';
}

/**
 * A run of 16 or more number characters after `:`, `,` or `[` (and JSON whitespace): where a number token
 * longer than 15 characters can be as a value of an object or list. (A bare number is no answer anyway.)
 */
const LONG_RUN = /[:,[][ \t\n\r]*([-0-9][-+.0-9Ee]{15,})/g;
/** A JSON number token, whole (RFC 8259 section 6). */
const NUMBER_TOKEN = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[Ee][-+]?[0-9]+)?$/;
const INTEGER = /^-?[1-9][0-9]*$/;

/**
 * Whether what follows position `end` can follow a value: JSON whitespace, then `,`, `]`, `}` or the end.
 * Never a `:`, so quoting a number can never make an invalid body's key valid.
 */
function valueEndsAt(text: string, end: number): boolean {
  let at = end;
  for (let c = text.charCodeAt(at); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++at));
  const next = text[at];
  return next === undefined || next === ',' || next === ']' || next === '}';
}

/**
 * Tells whether positions, asked in increasing order, lie inside a JSON string: it jumps from quote to
 * quote (`indexOf`), a quote inside a string being escaped when an odd number of backslashes precede it.
 * Each quote is looked at once, whatever the number of positions asked (linear in the text).
 */
class StringLexer {
  /** The first quote not yet passed (-1: none left). */
  #quote: number;
  #inside = false;

  constructor(private readonly text: string) {
    this.#quote = text.indexOf('"');
  }

  insideString(position: number): boolean {
    const { text } = this;
    for (; this.#quote !== -1 && this.#quote < position; this.#quote = text.indexOf('"', this.#quote + 1)) {
      if (!this.#inside || !escaped(text, this.#quote)) this.#inside = !this.#inside;
    }
    return this.#inside;
  }
}

function escaped(text: string, quote: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
  return backslashes % 2 === 1;
}

/** A number token a double holds exactly: an integer of magnitude at most 2^53-1. */
function exactAsDouble(token: string): boolean {
  return INTEGER.test(token) && Math.abs(Number(token)) <= Number.MAX_SAFE_INTEGER;
}

/**
 * `text` with every number token longer than 15 characters that a double cannot hold exactly put in
 * quotes. Only whole tokens outside strings where only a value can be: valid JSON stays valid with the
 * same structure, invalid JSON stays invalid. The strings are lexed only once such a token is found.
 */
export function quoteLongNumbers(text: string): string {
  let out = '';
  let copied = 0;
  let lexer: StringLexer | undefined;
  LONG_RUN.lastIndex = 0;
  for (let m = LONG_RUN.exec(text); m !== null; m = LONG_RUN.exec(text)) {
    const run = m[1] ?? '';
    if (exactAsDouble(run) || !NUMBER_TOKEN.test(run)) continue;
    const end = m.index + m[0].length;
    const start = end - run.length;
    lexer ??= new StringLexer(text);
    if (lexer.insideString(start) || !valueEndsAt(text, end)) continue;
    out += `${text.slice(copied, start)}"${run}"`;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Parses one answer body (a Buffer from pop-core, or a string) as described in the module doc, and marks
 * the running call as parsed here. Throws `AnswerNotJson` when the body is not JSON.
 */
export function parseAnswer(source: unknown): unknown {
  const call = currentCall.getStore();
  if (call !== undefined) call.parsed = true;
  const text = typeof source === 'string' ? source : String(source);
  try {
    return JSON.parse(quoteLongNumbers(text)) as unknown;
  } catch {
    throw new AnswerNotJson('the answer is not JSON');
  }
}

/** Makes `parseAnswer` the parse pop-core calls (module doc). Idempotent. */
export function installAnswerParse(): void {
  jsonBigint.parse = parseAnswer;
}
