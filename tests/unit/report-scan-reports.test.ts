import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tokenDigest } from '../../scripts/lib/report/artifact-scan';
import { formatTokenDigestFile } from '../../scripts/lib/report/token-digest-file';
import { EXIT } from '../../scripts/lib/target/exit-codes';

const ROOT = path.join(__dirname, '..', '..');
const PASSWORD = `p@ss+w0rd$.*?(x)|[y]{2}^\\ &=%"'`;
const REFRESH = 'Q2hhbmdlTWVJbkEtUmVmcmVzaC1Ub2tlbi8rPQ==';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real entry point, as CI runs it, with a controlled environment. */
function scanReports(args: string[], env: Record<string, string> = {}): Run {
  const result = spawnSync(process.execPath, ['-r', 'esbuild-register', 'scripts/scan-reports.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scan-reports (child process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-reports-'));
    fs.mkdirSync(path.join(dir, 'html'));
    fs.writeFileSync(path.join(dir, 'html', 'report.html'), '<html><body>TOKEN-PASSWORD-200 passed; token eyJ…[redacted]</body></html>\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 21 on a planted password, naming file and line but never the password', () => {
    const escaped = PASSWORD.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
    fs.writeFileSync(path.join(dir, 'junit.xml'), `<?xml version="1.0"?>\n<testsuites>\n<failure message="body password=${escaped}"/>\n</testsuites>\n`);
    const run = scanReports([dir], { MEDIROUTES_PASSWORD: PASSWORD });
    assert.equal(run.status, EXIT.SECRET_LEAK, run.stderr);
    assert.equal(run.stdout.trim(), `${path.join(dir, 'junit.xml')}:3: known secret (a configured credential, possibly encoded)`);
    for (const form of [PASSWORD, escaped, encodeURIComponent(PASSWORD)]) {
      assert.ok(!run.stdout.includes(form) && !run.stderr.includes(form), 'the output never quotes the secret');
    }
  });

  it('finds an opaque token by the digest recorded in .token-digests.json', () => {
    fs.writeFileSync(path.join(dir, '.token-digests.json'), formatTokenDigestFile([tokenDigest(REFRESH)]));
    fs.writeFileSync(path.join(dir, 'html', 'env.json'), `{\n  "refresh_token": "${REFRESH}"\n}\n`);
    const run = scanReports([dir]);
    assert.equal(run.status, EXIT.SECRET_LEAK);
    assert.match(run.stdout, /html\/env\.json:2: a token seen during the run/);
    assert.ok(!run.stdout.includes(REFRESH) && !run.stderr.includes(REFRESH));
  });

  it('finds a token by a digest recorded in a run directory below the one scanned (reports/<profile>/)', () => {
    fs.mkdirSync(path.join(dir, 'strict'));
    fs.writeFileSync(path.join(dir, 'strict', '.token-digests.json'), formatTokenDigestFile([tokenDigest(REFRESH)]));
    fs.writeFileSync(path.join(dir, 'strict', 'junit.xml'), `<x>${REFRESH}</x>\n`);
    const run = scanReports([dir]);
    assert.equal(run.status, EXIT.SECRET_LEAK, run.stderr);
    assert.ok(!run.stdout.includes(REFRESH) && !run.stderr.includes(REFRESH));
  });

  it('exits 0 and says so for clean reports', () => {
    const run = scanReports([dir], { MEDIROUTES_PASSWORD: PASSWORD });
    assert.equal(run.status, EXIT.OK, run.stderr);
    assert.equal(run.stdout.trim(), 'scan-reports: 1 file, no secrets found');
  });

  it('exits 2 with one clear line for a missing directory', () => {
    const missing = path.join(dir, 'nope');
    const run = scanReports([missing]);
    assert.equal(run.status, EXIT.USAGE);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /is not a directory/);
  });

  it('warns that a too-short password is not searched for, without printing it', () => {
    const run = scanReports([dir], { MEDIROUTES_PASSWORD: 'q7!' });
    assert.equal(run.status, EXIT.OK);
    assert.match(run.stderr, /MEDIROUTES_PASSWORD is shorter than 4 characters/);
    assert.ok(!run.stderr.includes('q7!'));
  });

  it('skips a file over 50 MB with a warning, and does not follow symbolic links', () => {
    const big = path.join(dir, 'core.dump');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 51 * 1024 * 1024); // sparse: no 51 MB written to the disk
    fs.writeFileSync(path.join(os.tmpdir(), `outside-${path.basename(dir)}.txt`), PASSWORD);
    fs.symlinkSync(path.join(os.tmpdir(), `outside-${path.basename(dir)}.txt`), path.join(dir, 'link.txt'));
    try {
      const run = scanReports([dir], { MEDIROUTES_PASSWORD: PASSWORD });
      assert.equal(run.status, EXIT.OK, run.stdout);
      assert.match(run.stderr, /core\.dump: skipped, 53477376 bytes is over the 52428800-byte limit/);
      assert.match(run.stderr, /link\.txt: symbolic link not followed/);
    } finally {
      fs.rmSync(path.join(os.tmpdir(), `outside-${path.basename(dir)}.txt`), { force: true });
    }
  });

  it('refuses a damaged digest file rather than scan without it', () => {
    fs.writeFileSync(path.join(dir, '.token-digests.json'), '{"not":"an array"}');
    const run = scanReports([dir]);
    assert.equal(run.status, EXIT.INTERNAL);
    assert.match(run.stderr, /token-digests\.json: not a JSON array/);
  });
});
