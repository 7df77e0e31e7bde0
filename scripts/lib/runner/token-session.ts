/**
 * The token lifecycle in Node, step for step what the collection's pre-request script does in
 * the Postman sandbox (scripts/lib/sandbox/collection-script.ts): password grant when nothing is
 * held, refresh near expiry or after a 401, one password grant again when the refresh token is
 * refused, and never a second failed password grant for the configured account in one run;
 * token requests stay under the rate limit and a 429 is waited out, a bounded number of times. The decisions are the shared ones of contract/token-lifecycle.ts and contract/throttle.ts;
 * this module only sends the requests and waits.
 */
import type { ObservedResponse } from '../contract/observed-response';
import { VARS, type RunState } from '../contract/run-state';
import { MAX_RATE_LIMIT_RETRIES, recordSent, retryAfterMs, throttleDelay } from '../contract/throttle';
import { dropRefreshToken, markStale, nextTokenAction, passwordGrantForm, refreshGrantForm, storeTokens, type TokenAction } from '../contract/token-lifecycle';
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

  async function throttle(): Promise<void> {
    const sent = JSON.parse(state.get(VARS.tokenRequestTimes) ?? '[]') as number[];
    const wait = throttleDelay(sent, io.now());
    if (wait > 0) await io.sleep(wait);
    state.set(VARS.tokenRequestTimes, JSON.stringify(recordSent(sent, io.now())));
  }

  async function sendTokenRequest(form: Array<[string, string]>, requestName = 'token lifecycle'): Promise<ObservedResponse> {
    for (let attempt = 0; ; attempt += 1) {
      await throttle();
      const response = await exchange(io, requestName, tokenRequest(tokenUrl, form), form);
      if (response.status !== 429 || attempt >= MAX_RATE_LIMIT_RETRIES) return response;
      await io.sleep(retryAfterMs(response.headers['retry-after'], io.now()));
    }
  }

  /** A lifecycle token request; a transport error is recorded and reads as no answer, as in the sandbox. */
  async function tryTokenRequest(form: Array<[string, string]>, requestName: string): Promise<ObservedResponse | undefined> {
    try {
      return await sendTokenRequest(form, requestName);
    } catch (error) {
      errors.push(asTransportError(error, 'POST').message);
      return undefined;
    }
  }

  /** At most one failed password grant for the configured account per run (account lockout). */
  async function passwordGrant(): Promise<void> {
    if (state.get(VARS.passwordGrantFailed) === 'true') return;
    const response = await tryTokenRequest(passwordGrantForm(state.get(VARS.username) ?? '', state.get(VARS.password) ?? ''), 'token lifecycle: password grant');
    if (!response || !storeTokens(state, response, 'password')) state.set(VARS.passwordGrantFailed, 'true');
  }

  async function ensureFreshToken(): Promise<TokenAction> {
    const action = nextTokenAction(state, io.now());
    if (action === 'use') return action;
    if (action === 'password') {
      await passwordGrant();
      return action;
    }
    const response = await tryTokenRequest(refreshGrantForm(state.get(VARS.refreshToken) ?? ''), 'token lifecycle: refresh grant');
    if (response && storeTokens(state, response, 'refresh')) return action;
    // The refresh token was refused: forget it and fall back to one password grant.
    dropRefreshToken(state);
    await passwordGrant();
    return 'password';
  }

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
