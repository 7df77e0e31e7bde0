/** The sandbox-compatible building blocks the clause checks stand on. */
import { strict as assert } from 'node:assert';
import { base64UrlDecode, base64UrlEncode } from '../../scripts/lib/contract/base64url';
import { describeValue, maskJwts } from '../../scripts/lib/contract/describe-value';
import { maskToken } from '../../scripts/lib/report/mask';
import { algNoneToken, decodeJwt, tamperSignature } from '../../scripts/lib/contract/jwt';
import { recordSent, retryAfterMs, throttleDelay } from '../../scripts/lib/contract/throttle';

const JWT = `${base64UrlEncode('{"alg":"HS256","typ":"JWT"}')}.${base64UrlEncode('{"sub":"x","exp":1700000000,"name":"Zoë"}')}.c2lnbmF0dXJl`;

describe('unit: base64url', () => {
  it('round-trips UTF-8 text without padding', () => {
    for (const text of ['', 'a', 'ab', 'abc', '{"name":"Zoë ✓"}']) {
      const encoded = base64UrlEncode(text);
      assert.ok(/^[A-Za-z0-9_-]*$/.test(encoded));
      assert.equal(base64UrlDecode(encoded), text);
    }
  });

  it('rejects characters outside base64url and impossible lengths', () => {
    assert.equal(base64UrlDecode('ab+c'), undefined);
    assert.equal(base64UrlDecode('a'), undefined);
  });
});

describe('unit: JWT decoding and derived tokens', () => {
  it('decodes header and claims of a compact JWS', () => {
    const jwt = decodeJwt(JWT);
    assert.ok(jwt.ok);
    assert.equal(jwt.header.alg, 'HS256');
    assert.equal(jwt.claims.name, 'Zoë');
  });

  it('says why a value is not a JWT', () => {
    assert.deepEqual(decodeJwt('a.b'), { ok: false, reason: '2 dot-separated segments, not 3' });
    assert.equal(decodeJwt(42).ok, false);
    assert.equal(decodeJwt(`${base64UrlEncode('[1]')}.${base64UrlEncode('{}')}.x`).ok, false);
  });

  it('tampers only the signature', () => {
    const tampered = tamperSignature(JWT);
    assert.notEqual(tampered, JWT);
    assert.equal(tampered.split('.').slice(0, 2).join('.'), JWT.split('.').slice(0, 2).join('.'));
  });

  it('re-encodes the same claims unsigned with alg none', () => {
    const none = algNoneToken(JWT);
    assert.ok(none.endsWith('.'));
    const decoded = decodeJwt(none);
    assert.ok(decoded.ok);
    assert.equal(decoded.header.alg, 'none');
    assert.deepEqual(decoded.claims, (decodeJwt(JWT) as { claims: unknown }).claims);
  });
});

describe('unit: secret-free rendering', () => {
  it('masks tokens, showing their kind and length only', () => {
    assert.equal(maskToken(JWT), 'eyJ…[redacted]');
    assert.equal(maskToken('opaque-refresh'), '[redacted] (14 chars)');
  });

  it('masks JWTs inside free text and truncates long values', () => {
    assert.ok(!describeValue({ token: JWT }).includes(JWT.split('.')[1]!));
    assert.equal(maskJwts(`bad ${JWT} here`), 'bad eyJ…[redacted] here');
    assert.ok(describeValue('x'.repeat(500)).endsWith('(502 chars)'));
  });
});

describe('unit: token rate limit and Retry-After', () => {
  it('lets 8 requests through in one second and makes the 9th wait for the window', () => {
    let sent: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      assert.equal(throttleDelay(sent, 1000 + i), 0);
      sent = recordSent(sent, 1000 + i);
    }
    assert.equal(throttleDelay(sent, 1008), 992);
    assert.equal(throttleDelay(sent, 2000), 0);
  });

  it('reads Retry-After as seconds or an HTTP date, capped, defaulting to 1 s', () => {
    assert.equal(retryAfterMs('2', 0), 2000);
    assert.equal(retryAfterMs('3600', 0), 10000);
    assert.equal(retryAfterMs(undefined, 0), 1000);
    assert.equal(retryAfterMs('soon', 0), 1000);
    assert.equal(retryAfterMs(new Date(5000).toUTCString(), 2000), 3000);
  });
});
