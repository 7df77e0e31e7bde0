/**
 * `npm run contract` as the nightly job runs it: a child process, configured through the
 * environment and flags. What is under test is what only the process shows: its output, its
 * exit code and the files it leaves behind.
 * - Secrets never leave: with a password full of regex and URL special characters, neither
 *   stdout, stderr nor any report file holds the password (in any encoding the scanner knows),
 *   any token the server issued (recorded on the server side), or any un-redacted JWT.
 * - The scan catches a leak: a token planted in the reports directory exits 21, unprinted.
 * - An internal error prints one redacted line.
 * - Configuration errors: one line on stderr, their own exit code, and no request sent.
 * - --save-token writes a mode 0600 file.
 * The children run at once in one before(): each is mostly start-up and waiting.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createScanner, tokenDigest } from '../../scripts/lib/report/artifact-scan';
import { createReferenceApi } from '../../scripts/lib/reference/reference-api';
import { pathOf } from '../../scripts/lib/reference/api-request';
import { serializeSavedToken } from '../../scripts/lib/runner/saved-token';
import { EXIT } from '../../scripts/lib/target/exit-codes';
import { ROOT } from '../support/contract-harness';
import { closedPortUrl, startHttpServer, startWrappedReference, type MisbehavingServer, type WrappedReference } from '../support/misbehaving-servers';

const PASSWORD = `p@ss+w0rd$.*?(x)|[y]{2}^\\ &=%"'`;
const USERNAME = 'contract.user@mediroutes.example';
const RESOURCE_PATH = '/v1/riders/getByRiderId';

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** scripts/contract.ts in a child process, with only the MEDIROUTES_* variables given here. */
function contract(args: readonly string[], env: Record<string, string> = {}): Promise<ChildResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MEDIROUTES_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'esbuild-register', 'scripts/contract.ts', ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    // A hang is a failure of its own, not a mocha timeout with a child left behind.
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function liveEnv(baseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { MEDIROUTES_BASE_URL: baseUrl, MEDIROUTES_USERNAME: USERNAME, MEDIROUTES_PASSWORD: PASSWORD, MEDIROUTES_RESOURCE_PATH: RESOURCE_PATH, ...extra };
}

const QUICK = ['--timeout-ms', '3000', '--budget-ms', '20000'];

describe('e2e: npm run contract as a process', function () {
  this.timeout(60_000);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediroutes-runner-cli-'));
  const results = new Map<string, ChildResult>();
  let target: WrappedReference;
  let counter: MisbehavingServer;
  let expiredToken = '';
  let plantedToken = '';

  const dir = (...parts: string[]): string => path.join(work, ...parts);

  before(async () => {
    const api = createReferenceApi({ users: [{ username: USERNAME, password: PASSWORD }] });
    target = await startWrappedReference({ api });
    expiredToken = api.mintExpiredAccessToken();
    // Answers 200 to anything, and counts: a configuration error must leave it at zero.
    counter = await startHttpServer((_req, res) => res.end('{}'));
    const closedPort = new URL(await closedPortUrl()).port;

    plantedToken = createReferenceApi().mintExpiredAccessToken();
    fs.mkdirSync(dir('leak-reports'), { recursive: true });
    fs.writeFileSync(dir('leak-reports', 'notes.txt'), `token used while debugging: ${plantedToken}\n`);
    fs.writeFileSync(dir('a-file'), 'not a directory\n');
    // As the nightly job runs it: last night's token file to prove EXPIRY-REJECTED with, and a
    // file to save tonight's token in (here left world-readable by something else before).
    fs.mkdirSync(dir('private'));
    const expiredAt = Date.now() - 3600 * 1000;
    fs.writeFileSync(
      dir('private', 'old-token.json'),
      serializeSavedToken({ baseUrl: target.server.url, accessToken: expiredToken, expires: new Date(expiredAt).toUTCString(), savedAt: new Date(expiredAt - 86_400_000).toUTCString() }),
      { mode: 0o600 },
    );
    fs.writeFileSync(dir('private', 'token.json'), '{}\n', { mode: 0o644 });

    const children: Record<string, () => Promise<ChildResult>> = {
      secrets: () =>
        contract(
          ['--profile', 'strict', '--reports-dir', dir('reports'), '--save-token', dir('private', 'token.json'), '--expired-token-file', dir('private', 'old-token.json'), ...QUICK],
          liveEnv(target.server.url),
        ),
      leak: () => contract(['--reports-dir', dir('leak-reports'), ...QUICK]),
      internal: () => contract(['--reports-dir', dir('a-file', PASSWORD)], { MEDIROUTES_PASSWORD: PASSWORD }),

      MISSING_CREDENTIALS: () => contract(QUICK, { ...liveEnv(counter.url), MEDIROUTES_PASSWORD: '' }),
      MALFORMED_URL: () => contract(QUICK, liveEnv(`not a url ${counter.url}`)),
      INSECURE_HTTP: () => contract(QUICK, liveEnv(`http://0.0.0.0:${counter.port}`)),
      'INSECURE_HTTP lifted': () => contract(['--allow-insecure-http', '--reports-dir', dir('lifted-reports'), ...QUICK], liveEnv(`http://0.0.0.0:${closedPort}`)),
      UNKNOWN_PROFILE: () => contract(['--profile', 'lenient', ...QUICK], liveEnv(counter.url)),
      BAD_RESOURCE_PATH: () => contract(QUICK, liveEnv(counter.url, { MEDIROUTES_RESOURCE_PATH: 'v1/riders/getByRiderId' })),
      MISSING_BASE_URL: () => contract(['--require-base-url', ...QUICK], { ...liveEnv(''), MEDIROUTES_BASE_URL: '' }),
      USAGE: () => contract(['--allow-skip', 'EXPIRY-REJECTD', ...QUICK], liveEnv(counter.url)),
      UNSAFE_TOKEN_FILE: () => contract(['--reports-dir', dir('r'), '--save-token', dir('r', 'token.json'), ...QUICK], liveEnv(counter.url)),
    };
    const done = await Promise.all(Object.entries(children).map(async ([name, run]) => [name, await run()] as const));
    for (const [name, result] of done) results.set(name, result);
  });

  after(async () => {
    await Promise.all([target?.server.close(), counter?.close()]);
    fs.rmSync(work, { recursive: true, force: true });
  });

  const result = (name: string): ChildResult => {
    const r = results.get(name);
    assert.ok(r, `the ${name} child ran`);
    return r;
  };

  describe('secrets never leave', () => {
    /** Every token the target issued, as the server sent them, and the expired one it was given. */
    const issuedTokens = (): string[] => {
      const tokens = new Set<string>([expiredToken]);
      for (const e of target.tokenExchanges()) {
        try {
          const body = JSON.parse(e.response?.body ?? '') as Record<string, unknown>;
          for (const name of ['access_token', 'refresh_token']) if (typeof body[name] === 'string') tokens.add(body[name]);
        } catch {
          // an error answer: nothing issued
        }
      }
      return [...tokens];
    };

    it('passes against the conforming target with the special-character password (exit 0)', () => {
      const r = result('secrets');
      assert.equal(r.code, EXIT.OK, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /files scanned: no secrets/);
      assert.ok(issuedTokens().length >= 5, 'the run saw tokens: the check below is not vacuous');
    });

    it('no password (in any encoding), issued token or un-redacted JWT in stdout, stderr or any report file', () => {
      const r = result('secrets');
      const tokens = issuedTokens();
      const scan = createScanner([PASSWORD, ...tokens], new Set(tokens.map(tokenDigest)));
      const texts: Array<[string, string]> = [
        ['stdout', r.stdout],
        ['stderr', r.stderr],
        ...filesUnder(dir('reports')).map((f): [string, string] => [f, fs.readFileSync(f, 'utf8')]),
      ];
      assert.ok(texts.length >= 5, 'stdout, stderr, junit.xml, report.html and the digest file');
      for (const [name, text] of texts) {
        assert.deepEqual(scan(name, text), [], `${name} carries a secret`);
        assert.ok(!text.includes(PASSWORD), `${name} carries the password verbatim`);
      }
    });

    it('EXPIRY-REJECTED: --expired-token-file hands the run the saved token, which the target refuses', () => {
      assert.match(result('secrets').stdout, /PASS {2}EXPIRY-REJECTED /);
      const presented = target.exchanges().filter((e) => pathOf(e.req) === RESOURCE_PATH && e.req.headers.authorization === `Bearer ${expiredToken}`);
      assert.deepEqual(presented.map((e) => e.response?.status), [401]);
    });

    it('--save-token: the token file is mode 0600 (even over a world-readable one), holds the last issued token, and is never printed', () => {
      const file = dir('private', 'token.json');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { baseUrl: string; accessToken: string; expires: string };
      assert.equal(saved.baseUrl, target.server.url);
      assert.ok(issuedTokens().includes(saved.accessToken));
      assert.match(saved.expires, /GMT$/);
      assert.ok(!result('secrets').stdout.includes(saved.accessToken));
      assert.match(result('secrets').stdout, /saved the access token to .*token\.json \(mode 0600\)/);
    });

    it('SECRET_LEAK: a token planted in the reports directory exits 21, naming the file and line, never the token', () => {
      const r = result('leak');
      assert.equal(r.code, EXIT.SECRET_LEAK, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, /secret found: .*notes\.txt:1: JWT-shaped string/);
      assert.match(r.stderr, /do not publish, upload or commit these files/);
      assert.ok(!`${r.stdout}${r.stderr}`.includes(plantedToken));
      assert.ok(!`${r.stdout}${r.stderr}`.includes(plantedToken.split('.')[1] as string), 'not even its payload');
    });

    it('INTERNAL: an internal error prints one line with the password redacted, and no stack', () => {
      const r = result('internal');
      assert.equal(r.code, EXIT.INTERNAL, `${r.stdout}\n${r.stderr}`);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] as string, /^contract: internal error: ENOTDIR: .*\[redacted\]/);
      assert.ok(!r.stderr.includes(PASSWORD));
    });
  });

  describe('a target that does not answer', () => {
    it('TARGET_UNREACHABLE: one line on stderr, nothing on stdout, no stack trace', () => {
      // The --allow-insecure-http run below: http:// to 0.0.0.0, where nothing listens.
      const r = result('INSECURE_HTTP lifted');
      assert.equal(r.code, EXIT.TARGET_UNREACHABLE);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^contract: target unreachable: GET \/v1\/riders\/getByRiderId on 0\.0\.0\.0:\d+ failed: connection refused: nothing is listening there \(ECONNREFUSED\)\n$/);
    });
  });

  describe('configuration errors: one line on stderr, their exit code, no request sent', () => {
    const cases: Array<[keyof typeof EXIT, RegExp]> = [
      ['MISSING_CREDENTIALS', /MEDIROUTES_PASSWORD/],
      ['MALFORMED_URL', /not an absolute URL/],
      ['INSECURE_HTTP', /plain http:\/\/ to 0\.0\.0\.0/],
      ['UNKNOWN_PROFILE', /unknown profile "lenient"/],
      ['BAD_RESOURCE_PATH', /must start with '\/'/],
      ['MISSING_BASE_URL', /no base URL is/],
      ['USAGE', /unknown clause "EXPIRY-REJECTD"/],
      ['UNSAFE_TOKEN_FILE', /inside the reports directory/],
    ];
    for (const [name, pattern] of cases) {
      it(`${name}: exits ${EXIT[name]} with one line`, () => {
        const r = result(name);
        assert.equal(r.code, EXIT[name], r.stderr);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /^contract: [^\n]+\n$/);
        assert.match(r.stderr, pattern);
        assert.ok(!r.stderr.includes(PASSWORD));
      });
    }

    it('none of them sent a request', () => {
      assert.equal(counter.hits(), 0);
    });

    it('--allow-insecure-http lifts INSECURE_HTTP: the same kind of host is then tried (here: refused, exit 20)', () => {
      const r = result('INSECURE_HTTP lifted');
      assert.equal(r.code, EXIT.TARGET_UNREACHABLE, r.stderr);
      assert.match(r.stderr, /0\.0\.0\.0:\d+ failed: connection refused/);
    });
  });
});
