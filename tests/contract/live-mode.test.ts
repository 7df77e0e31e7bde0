/**
 * `npm run test:live` itself, as CI runs it: a child process against a reference server on a
 * free loopback port (real HTTP, no nock in the child), once conforming and once broken. It must
 * exit 0 only when every clause passes, name the broken clause otherwise, and print no password
 * or token either way. Few and in parallel: each child costs a second or two.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { faultByName } from '../../scripts/lib/reference/faults';
import { createReferenceApi, type ApiRequest, type ApiResponse, type ReferenceApi } from '../../scripts/lib/reference/reference-api';
import { startReferenceServer, type RunningServer } from '../../scripts/lib/reference/reference-server';
import { EXIT } from '../../scripts/lib/target/exit-codes';
import { startTokenHangingServer } from '../support/misbehaving-servers';

const ROOT = path.join(__dirname, '..', '..');

interface ChildResult {
  code: number;
  output: string;
}

/** Runs `node -r esbuild-register scripts/test-live.ts` with only the given MEDIROUTES_* settings. */
function testLive(env: Record<string, string>, args: string[] = []): Promise<ChildResult> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MEDIROUTES_')));
  return new Promise((resolve) => {
    // Asynchronous on purpose: the server answering the child lives in this process's event loop.
    execFile(process.execPath, ['-r', 'esbuild-register', 'scripts/test-live.ts', ...args], { cwd: ROOT, env: { ...inherited, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

/** A server that remembers every token it issued, so the test can look for them in the output. */
async function recordingServer(wrap?: (api: ReferenceApi) => (req: ApiRequest) => ApiResponse): Promise<{ server: RunningServer; issued: string[] }> {
  const api = createReferenceApi();
  const inner = wrap ? wrap(api) : api.handle;
  const issued: string[] = [];
  const server = await startReferenceServer({
    api,
    handle: (req) => {
      const res = inner(req);
      try {
        const body = JSON.parse(res.body) as Record<string, unknown>;
        for (const name of ['access_token', 'refresh_token']) if (typeof body[name] === 'string') issued.push(body[name] as string);
      } catch {
        // not JSON
      }
      return res;
    },
  });
  return { server, issued };
}

function envFor(server: RunningServer): Record<string, string> {
  return {
    MEDIROUTES_BASE_URL: server.url,
    MEDIROUTES_USERNAME: server.api.demoUser.username,
    MEDIROUTES_PASSWORD: server.api.demoUser.password,
    MEDIROUTES_RESOURCE_PATH: server.api.resourcePath,
    MEDIROUTES_EXPIRED_ACCESS_TOKEN: server.api.mintExpiredAccessToken(),
  };
}

function assertNoSecrets(output: string, secrets: readonly string[]): void {
  assert.ok(secrets.length > 0);
  const shown = secrets.filter((s) => output.includes(s)).length;
  assert.equal(shown, 0, `${shown} of ${secrets.length} secrets appear in the output`);
  assert.doesNotMatch(output, /eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]+/, 'no JWT in the output');
}

describe('npm run test:live (child process, reference server on loopback)', function () {
  this.timeout(60_000);
  const servers: RunningServer[] = [];
  const results = new Map<string, ChildResult & { secrets: string[] }>();

  before(async () => {
    const conforming = await recordingServer();
    const fault = faultByName('expires-in-3600');
    assert.ok(fault);
    const broken = await recordingServer((api) => fault.wrap(api));
    const skipped = await recordingServer();
    const hanging = await startTokenHangingServer();
    servers.push(conforming.server, broken.server, skipped.server, hanging.server);
    const { MEDIROUTES_EXPIRED_ACCESS_TOKEN: _none, ...withoutExpired } = envFor(skipped.server);
    const [ok, bad, skip, noCredentials, stopped] = await Promise.all([
      testLive(envFor(conforming.server)),
      testLive(envFor(broken.server)),
      testLive(withoutExpired),
      testLive({ MEDIROUTES_BASE_URL: 'https://api.mediroutes.test' }),
      testLive({ ...envFor(hanging.server), MEDIROUTES_TIMEOUT_MS: '400' }),
    ]);
    const secretsOf = (s: { server: RunningServer; issued: string[] }): string[] => [s.server.api.demoUser.password, ...s.issued];
    results.set('conforming', { ...ok, secrets: secretsOf(conforming) });
    results.set('broken', { ...bad, secrets: secretsOf(broken) });
    results.set('skipped', { ...skip, secrets: secretsOf(skipped) });
    results.set('no-credentials', { ...noCredentials, secrets: [] });
    results.set('stopped', { ...stopped, secrets: [hanging.api.demoUser.password] });
  });
  after(() => Promise.all(servers.map((s) => s.close())));

  const result = (name: string): ChildResult & { secrets: string[] } => {
    const found = results.get(name);
    assert.ok(found, `the ${name} run happened`);
    return found;
  };

  it('exits 0 against a conforming server, with one passing test per check, titled by clause', () => {
    const { code, output } = result('conforming');
    assert.equal(code, EXIT.OK, output);
    assert.match(output, /✔ TOKEN-PASSWORD-200: a valid password grant answers 200/);
    assert.match(output, /✔ EXPIRY-REJECTED: an access token past its \.expires is answered 401/);
    assert.match(output, /clauses: 23 passed, 0 failed, 0 skipped, 0 missing/);
  });

  it('prints no password and no token against a conforming server', () => {
    const { output, secrets } = result('conforming');
    assertNoSecrets(output, secrets);
  });

  it('EXPIRY-EXPIRES-IN: exits 1 against a server whose tokens live an hour, naming the broken clauses', () => {
    const { code, output } = result('broken');
    assert.equal(code, EXIT.CONTRACT_FAILED, output);
    assert.match(output, /EXPIRY-EXPIRES-IN: expires_in is exactly 86400/);
    assert.match(output, /EXPIRY-EXPIRES-IN: expected expires_in the integer 86400; saw expires_in 3600/);
    assert.match(output, /FAIL {2}EXPIRY-EXPIRES-IN/);
    assert.match(output, /test:live: not passed: EXPIRY-EXPIRES-IN failed, REFRESH-200 failed/);
  });

  it('prints no password and no token against a broken server either', () => {
    const { output, secrets } = result('broken');
    assertNoSecrets(output, secrets);
  });

  it('EXPIRY-REJECTED: without an expired token the clause is listed as skipped, and the run exits 1 (a skip is not a pass)', () => {
    const { code, output } = result('skipped');
    assert.equal(code, EXIT.CONTRACT_FAILED, output);
    assert.match(output, /- EXPIRY-REJECTED: an access token past its \.expires is answered 401 \[skipped: no expired access token/);
    assert.match(output, /test:live: not passed: EXPIRY-REJECTED skipped/);
  });

  it('exits 20 when the token endpoint stops answering: two requests time out, the rest are not sent', () => {
    const { code, output, secrets } = result('stopped');
    assert.equal(code, EXIT.TARGET_UNREACHABLE, output);
    assert.match(output, /TOKEN-PASSWORD-200: expected an answer to "Password grant"; saw POST \/token on 127\.0\.0\.1:\d+ failed: no complete response within 400 ms/);
    assert.match(output, /saw not sent: the target stopped answering \(2 requests in a row got no answer\)/);
    assert.match(output, /test:live: target unreachable: it stopped answering during the run/);
    assertNoSecrets(output, secrets);
  });

  it('refuses a base URL without credentials in one line, with the configuration exit code', () => {
    const { code, output } = result('no-credentials');
    assert.equal(code, EXIT.MISSING_CREDENTIALS);
    assert.equal(output.trim(), 'test:live: a base URL was given (MEDIROUTES_BASE_URL) but MEDIROUTES_USERNAME (or --username) and MEDIROUTES_PASSWORD (or --password-stdin) are not set');
  });
});
