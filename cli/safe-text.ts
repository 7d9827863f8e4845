/**
 * Making strings from the API or a policy safe where they are shown (issue 10): a service name, an
 * endpoint ID or a reason holding ESC, BEL or a newline must not move the cursor, ring, clear the screen,
 * break a table row or reorder text. Terminal output escapes controls; Markdown (pull-request comments)
 * also escapes its own syntax.
 */

// C0, DEL, C1, the line and paragraph separators, and the bidi embeddings, overrides, isolates and marks.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The text with every control character written as an escape (`\n`, `\u001b`), safe for a terminal. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Text for a Markdown table cell or line: controls escaped as in safeText, then every character with a
 * meaning in (GitHub-flavoured) Markdown or HTML backslash-escaped, so a name cannot end a cell, open
 * a link, an image, a code span, emphasis, a heading, an HTML tag or an @mention.
 */
export function markdownText(text: string): string {
  return safeText(text).replace(/[\\`*_[\]<>#|~&@]/g, (c) => `\\${c}`);
}

/**
 * An error for a person: `CODE: message`, without the code twice when the message already starts
 * with it (ApiError messages do), all of it safe for a terminal.
 */
export function errorText(code: string, message: string | null): string {
  if (message === null || message === '') return safeText(code);
  return safeText(message.startsWith(`${code}:`) || message === code ? message : `${code}: ${message}`);
}
