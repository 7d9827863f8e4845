/**
 * Bounded under hostile answers (issue 10), through the real pop-core against loopback servers: a body
 * past the cap is refused while it streams in (`ResponseTooLarge`) and never buffered past the cap, a
 * page with far more items than asked for is refused (`MalformedResponse`), and an unrequested
 * Content-Encoding is refused before anything inflates it. Memory growth is measured as peak RSS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { ApiError } from '../../functions/client/api-error.ts';
import { staticCredentials } from '../../functions/client/credentials.ts';
import { MAX_JSON_CONTAINERS } from '../../functions/client/pop-core-call.ts';
import { MAX_RESPONSE_BYTES, createPrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import type { PrivateLinkClient } from '../../functions/client/pop-core-private-link-client.ts';
import { json, startWireServer } from './wire-server.ts';
import type { WireServer } from './wire-server.ts';

const MB = 1024 * 1024;
const credentials = staticCredentials({ accessKeyId: 'LTAIbounds', accessKeySecret: 'bounds-secret-1' });
const list = { regionId: 'cn-hangzhou', serviceId: 'epsrv-bounds1' };

let server: WireServer;
let client: PrivateLinkClient;

before(async () => {
  server = await startWireServer((_req, res) => json(res, { RequestId: 'R' }));
  client = createPrivateLinkClient({ credentials, endpoint: server.url, timeoutMs: 10_000 });
});
after(async () => {
  client.close();
  await server.close();
});

/** Streams `head`, then `chunk` until `total` bytes or the client goes away, then `tail`; honours backpressure. */
function streamBody(res: ServerResponse, total: number, parts: { head: string; chunk: Buffer; tail: string }) {
  const sent = { bytes: 0, closed: false };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.on('close', () => (sent.closed = true));
  res.on('error', () => undefined);
  res.write(parts.head);
  const pump = (): void => {
    while (sent.bytes < total && !sent.closed) {
      sent.bytes += parts.chunk.length;
      if (!res.write(parts.chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!sent.closed) res.end(parts.tail);
  };
  pump();
  return sent;
}

/** Runs `fn` while sampling RSS every 2 ms; returns its settled outcome and the peak growth in MB. */
async function peakRssGrowth<T>(fn: () => Promise<T>): Promise<{ outcome: T | unknown; growthMb: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
  try {
    const outcome = await fn().catch((e: unknown) => e);
    peak = Math.max(peak, process.memoryUsage.rss());
    return { outcome, growthMb: (peak - before) / MB };
  } finally {
    clearInterval(timer);
  }
}

function assertApiError(x: unknown, code: string): ApiError {
  assert.ok(x instanceof ApiError, `not an ApiError: ${String(x)}`);
  assert.equal(x.code, code, x.message);
  return x;
}

/** A realistic connection of about 560 bytes (two zones), as JSON text. */
function connectionText(i: number): string {
  const id = `ep-bp1${String(i).padStart(17, '0')}`;
  const domain = (z: string) => `${id}-cn-hangzhou-${z}.epsrv-bounds1.cn-hangzhou.privatelink.aliyuncs.com`;
  const zone = (z: string) =>
    `{"ZoneId":"cn-hangzhou-${z}","VSwitchId":"vsw-bp1abcdefghijklmnopq","EniId":"eni-bp1abcdefghijklmnopq",` +
    `"ResourceId":"lb-bp1abcdefghijklmnopq","ZoneDomain":"${domain(z)}","ZoneStatus":"Connected"}`;
  return (
    `{"EndpointId":"${id}","EndpointOwnerId":1190592979811234,"EndpointVpcId":"vpc-bp1abcdefghijklmnopq",` +
    `"ServiceId":"epsrv-bounds1","ConnectionStatus":"Connected","Bandwidth":1024,` +
    `"ModifiedTime":"2020-09-10T01:03:38Z","Zones":[${zone('h')},${zone('i')}]}`
  );
}

describe('a response past the cap (4 MiB) is refused as it streams in', () => {
  it('a 200 MB body: ResponseTooLarge after about the cap, small RSS growth', async () => {
    let sent = { bytes: 0, closed: false };
    const chunk = Buffer.from(`${connectionText(1)},`.repeat(100));
    server.handle((_req, res) => {
      sent = streamBody(res, 200 * MB, { head: '{"RequestId":"R-big","Connections":[', chunk, tail: '{}]}' });
    });
    const { outcome, growthMb } = await peakRssGrowth(() => client.listVpcEndpointConnections(list));
    const error = assertApiError(outcome, 'ResponseTooLarge');
    assert.deepEqual([error.kind, error.retryable, error.httpStatus], ['transient', true, 200]);
    assert.equal(
      error.message,
      `ResponseTooLarge: ListVpcEndpointConnections answered more than ${MAX_RESPONSE_BYTES} bytes`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(sent.closed, 'the client closed the connection');
    assert.ok(sent.bytes < (200 * MB) / 4, `the server got to send ${(sent.bytes / MB).toFixed(1)} MB`);
    assert.ok(growthMb < 48, `peak RSS grew by ${growthMb.toFixed(1)} MB`);
  });

  it('262,000 connections in one page (about 150 MB): ResponseTooLarge, small RSS growth', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => connectionText(i)).join(',');
    const chunk = Buffer.from(`${items},`);
    server.handle((_req, res) => {
      streamBody(res, 262 * chunk.length, { head: '{"RequestId":"R-many","Connections":[', chunk, tail: '{}]}' });
    });
    const { outcome, growthMb } = await peakRssGrowth(() => client.listVpcEndpointConnections(list));
    assertApiError(outcome, 'ResponseTooLarge');
    assert.ok(growthMb < 48, `peak RSS grew by ${growthMb.toFixed(1)} MB`);
  });

  it('262,000 connections in one page, each an empty object (786 KB): refused before parsing', async () => {
    const body = `{"RequestId":"R-empty","Connections":[${Array(262_000).fill('{}').join(',')}]}`;
    server.handle((_req, res) => json(res, body));
    const { outcome, growthMb } = await peakRssGrowth(() => client.listVpcEndpointConnections(list));
    const error = assertApiError(outcome, 'ResponseTooLarge');
    assert.equal(
      error.message,
      `ResponseTooLarge: ListVpcEndpointConnections answered more than ${MAX_JSON_CONTAINERS} JSON objects and lists`,
    );
    assert.ok(growthMb < 32, `peak RSS grew by ${growthMb.toFixed(1)} MB`);
  });

  it('4 MiB of empty objects or of zeros (1.4 and 2 million values) is refused before parsing', async () => {
    const cases = [
      ['{}', 'JSON objects and lists'],
      ['0', 'JSON values'],
    ] as const;
    for (const [value, limit] of cases) {
      const count = Math.floor((MAX_RESPONSE_BYTES - 100) / (value.length + 1));
      const body = `{"RequestId":"R-dense","Connections":[${Array(count).fill(value).join(',')}]}`;
      server.handle((_req, res) => json(res, body));
      const { outcome, growthMb } = await peakRssGrowth(() => client.listVpcEndpointConnections(list));
      assert.match(assertApiError(outcome, 'ResponseTooLarge').message, new RegExp(`more than \\d+ ${limit}$`));
      assert.ok(growthMb < 32, `${value}: peak RSS grew by ${growthMb.toFixed(1)} MB`);
    }
  });

  it('objects and lists are counted from the first byte, in a body sent in small pieces', async () => {
    // The meter holds a small body's pieces uncounted: once the body grows past that, they count too.
    const body = (lists: number) =>
      `{"RequestId":"R-edge","Connections":[],"X":${'['.repeat(lists)}${']'.repeat(lists)}}`;
    const sendInPieces = (text: string) => (_req: unknown, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const pieces = text.match(/[^]{1,1000}/g) ?? [];
      const next = (i: number): void => {
        if (i === pieces.length) res.end();
        else if (res.write(pieces[i])) setImmediate(() => next(i + 1));
        else res.once('drain', () => next(i + 1));
      };
      next(0);
    };
    // `{`, the `[` of Connections and the lists: exactly the limit, then one more.
    server.handle(sendInPieces(body(MAX_JSON_CONTAINERS - 2)));
    assert.equal((await client.listVpcEndpointConnections(list)).requestId, 'R-edge');
    server.handle(sendInPieces(body(MAX_JSON_CONTAINERS - 1)));
    const message = `ResponseTooLarge: ListVpcEndpointConnections answered more than ${MAX_JSON_CONTAINERS} JSON`;
    await assert.rejects(client.listVpcEndpointConnections(list), {
      code: 'ResponseTooLarge',
      message: `${message} objects and lists`,
    });
  });

  it('1,000 connections with ten zones each: within every limit (then refused for the item cap)', async () => {
    const zones = Array(10).fill('{"ZoneId":"cn-hangzhou-h","ZoneStatus":"Connected"}').join(',');
    const item = connectionText(1).replace(/"Zones":\[.*\]\}$/, `"Zones":[${zones}]}`);
    const body = `{"RequestId":"R-1000","Connections":[${Array(1000).fill(item).join(',')}]}`;
    assert.ok(body.length < MAX_RESPONSE_BYTES);
    server.handle((_req, res) => json(res, body));
    const error = await client.listVpcEndpointConnections({ ...list, maxResults: 1000 }).catch((e: unknown) => e);
    assert.ok(!(error instanceof ApiError), `refused: ${String(error)}`);
    await assert.rejects(client.listVpcEndpointConnections(list), {
      code: 'MalformedResponse',
      message:
        'MalformedResponse: ListVpcEndpointConnections answered a page whose Connections holds 1000 items, ' +
        'more than 55',
    });
  });

  it('lists nested 40,000 deep (within the limits): no crash, the page refused as malformed', async () => {
    // JSON.parse is not recursive (json-bigint overflowed its stack here); nothing reads a list that deep.
    const depth = 40_000;
    server.handle((_req, res) =>
      json(res, `{"RequestId":"R-deep","Connections":${'['.repeat(depth)}${']'.repeat(depth)}}`),
    );
    const { outcome } = await peakRssGrowth(() => client.listVpcEndpointConnections(list));
    const error = assertApiError(outcome, 'MalformedResponse');
    assert.equal(error.httpStatus, 200);
    assert.equal(
      error.message,
      'MalformedResponse: ListVpcEndpointConnections answered a page whose Connections[0] is a list, not an object',
    );
  });

  it('a Content-Length past the cap is refused at once, without waiting for the body', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * MB) });
      res.write('{"RequestId":"R-cl","Connections":[');
    });
    const started = Date.now();
    const { outcome } = await peakRssGrowth(() => client.listVpcEndpointConnections(list));
    assertApiError(outcome, 'ResponseTooLarge');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  it('an unrequested Content-Encoding (a gzip bomb) is refused, never inflated', async () => {
    const bomb = gzipSync(Buffer.alloc(100 * MB, 0x20));
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    const { outcome, growthMb } = await peakRssGrowth(() => client.listVpcEndpointConnections(list));
    const error = assertApiError(outcome, 'BadResponse');
    assert.equal(
      error.message,
      'BadResponse: ListVpcEndpointConnections answered with Content-Encoding "gzip", not asked for',
    );
    assert.equal(error.retryable, false);
    assert.ok(growthMb < 48, `peak RSS grew by ${growthMb.toFixed(1)} MB`);
  });

  it('the cap is exact: a body of the cap is read, one byte more refused; the client stays usable', async () => {
    const small = createPrivateLinkClient({ credentials, endpoint: server.url, maxResponseBytes: 4096 });
    try {
      const sized = (n: number) => {
        const head = '{"RequestId":"R-cap","Connections":[],"Pad":"';
        return `${head}${'x'.repeat(n - head.length - 2)}"}`;
      };
      server.handle((_req, res) => json(res, sized(4096)));
      assert.equal((await small.listVpcEndpointConnections(list)).requestId, 'R-cap');
      server.handle((_req, res) => json(res, sized(4097)));
      await assert.rejects(small.listVpcEndpointConnections(list), { code: 'ResponseTooLarge' });
      server.handle((_req, res) => json(res, sized(100)));
      assert.equal((await small.listVpcEndpointConnections(list)).requestId, 'R-cap');
    } finally {
      small.close();
    }
  });
});
