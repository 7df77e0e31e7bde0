/**
 * The reference API over real HTTP (node:http, no framework), on loopback by default. It owns
 * what the pure handler cannot: body limits, timeouts, malformed input, and a close() that does
 * not leave keep-alive sockets behind to hang newman or mocha.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { jsonResponse, serverErrorResponse } from './json-response';
import { createReferenceApi, type ApiRequest, type ApiResponse, type ReferenceApi } from './reference-api';

export interface ReferenceServerOptions {
  /** Defaults to a fresh createReferenceApi(). */
  api?: ReferenceApi;
  /** Replaces api.handle, e.g. with a faulty variant; `api` is still the one reported back. */
  handle?: (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1: the reference server is a test fixture, not a service. */
  host?: string;
}

export interface RunningServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  url: string;
  port: number;
  api: ReferenceApi;
  /** Stops listening and closes every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}

/** Token requests are a few hundred bytes; anything near this limit is abuse or a mistake. */
export const MAX_BODY_BYTES = 16 * 1024;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** Node checks the two timeouts above only this often (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<RunningServer> {
  const api = options.api ?? createReferenceApi();
  const handle = options.handle ?? api.handle;
  const host = options.host ?? '127.0.0.1';

  const server = createServer(
    { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
    (req, res) => serve(req, res, handle),
  );

  // Requests node could not parse (or that timed out before a handler saw them) get a short JSON
  // answer instead of node's default empty one; a socket that is already gone is just dropped.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason] = CLIENT_ERROR_STATUS[err.code ?? ''] ?? [400, 'Bad Request'];
    const body = JSON.stringify({ error: 'invalid_request', error_description: reason });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    api,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const CLIENT_ERROR_STATUS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

function serve(req: IncomingMessage, res: ServerResponse, handle: (req: ApiRequest) => ApiResponse | Promise<ApiResponse>): void {
  // A client that goes away mid-request must not take the server with it.
  req.on('error', () => undefined);
  res.on('error', () => undefined);

  const tooLarge = (): void => {
    // Stop buffering and close the connection after answering, so the rest is never kept.
    send(res, jsonResponse(413, { error: 'invalid_request', error_description: `The body is larger than ${MAX_BODY_BYTES} bytes.` }), true);
    req.resume();
  };

  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    tooLarge();
    return;
  }

  const chunks: Buffer[] = [];
  let size = 0;
  let rejected = false;
  req.on('data', (chunk: Buffer) => {
    if (rejected) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      rejected = true;
      chunks.length = 0;
      tooLarge();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (rejected) return;
    const apiRequest: ApiRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: headersOf(req),
      body: Buffer.concat(chunks).toString('utf8'),
      clientId: req.socket.remoteAddress ?? 'unknown',
    };
    Promise.resolve()
      .then(() => handle(apiRequest))
      .then(
        (response) => send(res, response, false),
        () => send(res, serverErrorResponse(), false),
      );
  });
}

function send(res: ServerResponse, response: ApiResponse, closeAfter: boolean): void {
  if (res.headersSent || res.destroyed) return;
  try {
    res.writeHead(response.status, wireHeaders(response, closeAfter));
  } catch {
    // A handler produced a status or header node refuses to send: answer 500 instead.
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    const fallback = serverErrorResponse();
    res.writeHead(fallback.status, wireHeaders(fallback, closeAfter));
    res.end(fallback.body);
    return;
  }
  res.end(response.body);
}

function wireHeaders(response: ApiResponse, closeAfter: boolean): Record<string, string> {
  return {
    ...response.headers,
    'content-length': String(Buffer.byteLength(response.body)),
    ...(closeAfter ? { connection: 'close' } : {}),
  };
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
