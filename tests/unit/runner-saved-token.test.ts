/**
 * The nightly expiry proof's judgement of a saved token: due once .expires plus the skew has
 * passed, "not yet due" (with the due time) before, "unusable" when it cannot serve at all.
 */
import assert from 'node:assert/strict';
import { judgeSavedToken, serializeSavedToken, type SavedToken } from '../../scripts/lib/runner/saved-token';

const BASE_URL = 'https://api.mediroutes.com';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE1OTE2NDI2NzV9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const EXPIRES_MS = Date.UTC(2020, 5, 8, 17, 17, 55);
const SKEW_S = 300;

const saved = (over: Partial<SavedToken> = {}): string =>
  serializeSavedToken({ baseUrl: BASE_URL, accessToken: TOKEN, expires: new Date(EXPIRES_MS).toUTCString(), savedAt: new Date(EXPIRES_MS - 86_400_000).toUTCString(), ...over });

describe('runner: a saved token for EXPIRY-REJECTED', () => {
  it('EXPIRY-REJECTED: is due once .expires plus the skew has passed', () => {
    assert.deepEqual(judgeSavedToken(saved(), BASE_URL, EXPIRES_MS + SKEW_S * 1000, SKEW_S), { kind: 'due', accessToken: TOKEN });
    assert.equal(judgeSavedToken(saved(), BASE_URL, EXPIRES_MS + 86_400_000, SKEW_S).kind, 'due');
  });

  it('EXPIRY-REJECTED: is "not yet due" a millisecond before, and says when it will be', () => {
    const verdict = judgeSavedToken(saved(), BASE_URL, EXPIRES_MS + SKEW_S * 1000 - 1, SKEW_S);
    assert.equal(verdict.kind, 'not-due');
    assert.ok(verdict.kind === 'not-due');
    assert.match(verdict.reason, /not yet due/);
    assert.ok(verdict.reason.includes(`due after ${new Date(EXPIRES_MS + SKEW_S * 1000).toUTCString()}`), verdict.reason);
  });

  it('EXPIRY-REJECTED: is "not yet due" when its .expires has passed but the skew has not', () => {
    assert.equal(judgeSavedToken(saved(), BASE_URL, EXPIRES_MS + 1000, SKEW_S).kind, 'not-due');
  });

  it('is unusable for another base URL (a token of the test API proves nothing about production)', () => {
    const verdict = judgeSavedToken(saved({ baseUrl: 'https://mediroutesexternalapi-primary-test.azurewebsites.net' }), BASE_URL, EXPIRES_MS + 86_400_000, SKEW_S);
    assert.equal(verdict.kind, 'unusable');
    assert.ok(verdict.kind === 'unusable');
    assert.match(verdict.reason, /another base URL/);
  });

  for (const [what, text] of [
    ['when it is not JSON', 'not json'],
    ['when it holds no access token', saved({ accessToken: '' })],
    ['when its .expires is not an RFC 1123 date', saved({ expires: '2020-06-08T17:17:55Z' })],
  ] as const) {
    it(`is unusable ${what}, and the reason never quotes the token`, () => {
      const verdict = judgeSavedToken(text, BASE_URL, EXPIRES_MS + 86_400_000, SKEW_S);
      assert.equal(verdict.kind, 'unusable');
      assert.ok(verdict.kind === 'unusable' && !verdict.reason.includes(TOKEN));
    });
  }

  it('the not-due reason never quotes the token', () => {
    const verdict = judgeSavedToken(saved(), BASE_URL, EXPIRES_MS, SKEW_S);
    assert.ok(verdict.kind === 'not-due' && !verdict.reason.includes(TOKEN));
  });
});
