/** What a run cost the target: requests, token requests, password grants, failed logins. */
import type { ExchangeRecord } from './newman-run';

export interface RunStats {
  requests: number;
  tokenRequests: number;
  /** Successful password grants for the configured user (the contract wants exactly one). */
  passwordGrants: number;
  /** Password grants refused, any user. */
  failedLogins: number;
  /** Of those, for the configured user (bounded: one wrong password per run). */
  failedLoginsForUser: number;
  rateLimited: number;
  transportErrors: string[];
}

/** Requests made before the run, outside its exchanges: the reachability check (resolve-target.ts). */
export const REACHABILITY_CHECKS = 1;

/** The costs of a run; `requests` includes the reachability check made before it. */
export function runStats(exchanges: readonly ExchangeRecord[], tokenUrl: string, username: string): RunStats {
  const token = exchanges.filter((e) => e.url.split('?')[0] === tokenUrl);
  const passwordGrants = token.filter((e) => e.form.grant_type === 'password');
  // A login the server judged and refused: 4xx. Not a 429 (not judged), not a 5xx or no answer.
  const refused = passwordGrants.filter((e) => e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 429);
  const forUser = (e: ExchangeRecord): boolean => (e.form.username ?? '').toLowerCase() === username.toLowerCase();
  return {
    requests: exchanges.length + REACHABILITY_CHECKS,
    tokenRequests: token.length,
    passwordGrants: passwordGrants.filter((e) => e.status === 200 && forUser(e) && accessTokenOf(e) !== undefined).length,
    failedLogins: refused.length,
    failedLoginsForUser: refused.filter(forUser).length,
    rateLimited: exchanges.filter((e) => e.status === 429).length,
    transportErrors: [...new Set(exchanges.filter((e) => e.error !== undefined).map((e) => `${e.request}: ${e.error}`))],
  };
}

/** Every token the target issued during the run (for redaction and the artifact scan). */
export function issuedTokens(exchanges: readonly ExchangeRecord[]): string[] {
  const tokens = new Set<string>();
  for (const e of exchanges) {
    if (!e.body || e.body.length > 1_000_000) continue;
    try {
      const body: unknown = JSON.parse(e.body);
      if (typeof body === 'object' && body !== null) {
        for (const name of ['access_token', 'refresh_token']) {
          const value = (body as Record<string, unknown>)[name];
          if (typeof value === 'string' && value !== '') tokens.add(value);
        }
      }
    } catch {
      // not JSON: nothing issued
    }
  }
  return [...tokens];
}

/** The last successful token answer of the run: what --save-token keeps. */
export function lastTokenAnswer(exchanges: readonly ExchangeRecord[], tokenUrl: string): { accessToken: string; expires: string } | undefined {
  for (const e of [...exchanges].reverse()) {
    if (e.url.split('?')[0] !== tokenUrl || e.status !== 200 || !e.body) continue;
    try {
      const body = JSON.parse(e.body) as Record<string, unknown>;
      if (typeof body.access_token === 'string' && typeof body['.expires'] === 'string') return { accessToken: body.access_token, expires: body['.expires'] };
    } catch {
      // not JSON
    }
  }
  return undefined;
}

function accessTokenOf(e: ExchangeRecord): string | undefined {
  if (!e.body || e.body.length > 1_000_000) return undefined;
  try {
    const body: unknown = JSON.parse(e.body);
    const token = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).access_token : undefined;
    return typeof token === 'string' && token !== '' ? token : undefined;
  } catch {
    return undefined;
  }
}
