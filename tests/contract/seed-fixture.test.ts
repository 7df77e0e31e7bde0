/**
 * The MediRoutes page's own sample token response (tests/fixtures/seed-token-response.json),
 * served byte for byte by nock and fetched with the harness's HTTP client, passes the plan's
 * body and lifetime checks: the contract and the documented example agree.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import type { ClauseId } from '../../scripts/lib/contract/clauses';
import type { ObservedResponse } from '../../scripts/lib/contract/observed-response';
import { mapState, VARS } from '../../scripts/lib/contract/run-state';
import { tokenRequest } from '../../scripts/lib/runner/token-session';
import { httpRequest } from '../../scripts/lib/target/http-client';
import { judge, verdictOf } from '../support/plan-assertions';

const FIXTURE = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'seed-token-response.json'), 'utf8');
const HOST = 'https://seed.mediroutes.test';
/** The moment the sample says it was issued. */
const ISSUED = Date.UTC(2020, 5, 8, 17, 17, 55);

describe('contract: the seed sample token response', () => {
  let answer: ObservedResponse;

  before(async () => {
    const scope = nock(HOST)
      .post('/token')
      .reply(200, FIXTURE, { 'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    answer = await httpRequest({ ...tokenRequest(`${HOST}/token`, [['grant_type', 'password'], ['username', 'jane.doe@example.com'], ['password', 'x']]), timeoutMs: 2000, now: () => ISSUED + 2000 });
    assert.ok(scope.isDone());
  });

  it('arrives unchanged, shape for shape', () => {
    // Compared without assert.equal: its message would print both bodies, tokens included.
    assert.ok(answer.body === FIXTURE, 'the body arrives byte for byte');
    assert.equal(answer.status, 200);
  });

  const required: ClauseId[] = ['TOKEN-BODY-SCHEMA', 'EXPIRY-EXPIRES-IN', 'EXPIRY-WINDOW'];
  for (const clause of required) {
    it(`${clause}: the sample passes the plan's check`, () => {
      assert.equal(verdictOf(judge('Password grant', clause, answer)), 'passed');
    });
  }

  const alsoPassing: ClauseId[] = ['TOKEN-PASSWORD-200', 'TOKEN-USERNAME', 'TOKEN-ACCESS-JWT', 'EXPIRY-ISSUED-NOW', 'EXPIRY-JWT-LIFETIME', 'RFC-TOKEN-CHARSET', 'RFC-TOKEN-NO-STORE'];
  for (const clause of alsoPassing) {
    it(`${clause}: the sample passes the plan's check too (received 2 s after .issued, for jane.doe@example.com)`, () => {
      const state = mapState({ [VARS.username]: 'Jane.Doe@example.com' });
      assert.equal(verdictOf(judge('Password grant', clause, answer, { state })), 'passed');
    });
  }

  it('EXPIRY-ISSUED-NOW: the same sample received a day later is stale, and says by how much without echoing a token', () => {
    const outcome = judge('Password grant', 'EXPIRY-ISSUED-NOW', { ...answer, receivedAt: ISSUED + 86_400_000 });
    assert.equal(verdictOf(outcome), 'failed: EXPIRY-ISSUED-NOW: expected .issued within ±300 s of the harness clock; saw -86400 s');
  });
});
