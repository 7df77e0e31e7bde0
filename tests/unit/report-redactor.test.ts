import assert from 'node:assert/strict';
import { maskToken } from '../../scripts/lib/report/mask';
import { createRedactor } from '../../scripts/lib/report/redactor';

/** Regex, URL, form, JSON and XML special characters, all in one credential. */
const PASSWORD = `p@ss+w0rd$.*?(x)|[y]{2}^\\ &=%"'`;
const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1IiwiZXhwIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLWJ5dGVz';

function xmlEscape(text: string, apos = '&apos;'): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, apos);
}

describe('redactor', () => {
  const redactor = createRedactor([PASSWORD]);

  const forms: readonly [string, string][] = [
    ['as it is', PASSWORD],
    ['encodeURIComponent', encodeURIComponent(PASSWORD)],
    ['encodeURIComponent with lower-case hex', encodeURIComponent(PASSWORD).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ['form-urlencoded (URLSearchParams, space as +)', new URLSearchParams({ p: PASSWORD }).toString().slice(2)],
    ['JSON-string-escaped', JSON.stringify(PASSWORD).slice(1, -1)],
    ['JSON with every symbol \\u-escaped (.NET JavaScriptEncoder style)', [...PASSWORD].map((c) => (/[a-z0-9]/i.test(c) ? c : `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)).join('')],
    ['XML-escaped (JUnit report)', xmlEscape(PASSWORD)],
    ['HTML-escaped with &#39;', xmlEscape(PASSWORD, '&#39;')],
  ];
  for (const [what, form] of forms) {
    it(`replaces the password ${what}`, () => {
      assert.equal(redactor.redact(`before ${form} after`), 'before [redacted] after');
    });
  }

  it('replaces the password in a form body quoted inside a JSON report', () => {
    const body = new URLSearchParams({ grant_type: 'password', username: 'u', password: PASSWORD }).toString();
    assert.equal(redactor.redact(JSON.stringify({ body })), '{"body":"grant_type=password&username=u&password=[redacted]"}');
  });

  it('replaces every occurrence, on every line', () => {
    assert.equal(redactor.redact(`${PASSWORD}\n${PASSWORD}${PASSWORD}`), '[redacted]\n[redacted][redacted]');
  });

  it('matches the secret literally, never as a regex', () => {
    for (const text of ['p@sssw0rd', 'p@ss+w0rd', 'x', 'yy', '(x)', 'ordinary text with $ . * ? | ^ \\ & = % " \'']) {
      assert.equal(redactor.redact(text), text);
    }
  });

  it('replaces any JWT-shaped string with eyJ…[redacted], known or not', () => {
    assert.equal(createRedactor().redact(`Authorization: Bearer ${JWT}`), 'Authorization: Bearer eyJ…[redacted]');
    assert.equal(createRedactor().redact(`"access_token":"${JWT}"`), '"access_token":"eyJ…[redacted]"');
    const unsigned = `${JWT.split('.').slice(0, 2).join('.')}.`;
    assert.equal(createRedactor().redact(`alg none: ${unsigned} end`), 'alg none: eyJ…[redacted] end');
  });

  it('is idempotent: redacted text stays as it is', () => {
    const once = redactor.redact(`${PASSWORD} ${JWT}`);
    assert.equal(once, '[redacted] eyJ…[redacted]');
    assert.equal(redactor.redact(once), once);
  });

  it('replaces the longest secret first, so no tail of it survives', () => {
    const r = createRedactor(['abcd', 'abcdefgh']);
    assert.equal(r.redact('xx abcdefgh yy abcd'), 'xx [redacted] yy [redacted]');
    assert.deepEqual(r.secrets(), ['abcdefgh', 'abcd']);
  });

  it('ignores secrets shorter than 4 characters and says so, without quoting them', () => {
    const r = createRedactor();
    assert.equal(r.add('abc'), false);
    assert.equal(r.add(''), false);
    assert.equal(r.redact('abc abc'), 'abc abc');
    assert.equal(r.warnings().length, 1);
    assert.match(r.warnings()[0] ?? '', /shorter than 4 characters/);
    assert.ok(!(r.warnings()[0] ?? '').includes('abc'));
    assert.deepEqual(r.secrets(), []);
  });

  it('redacts a secret added after the first use', () => {
    const r = createRedactor();
    assert.equal(r.redact('refresh=Zm9vYmFyYmF6cXV4'), 'refresh=Zm9vYmFyYmF6cXV4');
    assert.equal(r.add('Zm9vYmFyYmF6cXV4'), true);
    assert.equal(r.redact('refresh=Zm9vYmFyYmF6cXV4'), 'refresh=[redacted]');
  });

  it('finds a non-ASCII secret in its UTF-8 percent-encoded form', () => {
    const r = createRedactor(['pässwörd€']);
    assert.equal(r.redact(encodeURIComponent('pässwörd€')), '[redacted]');
    assert.equal(r.redact(JSON.stringify('pässwörd€')), '"[redacted]"');
  });

  it('shows a known secret that is itself a JWT as [redacted]', () => {
    assert.equal(createRedactor([JWT]).redact(JWT), '[redacted]');
  });
});

describe('maskToken', () => {
  it('masks a JWT as eyJ…[redacted]', () => {
    assert.equal(maskToken(JWT), 'eyJ…[redacted]');
  });

  it('masks any other string with its length only', () => {
    assert.equal(maskToken('8f14e45fceea167a5a36dedd4bea2543'), '[redacted] (32 chars)');
    assert.equal(maskToken(''), '[redacted] (0 chars)');
  });

  it('names the type of a non-string and says when the value is absent', () => {
    assert.equal(maskToken(12345), '[redacted] (number)');
    assert.equal(maskToken({ token: JWT }), '[redacted] (object)');
    assert.equal(maskToken([JWT]), '[redacted] (array)');
    assert.equal(maskToken(null), 'null');
    assert.equal(maskToken(undefined), 'undefined');
  });
});
