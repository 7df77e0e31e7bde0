/**
 * One typed, validated target configuration from flags and environment, shared by the Newman
 * runner, mocha live mode and CI, so the three can never disagree about what they test.
 *
 * Pure: the caller hands in argv and env (and, for --password-stdin, a way to read stdin); this
 * module never reads process state itself, which keeps every rule testable in-process.
 */
import path from 'node:path';
import { CLAUSE_IDS, PROFILES, type ClauseId, type Profile } from '../contract/clauses';
import { EXIT, EXIT_MEANINGS, type ExitName } from './exit-codes';
import { isLoopbackHost } from './is-loopback-host';

export { isLoopbackHost };

export interface TargetConfig {
  /** The API under test without a trailing slash; undefined means the embedded reference server. */
  baseUrl?: string;
  username?: string;
  password?: string;
  tokenPath: string;
  resourcePath?: string;
  expiredAccessToken?: string;
  negativeUsername?: string;
  profile: Profile;
  clockSkewSeconds: number;
  /** False when EXPIRY-ISSUED-NOW should compare against the response Date header instead. */
  trustLocalClock: boolean;
  /** Per request: connect plus the whole response. */
  timeoutMs: number;
  /** The whole run. */
  budgetMs: number;
  allowInsecureHttp: boolean;
  saveTokenFile?: string;
  expiredTokenFile?: string;
  reportsDir: string;
  /** Clauses whose skip does not fail the run (they are still listed as skipped). */
  allowSkips: ClauseId[];
}

export type ConfigResult =
  | { kind: 'ok'; config: TargetConfig }
  | { kind: 'help'; text: string }
  | { kind: 'error'; code: keyof typeof EXIT; exitCode: number; message: string };

/** What only an entry point may do on the parser's behalf. */
export interface TargetConfigIo {
  /**
   * Reads all of stdin (e.g. `() => fs.readFileSync(0, 'utf8')`). Without it --password-stdin
   * is refused, so a caller that cannot offer it fails loudly instead of hanging on a TTY.
   */
  readStdin?: () => string;
}

/** `list`: comma-separated, and a repeated flag adds to the list instead of replacing it. */
type Kind = 'string' | 'number' | 'boolean' | 'list';

interface OptionSpec {
  /** The long flag, or undefined for environment-only settings. */
  flag?: string;
  env?: string;
  kind: Kind;
  /** Shown in --help. */
  defaultText: string;
  help: string;
}

/**
 * Every setting, in --help order. The parser and the help text both read this table, so a flag
 * cannot exist without being documented.
 */
const OPTIONS = {
  baseUrl: { flag: '--base-url', env: 'MEDIROUTES_BASE_URL', kind: 'string', defaultText: 'the embedded reference server', help: 'API under test, e.g. https://api.mediroutes.com' },
  requireBaseUrl: {
    flag: '--require-base-url',
    env: 'MEDIROUTES_REQUIRE_BASE_URL',
    kind: 'boolean',
    defaultText: 'off',
    help: 'fail (exit 9) instead of testing the embedded server when no base URL is set: for scheduled live runs, where an undefined secret expands to "" (env: 1/0)',
  },
  username: { flag: '--username', env: 'MEDIROUTES_USERNAME', kind: 'string', defaultText: "the reference server's demo user", help: 'a valid username (required with a base URL)' },
  password: { env: 'MEDIROUTES_PASSWORD', kind: 'string', defaultText: "the reference server's demo user", help: 'its password (required with a base URL; never a flag value: command lines are visible to other processes)' },
  passwordStdin: { flag: '--password-stdin', kind: 'boolean', defaultText: 'off', help: 'read the password from stdin instead (one trailing newline is removed)' },
  tokenPath: { flag: '--token-path', env: 'MEDIROUTES_TOKEN_PATH', kind: 'string', defaultText: '/token', help: 'token endpoint path, appended to the base URL' },
  resourcePath: { flag: '--resource-path', env: 'MEDIROUTES_RESOURCE_PATH', kind: 'string', defaultText: "the reference server's", help: 'a protected GET endpoint, starting with / (required with a base URL)' },
  expiredAccessToken: { env: 'MEDIROUTES_EXPIRED_ACCESS_TOKEN', kind: 'string', defaultText: 'none (EXPIRY-REJECTED skipped unless a saved token is due)', help: 'an access token of this API older than 24 h (environment only: it is a credential)' },
  negativeUsername: { flag: '--negative-username', env: 'MEDIROUTES_NEGATIVE_USERNAME', kind: 'string', defaultText: 'none', help: 'an account for the failed-login checks, so the real one is not locked out' },
  profile: { flag: '--profile', env: 'MEDIROUTES_PROFILE', kind: 'string', defaultText: 'documented', help: `clause profile: ${PROFILES.join(' or ')}` },
  clockSkewSeconds: { flag: '--clock-skew', env: 'MEDIROUTES_CLOCK_SKEW', kind: 'number', defaultText: '300', help: 'allowed clock difference for EXPIRY-ISSUED-NOW, seconds (0-86400)' },
  useServerDate: { flag: '--use-server-date', env: 'MEDIROUTES_USE_SERVER_DATE', kind: 'boolean', defaultText: 'off (trust the local clock)', help: "judge .issued against the response Date header instead of this machine's clock (env: 1/0)" },
  timeoutMs: { flag: '--timeout-ms', env: 'MEDIROUTES_TIMEOUT_MS', kind: 'number', defaultText: '10000', help: 'per request: connect plus the whole response, milliseconds' },
  budgetMs: { flag: '--budget-ms', env: 'MEDIROUTES_BUDGET_MS', kind: 'number', defaultText: '120000', help: 'the whole run, milliseconds' },
  allowInsecureHttp: { flag: '--allow-insecure-http', kind: 'boolean', defaultText: 'off', help: 'allow plain http:// to a non-loopback host (flag only, so it never lingers in an environment)' },
  saveTokenFile: { flag: '--save-token', env: 'MEDIROUTES_SAVE_TOKEN_FILE', kind: 'string', defaultText: 'none', help: 'save the access token (mode 0600) for a later EXPIRY-REJECTED check; outside the reports directory' },
  expiredTokenFile: { flag: '--expired-token-file', env: 'MEDIROUTES_EXPIRED_TOKEN_FILE', kind: 'string', defaultText: 'none', help: 'a token saved by an earlier run, used for EXPIRY-REJECTED once its .expires has passed' },
  reportsDir: { flag: '--reports-dir', kind: 'string', defaultText: 'reports', help: 'where reports are written' },
  allowSkips: {
    flag: '--allow-skip',
    env: 'MEDIROUTES_ALLOW_SKIP',
    kind: 'list',
    defaultText: 'none',
    help: 'CLAUSE[,CLAUSE]: skipped clauses that do not fail the run (still listed as skipped), e.g. EXPIRY-REJECTED on a first nightly run that has no expired token yet; repeatable',
  },
} as const satisfies Record<string, OptionSpec>;

type OptionKey = keyof typeof OPTIONS;

const HELP_FLAGS = new Set(['--help', '-h']);

/** setTimeout fires at once for larger delays, so a bigger timeout would silently become zero. */
const MAX_TIMER_MS = 2_147_483_647;
/** A skew of a day or more would make EXPIRY-ISSUED-NOW unable to fail. */
const MAX_CLOCK_SKEW_SECONDS = 86_400;

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  '1': true, true: true, yes: true, on: true,
  '0': false, false: false, no: false, off: false,
};

function buildHelp(): string {
  const rows: string[] = [];
  for (const spec of Object.values(OPTIONS) as OptionSpec[]) {
    const value = spec.kind === 'boolean' ? '' : spec.kind === 'list' ? ' LIST' : ' VALUE';
    const names = [spec.flag ? `${spec.flag}${value}` : undefined, spec.env ? `$${spec.env}` : undefined]
      .filter((x): x is string => x !== undefined)
      .join(', ');
    rows.push(`  ${names}\n      ${spec.help}\n      default: ${spec.defaultText}`);
  }
  const exits = (Object.entries(EXIT) as [ExitName, number][])
    .map(([name, code]) => `  ${String(code).padStart(3)}  ${name.padEnd(22)} ${EXIT_MEANINGS[name]}`)
    .join('\n');
  return [
    'Target configuration (flags override environment variables; --flag VALUE or --flag=VALUE):',
    '',
    ...rows,
    '  --help, -h',
    '      show this text',
    '',
    'Without a base URL the run uses the embedded reference server and needs no credentials.',
    'With one, MEDIROUTES_USERNAME, MEDIROUTES_PASSWORD (or --password-stdin) and a resource path',
    'are required, and only https:// is accepted unless the host is loopback or',
    '--allow-insecure-http is given. TLS certificates are always verified.',
    '',
    'Exit codes:',
    exits,
    '',
  ].join('\n');
}

/** The --help text: every flag with its environment variable and default, and the exit codes. */
export const TARGET_HELP: string = buildHelp();

class ConfigError extends Error {
  constructor(
    readonly code: ExitName,
    message: string,
  ) {
    super(message);
  }
}

/** Parses and validates; never throws, never prints, never reads process state. */
export function parseTargetConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: TargetConfigIo = {},
): ConfigResult {
  if (wantsHelp(argv)) return { kind: 'help', text: TARGET_HELP };
  let password = nonEmpty(env[OPTIONS.password.env]);
  try {
    const flags = parseArgv(argv);
    if (flags.has('passwordStdin')) {
      if (!io.readStdin) {
        throw new ConfigError('USAGE', '--password-stdin is not available in this command; set MEDIROUTES_PASSWORD instead');
      }
      password = nonEmpty(io.readStdin().replace(/\r?\n$/, ''));
    }
    return { kind: 'ok', config: resolve(flags, env, password) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { kind: 'error', code: err.code, exitCode: EXIT[err.code], message: scrub(err.message, password) };
  }
}

function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (HELP_FLAGS.has(arg)) return true;
  }
  return false;
}

const BY_FLAG: ReadonlyMap<string, OptionKey> = new Map(
  (Object.entries(OPTIONS) as [OptionKey, OptionSpec][])
    .filter(([, spec]) => spec.flag !== undefined)
    .map(([key, spec]) => [spec.flag as string, key]),
);

/** Flag values by option key; `true` for a boolean flag that was present. */
function parseArgv(argv: readonly string[]): Map<OptionKey, string | true> {
  const out = new Map<OptionKey, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      if (i + 1 < argv.length) throw unexpectedArgument(i + 1);
      break;
    }
    if (!arg.startsWith('-')) throw unexpectedArgument(i);
    const eq = arg.indexOf('=');
    // Only the name is ever echoed: `--passwrd=hunter2` must not print hunter2.
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (name === '--password') {
      throw new ConfigError(
        'USAGE',
        '--password is not accepted: a command line is visible to every process on the machine; set MEDIROUTES_PASSWORD or use --password-stdin',
      );
    }
    const key = BY_FLAG.get(name);
    if (!key) throw new ConfigError('USAGE', `unknown option ${printable(name)}; see --help`);
    if (OPTIONS[key].kind === 'boolean') {
      if (eq !== -1) throw new ConfigError('USAGE', `${name} takes no value`);
      out.set(key, true);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      // `--base-url --username x` is a forgotten value, not a URL called "--username".
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      }
    }
    if (value === undefined || value === '') throw new ConfigError('USAGE', `${name} needs a value`);
    const earlier = out.get(key);
    out.set(key, OPTIONS[key].kind === 'list' && typeof earlier === 'string' ? `${earlier},${value}` : value);
  }
  return out;
}

function unexpectedArgument(index: number): ConfigError {
  // Not echoed: a stray positional is often a password typed where a flag was meant.
  return new ConfigError('USAGE', `unexpected argument at position ${index + 1}: only --flags are accepted; see --help`);
}

/** An empty environment variable means unset (a CI secret that is not defined expands to ''). */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

interface Raw {
  value: string;
  /** `--flag` or `VARIABLE`, for messages that say where to fix it. */
  source: string;
}

function rawValue(key: OptionKey, flags: ReadonlyMap<OptionKey, string | true>, env: Readonly<Record<string, string | undefined>>): Raw | undefined {
  const spec: OptionSpec = OPTIONS[key];
  const flagged = flags.get(key);
  if (typeof flagged === 'string' && spec.flag) return { value: flagged, source: spec.flag };
  if (flagged === true && spec.flag) return { value: '1', source: spec.flag };
  const fromEnv = spec.env ? nonEmpty(env[spec.env]) : undefined;
  return fromEnv !== undefined && spec.env ? { value: fromEnv, source: spec.env } : undefined;
}

function resolve(
  flags: ReadonlyMap<OptionKey, string | true>,
  env: Readonly<Record<string, string | undefined>>,
  password: string | undefined,
): TargetConfig {
  const get = (key: OptionKey): Raw | undefined => rawValue(key, flags, env);

  const profileRaw = get('profile');
  const profile = profileRaw ? parseProfile(profileRaw) : 'documented';
  const clockSkewSeconds = parseNumber(get('clockSkewSeconds'), 300, 0, MAX_CLOCK_SKEW_SECONDS);
  const timeoutMs = parseNumber(get('timeoutMs'), 10_000, 1, MAX_TIMER_MS);
  const budgetMs = parseNumber(get('budgetMs'), 120_000, 1, MAX_TIMER_MS);
  const useServerDate = parseBoolean(get('useServerDate'));
  const allowInsecureHttp = flags.get('allowInsecureHttp') === true;

  const tokenPathRaw = get('tokenPath');
  const tokenPath = tokenPathRaw ? parsePath(tokenPathRaw, 'BAD_TOKEN_PATH') : '/token';
  const resourcePathRaw = get('resourcePath');
  const resourcePath = resourcePathRaw ? parsePath(resourcePathRaw, 'BAD_RESOURCE_PATH') : undefined;

  const baseUrlRaw = get('baseUrl');
  const baseUrl = baseUrlRaw ? parseBaseUrl(baseUrlRaw, allowInsecureHttp) : undefined;
  const requireBaseUrl = parseBoolean(get('requireBaseUrl'));
  if (requireBaseUrl && baseUrl === undefined) {
    throw new ConfigError(
      'MISSING_BASE_URL',
      `${get('requireBaseUrl')?.source} is set but no base URL is: set MEDIROUTES_BASE_URL (or --base-url); an undefined CI variable expands to "" and would otherwise test the embedded server`,
    );
  }
  const allowSkipsRaw = get('allowSkips');
  const allowSkips = allowSkipsRaw ? parseClauseList(allowSkipsRaw) : [];
  const username = get('username')?.value;

  if (baseUrl !== undefined) {
    const missing = [username === undefined ? 'MEDIROUTES_USERNAME (or --username)' : undefined, password === undefined ? 'MEDIROUTES_PASSWORD (or --password-stdin)' : undefined].filter(
      (x): x is string => x !== undefined,
    );
    if (missing.length > 0) {
      throw new ConfigError('MISSING_CREDENTIALS', `a base URL was given (${baseUrlRaw?.source}) but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`);
    }
    if (resourcePath === undefined) {
      throw new ConfigError('MISSING_RESOURCE_PATH', 'a base URL was given but no protected endpoint: set MEDIROUTES_RESOURCE_PATH or --resource-path, e.g. /v1/riders/getByRiderId');
    }
  }

  const reportsDir = get('reportsDir')?.value ?? 'reports';
  const saveTokenFile = get('saveTokenFile');
  const expiredTokenFile = get('expiredTokenFile');
  for (const file of [saveTokenFile, expiredTokenFile]) {
    if (file && isInside(reportsDir, file.value)) {
      throw new ConfigError(
        'UNSAFE_TOKEN_FILE',
        `${file.source} points inside the reports directory (${reportsDir}), which CI uploads; keep the token file elsewhere, e.g. .cache/mediroutes-token.json`,
      );
    }
  }

  const config: TargetConfig = {
    tokenPath,
    profile,
    clockSkewSeconds,
    trustLocalClock: !useServerDate,
    timeoutMs,
    budgetMs,
    allowInsecureHttp,
    reportsDir,
    allowSkips,
  };
  if (baseUrl !== undefined) config.baseUrl = baseUrl;
  if (username !== undefined) config.username = username;
  if (password !== undefined) config.password = password;
  if (resourcePath !== undefined) config.resourcePath = resourcePath;
  const expiredAccessToken = get('expiredAccessToken')?.value;
  if (expiredAccessToken !== undefined) config.expiredAccessToken = expiredAccessToken;
  const negativeUsername = get('negativeUsername')?.value;
  if (negativeUsername !== undefined) config.negativeUsername = negativeUsername;
  if (saveTokenFile) config.saveTokenFile = saveTokenFile.value;
  if (expiredTokenFile) config.expiredTokenFile = expiredTokenFile.value;
  return config;
}

function parseProfile(raw: Raw): Profile {
  const found = PROFILES.find((p) => p === raw.value);
  if (!found) {
    throw new ConfigError('UNKNOWN_PROFILE', `${raw.source}: unknown profile ${printable(raw.value)}; use ${PROFILES.join(' or ')}`);
  }
  return found;
}

function parseClauseList(raw: Raw): ClauseId[] {
  const ids: ClauseId[] = [];
  for (const part of raw.value.split(',')) {
    const id = part.trim();
    if (id === '') continue;
    const known = CLAUSE_IDS.find((c) => c === id);
    if (!known) throw new ConfigError('USAGE', `${raw.source}: unknown clause ${printable(id)}; clause IDs are listed in CONTRACT.md, e.g. EXPIRY-REJECTED`);
    if (!ids.includes(known)) ids.push(known);
  }
  if (ids.length === 0) throw new ConfigError('USAGE', `${raw.source} needs a clause ID, e.g. EXPIRY-REJECTED`);
  return ids;
}

function parseNumber(raw: Raw | undefined, fallback: number, min: number, max: number): number {
  if (!raw) return fallback;
  const text = raw.value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError('BAD_NUMBER', `${raw.source}: expected a whole number from ${min} to ${max}, got ${printable(raw.value)}`);
  }
  return n;
}

function parseBoolean(raw: Raw | undefined): boolean {
  if (!raw) return false;
  const value = BOOLEAN_WORDS[raw.value.trim().toLowerCase()];
  if (value === undefined) {
    throw new ConfigError('BAD_BOOLEAN', `${raw.source}: expected 1 or 0 (or true/false, yes/no), got ${printable(raw.value)}`);
  }
  return value;
}

function parsePath(raw: Raw, code: 'BAD_TOKEN_PATH' | 'BAD_RESOURCE_PATH'): string {
  const value = raw.value;
  let problem: string | undefined;
  if (!value.startsWith('/')) problem = "must start with '/'";
  // '//host/x' joined to a base URL would be read as another host by some clients.
  else if (value.startsWith('//')) problem = "must start with a single '/'";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  else if (/[\s\x00-\x1f\x7f#]/.test(value)) problem = 'must not contain spaces, control characters or #';
  if (problem) throw new ConfigError(code, `${raw.source} ${problem}, got ${printable(value)}`);
  return value;
}

function parseBaseUrl(raw: Raw, allowInsecureHttp: boolean): string {
  const text = raw.value.trim();
  // Userinfo is checked on the raw text too: WHATWG URL drops an empty one (`https://@host`).
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(text)) {
    throw new ConfigError('MALFORMED_URL', `${raw.source} must not contain credentials (user:password@); use MEDIROUTES_USERNAME and MEDIROUTES_PASSWORD`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const shown = text.includes('@') ? `${text.length} characters` : printable(text);
    throw new ConfigError('MALFORMED_URL', `${raw.source} is not an absolute URL (got ${shown}); expected e.g. https://api.mediroutes.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('MALFORMED_URL', `${raw.source} must be http:// or https://, got ${printable(url.protocol)}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError('MALFORMED_URL', `${raw.source} must not contain credentials (user:password@); use MEDIROUTES_USERNAME and MEDIROUTES_PASSWORD`);
  }
  if (text.includes('?') || text.includes('#')) {
    throw new ConfigError('MALFORMED_URL', `${raw.source} must not have a query or fragment; put paths in --token-path / --resource-path`);
  }
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(
      'INSECURE_HTTP',
      `${raw.source} uses plain http:// to ${url.host}: credentials would cross the network unencrypted; use https:// or pass --allow-insecure-http`,
    );
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Quoted, shortened, control characters escaped: safe for a one-line message. */
function printable(value: string): string {
  const short = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(short);
}

/** A last guard: whatever a message quotes, the password never reaches a terminal or CI log. */
function scrub(message: string, password: string | undefined): string {
  return password ? message.split(password).join('[redacted]') : message;
}
