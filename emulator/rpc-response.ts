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

/** Writes the answer; false when the client is gone (the log then records status 0). */
export function send(
  res: ServerResponse,
  ex: Exchange,
  status: number,
  body: Record<string, unknown>,
  root: string,
): boolean {
  const xml = ex.format === 'XML';
  if (res.destroyed || res.writableEnded) return false;
  // Encoded once: a list page is ~27 KB, and measuring then encoding a string walks it twice.
  const bytes = Buffer.from(xml ? toXml(root, body) : encodeJson(body), 'utf8');
  res.writeHead(status, {
    'content-type': xml ? 'text/xml;charset=utf-8' : 'application/json;charset=utf-8',
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
  const sent = send(res, ex, error.httpStatus, errorBody(ex, error.code, error.message), 'Error');
  finish(log, ex, sent ? error.httpStatus : 0, error.code);
}
