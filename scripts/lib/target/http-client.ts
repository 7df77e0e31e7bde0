/**
 * The mocha suites' HTTP client: one request, one ObservedResponse, bounded in time and size.
 *
 * Built on node:http / node:https rather than global fetch because nock 13 intercepts only the
 * former, and because a contract test must see the answer as sent: no redirects followed, no
 * retries, repeated headers kept. Every failure is a TransportError whose message is one line
 * fit for a nightly log: it names host:port and the cause, and never the body, the query string
 * or the Authorization header (they carry credentials and tokens).
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { ObservedResponse } from '../contract/observed-response';

export type TransportErrorKind = 'refused' | 'dns' | 'timeout' | 'reset' | 'too-large' | 'tls' | 'other';

export class TransportError extends Error {
  override readonly name = 'TransportError';

  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    /** The system or library error code behind it, when there was one (ECONNREFUSED, ...). */
    readonly code?: string,
  ) {
    super(message);
    // A stack into node internals helps nobody reading a nightly log, and console.error(err)
    // prints the stack: keep it to the one line.
    this.stack = `${this.name}: ${message}`;
  }
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** One deadline for DNS, connect, TLS, and the whole response body. */
  timeoutMs: number;
  /** The largest body read before giving up; default DEFAULT_MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  /** Resolver override (tests inject failures; defaults to dns.lookup). */
  lookup?: LookupFunction;
  /** Clock for receivedAt; defaults to Date.now. */
  now?: () => number;
}

/** 1 MiB: a token response is well under 2 KiB; anything this large is not one. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const USER_AGENT = 'mediroutes-auth-contract';

/** Sends one request; resolves with whatever status came back, rejects only with TransportError. */
export function httpRequest(req: HttpRequest): Promise<ObservedResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.reject(new TransportError('other', `${req.method} request: the URL is not absolute`));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new TransportError('other', `${req.method} request: unsupported scheme ${url.protocol}`));
  }
  const isHttps = url.protocol === 'https:';
  const where = `${url.hostname}:${url.port || (isHttps ? '443' : '80')}`;
  // The path is named, the query never: RFC-QUERY-TOKEN-REJECTED puts a token there.
  const label = `${req.method} ${url.pathname} on ${where}`;
  const maxBodyBytes = req.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = req.now ?? Date.now;

  const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity' };
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    const lower = name.toLowerCase();
    for (const key of Object.keys(headers)) if (key === lower) delete headers[key];
    headers[name] = value;
  }
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));

  return new Promise<ObservedResponse>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const fail = (err: TransportError): void =>
      finish(() => {
        request.destroy();
        reject(err);
      });
    const failWith = (err: unknown): void => fail(toTransportError(err, label));

    const timer = setTimeout(() => {
      fail(new TransportError('timeout', `${label} failed: no complete response within ${req.timeoutMs} ms`, 'ETIMEDOUT'));
    }, req.timeoutMs);

    const options: https.RequestOptions = {
      method: req.method,
      headers,
      // A fresh connection per request: a keep-alive socket the server has quietly closed
      // surfaces as ECONNRESET on reuse, a false red the nightly must not have.
      agent: false,
      // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 in some CI environment cannot turn it off.
      rejectUnauthorized: true,
    };
    if (req.lookup) options.lookup = req.lookup;

    const request = (isHttps ? https : http).request(url, options, (res) => {
      res.on('error', failWith);
      res.on('close', () => {
        if (!res.complete) fail(new TransportError('reset', `${label} failed: the connection closed before the response was complete`, 'ECONNRESET'));
      });
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBodyBytes) {
        fail(tooLarge(label, maxBodyBytes, `declares ${declared} bytes`));
        return;
      }
      const status = res.statusCode ?? 0;
      const responseHeaders = joinHeaders(res.rawHeaders);
      let body: Readable = res;
      const coding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      const decoder = decoderFor(coding);
      if (decoder === null) {
        fail(new TransportError('other', `${label} failed: the body uses an unsupported content coding ${JSON.stringify(coding.slice(0, 40))}`));
        return;
      }
      if (decoder) {
        // Counted after decoding: a small gzip bomb must hit the size limit too.
        decoder.on('error', () => fail(new TransportError('other', `${label} failed: the ${coding} body could not be decoded`)));
        body = res.pipe(decoder);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      body.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > maxBodyBytes) {
          fail(tooLarge(label, maxBodyBytes, 'kept sending'));
          return;
        }
        chunks.push(chunk);
      });
      body.on('end', () =>
        finish(() =>
          resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8'), receivedAt: now() }),
        ),
      );
    });
    request.on('error', failWith);
    request.end(req.body);
  });
}

/** Lower-cased names; a header sent twice becomes one value joined with ", " (RFC 9110 §5.3). */
function joinHeaders(raw: readonly string[]): Record<string, string> {
  const joined = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const seen = joined.get(name);
    joined.set(name, seen === undefined ? value : `${seen}, ${value}`);
  }
  // fromEntries defines own properties, so a hostile "__proto__" header stays a plain header.
  return Object.fromEntries(joined);
}

/** undefined: no decoding needed; null: a coding we cannot read. */
function decoderFor(coding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined | null {
  switch (coding) {
    case 'identity':
    case '':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

function tooLarge(label: string, limit: number, how: string): TransportError {
  return new TransportError('too-large', `${label} failed: the response body ${how}, over the ${limit}-byte limit`);
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

/** The code of an error, looking inside the AggregateError Node's happy-eyeballs connect throws. */
function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (err as { errors?: unknown }).errors;
  return Array.isArray(inner) ? codeOf(inner[0]) : undefined;
}

/**
 * A TransportError for a failed request described by `label` (e.g. `POST /token on host:443`):
 * also used by the Newman runner, so both clients word the same failure the same way.
 */
export function toTransportError(err: unknown, label: string): TransportError {
  if (err instanceof TransportError) return err;
  const code = codeOf(err);
  const name = err instanceof Error ? err.name : '';
  const at = (kind: TransportErrorKind, cause: string): TransportError =>
    new TransportError(kind, `${label} failed: ${cause}${code ? ` (${code})` : ''}`, code);

  if (name === 'NetConnectNotAllowedError') {
    // nock's message quotes the full URL, query included: describe it instead.
    return at('other', 'the test network guard (nock) refused a connection to a non-loopback host');
  }
  switch (code) {
    case 'ECONNREFUSED':
      return at('refused', 'connection refused: nothing is listening there');
    case 'ENOTFOUND':
      return at('dns', 'DNS lookup failed: no such host');
    case 'EAI_AGAIN':
      return at('dns', 'DNS lookup failed: the resolver did not answer');
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return at('reset', 'the server reset or closed the connection before answering');
    case 'ETIMEDOUT':
      return at('timeout', 'the connection timed out');
    case 'ENETUNREACH':
      return at('other', 'network unreachable');
    case 'EHOSTUNREACH':
      return at('other', 'host unreachable');
    default:
      break;
  }
  const detail = oneLine(err instanceof Error ? err.message : String(err));
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) {
    // OpenSSL's "error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:line":
    // the reason is the useful part.
    const reason = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+)/.exec(detail)?.[1]?.trim();
    const hint = reason === 'wrong version number' ? ' (is it a plain-http port?)' : '';
    return at('tls', `TLS failed, the certificate or handshake was not accepted: ${reason ?? detail}${hint}`);
  }
  if (code?.startsWith('HPE_')) return at('other', `the answer is not valid HTTP: ${detail}`);
  return at('other', detail);
}

/** One line, no query strings (they may carry tokens), bounded length. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\?[^\s"'<>]*/g, '?[query omitted]').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
