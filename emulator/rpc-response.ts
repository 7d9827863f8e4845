/**
 * Writing an RPC answer: the body as JSON or XML with the request's RequestId, an API error in the
 * gateway's shape, and the request log entry completed once the answer is out.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestLog, RequestLogEntry } from './request-log.ts';
import type { EmulatorApiError } from './types.ts';
import { encodeJson } from './types.ts';
import { toXml } from './xml.ts';

/** One request on its way through the RPC path. */
export interface Exchange {
  entry: RequestLogEntry;
  started: number;
  format: 'JSON' | 'XML';
  regionId: string | undefined;
}

/** Completes the log entry (status 0: no answer reached the client). */
export function finish(log: RequestLog, ex: Exchange, status: number, code: string | undefined): void {
  ex.entry.status = status;
  ex.entry.code = code;
  ex.entry.durationMs = Math.round((performance.now() - ex.started) * 1000) / 1000;
  log.add(ex.entry);
}

/** The answer's bytes, JSON or XML as the request asked (encoded once: a list page is ~27 KB). */
export function encodeBody(ex: Exchange, body: Record<string, unknown>, root: string): Buffer {
  return Buffer.from(ex.format === 'XML' ? toXml(root, body) : encodeJson(body), 'utf8');
}

/** Writes an encoded answer; false when the client is gone (the log then records status 0). */
export function send(res: ServerResponse, ex: Exchange, status: number, bytes: Buffer): boolean {
  if (res.destroyed || res.writableEnded) return false;
  res.writeHead(status, {
    'content-type': ex.format === 'XML' ? 'text/xml;charset=utf-8' : 'application/json;charset=utf-8',
    'content-length': bytes.length,
    'x-acs-request-id': ex.entry.requestId,
  });
  res.end(bytes);
  return true;
}

/** The gateway's error body: `{RequestId, HostId, Code, Message, Recommend}`. */
export function errorBody(
  ex: Exchange,
  code: string,
  message: string,
  requestId = ex.entry.requestId,
): Record<string, unknown> {
  return {
    RequestId: requestId,
    HostId: ex.regionId === undefined ? 'privatelink.aliyuncs.com' : `privatelink.${ex.regionId}.aliyuncs.com`,
    Code: code,
    Message: message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=Privatelink&requestId=${requestId}`,
  };
}

/** Answers an API error and logs it. */
export function sendError(log: RequestLog, res: ServerResponse, ex: Exchange, error: EmulatorApiError): void {
  const body = encodeBody(ex, errorBody(ex, error.code, error.message), 'Error');
  const sent = send(res, ex, error.httpStatus, body);
  finish(log, ex, sent ? error.httpStatus : 0, error.code);
}
