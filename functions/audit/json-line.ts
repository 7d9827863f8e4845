/**
 * JSON for output that people and line readers see: `JSON.stringify` plus `\u` escapes for the
 * characters it leaves raw that break a reader of lines or a terminal: U+2028/U+2029 (line separators to
 * JavaScript and many log viewers), DEL and the C1 controls (U+0080-U+009F: 8-bit CSI), and the bidi
 * controls that reorder what a person sees. The result parses back to the same value; C0 controls JSON
 * escapes itself.
 */
function escapeRaw(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** One JSON line for a record (no newline at the end). */
export function jsonLine(value: unknown): string {
  return escapeRaw(JSON.stringify(value));
}

/** A JSON document for a person (`plan --format json`): indented, escaped as jsonLine is. */
export function jsonDocument(value: unknown): string {
  return `${escapeRaw(JSON.stringify(value, null, 2))}\n`;
}
