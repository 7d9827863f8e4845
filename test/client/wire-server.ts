/**
 * A tiny HTTP server on 127.0.0.1 for wire-level protocol tests of the pop-core adapter: it records each
 * request (method, URL, headers, form parameters) and answers with whatever the test's handler says,
 * including things the emulator does not produce on demand (a 5xx JSON body without Code, a proxy's
 * HTML page, a body that never ends).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface WireRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
}

export type WireHandler = (req: WireRequest, res: ServerResponse) => void;

export interface WireServer {
  url: string;
  requests: WireRequest[];
  /** Replace the answer for the following requests. */
  handle(handler: WireHandler): void;
  close(): Promise<void>;
}

/** Answers with a JSON body (default status 200). */
export function json(res: ServerResponse, body: unknown, status = 200): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json;charset=utf-8');
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export async function startWireServer(handler: WireHandler): Promise<WireServer> {
  let current = handler;
  const requests: WireRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const params: Record<string, string> = {};
      for (const [k, v] of [...query, ...form]) params[k] = v;
      const record: WireRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, params };
      requests.push(record);
      current(record, res);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
