/**
 * What a run is pointed at, the same way for `npm run contract` (Newman) and `npm run test:live`
 * (mocha): the configured API, or the embedded reference server with its demo user and an
 * expired token it minted; the expired token from configuration or from a saved-token file (the
 * nightly expiry proof) when it is due; and one reachability check before any login.
 */
import { startReferenceServer, type RunningServer } from '../reference/reference-server';
import { httpRequest, TransportError } from '../target/http-client';
import type { TargetConfig } from '../target/target-config';
import { judgeSavedToken } from './saved-token';

export interface ResolvedTarget {
  /** Without a trailing slash. */
  baseUrl: string;
  tokenPath: string;
  resourcePath: string;
  username: string;
  password: string;
  expiredAccessToken?: string;
  /** Why there is no expired token (shown on the skipped EXPIRY-REJECTED). */
  expiredTokenNote?: string;
  /** What reports call the target: the base URL, or the embedded server. Never a secret. */
  description: string;
}

export interface TargetSources {
  /** Starts the embedded target when config.baseUrl is unset (tests pass faulty variants). */
  startEmbedded?: () => Promise<RunningServer>;
  /** The text of config.expiredTokenFile, read by the entry point (undefined: absent). */
  savedTokenText?: string;
  now: () => number;
}

/** The target of a run; `server` is the embedded one, for the caller to close. */
export async function resolveTarget(config: TargetConfig, sources: TargetSources): Promise<{ target: ResolvedTarget; server?: RunningServer }> {
  if (config.baseUrl === undefined) {
    const server = await (sources.startEmbedded ?? (() => startReferenceServer()))();
    const user = server.api.demoUser;
    return {
      server,
      target: {
        baseUrl: server.url,
        tokenPath: server.api.tokenPath,
        resourcePath: server.api.resourcePath,
        username: user.username,
        password: user.password,
        expiredAccessToken: server.api.mintExpiredAccessToken(user.username),
        description: `${server.url} (embedded reference server: no MEDIROUTES_BASE_URL)`,
      },
    };
  }
  const target: ResolvedTarget = {
    baseUrl: config.baseUrl,
    tokenPath: config.tokenPath,
    resourcePath: config.resourcePath ?? '',
    username: config.username ?? '',
    password: config.password ?? '',
    description: config.baseUrl,
  };
  if (config.expiredAccessToken !== undefined) target.expiredAccessToken = config.expiredAccessToken;
  else if (sources.savedTokenText !== undefined) {
    const saved = judgeSavedToken(sources.savedTokenText, config.baseUrl, sources.now(), config.clockSkewSeconds);
    if (saved.kind === 'due') target.expiredAccessToken = saved.accessToken;
    else target.expiredTokenNote = saved.reason;
  } else if (config.expiredTokenFile !== undefined) {
    target.expiredTokenNote = 'no saved token yet (use --save-token on this run to have one for the next)';
  }
  return { target };
}

/** The secrets a target brings before any token is issued. */
export function targetSecrets(target: ResolvedTarget): string[] {
  return [target.password, target.expiredAccessToken ?? ''].filter((s) => s !== '');
}

const UNREACHABLE_KINDS = new Set(['refused', 'dns', 'timeout', 'reset', 'tls']);

/**
 * One GET of the resource path: a target that does not answer at all is reported here, within
 * one request timeout, before any login. Returns the one-line reason, or undefined when it answered.
 */
export async function unreachableReason(target: ResolvedTarget, timeoutMs: number): Promise<string | undefined> {
  try {
    await httpRequest({ method: 'GET', url: `${target.baseUrl}${target.resourcePath}`, timeoutMs, maxBodyBytes: 64 * 1024 });
    return undefined;
  } catch (error) {
    return error instanceof TransportError && UNREACHABLE_KINDS.has(error.kind) ? error.message : undefined;
  }
}
