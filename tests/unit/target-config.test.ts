import assert from 'node:assert/strict';
import { EXIT } from '../../scripts/lib/target/exit-codes';
import { isLoopbackHost, parseTargetConfig, TARGET_HELP, type ConfigResult, type TargetConfig } from '../../scripts/lib/target/target-config';

const PASSWORD = `p@ss+w0rd$.*?(x)|[y]{2}^\\ &=%"'`;

/** A complete live environment, so each test breaks exactly one thing. */
const LIVE_ENV: Readonly<Record<string, string>> = {
  MEDIROUTES_BASE_URL: 'https://api.mediroutes.com',
  MEDIROUTES_USERNAME: 'nightly@example.org',
  MEDIROUTES_PASSWORD: PASSWORD,
  MEDIROUTES_RESOURCE_PATH: '/v1/riders/getByRiderId',
};

function ok(result: ConfigResult): TargetConfig {
  if (result.kind !== 'ok') assert.fail(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

function expectError(result: ConfigResult, code: keyof typeof EXIT): string {
  if (result.kind !== 'error') assert.fail(`expected ${code}, got ${result.kind}`);
  assert.equal(result.code, code, result.message);
  assert.equal(result.exitCode, EXIT[code]);
  assert.ok(!result.message.includes(PASSWORD), 'the message must never contain the password');
  assert.ok(!result.message.includes('\n'), 'the message is one line');
  assert.ok(result.message.length > 20, 'the message says what to do');
  return result.message;
}

describe('target configuration', () => {
  describe('defaults', () => {
    it('targets the embedded reference server when nothing is set', () => {
      assert.deepEqual(ok(parseTargetConfig([], {})), {
        tokenPath: '/token',
        profile: 'documented',
        clockSkewSeconds: 300,
        trustLocalClock: true,
        timeoutMs: 10_000,
        budgetMs: 120_000,
        allowInsecureHttp: false,
        reportsDir: 'reports',
        allowSkips: [],
      });
    });

    it('needs no credentials or resource path without a base URL', () => {
      const config = ok(parseTargetConfig([], { MEDIROUTES_USERNAME: 'someone' }));
      assert.equal(config.baseUrl, undefined);
      assert.equal(config.username, 'someone');
      assert.equal(config.password, undefined);
    });

    it('treats an empty environment variable as unset (an undefined CI secret expands to "")', () => {
      const config = ok(parseTargetConfig([], { MEDIROUTES_BASE_URL: '', MEDIROUTES_PROFILE: '', MEDIROUTES_TIMEOUT_MS: '' }));
      assert.equal(config.baseUrl, undefined);
      assert.equal(config.profile, 'documented');
      assert.equal(config.timeoutMs, 10_000);
    });
  });

  describe('reading values', () => {
    it('reads every setting from the environment', () => {
      const config = ok(
        parseTargetConfig([], {
          ...LIVE_ENV,
          MEDIROUTES_TOKEN_PATH: '/oauth/token',
          MEDIROUTES_EXPIRED_ACCESS_TOKEN: 'eyJold.eyJold.sig',
          MEDIROUTES_NEGATIVE_USERNAME: 'nobody@example.org',
          MEDIROUTES_PROFILE: 'strict',
          MEDIROUTES_CLOCK_SKEW: '60',
          MEDIROUTES_USE_SERVER_DATE: '1',
          MEDIROUTES_TIMEOUT_MS: '5000',
          MEDIROUTES_BUDGET_MS: '60000',
          MEDIROUTES_SAVE_TOKEN_FILE: '.cache/token.json',
          MEDIROUTES_EXPIRED_TOKEN_FILE: '.cache/old-token.json',
          MEDIROUTES_ALLOW_SKIP: 'EXPIRY-REJECTED',
        }),
      );
      assert.deepEqual(config, {
        baseUrl: 'https://api.mediroutes.com',
        username: 'nightly@example.org',
        password: PASSWORD,
        tokenPath: '/oauth/token',
        resourcePath: '/v1/riders/getByRiderId',
        expiredAccessToken: 'eyJold.eyJold.sig',
        negativeUsername: 'nobody@example.org',
        profile: 'strict',
        clockSkewSeconds: 60,
        trustLocalClock: false,
        timeoutMs: 5000,
        budgetMs: 60_000,
        allowInsecureHttp: false,
        saveTokenFile: '.cache/token.json',
        expiredTokenFile: '.cache/old-token.json',
        reportsDir: 'reports',
        allowSkips: ['EXPIRY-REJECTED'],
      });
    });

    it('lets flags override the environment', () => {
      const config = ok(
        parseTargetConfig(
          ['--base-url', 'https://mediroutesexternalapi-primary-test.azurewebsites.net', '--username', 'flag-user', '--profile', 'strict', '--timeout-ms', '2500', '--resource-path', '/v1/other'],
          { ...LIVE_ENV, MEDIROUTES_PROFILE: 'documented', MEDIROUTES_TIMEOUT_MS: '9000' },
        ),
      );
      assert.equal(config.baseUrl, 'https://mediroutesexternalapi-primary-test.azurewebsites.net');
      assert.equal(config.username, 'flag-user');
      assert.equal(config.profile, 'strict');
      assert.equal(config.timeoutMs, 2500);
      assert.equal(config.resourcePath, '/v1/other');
    });

    it('accepts --flag=value as well as --flag value', () => {
      const config = ok(parseTargetConfig(['--clock-skew=42', '--budget-ms', '1000', '--reports-dir=out/reports', '--negative-username=a=b'], {}));
      assert.equal(config.clockSkewSeconds, 42);
      assert.equal(config.budgetMs, 1000);
      assert.equal(config.reportsDir, 'out/reports');
      assert.equal(config.negativeUsername, 'a=b', 'only the first = separates the value');
    });

    it('turns --use-server-date into trustLocalClock: false, and --allow-insecure-http on', () => {
      const config = ok(parseTargetConfig(['--use-server-date', '--allow-insecure-http'], {}));
      assert.equal(config.trustLocalClock, false);
      assert.equal(config.allowInsecureHttp, true);
    });

    it('normalises the base URL without a trailing slash and keeps a base path', () => {
      assert.equal(ok(parseTargetConfig(['--base-url', 'https://API.mediroutes.com/'], LIVE_ENV)).baseUrl, 'https://api.mediroutes.com');
      assert.equal(ok(parseTargetConfig(['--base-url', 'https://gw.example.org:8443/mediroutes//'], LIVE_ENV)).baseUrl, 'https://gw.example.org:8443/mediroutes');
    });

    it('reads the password from stdin with --password-stdin, dropping one trailing newline', () => {
      const env = { ...LIVE_ENV, MEDIROUTES_PASSWORD: undefined };
      const config = ok(parseTargetConfig(['--password-stdin'], env, { readStdin: () => `${PASSWORD}\n` }));
      assert.equal(config.password, PASSWORD);
    });

    it('shows help listing every flag, its variable, and the exit codes', () => {
      const result = parseTargetConfig(['--profile', 'nonsense', '--help'], {});
      assert.equal(result.kind, 'help');
      for (const text of ['--base-url', 'MEDIROUTES_BASE_URL', 'MEDIROUTES_PASSWORD', '--password-stdin', 'MEDIROUTES_EXPIRED_ACCESS_TOKEN', '--clock-skew', '--use-server-date', '--allow-insecure-http', '--save-token', '--expired-token-file', '--reports-dir', 'default: 300', 'default: 10000', 'default: /token']) {
        assert.ok(TARGET_HELP.includes(text), `help mentions ${text}`);
      }
      for (const [name, code] of Object.entries(EXIT)) assert.match(TARGET_HELP, new RegExp(`\\b${code}\\s+${name}\\b`));
    });
  });

  describe('errors', () => {
    it('USAGE: rejects an unknown flag, naming it but not its value', () => {
      const message = expectError(parseTargetConfig([`--passwrd=${PASSWORD}`], {}), 'USAGE');
      assert.match(message, /--passwrd/);
    });

    it('USAGE: refuses --password as a flag, in both spellings, without echoing it', () => {
      expectError(parseTargetConfig(['--password', PASSWORD], LIVE_ENV), 'USAGE');
      const message = expectError(parseTargetConfig([`--password=${PASSWORD}`], LIVE_ENV), 'USAGE');
      assert.match(message, /MEDIROUTES_PASSWORD/);
    });

    it('USAGE: rejects a stray positional argument without echoing it', () => {
      const message = expectError(parseTargetConfig(['--username', 'bob', PASSWORD], {}), 'USAGE');
      assert.match(message, /position 3/);
    });

    it('USAGE: reports a flag whose value is missing', () => {
      assert.match(expectError(parseTargetConfig(['--base-url'], LIVE_ENV), 'USAGE'), /--base-url needs a value/);
      assert.match(expectError(parseTargetConfig(['--base-url', '--username', 'x'], LIVE_ENV), 'USAGE'), /--base-url needs a value/);
      assert.match(expectError(parseTargetConfig(['--base-url='], LIVE_ENV), 'USAGE'), /--base-url needs a value/);
    });

    it('USAGE: rejects a value on a boolean flag', () => {
      expectError(parseTargetConfig(['--allow-insecure-http=yes'], {}), 'USAGE');
    });

    it('USAGE: refuses --password-stdin where the caller cannot read stdin', () => {
      expectError(parseTargetConfig(['--password-stdin'], {}), 'USAGE');
    });

    it('MISSING_CREDENTIALS: a live base URL without a username', () => {
      const message = expectError(parseTargetConfig([], { ...LIVE_ENV, MEDIROUTES_USERNAME: undefined }), 'MISSING_CREDENTIALS');
      assert.match(message, /MEDIROUTES_USERNAME/);
    });

    it('MISSING_CREDENTIALS: a live base URL without a password (also when stdin is empty)', () => {
      assert.match(expectError(parseTargetConfig([], { ...LIVE_ENV, MEDIROUTES_PASSWORD: '' }), 'MISSING_CREDENTIALS'), /MEDIROUTES_PASSWORD/);
      expectError(parseTargetConfig(['--password-stdin'], { ...LIVE_ENV, MEDIROUTES_PASSWORD: undefined }, { readStdin: () => '\n' }), 'MISSING_CREDENTIALS');
    });

    const malformed: readonly [string, string][] = [
      ['an unparsable URL', 'api.mediroutes.com'],
      ['a non-http scheme', 'ftp://api.mediroutes.com'],
      ['a javascript: URL', 'javascript:alert(1)'],
      ['credentials in the URL', `https://user:${encodeURIComponent(PASSWORD)}@api.mediroutes.com`],
      ['credentials in the URL, unencoded', `https://user:${PASSWORD}@api.mediroutes.com`],
      ['an empty userinfo', 'https://@api.mediroutes.com'],
      ['a query', 'https://api.mediroutes.com/?x=1'],
      ['an empty query', 'https://api.mediroutes.com/?'],
      ['a fragment', 'https://api.mediroutes.com/#x'],
    ];
    for (const [what, url] of malformed) {
      it(`MALFORMED_URL: ${what}`, () => {
        expectError(parseTargetConfig(['--base-url', url], LIVE_ENV), 'MALFORMED_URL');
      });
    }

    it('MALFORMED_URL: never echoes a URL that carries credentials', () => {
      const message = expectError(parseTargetConfig([], { ...LIVE_ENV, MEDIROUTES_BASE_URL: 'https://user:hunter22@api.mediroutes.com' }), 'MALFORMED_URL');
      assert.ok(!message.includes('hunter22'));
    });

    it('INSECURE_HTTP: plain http to a non-loopback host', () => {
      const message = expectError(parseTargetConfig(['--base-url', 'http://api.mediroutes.com'], LIVE_ENV), 'INSECURE_HTTP');
      assert.match(message, /--allow-insecure-http/);
    });

    it('INSECURE_HTTP: 127.0.0.1.nip.io-style names are not loopback', () => {
      expectError(parseTargetConfig(['--base-url', 'http://127.0.0.1.example.com'], LIVE_ENV), 'INSECURE_HTTP');
      expectError(parseTargetConfig(['--base-url', 'http://localhost.example.com'], LIVE_ENV), 'INSECURE_HTTP');
    });

    it('allows plain http to a non-loopback host with --allow-insecure-http', () => {
      assert.equal(ok(parseTargetConfig(['--base-url', 'http://10.0.0.5:8080', '--allow-insecure-http'], LIVE_ENV)).baseUrl, 'http://10.0.0.5:8080');
    });

    it('UNKNOWN_PROFILE: a profile that does not exist', () => {
      const message = expectError(parseTargetConfig([], { MEDIROUTES_PROFILE: 'Strict' }), 'UNKNOWN_PROFILE');
      assert.match(message, /documented or strict/);
    });

    it("BAD_RESOURCE_PATH: a resource path not starting with a single '/'", () => {
      expectError(parseTargetConfig(['--resource-path', 'v1/riders'], LIVE_ENV), 'BAD_RESOURCE_PATH');
      expectError(parseTargetConfig(['--resource-path', '//evil.example/v1'], LIVE_ENV), 'BAD_RESOURCE_PATH');
      expectError(parseTargetConfig([], { MEDIROUTES_RESOURCE_PATH: '/v1/a b' }), 'BAD_RESOURCE_PATH');
    });

    it('accepts a resource path with a query string', () => {
      assert.equal(ok(parseTargetConfig(['--resource-path', '/v1/riders/getByRiderId?riderId=1'], LIVE_ENV)).resourcePath, '/v1/riders/getByRiderId?riderId=1');
    });

    it("BAD_TOKEN_PATH: a token path not starting with '/'", () => {
      expectError(parseTargetConfig(['--token-path', 'token'], {}), 'BAD_TOKEN_PATH');
    });

    it('MISSING_RESOURCE_PATH: a live base URL without a resource path', () => {
      expectError(parseTargetConfig([], { ...LIVE_ENV, MEDIROUTES_RESOURCE_PATH: undefined }), 'MISSING_RESOURCE_PATH');
    });

    const badNumbers: readonly [string, string][] = [
      ['--timeout-ms', 'ten'],
      ['--timeout-ms', '-1'],
      ['--timeout-ms', '0'],
      ['--timeout-ms', '1.5'],
      ['--timeout-ms', '1e3'],
      ['--timeout-ms', '0x10'],
      ['--timeout-ms', '99999999999'],
      ['--budget-ms', 'soon'],
      ['--clock-skew', '-5'],
      ['--clock-skew', '86401'],
    ];
    for (const [flag, value] of badNumbers) {
      it(`BAD_NUMBER: ${flag} ${value}`, () => {
        const message = expectError(parseTargetConfig([`${flag}=${value}`], {}), 'BAD_NUMBER');
        assert.match(message, new RegExp(flag));
      });
    }

    it('BAD_NUMBER: names the environment variable when the value came from there', () => {
      assert.match(expectError(parseTargetConfig([], { MEDIROUTES_CLOCK_SKEW: 'five' }), 'BAD_NUMBER'), /MEDIROUTES_CLOCK_SKEW/);
    });

    it('accepts a clock skew of 0', () => {
      assert.equal(ok(parseTargetConfig(['--clock-skew', '0'], {})).clockSkewSeconds, 0);
    });

    it('BAD_BOOLEAN: MEDIROUTES_USE_SERVER_DATE that is not a yes/no word', () => {
      expectError(parseTargetConfig([], { MEDIROUTES_USE_SERVER_DATE: 'maybe' }), 'BAD_BOOLEAN');
      assert.equal(ok(parseTargetConfig([], { MEDIROUTES_USE_SERVER_DATE: '0' })).trustLocalClock, true);
      assert.equal(ok(parseTargetConfig([], { MEDIROUTES_USE_SERVER_DATE: 'TRUE' })).trustLocalClock, false);
    });

    it('UNSAFE_TOKEN_FILE: a token file inside the reports directory', () => {
      expectError(parseTargetConfig(['--save-token', 'reports/token.json'], {}), 'UNSAFE_TOKEN_FILE');
      expectError(parseTargetConfig(['--reports-dir', 'out', '--expired-token-file', './out/sub/../token.json'], {}), 'UNSAFE_TOKEN_FILE');
      assert.equal(ok(parseTargetConfig(['--save-token', 'reports-cache/token.json'], {})).saveTokenFile, 'reports-cache/token.json');
    });

    it('never quotes the password even when it is also typed as a flag value elsewhere', () => {
      const result = parseTargetConfig(['--profile', PASSWORD], LIVE_ENV);
      expectError(result, 'UNKNOWN_PROFILE');
    });
  });

  describe('loopback detection', () => {
    const loopbackUrls = ['http://127.0.0.1:5080', 'http://127.255.0.9', 'http://[::1]:1', 'http://localhost', 'http://LOCALHOST:3000/api', 'http://[0:0:0:0:0:0:0:1]', 'http://[::ffff:127.0.0.1]'];
    for (const url of loopbackUrls) {
      it(`accepts plain http to ${url}`, () => {
        const config = ok(parseTargetConfig(['--base-url', url], LIVE_ENV));
        assert.equal(config.allowInsecureHttp, false);
        assert.ok(config.baseUrl?.startsWith('http://'));
      });
    }

    it('accepts https to any host', () => {
      assert.equal(ok(parseTargetConfig([], LIVE_ENV)).baseUrl, 'https://api.mediroutes.com');
    });

    it('isLoopbackHost knows 127.0.0.0/8, ::1 and localhost, and nothing else', () => {
      for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', 'localhost', 'localhost.', 'LocalHost', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
        assert.equal(isLoopbackHost(host), true, host);
      }
      for (const host of ['128.0.0.1', '126.255.255.255', '127.0.0.256', '10.0.0.1', '0.0.0.0', '::', '::2', '::ffff:10.0.0.1', 'foo.localhost', 'localhost.example.com', '127.0.0.1.example.com', '', 'api.mediroutes.com', '1::1::1']) {
        assert.equal(isLoopbackHost(host), false, host);
      }
    });
  });
});
