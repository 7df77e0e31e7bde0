/**
 * The token lifecycle in Node, step for step what the collection's pre-request script does in
 * the Postman sandbox (scripts/lib/sandbox/collection-script.ts): password grant when nothing is
 * held, refresh near expiry or after a 401, one password grant again when the refresh token is
 * refused, and never a second failed password grant for the configured account in one run;
 * token requests stay under the rate limit and a 429 is waited out, a bounded number of times.
 * The sequence itself is contract/token-flow.ts, the one the sandbox runs; this module only gives
 * it a wire (httpRequest, an injectable clock and sleep) and a promise interface.
 */
import type { ObservedResponse } from '../contract/observed-response';
import { VARS, type RunState } from '../contract/run-state';
import { ensureFreshToken as ensureFreshTokenFlow, requestToken, throttleTokenRequest, type TokenWire } from '../contract/token-flow';
import { markStale, type TokenAction } from '../contract/token-lifecycle';
import { httpRequest, TransportError, type HttpRequest } from '../target/http-client';
import type { ExchangeRecord } from './newman-run';

/** Sends one HTTP request; rejects only with TransportError (httpRequest by default). */
export type Send = (request: HttpRequest) => Promise<ObservedResponse>;

/** The clock, the waiting and the wire of a run: injectable so tests need neither real time nor a network. */
export interface RunIo {
  /** Epoch milliseconds; also stamps receivedAt on every answer. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  send: Send;
  timeoutMs: number;
  /** Told about every exchange (the request's form included: it lives in memory only). */
  onExchange?: (exchange: ExchangeRecord) => void;
}

export interface TokenSessionOptions extends Partial<Omit<RunIo, 'timeoutMs'>> {
  /** The token endpoint, absolute. */
  tokenUrl: string;
  /** Holds username and password, and receives the tokens (the same variables the plan reads). */
  state: RunState;
  timeoutMs: number;
}

export interface TokenSession {
  readonly state: RunState;
  readonly io: RunIo;
  /**
   * Makes sure a fresh access token is held, as the pre-request script does before a request that
   * needs one; says which grant it took ('use': none). Never rejects: a transport error leaves
   * the state as the sandbox would (a refused or unanswered refresh falls back to one password grant).
   */
  ensureFreshToken(): Promise<TokenAction>;
  /** A protected request was answered 401: the next ensureFreshToken refreshes. */
  onUnauthorized(): void;
  /** Waits until one more token request stays under the rate limit, and records it. */
  throttle(): Promise<void>;
  /** One throttled token request, 429s waited out (bounded). Rejects only with TransportError. */
  sendTokenRequest(form: Array<[string, string]>, requestName?: string): Promise<ObservedResponse>;
  /**
   * GET with the held access token, as a user's own request in the collection: a fresh token
   * first, and a 401 marks it stale so the next request refreshes.
   */
  authorizedGet(url: string, requestName?: string): Promise<ObservedResponse>;
  /** Transport errors the lifecycle met (one line each, no secrets), oldest first. */
  readonly errors: readonly string[];
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Fills in the defaults: the system clock, real waiting, node:http(s). */
export function runIo(options: Partial<RunIo> & { timeoutMs: number }): RunIo {
  const io: RunIo = { now: options.now ?? Date.now, sleep: options.sleep ?? realSleep, send: options.send ?? httpRequest, timeoutMs: options.timeoutMs };
  if (options.onExchange) io.onExchange = options.onExchange;
  return io;
}

/** Sends a request through io, reporting the exchange; the answer's receivedAt is io's clock. */
export async function exchange(io: RunIo, requestName: string, request: Omit<HttpRequest, 'timeoutMs' | 'now'>, form: Array<[string, string]> = []): Promise<ObservedResponse> {
  const record: ExchangeRecord = { request: requestName, method: request.method, url: request.url, form: Object.fromEntries(form) };
  try {
    const response = await io.send({ ...request, timeoutMs: io.timeoutMs, now: io.now });
    io.onExchange?.({ ...record, status: response.status, body: response.body });
    return response;
  } catch (error) {
    const transport = asTransportError(error, request.method);
    io.onExchange?.({ ...record, error: transport.message });
    throw transport;
  }
}

/** Anything a sender throws, as a one-line TransportError (a custom sender may throw other things). */
export function asTransportError(error: unknown, method: string): TransportError {
  if (error instanceof TransportError) return error;
  const name = error instanceof Error ? error.name : typeof error;
  return new TransportError('other', `${method} request failed: ${name}`);
}

/** The form of a token request, url-encoded as the collection sends it. */
export function tokenRequest(url: string, form: Array<[string, string]>): Omit<HttpRequest, 'timeoutMs' | 'now'> {
  return {
    method: 'POST',
    url,
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  };
}

export function createTokenSession(options: TokenSessionOptions): TokenSession {
  const io = runIo(options);
  const { state, tokenUrl } = options;
  const errors: string[] = [];

  // The last transport error of a token request, for sendTokenRequest to reject with.
  let lastError: TransportError | undefined;
  const wire: TokenWire = {
    now: io.now,
    later: (ms, next) => {
      if (ms > 0) void io.sleep(ms).then(next);
      else next();
    },
    send: (form, requestName, done) => {
      exchange(io, requestName, tokenRequest(tokenUrl, form), form).then(done, (error: unknown) => {
        lastError = asTransportError(error, 'POST');
        errors.push(lastError.message);
        done(undefined);
      });
    },
  };

  const throttle = (): Promise<void> => new Promise((resolve) => throttleTokenRequest(state, wire, resolve));

  const sendTokenRequest = (form: Array<[string, string]>, requestName = 'token lifecycle'): Promise<ObservedResponse> =>
    new Promise((resolve, reject) => {
      lastError = undefined;
      requestToken(state, wire, form, requestName, (response) => (response ? resolve(response) : reject(lastError ?? new TransportError('other', 'POST request failed'))));
    });

  const ensureFreshToken = (): Promise<TokenAction> => new Promise((resolve) => ensureFreshTokenFlow(state, wire, resolve));

  async function authorizedGet(url: string, requestName = 'authorized request'): Promise<ObservedResponse> {
    await ensureFreshToken();
    const token = state.get(VARS.accessToken);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const response = await exchange(io, requestName, { method: 'GET', url, headers });
    if (response.status === 401) markStale(state);
    return response;
  }

  return {
    state,
    io,
    ensureFreshToken,
    onUnauthorized: () => markStale(state),
    throttle,
    sendTokenRequest,
    authorizedGet,
    errors,
  };
}
