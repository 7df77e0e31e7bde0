/**
 * The 24-hour lifetime (CONTRACT.md "The 24-hour lifetime"), probed at its boundaries with a
 * clock under test control: answers come from the reference API through nock, or are edited
 * copies of them, and every verdict is the plan's own assertion (plan-assertions.ts).
 */
import { strict as assert } from 'node:assert';
import Ajv from 'ajv';
import tokenResponseSchema from '../../schemas/token-response.schema.json';
import { LIFETIME_SECONDS } from '../../scripts/lib/contract/check-context';
import type { ObservedResponse } from '../../scripts/lib/contract/observed-response';
import { formatRfc1123, parseRfc1123 } from '../../scripts/lib/contract/rfc1123';
import { VARS } from '../../scripts/lib/contract/run-state';
import { ManualClock } from '../../scripts/lib/reference/manual-clock';
import { createReferenceApi, DEMO_USER, type ReferenceApi } from '../../scripts/lib/reference/reference-api';
import { createPlanState } from '../../scripts/lib/runner/plan-executor';
import { createTokenSession, type TokenSession } from '../../scripts/lib/runner/token-session';
import { serveWithNock, type NockTarget } from '../support/nock-reference';
import { jsonAnswer, judge, verdictOf } from '../support/plan-assertions';
import { checkContext, clockSleep, FAKE_START, settingsFor } from '../support/plan-offline';

const SECOND = 1000;
const HOUR = 3600 * SECOND;

interface World {
  clock: ManualClock;
  api: ReferenceApi;
  target: NockTarget;
  session: TokenSession;
}

function world(): World {
  const clock = new ManualClock(FAKE_START);
  const api = createReferenceApi({ clock });
  const target = serveWithNock({ api, baseUrl: 'https://lifetime.mediroutes.test' });
  const session = createTokenSession({
    tokenUrl: `${target.baseUrl}${api.tokenPath}`,
    state: createPlanState(settingsFor(api, 'strict')),
    timeoutMs: 2000,
    now: () => clock.now(),
    sleep: clockSleep(clock),
  });
  return { clock, api, target, session };
}

/** A password grant from the reference API at the clock's time, as the harness observed it. */
async function grant(w: World): Promise<ObservedResponse> {
  return w.session.sendTokenRequest([['grant_type', 'password'], ['username', DEMO_USER.username], ['password', DEMO_USER.password]]);
}

function bodyOf(response: ObservedResponse): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

function withBody(response: ObservedResponse, edit: (body: Record<string, unknown>) => Record<string, unknown>): ObservedResponse {
  return { ...response, body: JSON.stringify(edit(bodyOf(response))) };
}

describe('contract: the 24-hour lifetime, at its boundaries', () => {
  let w: World;
  let issued: ObservedResponse;

  beforeEach(async () => {
    w = world();
    issued = await grant(w);
  });
  afterEach(() => w.target.stop());

  describe('EXPIRY-EXPIRES-IN', () => {
    it('EXPIRY-EXPIRES-IN: the reference answer says expires_in 86400, and passes', () => {
      assert.equal(bodyOf(issued).expires_in, LIFETIME_SECONDS);
      assert.equal(verdictOf(judge('Password grant', 'EXPIRY-EXPIRES-IN', issued)), 'passed');
    });

    for (const [value, seen] of [[86399, '86399'], [86401, '86401'], [3600, '3600'], ['86400', '"86400"'], [86400.5, '86400.5'], [null, 'null']] as const) {
      it(`EXPIRY-EXPIRES-IN: expires_in ${JSON.stringify(value)} fails`, () => {
        const outcome = judge('Password grant', 'EXPIRY-EXPIRES-IN', withBody(issued, (b) => ({ ...b, expires_in: value })));
        assert.equal(verdictOf(outcome), `failed: EXPIRY-EXPIRES-IN: expected expires_in the integer 86400; saw expires_in ${seen}`);
      });
    }
  });

  describe('EXPIRY-WINDOW', () => {
    it('EXPIRY-WINDOW: .expires - .issued of the reference answer is 86400 s, and passes', () => {
      const body = bodyOf(issued);
      assert.equal(((parseRfc1123(body['.expires']) ?? NaN) - (parseRfc1123(body['.issued']) ?? NaN)) / SECOND, LIFETIME_SECONDS);
      assert.equal(verdictOf(judge('Password grant', 'EXPIRY-WINDOW', issued)), 'passed');
    });

    for (const delta of [-1, 1, -3600]) {
      it(`EXPIRY-WINDOW: a window ${delta > 0 ? '+' : ''}${delta} s off 24 h fails`, () => {
        const edited = withBody(issued, (b) => ({ ...b, '.expires': formatRfc1123((parseRfc1123(b['.expires']) as number) + delta * SECOND) }));
        assert.equal(verdictOf(judge('Password grant', 'EXPIRY-WINDOW', edited)), `failed: EXPIRY-WINDOW: expected .expires - .issued = 86400 s; saw ${86400 + delta} s`);
      });
    }
  });

  describe('EXPIRY-ISSUED-NOW', () => {
    const skew = 300;

    it('EXPIRY-ISSUED-NOW: .issued of the reference answer is the fake clock\'s now', () => {
      assert.equal(parseRfc1123(bodyOf(issued)['.issued']), FAKE_START);
      assert.equal(issued.receivedAt, FAKE_START);
      assert.equal(verdictOf(judge('Password grant', 'EXPIRY-ISSUED-NOW', issued)), 'passed');
    });

    for (const trustLocalClock of [true, false]) {
      const source = trustLocalClock ? 'the harness clock' : 'the response Date header';
      /** The answer with the harness clock (or the Date header) `offset` s after .issued. */
      const observedAt = (offset: number): ObservedResponse =>
        trustLocalClock
          ? { ...issued, receivedAt: FAKE_START + offset * SECOND }
          : // The harness clock is far off on purpose: only the Date header may count.
            { ...issued, receivedAt: FAKE_START + 5 * HOUR, headers: { ...issued.headers, date: formatRfc1123(FAKE_START + offset * SECOND) } };
      const ctx = checkContext({ skewSeconds: skew, trustLocalClock });

      for (const offset of [skew, -skew, 0]) {
        it(`EXPIRY-ISSUED-NOW: passes with ${source} ${offset} s from .issued (skew ${skew} s)`, () => {
          assert.equal(verdictOf(judge('Password grant', 'EXPIRY-ISSUED-NOW', observedAt(offset), { ctx })), 'passed');
        });
      }
      for (const offset of [skew + 1, -(skew + 1)]) {
        it(`EXPIRY-ISSUED-NOW: fails with ${source} ${offset} s from .issued (skew ${skew} s)`, () => {
          const shown = -offset > 0 ? `+${-offset}` : String(-offset);
          assert.equal(verdictOf(judge('Password grant', 'EXPIRY-ISSUED-NOW', observedAt(offset), { ctx })), `failed: EXPIRY-ISSUED-NOW: expected .issued within ±${skew} s of ${source}; saw ${shown} s`);
        });
      }
    }

    it('EXPIRY-ISSUED-NOW: without a trusted clock, an answer with no Date header fails and says so', () => {
      const { date: _date, ...headers } = issued.headers;
      const outcome = judge('Password grant', 'EXPIRY-ISSUED-NOW', { ...issued, headers }, { ctx: checkContext({ trustLocalClock: false }) });
      assert.equal(verdictOf(outcome), 'failed: EXPIRY-ISSUED-NOW: expected a Date header (the harness clock is not trusted); saw nothing (absent)');
    });

    it('EXPIRY-ISSUED-NOW: a configured skew of 0 demands the same second', () => {
      const ctx = checkContext({ skewSeconds: 0 });
      assert.equal(verdictOf(judge('Password grant', 'EXPIRY-ISSUED-NOW', issued, { ctx })), 'passed');
      assert.match(verdictOf(judge('Password grant', 'EXPIRY-ISSUED-NOW', { ...issued, receivedAt: FAKE_START + SECOND }, { ctx })), /^failed: .*saw -1 s$/);
    });
  });

  describe('EXPIRY-JWT-LIFETIME', () => {
    const iat = FAKE_START / SECOND;
    /** The reference answer with a token carrying these claims and .expires at `expiresAt` (epoch s). */
    const answerWith = (claims: Record<string, unknown>, expiresAt = iat + LIFETIME_SECONDS): ObservedResponse =>
      withBody(issued, (b) => ({ ...b, access_token: w.api.signJwt({ sub: 'x', unique_name: DEMO_USER.username, ...claims }), '.expires': formatRfc1123(expiresAt * SECOND) }));

    it('EXPIRY-JWT-LIFETIME: the reference token lives exp - iat = 86400 s and expires at .expires', () => {
      assert.equal(verdictOf(judge('Password grant', 'EXPIRY-JWT-LIFETIME', issued)), 'passed');
    });

    for (const delta of [1, -1]) {
      it(`EXPIRY-JWT-LIFETIME: exp ${delta > 0 ? '+' : ''}${delta} s from .expires passes (within 1 s)`, () => {
        const answer = answerWith({ iat, exp: iat + LIFETIME_SECONDS }, iat + LIFETIME_SECONDS - delta);
        assert.equal(verdictOf(judge('Password grant', 'EXPIRY-JWT-LIFETIME', answer)), 'passed');
      });
    }

    for (const delta of [2, -2]) {
      it(`EXPIRY-JWT-LIFETIME: exp ${delta > 0 ? '+' : ''}${delta} s from .expires fails`, () => {
        const answer = answerWith({ iat, exp: iat + LIFETIME_SECONDS }, iat + LIFETIME_SECONDS - delta);
        assert.equal(verdictOf(judge('Password grant', 'EXPIRY-JWT-LIFETIME', answer)), `failed: EXPIRY-JWT-LIFETIME: expected exp equal to .expires within 1 s; saw exp - .expires = ${delta} s`);
      });
    }

    it('EXPIRY-JWT-LIFETIME: exp - iat of 86399 s fails', () => {
      const answer = answerWith({ iat, exp: iat + LIFETIME_SECONDS - 1 }, iat + LIFETIME_SECONDS - 1);
      assert.equal(verdictOf(judge('Password grant', 'EXPIRY-JWT-LIFETIME', answer)), 'failed: EXPIRY-JWT-LIFETIME: expected exp - iat = 86400 s; saw 86399 s');
    });

    it('EXPIRY-JWT-LIFETIME: iat absent with nbf present passes (exp - nbf = 86400)', () => {
      const answer = answerWith({ nbf: iat, exp: iat + LIFETIME_SECONDS });
      assert.equal(verdictOf(judge('Password grant', 'EXPIRY-JWT-LIFETIME', answer)), 'passed');
    });

    it('EXPIRY-JWT-LIFETIME: iat absent and exp - nbf of 3600 s fails, naming nbf', () => {
      const answer = answerWith({ nbf: iat, exp: iat + 3600 }, iat + 3600);
      assert.equal(verdictOf(judge('Password grant', 'EXPIRY-JWT-LIFETIME', answer)), 'failed: EXPIRY-JWT-LIFETIME: expected exp - nbf = 86400 s; saw 3600 s');
    });

    it('EXPIRY-JWT-LIFETIME: neither iat nor nbf fails', () => {
      const answer = answerWith({ exp: iat + LIFETIME_SECONDS });
      assert.equal(verdictOf(judge('Password grant', 'EXPIRY-JWT-LIFETIME', answer)), 'failed: EXPIRY-JWT-LIFETIME: expected a numeric iat or nbf claim; saw neither');
    });
  });

  describe('REFRESH-NEW-TOKEN: a refresh opens a new window', () => {
    it('REFRESH-NEW-TOKEN: refreshed an hour after the grant, the new .expires is the old one plus an hour', async () => {
      const state = w.session.state;
      assert.equal(await w.session.ensureFreshToken(), 'password');
      const firstToken = state.get(VARS.accessToken) as string;
      const firstExpires = Number(state.get(VARS.accessTokenExpires));
      assert.equal(firstExpires, FAKE_START + 24 * HOUR);

      w.clock.advance(HOUR);
      w.session.onUnauthorized();
      state.set(VARS.previousAccessToken, firstToken);
      state.set(VARS.previousAccessTokenExpires, String(firstExpires));
      assert.equal(await w.session.ensureFreshToken(), 'refresh');
      assert.equal(Number(state.get(VARS.accessTokenExpires)), firstExpires + HOUR);

      const refreshAnswer = w.target.tokenRequests('refresh_token')[0];
      assert.ok(refreshAnswer);
      const answer: ObservedResponse = { status: refreshAnswer.response.status, headers: refreshAnswer.response.headers, body: refreshAnswer.response.body, receivedAt: w.clock.now() };
      assert.equal(verdictOf(judge('Refresh grant', 'REFRESH-NEW-TOKEN', answer, { state })), 'passed');
      assert.equal(verdictOf(judge('Refresh grant', 'REFRESH-200', answer, { state })), 'passed');
      assert.equal(parseRfc1123(bodyOf(answer)['.issued']), FAKE_START + HOUR);
    });

    it('REFRESH-NEW-TOKEN: a "refresh" that hands back the old window fails, even with a new token', () => {
      const state = createPlanState(settingsFor(w.api, 'strict'));
      const body = bodyOf(issued);
      state.set(VARS.previousAccessToken, 'an-older-token');
      state.set(VARS.previousAccessTokenExpires, String(parseRfc1123(body['.expires'])));
      assert.equal(verdictOf(judge('Refresh grant', 'REFRESH-NEW-TOKEN', issued, { state })), "failed: REFRESH-NEW-TOKEN: expected .expires later than the replaced token's (a fresh 24-hour window); saw 0 s later");
    });
  });

  describe('EXPIRY-REJECTED: the reference server honours exp to the second', () => {
    const at = async (offsetFromExpMs: number): Promise<ObservedResponse> => {
      const token = bodyOf(issued).access_token as string;
      w.clock.set(FAKE_START + 24 * HOUR + offsetFromExpMs);
      return w.session.io.send({ method: 'GET', url: `${w.target.baseUrl}${w.api.resourcePath}`, headers: { Authorization: `Bearer ${token}` }, timeoutMs: 2000, now: () => w.clock.now() });
    };

    it('BEARER-ACCEPTED: the token is accepted 1 s before exp', async () => {
      const answer = await at(-SECOND);
      assert.equal(answer.status, 200);
      assert.equal(verdictOf(judge('Bearer accepted', 'BEARER-ACCEPTED', answer)), 'passed');
    });

    for (const [label, offset] of [['at exp', 0], ['1 s after exp', SECOND]] as const) {
      it(`EXPIRY-REJECTED: the token is refused with 401 ${label}`, async () => {
        const answer = await at(offset);
        assert.equal(answer.status, 401);
        assert.equal(verdictOf(judge('Expired access token', 'EXPIRY-REJECTED', answer)), 'passed');
        assert.equal(verdictOf(judge('Expired access token', 'RFC-WWW-AUTHENTICATE', answer)), 'passed');
        assert.equal(verdictOf(judge('Bearer accepted', 'BEARER-ACCEPTED', answer)), 'failed: BEARER-ACCEPTED: expected a 2xx status for a fresh access token; saw status 401');
      });
    }
  });
});

describe('contract: RFC 1123 dates, one grammar for the parser and the schema', () => {
  const ajv = new Ajv({ strict: true });
  const schemaAccepts = (text: string): boolean => {
    const validate = ajv.getSchema('token-response') ?? (ajv.addSchema(tokenResponseSchema, 'token-response'), ajv.getSchema('token-response'));
    return Boolean(validate?.({ access_token: 'a.b.c', token_type: 'Bearer', expires_in: 86400, refresh_token: 'r', userName: 'u', '.issued': text, '.expires': text }));
  };
  const instant = Date.UTC(2020, 5, 8, 17, 17, 55);

  interface DateCase {
    text: string;
    why: string;
    parsed: number | undefined;
    /** The schema checks the grammar only: a wrong weekday or 30 February is for the parser (and so the EXPIRY checks) to refuse. */
    schema: boolean;
  }
  const cases: DateCase[] = [
    { text: 'Mon, 08 Jun 2020 17:17:55 GMT', why: 'the documented form', parsed: instant, schema: true },
    { text: 'Mon, 8 Jun 2020 17:17:55 GMT', why: 'a one-digit day (RFC 1123 allows 1*2DIGIT)', parsed: instant, schema: true },
    { text: 'Tue, 08 Jun 2020 17:17:55 GMT', why: 'a weekday that is not that date\'s', parsed: undefined, schema: true },
    { text: 'Sun, 30 Feb 2020 12:00:00 GMT', why: '30 February', parsed: undefined, schema: true },
    { text: 'Mon, 08 Jun 2020 24:00:00 GMT', why: '24:00:00', parsed: undefined, schema: false },
    { text: '2020-06-08T17:17:55Z', why: 'ISO 8601', parsed: undefined, schema: false },
    { text: 'Mon, 08 Jun 2020 17:17:55 +0000', why: '+0000 instead of GMT', parsed: undefined, schema: false },
    { text: 'Mon, 08 Jun 2020 17:17:55', why: 'no zone', parsed: undefined, schema: false },
    { text: 'Mon, 08 Jun 20 17:17:55 GMT', why: 'a two-digit year', parsed: undefined, schema: false },
    { text: 'Mon, 00 Jun 2020 17:17:55 GMT', why: 'day 00', parsed: undefined, schema: false },
    { text: 'Mon, 008 Jun 2020 17:17:55 GMT', why: 'a three-digit day', parsed: undefined, schema: false },
    { text: 'mon, 08 jun 2020 17:17:55 gmt', why: 'lower case names', parsed: undefined, schema: false },
    { text: 'Monday, 08-Jun-20 17:17:55 GMT', why: 'the obsolete RFC 850 form', parsed: undefined, schema: false },
    { text: 'Mon Jun  8 17:17:55 2020', why: 'the asctime form', parsed: undefined, schema: false },
  ];

  for (const c of cases) {
    it(`${c.parsed === undefined ? 'rejects' : 'reads'} ${c.why}: ${JSON.stringify(c.text)}${c.schema && c.parsed === undefined ? ' (the schema passes its grammar; the parser refuses it)' : ''}`, () => {
      assert.equal(parseRfc1123(c.text), c.parsed);
      assert.equal(schemaAccepts(c.text), c.schema);
      // The grammar is one: whatever the parser reads, the schema accepts.
      if (c.parsed !== undefined) assert.ok(schemaAccepts(c.text));
    });
  }

  it('is not Date.parse: Date.parse guesses an instant for most of the rejected forms', () => {
    const guessed = cases.filter((c) => c.parsed === undefined && !Number.isNaN(Date.parse(c.text)));
    assert.ok(guessed.length >= 5, `Date.parse guessed ${guessed.length}`);
  });

  it('EXPIRY-WINDOW: dates the schema lets through but the parser refuses fail the window check, not pass it', () => {
    for (const text of cases.filter((c) => c.schema && c.parsed === undefined).map((c) => c.text)) {
      const answer = jsonAnswer({ access_token: 'a.b.c', token_type: 'Bearer', expires_in: 86400, refresh_token: 'r', userName: 'u', '.issued': text, '.expires': 'Tue, 09 Jun 2020 17:17:55 GMT' });
      assert.equal(judge('Password grant', 'EXPIRY-WINDOW', answer).status, 'failed', text);
      assert.equal(judge('Password grant', 'EXPIRY-ISSUED-NOW', answer).status, 'failed', text);
    }
  });

  it('formats the way the reference server writes (two-digit day), and reads it back', () => {
    assert.equal(formatRfc1123(instant), 'Mon, 08 Jun 2020 17:17:55 GMT');
    assert.equal(parseRfc1123(formatRfc1123(instant)), instant);
  });
});
