import assert from 'node:assert/strict';
import { scanText, tokenDigest, type Finding } from '../../scripts/lib/report/artifact-scan';
import { createRedactor } from '../../scripts/lib/report/redactor';
import { describeFinding, scanFiles } from '../../scripts/lib/report/scan-files';
import { formatTokenDigestFile, parseTokenDigestFile } from '../../scripts/lib/report/token-digest-file';

const PASSWORD = `p@ss+w0rd$.*?(x)|[y]{2}^\\ &=%"'`;
const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1IiwiZXhwIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLWJ5dGVz';
/** An opaque refresh token: no shape to find it by, only its digest. */
const REFRESH = 'Q2hhbmdlTWVJbkEtUmVmcmVzaC1Ub2tlbi8rPQ==';

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A JUnit report with one value planted on line 5. */
function junit(planted: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites name="MediRoutes contract" tests="2" failures="1">',
    '  <testsuite name="Password grant" tests="2" failures="1">',
    '    <testcase name="TOKEN-PASSWORD-200: answers 200" time="0.120"/>',
    `    <testcase name="TOKEN-BAD-PASSWORD-401: answers 401"><failure message="request body was ${planted}"/></testcase>`,
    '  </testsuite>',
    '</testsuites>',
  ].join('\n');
}

const kinds = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.kind}@${f.line}`);

describe('artifact scan', () => {
  it('finds the password planted in a JUnit XML file, XML-escaped as the reporter writes it', () => {
    const findings = scanText('reports/junit.xml', junit(xmlEscape(`password=${PASSWORD}`)), [PASSWORD]);
    assert.deepEqual(findings, [{ file: 'reports/junit.xml', kind: 'secret', line: 5 }]);
  });

  it('finds the password form-encoded, URL-encoded and JSON-escaped', () => {
    const forms = [new URLSearchParams({ password: PASSWORD }).toString(), encodeURIComponent(PASSWORD), JSON.stringify({ password: PASSWORD })];
    for (const form of forms) assert.deepEqual(kinds(scanText('r.json', `{}\n${form}\n`, [PASSWORD])), ['secret@2'], form);
  });

  it('finds a planted JWT that nobody declared', () => {
    assert.deepEqual(kinds(scanText('reports/run.html', `<td>Authorization</td>\n<td>Bearer ${JWT}</td>`, [])), ['jwt@2']);
  });

  it('finds an unsigned (alg none) JWT with an empty signature', () => {
    const unsigned = `${JWT.split('.').slice(0, 2).join('.')}.`;
    assert.deepEqual(kinds(scanText('x.txt', `token ${unsigned}`, [])), ['jwt@1']);
  });

  it('finds a planted opaque token through its digest only, in the contexts a report writes it', () => {
    const digests = new Set([tokenDigest(REFRESH)]);
    const contexts = [
      `"refresh_token": "${REFRESH}"`,
      `grant_type=refresh_token&refresh_token=${REFRESH}&x=1`,
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(REFRESH)}`,
      `refresh_token=${REFRESH}`,
      `the token was ${REFRESH}.`,
      `<value>${REFRESH}</value>`,
      `"refresh":"${REFRESH.replace(/\//g, '\\/')}"`,
    ];
    for (const line of contexts) assert.deepEqual(kinds(scanText('r.xml', `a\n${line}`, [], digests)), ['token-digest@2'], line);
  });

  it('accepts digests in upper-case hex', () => {
    assert.deepEqual(kinds(scanText('r', REFRESH, [], new Set([tokenDigest(REFRESH).toUpperCase()]))), ['token-digest@1']);
  });

  it('reports each kind once per line, and every line it occurs on', () => {
    const text = `${JWT} ${JWT}\nclean\n${PASSWORD}`;
    assert.deepEqual(kinds(scanText('r', text, [PASSWORD])), ['jwt@1', 'secret@3']);
  });

  it('finds nothing in clean text', () => {
    const clean = junit('grant_type=password&amp;username=nightly%40example.org&amp;password=[redacted]');
    assert.deepEqual(scanText('reports/junit.xml', clean, [PASSWORD], new Set([tokenDigest(REFRESH)])), []);
  });

  it('finds nothing in already-redacted text', () => {
    const redactor = createRedactor([PASSWORD, REFRESH]);
    const leaked = `Bearer ${JWT}\npassword=${encodeURIComponent(PASSWORD)}\nrefresh_token=${REFRESH}\nalso eyJ…[redacted] and [redacted] (32 chars)`;
    const redacted = redactor.redact(leaked);
    assert.deepEqual(scanText('r', redacted, [PASSWORD], new Set([tokenDigest(REFRESH)])), []);
    assert.equal(kinds(scanText('r', leaked, [PASSWORD], new Set([tokenDigest(REFRESH)]))).length, 3, 'the same text before redaction is caught');
  });

  it('does not alarm on base64 blobs, hex digests or the word eyJ alone', () => {
    const text = [
      'data:font/woff2;base64,d09GMgABAAAAAGx0ABIAAAAA4pAAAGwNAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAP0ZGVE0cGmQ',
      tokenDigest('something else'),
      'the header starts eyJ (that is {" in base64url), e.g. eyJ..',
    ].join('\n');
    assert.deepEqual(scanText('r.html', text, [PASSWORD], new Set([tokenDigest(REFRESH)])), []);
  });

  it('skips secrets shorter than 4 characters rather than flag every line', () => {
    assert.deepEqual(scanText('r', 'abc abc abc', ['abc']), []);
  });

  it('never puts the secret in a finding or its description', () => {
    const [finding] = scanText('reports/junit.xml', junit(PASSWORD), [PASSWORD]);
    assert.ok(finding);
    const described = describeFinding(finding);
    assert.equal(described, 'reports/junit.xml:5: known secret (a configured credential, possibly encoded)');
    assert.ok(!JSON.stringify(finding).includes(PASSWORD));
    assert.equal(describeFinding({ file: 'reports/x.xml', kind: 'jwt', line: 12 }), 'reports/x.xml:12: JWT-shaped string');
  });

  it('scans many files with one set of secrets and counts them', () => {
    const summary = scanFiles(
      [
        { path: 'reports/a.xml', content: 'clean' },
        { path: 'reports/b.html', content: `x\ny\n${JWT}` },
      ],
      [PASSWORD],
    );
    assert.equal(summary.files, 2);
    assert.deepEqual(summary.findings, [{ file: 'reports/b.html', kind: 'jwt', line: 3 }]);
  });

  describe('token digest file', () => {
    it('round-trips sorted, deduplicated, lower-case digests', () => {
      const a = tokenDigest('a-token-of-sixteen+');
      const b = tokenDigest('another-token-xyz');
      const text = formatTokenDigestFile([b, a.toUpperCase(), a]);
      assert.equal(text, `${JSON.stringify([a, b].sort(), null, 2)}\n`);
      const parsed = parseTokenDigestFile(text);
      assert.ok(parsed.ok);
      assert.deepEqual([...parsed.digests].sort(), [a, b].sort());
    });

    it('rejects anything but an array of sha256 hex strings', () => {
      for (const text of ['', '{}', '["abc"]', `["${'g'.repeat(64)}"]`, '[1]']) assert.equal(parseTokenDigestFile(text).ok, false, text);
    });
  });
});
