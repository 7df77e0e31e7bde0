/**
 * The "Live safety" and "Nightly expiry check" promises of CONTRACT.md, proven against real
 * in-process runs (the committed collection in Newman) with a live-style configuration:
 * - a target that is down, hangs, resets, answers garbage, answers huge or fails everywhere
 *   fails the run with clear lines, in bounded time (the abort rule, the body cap, the budget);
 * - the configured account gets at most one failed login per run, none with a negative-test
 *   user, and token requests stay under the rate limit; 429s are waited out, bounded;
 * - a token saved by an earlier run proves EXPIRY-REJECTED once due, and is "not yet due" before.
 * What the target saw is checked from the server side, as a live API's logs would show it.
 *
 * All runs start at once in one before(): most of a run is waiting, and the suite stays fast.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import type { ClauseId } from '../../scripts/lib/contract/clauses';
import { pathOf } from '../../scripts/lib/reference/api-request';
import { createReferenceApi, DEMO_USER, type Clock } from '../../scripts/lib/reference/reference-api';
import { runContract, type ContractRunResult } from '../../scripts/lib/runner/contract-run';
import { serializeSavedToken } from '../../scripts/lib/runner/saved-token';
import { MAX_RATE_LIMIT_RETRIES } from '../../scripts/lib/contract/throttle';
import { EXIT } from '../../scripts/lib/target/exit-codes';
import { parseTargetConfig, type TargetConfig } from '../../scripts/lib/target/target-config';
import { committedCollection } from '../support/contract-harness';
import {
  closedPortUrl, startHtmlServer, startHugeBodyServer, startRateLimitingServer, startResettingServer, startServerErrorServer, startSilentServer,
  startTokenHangingServer, startWrappedReference, type Exchange, type MisbehavingServer, type WrappedReference,
} from '../support/misbehaving-servers';

const RESOURCE_PATH = '/v1/riders/getByRiderId';
const TIMEOUT_MS = 1000;
const BUDGET_MS = 8000;
const HUGE_BODY_BYTES = 40 * 1024 * 1024;
const DNS_FAILURE_URL = 'https://mediroutes-contract-dns-failure.invalid';
const SKEW_S = 300;

interface LiveRunOptions {
  args?: string[];
  env?: Record<string, string>;
  savedTokenText?: string;
  now?: () => number;
}

function liveConfig(baseUrl: string, options: LiveRunOptions = {}): TargetConfig {
  const parsed = parseTargetConfig(
    ['--base-url', baseUrl, '--resource-path', RESOURCE_PATH, '--timeout-ms', String(TIMEOUT_MS), '--budget-ms', String(BUDGET_MS), ...(options.args ?? [])],
    { MEDIROUTES_USERNAME: DEMO_USER.username, MEDIROUTES_PASSWORD: DEMO_USER.password, ...options.env },
  );
  if (parsed.kind !== 'ok') throw new Error(`bad test configuration: ${JSON.stringify(parsed)}`);
  return parsed.config;
}

/** A run's result, with the JUnit report Newman wrote ('' when none). */
type LiveRun = ContractRunResult & { junit: string };

async function liveRun(baseUrl: string, options: LiveRunOptions = {}): Promise<LiveRun> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediroutes-runner-e2e-'));
  try {
    const config = liveConfig(baseUrl, options);
    const junitPath = path.join(work, 'junit.xml');
    const result = await runContract({
      config,
      collection: committedCollection(),
      junitPath,
      htmlPath: path.join(work, 'report.html'),
      allowSkips: config.allowSkips,
      ...(options.savedTokenText !== undefined ? { savedTokenText: options.savedTokenText } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    return { ...result, junit: fs.existsSync(junitPath) ? fs.readFileSync(junitPath, 'utf8') : '' };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function status(result: ContractRunResult, clause: ClauseId): string | undefined {
  return result.verdict?.clauses.find((c) => c.clause === clause)?.status;
}

function assertNoStackTrace(lines: readonly string[]): void {
  for (const line of lines) {
    assert.ok(!/^\s+at .+[(:]\d+/.test(line) && !/\n/.test(line), `a stack trace or multi-line message: ${line}`);
  }
}

/** Password grants the server read, by username. */
function passwordGrants(exchanges: readonly Exchange[]): Array<{ username: string; password: string; status?: number }> {
  return exchanges
    .map((e) => ({ form: new URLSearchParams(e.req.body), status: e.response?.status }))
    .filter(({ form }) => form.get('grant_type') === 'password')
    .map(({ form, status: s }) => ({ username: form.get('username') ?? '', password: form.get('password') ?? '', ...(s !== undefined ? { status: s } : {}) }));
}

const isUser = (username: string): boolean => username.toLowerCase() === DEMO_USER.username.toLowerCase();

/** A clock that follows real time with an adjustable offset: one server, two nights. */
function offsetClock(offsetMs: number): Clock & { offsetMs: number } {
  const clock = { offsetMs, now: () => Date.now() + clock.offsetMs };
  return clock;
}

/**
 * The first night: a run (as with --save-token) on a server whose clock is `offsetMs` behind;
 * then the server's clock is put right for the next night. Returns the saved token's text.
 */
async function savedTokenFrom(server: WrappedReference, clock: Clock & { offsetMs: number }): Promise<string> {
  const first = await liveRun(server.server.url, { now: clock.now });
  clock.offsetMs = 0;
  assert.ok(first.tokenToSave, 'the first run has a token to save');
  return serializeSavedToken(first.tokenToSave);
}

describe('e2e: the runner against live-style targets', function () {
  this.timeout(60_000);

  const servers: Array<{ close(): Promise<void> }> = [];
  const runs = new Map<string, LiveRun>();
  const seen = new Map<string, MisbehavingServer | WrappedReference>();
  let savedDueText = '';
  let firstNightExchanges = 0;

  before(async () => {
    nock(DNS_FAILURE_URL).persist().get(/.*/).replyWithError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }).post(/.*/).replyWithError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' });
    const track = (name: string, s: MisbehavingServer): MisbehavingServer => {
      servers.push(s);
      seen.set(name, s);
      return s;
    };
    const wrapped = (name: string, w: WrappedReference): WrappedReference => {
      servers.push({ close: () => w.server.close() });
      seen.set(name, w);
      return w;
    };

    const scenarios: Record<string, () => Promise<LiveRun>> = {
      refused: async () => liveRun(await closedPortUrl()),
      dns: async () => liveRun(DNS_FAILURE_URL),
      silent: async () => liveRun(track('silent', await startSilentServer()).url),
      reset: async () => liveRun(track('reset', await startResettingServer()).url),
      html: async () => liveRun(track('html', await startHtmlServer()).url),
      '5xx': async () => liveRun(track('5xx', await startServerErrorServer()).url),
      huge: async () => liveRun(track('huge', await startHugeBodyServer(HUGE_BODY_BYTES)).url),
      'hang-token': async () => liveRun(wrapped('hang-token', await startTokenHangingServer()).server.url),
      // Every answer takes 600 ms: no request times out, but the whole run cannot fit its budget.
      slow: async () => liveRun(wrapped('slow', await startWrappedReference({ delayMs: 600 })).server.url, { args: ['--budget-ms', '2500'] }),

      conforming: async () => {
        const w = wrapped('conforming', await startWrappedReference());
        return liveRun(w.server.url, { args: ['--profile', 'strict'], env: { MEDIROUTES_EXPIRED_ACCESS_TOKEN: w.api.mintExpiredAccessToken() } });
      },
      negative: async () => {
        const api = createReferenceApi({ users: [DEMO_USER, { username: 'contract-negative@mediroutes.example', password: 'Negative-Pa55word!' }] });
        const w = wrapped('negative', await startWrappedReference({ api }));
        return liveRun(w.server.url, { env: { MEDIROUTES_NEGATIVE_USERNAME: 'contract-negative@mediroutes.example', MEDIROUTES_EXPIRED_ACCESS_TOKEN: api.mintExpiredAccessToken() } });
      },
      'wrong-password': async () => {
        const w = wrapped('wrong-password', await startWrappedReference());
        return liveRun(w.server.url, { args: ['--profile', 'strict'], env: { MEDIROUTES_PASSWORD: 'Not-the-configured-Pa55word' } });
      },
      'rate-limited-first': async () => {
        const w = wrapped('rate-limited-first', await startRateLimitingServer(1, 1));
        return liveRun(w.server.url, { env: { MEDIROUTES_EXPIRED_ACCESS_TOKEN: w.api.mintExpiredAccessToken() } });
      },
      'rate-limited-always': async () => liveRun(wrapped('rate-limited-always', await startRateLimitingServer(Infinity, 1)).server.url),

      'expiry-due': async () => {
        // The first night's server clock is 24 h + skew + 1 s behind: its token is due tonight.
        const clock = offsetClock(-(86_400 + SKEW_S + 1) * 1000);
        const w = wrapped('expiry-due', await startWrappedReference({ api: createReferenceApi({ clock }) }));
        savedDueText = await savedTokenFrom(w, clock);
        firstNightExchanges = w.exchanges().length;
        return liveRun(w.server.url, { savedTokenText: savedDueText });
      },
      'expiry-not-due': async () => {
        // An hour behind: the token still has 23 hours to live. Two runs share this server (and
        // its base URL, which the saved token is bound to) at once, so it has no rate limit.
        const clock = offsetClock(-3600 * 1000);
        const w = wrapped('expiry-not-due', await startWrappedReference({ api: createReferenceApi({ clock, rateLimitPerSecond: Infinity }) }));
        const saved = await savedTokenFrom(w, clock);
        const [strict, allowed] = await Promise.all([
          liveRun(w.server.url, { savedTokenText: saved }),
          liveRun(w.server.url, { savedTokenText: saved, args: ['--allow-skip', 'EXPIRY-REJECTED'] }),
        ]);
        runs.set('expiry-not-due-allowed', allowed);
        return strict;
      },
    };
    const results = await Promise.all(Object.entries(scenarios).map(async ([name, run]) => [name, await run()] as const));
    for (const [name, result] of results) runs.set(name, result);
  });

  after(async () => {
    nock.cleanAll();
    await Promise.all(servers.map((s) => s.close()));
  });

  const run = (name: string): LiveRun => {
    const result = runs.get(name);
    assert.ok(result, `the ${name} run happened`);
    return result;
  };
  const server = (name: string): WrappedReference => seen.get(name) as WrappedReference;
  const misbehaving = (name: string): MisbehavingServer => seen.get(name) as MisbehavingServer;

  describe('targets that do not answer fail before the run, with one line and exit 20', () => {
    for (const [name, pattern] of [
      ['refused', /connection refused/],
      ['dns', /DNS lookup failed/],
      ['silent', new RegExp(`no complete response within ${TIMEOUT_MS} ms`)],
      ['reset', /reset or closed the connection/],
    ] as const) {
      it(`${name}: exits TARGET_UNREACHABLE with one line saying why, and no stack trace`, () => {
        const result = run(name);
        assert.equal(result.exitCode, EXIT.TARGET_UNREACHABLE);
        assert.equal(result.lines.length, 1, result.lines.join('\n'));
        assert.match(result.lines[0] as string, /^contract: target unreachable: GET \/v1\/riders\/getByRiderId on [^ ]+ failed: /);
        assert.match(result.lines[0] as string, pattern);
        assert.equal(result.verdict, undefined, 'the collection never ran');
      });
    }

    it('silent: a target that accepts and never answers got one connection (the preflight) and no run', () => {
      assert.equal(misbehaving('silent').hits(), 1);
    });
  });

  describe('targets that answer badly fail the run clearly, in bounded time', () => {
    it('hang-token: a token endpoint that never answers aborts the run after 2 token requests in a row without an answer (exit 20)', () => {
      const result = run('hang-token');
      assert.equal(result.exitCode, EXIT.TARGET_UNREACHABLE);
      assert.ok(result.lines.some((l) => /run error: aborted: 2 requests in a row to \/token got no answer/.test(l) && new RegExp(`within ${TIMEOUT_MS} ms`).test(l)), result.lines.join('\n'));
      assert.equal(server('hang-token').tokenExchanges().length, 2, 'the abort rule stopped the run at the second unanswered token request');
      assert.equal(status(result, 'TOKEN-PASSWORD-200'), 'failed');
      assert.equal(status(result, 'REFRESH-INVALID-401'), 'missing', 'the checks after the abort are missing, not passed');
      assertNoStackTrace(result.lines);
    });

    it('huge: a 40 MB answer is cut at the 1 MiB body limit, never read whole (exit 20)', () => {
      const result = run('huge');
      assert.equal(result.exitCode, EXIT.TARGET_UNREACHABLE);
      assert.ok(result.lines.some((l) => /the response body is over the 1048576-byte limit/.test(l)), result.lines.join('\n'));
      // Both requests together (the password grant and the token lifecycle's) took less than one
      // body: each was cut after 1 MiB (plus what the kernel's socket buffers held).
      assert.ok(misbehaving('huge').bytesSent() < HUGE_BODY_BYTES, `the server handed over ${misbehaving('huge').bytesSent()} bytes before the harness hung up`);
      assert.ok(result.lines.join('\n').length < 20_000, 'the output does not carry the body');
      assertNoStackTrace(result.lines);
    });

    it('slow: a run that cannot fit --budget-ms is aborted at the budget and says so (exit 1)', () => {
      const result = run('slow');
      assert.equal(result.exitCode, EXIT.CONTRACT_FAILED);
      assert.ok(result.lines.some((l) => /run error: aborted: the run exceeded its budget of 2500 ms \(--budget-ms\)/.test(l)), result.lines.join('\n'));
      assert.ok(result.verdict!.clauses.some((c) => c.inProfile && c.status === 'missing'), 'what the budget cut off is missing');
      assert.match(result.junit, /TOKEN-PASSWORD-200/, 'the reporters still wrote what was checked');
    });

    it('html: a 200 with an HTML body fails TOKEN-PASSWORD-200 and TOKEN-BODY-SCHEMA and counts no successful grant', () => {
      const result = run('html');
      assert.equal(result.exitCode, EXIT.CONTRACT_FAILED);
      assert.equal(status(result, 'TOKEN-PASSWORD-200'), 'failed');
      assert.equal(status(result, 'TOKEN-BODY-SCHEMA'), 'failed');
      assert.equal(result.stats!.passwordGrants, 0);
      assert.ok(result.lines.some((l) => /successful password grants: 0;/.test(l)));
      assertNoStackTrace(result.lines);
    });

    it('5xx: a target failing everywhere fails TOKEN-NO-5XX, and the account is asked for a token once', () => {
      const result = run('5xx');
      assert.equal(result.exitCode, EXIT.CONTRACT_FAILED);
      assert.equal(status(result, 'TOKEN-NO-5XX'), 'failed');
      assert.equal(status(result, 'TOKEN-PASSWORD-200'), 'failed');
      const grants = misbehaving('5xx')
        .requests()
        .map((r) => new URLSearchParams(r.body))
        .filter((f) => f.get('grant_type') === 'password' && isUser(f.get('username') ?? ''));
      assert.equal(grants.length, 1, 'no retry of the configured credentials after a failure');
      assertNoStackTrace(result.lines);
    });
  });

  describe('accounts and rate limits', () => {
    it('TOKEN-BAD-PASSWORD-401: a strict run makes exactly one wrong-password attempt for the configured user, and exactly one successful grant', () => {
      const grants = passwordGrants(server('conforming').tokenExchanges());
      const forUser = grants.filter((g) => isUser(g.username));
      assert.equal(forUser.filter((g) => g.password !== DEMO_USER.password).length, 1);
      assert.equal(forUser.filter((g) => g.status === 200).length, 1);
      assert.equal(run('conforming').exitCode, EXIT.OK, run('conforming').lines.join('\n'));
    });

    it('TOKEN-UNKNOWN-USER-401: the unknown-user check uses a generated username, never a real one', () => {
      const others = passwordGrants(server('conforming').tokenExchanges()).filter((g) => !isUser(g.username));
      assert.equal(others.length, 1);
      assert.match(others[0]!.username, /^contract-unknown-[a-z0-9]+@invalid\.example$/);
      assert.notEqual(others[0]!.password, DEMO_USER.password);
    });

    it('MEDIROUTES_NEGATIVE_USERNAME takes the wrong-password attempt: the configured user gets zero failed logins', () => {
      const grants = passwordGrants(server('negative').tokenExchanges());
      assert.equal(grants.filter((g) => isUser(g.username) && g.status !== 200).length, 0);
      assert.equal(grants.filter((g) => g.username === 'contract-negative@mediroutes.example').length, 1);
      assert.equal(run('negative').stats!.failedLoginsForUser, 0);
      assert.equal(status(run('negative'), 'TOKEN-BAD-PASSWORD-401'), 'passed');
      assert.equal(run('negative').exitCode, EXIT.OK, run('negative').lines.join('\n'));
    });

    it('a wrong configured password costs the account one failed login per run, not one per request that needs a token', () => {
      const grants = passwordGrants(server('wrong-password').tokenExchanges()).filter((g) => isUser(g.username));
      assert.equal(grants.length, 1, `${grants.length} password grants for the configured user`);
      const result = run('wrong-password');
      assert.equal(result.exitCode, EXIT.CONTRACT_FAILED);
      assert.equal(status(result, 'TOKEN-PASSWORD-200'), 'failed');
      assert.equal(status(result, 'TOKEN-BAD-PASSWORD-401'), 'skipped', 'the deliberate wrong password is not sent on top');
      assert.equal(result.stats!.failedLoginsForUser, 1);
    });

    it('token requests stay under 10/s: the reference limiter never answers 429 in a strict run', () => {
      const answers = server('conforming').exchanges().map((e) => e.response?.status);
      assert.ok(answers.length > 10);
      assert.ok(!answers.includes(429), `statuses: ${answers.join(' ')}`);
      assert.equal(run('conforming').stats!.rateLimited, 0);
    });

    it('prints how many requests it made and how many logins failed, as the server counted them', () => {
      const w = server('conforming');
      const result = run('conforming');
      const line = result.lines.find((l) => l.startsWith('requests: '));
      assert.ok(line, 'a costs line');
      const tokens = w.tokenExchanges();
      const failedLogins = passwordGrants(tokens).filter((g) => g.status === 401);
      const failedForUser = failedLogins.filter((g) => isUser(g.username));
      assert.match(line, new RegExp(`^requests: ${w.exchanges().length} \\(token endpoint ${tokens.length}, rate-limited 0\\); successful password grants: 1; failed logins: ${failedLogins.length} \\(${failedForUser.length} for the configured user\\);`));
    });

    it('a 429 with Retry-After: 1 to the first token requests is waited out, and the run passes', () => {
      const result = run('rate-limited-first');
      const statuses = server('rate-limited-first').tokenExchanges().map((e) => e.response?.status);
      assert.deepEqual(statuses.slice(0, 2), [429, 200]);
      assert.equal(result.exitCode, EXIT.OK, result.lines.join('\n'));
    });

    it(`a target that always answers 429 ends after ${MAX_RATE_LIMIT_RETRIES} retries with a clear failure, not a hang`, () => {
      const result = run('rate-limited-always');
      assert.equal(result.exitCode, EXIT.CONTRACT_FAILED);
      assert.equal(server('rate-limited-always').tokenExchanges().length, MAX_RATE_LIMIT_RETRIES + 1);
      assert.ok(result.lines.some((l) => /run error: aborted: 4 answers in a row were 429 Too Many Requests/.test(l)), result.lines.join('\n'));
      assert.equal(status(result, 'TOKEN-PASSWORD-200'), 'missing', 'never reported as passed');
      assertNoStackTrace(result.lines);
    });
  });

  describe('nightly expiry check (a token saved by an earlier run)', () => {
    it('EXPIRY-REJECTED: a saved token past .expires + skew is presented and its 401 passes the clause (exit 0)', () => {
      const result = run('expiry-due');
      assert.equal(status(result, 'EXPIRY-REJECTED'), 'passed');
      assert.equal(result.exitCode, EXIT.OK, result.lines.join('\n'));
      const savedToken = (JSON.parse(savedDueText) as { accessToken: string }).accessToken;
      const presented = server('expiry-due')
        .exchanges()
        .slice(firstNightExchanges)
        .filter((e) => pathOf(e.req) === RESOURCE_PATH && e.req.headers.authorization === `Bearer ${savedToken}`);
      assert.deepEqual(presented.map((e) => e.response?.status), [401], 'the saved token, and only it, was presented once and refused');
      assert.ok(result.secrets.includes(savedToken), 'the saved token is redacted like any other');
    });

    it('EXPIRY-REJECTED: a saved token not yet due is skipped as "not yet due" with its due time, and fails the run', () => {
      const result = run('expiry-not-due');
      assert.equal(status(result, 'EXPIRY-REJECTED'), 'skipped');
      const reasons = result.verdict!.clauses.find((c) => c.clause === 'EXPIRY-REJECTED')!.skipReasons.join(' ');
      assert.match(reasons, /not yet due \(expires .+ GMT; due after .+ GMT\)/);
      assert.equal(result.exitCode, EXIT.CONTRACT_FAILED);
    });

    it('EXPIRY-REJECTED: the same, with --allow-skip EXPIRY-REJECTED, exits 0 and still lists it as skipped', () => {
      const result = run('expiry-not-due-allowed');
      assert.equal(status(result, 'EXPIRY-REJECTED'), 'skipped');
      assert.equal(result.exitCode, EXIT.OK, result.lines.join('\n'));
      assert.ok(result.lines.some((l) => /allowed by --allow-skip/.test(l)));
    });
  });
});
