/**
 * Targets that misbehave below the contract: they refuse, hang, reset, answer garbage or rate
 * limit. The runner must fail each of them clearly and in bounded time, never hang and never go
 * green. All listen on 127.0.0.1 free ports; close() destroys every socket so nothing outlives a
 * test (a hung socket would keep mocha, or a child process, alive).
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createReferenceApi, type ApiRequest, type ApiResponse, type ReferenceApi } from '../../scripts/lib/reference/reference-api';
import { startReferenceServer, type RunningServer } from '../../scripts/lib/reference/reference-server';
import { pathOf } from '../../scripts/lib/reference/api-request';

export interface SeenRequest {
  method: string;
  /** Path and query. */
  path: string;
  body: string;
}

export interface MisbehavingServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Connections accepted (TCP servers) or requests seen (HTTP servers). */
  hits(): number;
  /** The requests an HTTP server read (none for TCP servers). */
  requests(): SeenRequest[];
  /** Body bytes an HTTP server handed to its sockets. */
  bytesSent(): number;
  close(): Promise<void>;
}

interface Counters {
  n: number;
  seen: SeenRequest[];
  sent: number;
}

const counters = (): Counters => ({ n: 0, seen: [], sent: 0 });

async function listenTracked(server: net.Server, counter: Counters): Promise<MisbehavingServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits: () => counter.n,
    requests: () => [...counter.seen],
    bytesSent: () => counter.sent,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A base URL nothing listens on: a port bound, then released. */
export async function closedPortUrl(): Promise<string> {
  const running = await listenTracked(net.createServer(), counters());
  await running.close();
  return running.url;
}

/** Accepts TCP connections and never sends a byte. */
export function startSilentServer(): Promise<MisbehavingServer> {
  const counter = counters();
  return listenTracked(
    net.createServer(() => {
      counter.n += 1;
    }),
    counter,
  );
}

/** Accepts, reads the request, and resets the connection (TCP RST) instead of answering. */
export function startResettingServer(): Promise<MisbehavingServer> {
  const counter = counters();
  return listenTracked(
    net.createServer((socket) => {
      counter.n += 1;
      socket.once('data', () => socket.resetAndDestroy());
    }),
    counter,
  );
}

/** A plain node:http server that records what it reads; the handler decides everything else. */
export function startHttpServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<MisbehavingServer> {
  const counter = counters();
  const server = http.createServer((req, res) => {
    counter.n += 1;
    res.on('error', () => undefined);
    const write = res.write.bind(res);
    res.write = ((chunk: Buffer | string, ...rest: never[]) => {
      counter.sent += Buffer.byteLength(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      counter.seen.push({ method: req.method ?? '', path: req.url ?? '', body });
      handler(req, res, body);
    });
  });
  return listenTracked(server, counter);
}

/** 200 text/html, a login page rather than an API, to every request. */
export function startHtmlServer(): Promise<MisbehavingServer> {
  return startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Sign in</form></body></html>\n');
  });
}

/** 503 with a JSON body to every request. */
export function startServerErrorServer(): Promise<MisbehavingServer> {
  return startHttpServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end('{"Message":"An error has occurred."}');
  });
}

/**
 * 200 application/json to every request, with a body of `bytes` bytes streamed in 64 KiB chunks
 * (respecting back-pressure, so the server itself stays small): a proxy error page gone wrong.
 */
export function startHugeBodyServer(bytes: number): Promise<MisbehavingServer> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  return startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => {
      left = 0;
    });
    pump();
  });
}

export interface Exchange {
  req: ApiRequest;
  /** Undefined while (or if ever) unanswered. */
  response?: ApiResponse;
}

export interface WrappedReference {
  server: RunningServer;
  api: ReferenceApi;
  /** Every request the server read, with its answer, in order. */
  exchanges(): Exchange[];
  /** The token-endpoint ones. */
  tokenExchanges(): Exchange[];
}

export interface WrapOptions {
  api?: ReferenceApi;
  /**
   * Answers (or never answers, by returning a promise that never settles) the n-th (1-based)
   * token request; default: the conforming API.
   */
  onToken?: (n: number, req: ApiRequest, api: ReferenceApi) => ApiResponse | Promise<ApiResponse>;
  /** Answer every request this much later (a slow target). */
  delayMs?: number;
}

/**
 * The reference API, observed from the server side (what a live target's logs would show), with
 * an optional replacement for the token endpoint. Every other request goes to the conforming API,
 * so the reachability preflight and protected calls work.
 */
export async function startWrappedReference(options: WrapOptions = {}): Promise<WrappedReference> {
  const api = options.api ?? createReferenceApi();
  const seen: Exchange[] = [];
  let n = 0;
  const server = await startReferenceServer({
    api,
    handle: async (req) => {
      const exchange: Exchange = { req };
      seen.push(exchange);
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      let response: ApiResponse;
      if (pathOf(req) === api.tokenPath && options.onToken) {
        n += 1;
        response = await options.onToken(n, req, api);
      } else response = api.handle(req);
      exchange.response = response;
      return response;
    },
  });
  return { server, api, exchanges: () => [...seen], tokenExchanges: () => seen.filter((e) => pathOf(e.req) === api.tokenPath) };
}

/** A /token that never answers; the reachability preflight (GET resource) is answered. */
export function startTokenHangingServer(): Promise<WrappedReference> {
  return startWrappedReference({ onToken: () => new Promise<ApiResponse>(() => undefined) });
}

/** 429 with Retry-After to the first `first` token requests (Infinity: all), then the real API. */
export function startRateLimitingServer(first: number, retryAfterSeconds = 1): Promise<WrappedReference> {
  return startWrappedReference({
    onToken: (n, req, api) =>
      n <= first
        ? {
            status: 429,
            headers: { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds) },
            body: '{"error":"rate_limited","error_description":"Too many requests"}',
          }
        : api.handle(req),
  });
}
