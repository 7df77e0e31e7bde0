/**
 * What a run tells the people reading a nightly log: its costs to the target (requests, token
 * requests, 429s, successful grants, failed logins, for the configured user apart) counted
 * from the exchanges, and the summary lines that print them.
 */
import assert from 'node:assert/strict';
import { summarizeClauses, type TestRecord } from '../../scripts/lib/runner/clause-summary';
import type { ExchangeRecord } from '../../scripts/lib/runner/newman-run';
import { issuedTokens, lastTokenAnswer, REACHABILITY_CHECKS, runStats, type RunStats } from '../../scripts/lib/runner/run-stats';
import { formatSummary } from '../../scripts/lib/runner/summary-format';

const BASE = 'https://api.mediroutes.com';
const TOKEN_URL = `${BASE}/token`;
const USER = 'Nightly@Example.org';
const TOKEN_BODY = JSON.stringify({ access_token: 'eyJh.eyJp.sig', refresh_token: 'r'.repeat(43), '.expires': 'Tue, 09 Jun 2020 17:17:55 GMT' });

function exchange(request: string, form: Record<string, string>, status?: number, body = '', url = TOKEN_URL): ExchangeRecord {
  return { request, method: 'POST', url, form, ...(status !== undefined ? { status, body } : { error: 'POST /token on api.mediroutes.com:443 failed: no complete response within 1000 ms (--timeout-ms)' }) };
}

const password = (username: string, pw = 'secret'): Record<string, string> => ({ grant_type: 'password', username, password: pw });

describe('runner: run costs and the summary', () => {
  describe('runStats', () => {
    const exchanges: ExchangeRecord[] = [
      exchange('Password grant', password('nightly@example.org'), 429),
      exchange('Password grant', password('nightly@example.org'), 200, TOKEN_BODY),
      { request: 'Bearer accepted', method: 'GET', url: `${BASE}/v1/riders/getByRiderId`, form: {}, status: 200, body: '{}' },
      exchange('Wrong password', password(USER, 'wrong'), 401, '{"error":"invalid_grant"}'),
      exchange('Unknown user', password('contract-unknown-x@invalid.example', 'wrong'), 401, '{"error":"invalid_grant"}'),
      exchange('Missing grant type', { username: USER, password: 'secret' }, 401, '{}'),
      exchange('Refresh grant', { grant_type: 'refresh_token', refresh_token: 'r' }, 200, TOKEN_BODY),
      exchange('token lifecycle (pre-request)', password(USER), 503, '{}'),
      exchange('token lifecycle (pre-request)', password(USER)),
      exchange('token lifecycle (pre-request)', password(USER)),
    ];
    const stats = runStats(exchanges, TOKEN_URL, USER);

    it('counts requests (the reachability check included) and token requests', () => {
      assert.equal(stats.requests, 10 + REACHABILITY_CHECKS);
      assert.equal(stats.tokenRequests, 9);
    });

    it('counts a successful password grant only with an access token in the answer, for the configured user in any letter case', () => {
      assert.equal(stats.passwordGrants, 1);
      assert.equal(runStats([exchange('Password grant', password(USER), 200, '<html>Sign in</html>')], TOKEN_URL, USER).passwordGrants, 0);
    });

    it('counts failed logins: refused password grants (4xx), not 429, not 5xx, not unanswered, not other grant types', () => {
      assert.equal(stats.failedLogins, 2);
      assert.equal(stats.failedLoginsForUser, 1);
      assert.equal(stats.rateLimited, 1);
    });

    it('lists each transport error once', () => {
      assert.equal(stats.transportErrors.length, 1);
      assert.match(stats.transportErrors[0] as string, /^token lifecycle \(pre-request\): POST \/token .* no complete response within 1000 ms/);
    });

    it('learns every token issued (for redaction) and the last token answer (for --save-token)', () => {
      assert.deepEqual(issuedTokens(exchanges).sort(), ['eyJh.eyJp.sig', 'r'.repeat(43)].sort());
      assert.deepEqual(lastTokenAnswer(exchanges, TOKEN_URL), { accessToken: 'eyJh.eyJp.sig', expires: 'Tue, 09 Jun 2020 17:17:55 GMT' });
    });
  });

  describe('formatSummary', () => {
    const records: TestRecord[] = [
      { title: 'TOKEN-PASSWORD-200: a valid password grant answers 200', request: 'Password grant', status: 'passed' },
      { title: 'TOKEN-BAD-PASSWORD-401: a wrong password answers 401', request: 'Wrong password', status: 'failed', message: 'TOKEN-BAD-PASSWORD-401: expected status 401; saw status 400' },
      { title: 'EXPIRY-REJECTED: an expired token is answered 401 [skipped: the saved token is not yet due (expires X; due after Y)]', request: 'Expired access token', status: 'skipped' },
    ];
    const stats: RunStats = { requests: 14, tokenRequests: 7, passwordGrants: 1, failedLogins: 2, failedLoginsForUser: 1, rateLimited: 0, transportErrors: [] };
    const lines = formatSummary({ verdict: summarizeClauses(records, 'documented'), stats, target: BASE, elapsedMs: 1530, allowSkips: [] });

    it('prints how many requests the run made and how many logins failed, the configured user apart', () => {
      assert.equal(lines.at(-1), 'requests: 14 (token endpoint 7, rate-limited 0); successful password grants: 1; failed logins: 2 (1 for the configured user); 1.5 s');
    });

    it('prints each failure with what was expected and seen, under its clause', () => {
      const at = lines.findIndex((l) => l.includes('FAIL  TOKEN-BAD-PASSWORD-401'));
      assert.ok(at > 0);
      assert.equal(lines[at + 1], '          [Wrong password] TOKEN-BAD-PASSWORD-401: expected status 401; saw status 400');
    });

    it('lists a skipped clause with its reason, as not a pass unless allowed', () => {
      assert.ok(lines.includes('          skipped: the saved token is not yet due (expires X; due after Y) (a skipped clause is not a pass)'));
      const allowed = formatSummary({ verdict: summarizeClauses(records, 'documented'), stats, target: BASE, elapsedMs: 0, allowSkips: ['EXPIRY-REJECTED'] });
      assert.ok(allowed.some((l) => l.endsWith('(allowed by --allow-skip)')));
    });

    it('marks a clause the run never reached as missing, and prints the run error and transport errors', () => {
      const failing = formatSummary({
        verdict: summarizeClauses(records, 'documented'),
        stats: { ...stats, transportErrors: ['Refresh grant: POST /token on api.mediroutes.com:443 failed: connection refused'] },
        target: BASE,
        elapsedMs: 0,
        runError: 'aborted: 2 requests in a row to /token got no answer',
        allowSkips: [],
      });
      assert.ok(failing.some((l) => /^ {2}MISS {2}REFRESH-200 /.test(l)));
      assert.ok(failing.includes('  run error: aborted: 2 requests in a row to /token got no answer'));
      assert.ok(failing.includes('  transport error: Refresh grant: POST /token on api.mediroutes.com:443 failed: connection refused'));
      assert.match(failing.at(-2) as string, /^clauses: 1 passed, 1 failed, 1 skipped, \d+ missing$/);
    });
  });
});
