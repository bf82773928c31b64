// The HTTP gateway of the replicated key-value service: the front door that load tools
// (autocannon) and applications use. Each request becomes one KV command sent through a
// ServiceClient (a replication protocol's client, or the local baseline).
//
//   GET    /kv/<key>                      200 value (x-castellan-version), 404 missing
//   PUT    /kv/<key>   body = value       200 {"version"}; with If-Match: <v> a compare-and-put, 412 on conflict
//   DELETE /kv/<key>                      200 {"version":0}
//   GET    /metrics                       prom-client registry (text format)
//   GET    /healthz                       200 ok
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { counter, histogram, registry } from '../obs/metrics.js';
import { logger } from '../obs/log.js';
import { KV_KEY_MAX_BYTES, KV_VALUE_MAX_BYTES, kvCommands, kvResults, type KvCommand } from './kv-commands.js';
import { ServiceTimeoutError, type ServiceClient } from './state-machine.js';

/** Requests waiting on the replication protocol before new ones get 503 (bounded memory, honest overload). */
export const GATEWAY_IN_FLIGHT_MAX = 4096;
const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

const requests = counter('castellan_gateway_requests_total', 'HTTP requests by route and status', ['route', 'status']);
const latency = histogram('castellan_gateway_request_seconds', 'HTTP request latency by route', LATENCY_BUCKETS_S, ['route']);
const log = logger('gateway');

export interface GatewayOptions {
  port?: number;
  host?: string;
  inFlightMax?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class HttpGateway {
  private readonly server: Server;
  private inFlight = 0;
  private readonly inFlightMax: number;

  constructor(
    private readonly client: ServiceClient,
    private readonly options: GatewayOptions = {},
  ) {
    this.inFlightMax = options.inFlightMax ?? GATEWAY_IN_FLIGHT_MAX;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://gateway');
    const route = url.pathname.startsWith('/kv/') ? `${req.method} /kv` : `${req.method} ${url.pathname}`;
    let status = 500;
    try {
      const reply = await this.route(req, url);
      status = reply.status;
      res.writeHead(reply.status, reply.headers).end(reply.body);
    } catch (e) {
      status = e instanceof HttpError ? e.status : 500;
      if (status === 500) log.error({ err: e }, 'gateway request failed');
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' }).end(`${(e as Error).message}\n`);
      else res.destroy();
    } finally {
      requests.inc({ route, status: String(status) });
      latency.observe({ route }, (performance.now() - started) / 1000);
    }
  }

  private async route(req: IncomingMessage, url: URL): Promise<Reply> {
    if (url.pathname === '/healthz' && req.method === 'GET') return text(200, 'ok\n');
    if (url.pathname === '/metrics' && req.method === 'GET')
      return { status: 200, headers: { 'content-type': registry.contentType }, body: await registry.metrics() };
    if (!url.pathname.startsWith('/kv/')) throw new HttpError(404, `no route ${url.pathname}`);
    const key = keyOf(url.pathname);
    switch (req.method) {
      case 'GET':
        return this.send({ type: 'get', key }, 'query');
      case 'PUT': {
        const value = await readBody(req);
        const ifMatch = req.headers['if-match'];
        if (ifMatch === undefined) return this.send({ type: 'put', key, value }, 'update');
        if (!/^\d{1,15}$/.test(ifMatch)) throw new HttpError(400, 'If-Match must be a version number');
        return this.send({ type: 'compareAndPut', key, expected: Number(ifMatch), value }, 'update');
      }
      case 'DELETE':
        return this.send({ type: 'delete', key }, 'update');
      default:
        throw new HttpError(405, `${req.method} is not supported on /kv`);
    }
  }

  private async send(command: KvCommand, kind: 'update' | 'query'): Promise<Reply> {
    if (this.inFlight >= this.inFlightMax) throw new HttpError(503, 'overloaded: too many requests in flight');
    this.inFlight++;
    let resultBytes: Uint8Array;
    try {
      const bytes = kvCommands.encode(command);
      const max = this.client.maxCommandBytes;
      if (max !== undefined && bytes.length > max) throw new HttpError(413, `the command is ${bytes.length} bytes; the replication protocol carries at most ${max}`);
      resultBytes = await (kind === 'update' ? this.client.update(bytes) : this.client.query(bytes));
    } catch (e) {
      if (e instanceof ServiceTimeoutError) throw new HttpError(504, e.message);
      throw e;
    } finally {
      this.inFlight--;
    }
    const result = kvResults.decode(resultBytes);
    switch (result.type) {
      case 'done':
        return json(200, { version: result.version });
      case 'conflict':
        return json(412, { version: result.version });
      case 'value':
        return { status: 200, headers: { 'content-type': 'application/octet-stream', 'x-castellan-version': String(result.version) }, body: result.value };
      case 'missing':
        return text(404, 'missing\n');
      case 'rejected':
        throw new HttpError(400, result.reason);
    }
  }
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

function text(status: number, body: string): Reply {
  return { status, headers: { 'content-type': 'text/plain' }, body };
}

function json(status: number, value: object): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

function keyOf(pathname: string): string {
  let key: string;
  try {
    key = decodeURIComponent(pathname.slice('/kv/'.length));
  } catch {
    throw new HttpError(400, 'the key is not valid percent-encoding');
  }
  if (key.length === 0) throw new HttpError(400, 'empty key');
  if (Buffer.byteLength(key) > KV_KEY_MAX_BYTES) throw new HttpError(400, `key longer than ${KV_KEY_MAX_BYTES} bytes`);
  return key;
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > KV_VALUE_MAX_BYTES) throw new HttpError(413, `value longer than ${KV_VALUE_MAX_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > KV_VALUE_MAX_BYTES) throw new HttpError(413, `value longer than ${KV_VALUE_MAX_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
