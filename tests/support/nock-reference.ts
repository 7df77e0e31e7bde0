/**
 * A MediRoutes-like host served by nock: every request to it is answered by the reference API's
 * pure handler (or a faulty variant of it), so the offline suites exercise the real HTTP client,
 * headers and bodies without a socket. The host is a reserved `.test` name, never a real one.
 */
import nock from 'nock';
import { formatRfc1123 } from '../../scripts/lib/contract/rfc1123';
import type { ApiRequest, ApiResponse, ReferenceApi } from '../../scripts/lib/reference/reference-api';

export const NOCK_BASE_URL = 'https://api.mediroutes.test';

export interface NockExchange {
  request: ApiRequest;
  response: ApiResponse;
}

export interface NockTarget {
  baseUrl: string;
  api: ReferenceApi;
  /** Every request answered, in order. */
  exchanges: NockExchange[];
  /** Token-endpoint requests with the given grant_type (undefined: without one), in order. */
  tokenRequests(grantType?: string): Array<{ form: URLSearchParams; response: ApiResponse }>;
  /** Successful password grants for `username` (default: the demo user), as the server saw them. */
  passwordGrants(username?: string): number;
  /** Every access and refresh token the server issued. */
  issuedTokens(): string[];
  /** Removes the interceptors (only this target's). */
  stop(): void;
}

export interface NockTargetOptions {
  api: ReferenceApi;
  /** Replaces api.handle, e.g. with faultByName(...).wrap(api). */
  handle?: (req: ApiRequest) => ApiResponse;
  baseUrl?: string;
  /** Send a Date header from the API's clock, as node:http does from the real one (default true). */
  dateHeader?: boolean;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

export function serveWithNock(options: NockTargetOptions): NockTarget {
  const { api } = options;
  const baseUrl = options.baseUrl ?? NOCK_BASE_URL;
  const handle = options.handle ?? api.handle;
  const exchanges: NockExchange[] = [];
  const scope = nock(baseUrl).persist();
  const interceptors = METHODS.map((method) => {
    const interceptor = scope.intercept(/.*/, method);
    interceptor.reply(function reply(uri, body) {
      const request: ApiRequest = {
        method,
        path: uri,
        headers: lowerCased(this.req.headers),
        body: typeof body === 'string' ? body : JSON.stringify(body),
        clientId: 'nock-client',
      };
      const response = handle(request);
      exchanges.push({ request, response });
      const headers = { ...response.headers };
      if (options.dateHeader !== false && headers.date === undefined) headers.date = formatRfc1123(api.clock.now());
      return [response.status, response.body, headers];
    });
    return interceptor;
  });

  const tokenRequests = (grantType?: string): Array<{ form: URLSearchParams; response: ApiResponse }> =>
    exchanges
      .filter((e) => e.request.method === 'POST' && e.request.path.split('?')[0] === api.tokenPath)
      .map((e) => ({ form: new URLSearchParams(e.request.body), response: e.response }))
      .filter((e) => (e.form.get('grant_type') ?? undefined) === grantType);

  return {
    baseUrl,
    api,
    exchanges,
    tokenRequests,
    passwordGrants: (username = api.demoUser.username) =>
      tokenRequests('password').filter((e) => e.response.status === 200 && (e.form.get('username') ?? '').toLowerCase() === username.toLowerCase()).length,
    issuedTokens: () =>
      exchanges.flatMap((e) => {
        if (e.response.status !== 200) return [];
        try {
          const body = JSON.parse(e.response.body) as Record<string, unknown>;
          return [body.access_token, body.refresh_token].filter((t): t is string => typeof t === 'string');
        } catch {
          return [];
        }
      }),
    stop: () => {
      for (const interceptor of interceptors) nock.removeInterceptor(interceptor);
    },
  };
}

function lowerCased(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
