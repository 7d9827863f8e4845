/**
 * XML responses (`Format=XML`), shaped like the reference's "Sample success responses": the root element
 * is `<{Action}Response>`, fields are child elements in body order, and an array is written as one
 * repeated element per item named after the field (ListVpcEndpointConnections' sample:
 * `<Connections>...</Connections><Connections>...</Connections>`). Errors use the `<Error>` root.
 */
import { LongId } from './types.ts';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for an XML element. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string);
}

function element(name: string, value: unknown, out: string[]): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) element(name, item, out);
    return;
  }
  if (value instanceof LongId) {
    out.push(`<${name}>${value.digits}</${name}>`);
    return;
  }
  if (value !== null && typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [key, child] of Object.entries(value)) element(key, child, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(value === null ? `<${name}></${name}>` : `<${name}>${escapeXml(String(value))}</${name}>`);
}

/** Serialises a response body as an XML document with the given root element. */
export function toXml(root: string, body: Record<string, unknown>): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  element(root, body, out);
  return out.join('');
}
