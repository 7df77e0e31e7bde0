/**
 * The runner's own settings in the target configuration: --allow-skip (which skipped clauses do
 * not fail a run) and --require-base-url (a scheduled live run whose base-URL variable is missing
 * must fail, not quietly test the embedded reference server and go green).
 */
import assert from 'node:assert/strict';
import { EXIT } from '../../scripts/lib/target/exit-codes';
import { parseTargetConfig, TARGET_HELP, type ConfigResult, type TargetConfig } from '../../scripts/lib/target/target-config';

function ok(result: ConfigResult): TargetConfig {
  if (result.kind !== 'ok') assert.fail(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

function error(result: ConfigResult): { code: string; exitCode: number; message: string } {
  if (result.kind !== 'error') assert.fail(`expected an error, got ${result.kind}`);
  assert.ok(!result.message.includes('\n'), 'one line');
  return result;
}

describe('runner configuration', () => {
  describe('--allow-skip', () => {
    it('is empty by default', () => {
      assert.deepEqual(ok(parseTargetConfig([], {})).allowSkips, []);
    });

    it('takes a comma-separated list, from the flag or MEDIROUTES_ALLOW_SKIP', () => {
      assert.deepEqual(ok(parseTargetConfig(['--allow-skip', 'EXPIRY-REJECTED,REFRESH-200'], {})).allowSkips, ['EXPIRY-REJECTED', 'REFRESH-200']);
      assert.deepEqual(ok(parseTargetConfig([], { MEDIROUTES_ALLOW_SKIP: 'EXPIRY-REJECTED' })).allowSkips, ['EXPIRY-REJECTED']);
      assert.deepEqual(ok(parseTargetConfig(['--allow-skip=BEARER-ACCEPTED'], { MEDIROUTES_ALLOW_SKIP: 'EXPIRY-REJECTED' })).allowSkips, ['BEARER-ACCEPTED']);
    });

    it('adds up when repeated, without duplicates', () => {
      const config = ok(parseTargetConfig(['--allow-skip', 'EXPIRY-REJECTED', '--allow-skip', 'REFRESH-200,EXPIRY-REJECTED'], {}));
      assert.deepEqual(config.allowSkips, ['EXPIRY-REJECTED', 'REFRESH-200']);
    });

    it('USAGE: an unknown clause ID, naming it', () => {
      const e = error(parseTargetConfig(['--allow-skip', 'EXPIRY-REJECTED,EXPIRY-REJECTD'], {}));
      assert.equal(e.exitCode, EXIT.USAGE);
      assert.match(e.message, /unknown clause "EXPIRY-REJECTD"/);
    });

    it('USAGE: clause IDs are exact (no lower case, no prefix)', () => {
      assert.equal(error(parseTargetConfig(['--allow-skip', 'expiry-rejected'], {})).exitCode, EXIT.USAGE);
      assert.equal(error(parseTargetConfig(['--allow-skip', 'EXPIRY'], {})).exitCode, EXIT.USAGE);
      assert.equal(error(parseTargetConfig(['--allow-skip', ','], {})).exitCode, EXIT.USAGE);
    });

    it('is documented in --help with its variable', () => {
      assert.match(TARGET_HELP, /--allow-skip LIST, \$MEDIROUTES_ALLOW_SKIP/);
    });
  });

  describe('--require-base-url', () => {
    it('MISSING_BASE_URL: refuses to fall back to the embedded server', () => {
      const e = error(parseTargetConfig(['--require-base-url'], {}));
      assert.equal(e.code, 'MISSING_BASE_URL');
      assert.equal(e.exitCode, EXIT.MISSING_BASE_URL);
      assert.match(e.message, /MEDIROUTES_BASE_URL/);
    });

    it('MISSING_BASE_URL: also from MEDIROUTES_REQUIRE_BASE_URL, when the base URL variable expanded to ""', () => {
      const e = error(parseTargetConfig([], { MEDIROUTES_REQUIRE_BASE_URL: '1', MEDIROUTES_BASE_URL: '', MEDIROUTES_USERNAME: 'u', MEDIROUTES_PASSWORD: 'secret-password' }));
      assert.equal(e.exitCode, EXIT.MISSING_BASE_URL);
    });

    it('is satisfied by a base URL', () => {
      const config = ok(
        parseTargetConfig(['--require-base-url', '--base-url', 'https://api.mediroutes.com'], { MEDIROUTES_USERNAME: 'u', MEDIROUTES_PASSWORD: 'secret-password', MEDIROUTES_RESOURCE_PATH: '/v1/x' }),
      );
      assert.equal(config.baseUrl, 'https://api.mediroutes.com');
    });

    it('an explicitly empty --base-url is a usage error, never the embedded server', () => {
      assert.equal(error(parseTargetConfig(['--base-url', ''], {})).exitCode, EXIT.USAGE);
      assert.equal(error(parseTargetConfig(['--base-url='], {})).exitCode, EXIT.USAGE);
    });

    it('is documented in --help with its exit code', () => {
      assert.match(TARGET_HELP, /--require-base-url, \$MEDIROUTES_REQUIRE_BASE_URL/);
      assert.match(TARGET_HELP, /\b9\s+MISSING_BASE_URL\b/);
    });
  });
});
