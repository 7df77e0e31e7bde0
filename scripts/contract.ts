/**
 * npm run contract [-- flags]: checks every clause of CONTRACT.md against a target by running the
 * generated Postman collection with Newman. No base URL: the embedded reference server.
 * Thin: configuration, files and the exit code; the run itself is scripts/lib/runner.
 *
 * Nothing this process prints or writes carries a secret: every line goes through one redactor
 * that learns each secret as soon as it is known (the password from the environment before
 * anything else, then every token the run sees), the internal-error path included; the written
 * reports are then scanned, and a finding fails the run with SECRET_LEAK.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COLLECTION_PATH } from './lib/collection/artifacts';
import { createScanner, tokenDigest } from './lib/report/artifact-scan';
import { createRedactor } from './lib/report/redactor';
import { describeFinding } from './lib/report/scan-files';
import { formatTokenDigestFile, TOKEN_DIGEST_FILE_NAME } from './lib/report/token-digest-file';
import type { runContract as RunContract } from './lib/runner/contract-run';
import { writePrivateFile } from './lib/runner/private-file';
import { serializeSavedToken, type SavedToken } from './lib/runner/saved-token';
import { EXIT } from './lib/target/exit-codes';
import { parseTargetConfig } from './lib/target/target-config';
import { readReportFiles } from './scan-reports';

const USAGE = `usage: npm run contract -- [flags]

Runs ${COLLECTION_PATH} with Newman against the target and checks every clause of the profile.
Writes <reports-dir>/junit.xml, <reports-dir>/report.html (secrets redacted) and
<reports-dir>/${TOKEN_DIGEST_FILE_NAME} (sha256 of the tokens seen, for npm run scan-reports),
then scans every file in <reports-dir>; a finding exits ${EXIT.SECRET_LEAK} (SECRET_LEAK).

Bounded in time: every request ends within --timeout-ms (a body over 1 MiB is cut off); the run is
aborted after 2 requests in a row to one endpoint get no answer (exit ${EXIT.TARGET_UNREACHABLE}), after 4 answers in a
row are 429 (exit ${EXIT.CONTRACT_FAILED}), or at --budget-ms (exit ${EXIT.CONTRACT_FAILED}); checks that never ran fail as missing.
At most: --timeout-ms (reachability check) + --budget-ms + --timeout-ms (the request in flight)
+ a few seconds for the reports.

`;

/** After the result is printed, a socket still waiting on a hung target must not keep the process. */
const EXIT_GRACE_MS = 2000;

const redactor = createRedactor();
const say = (line: string): void => {
  process.stdout.write(`${redactor.redact(line)}\n`);
};
const complain = (line: string): void => {
  process.stderr.write(`${redactor.redact(line)}\n`);
};

/** The access token in a saved-token file, so it is redacted and scanned for even when not used. */
function savedAccessToken(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const token = (JSON.parse(text) as Partial<SavedToken>).accessToken;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  for (const name of ['MEDIROUTES_PASSWORD', 'MEDIROUTES_EXPIRED_ACCESS_TOKEN']) {
    const value = process.env[name];
    if (value) redactor.add(value);
  }
  const parsed = parseTargetConfig(process.argv.slice(2), process.env, { readStdin: () => fs.readFileSync(0, 'utf8') });
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE + parsed.text);
    return EXIT.OK;
  }
  if (parsed.kind === 'error') {
    complain(`contract: ${parsed.message}`);
    return parsed.exitCode;
  }
  const { config } = parsed;
  for (const secret of [config.password, config.expiredAccessToken]) if (secret) redactor.add(secret);
  for (const warning of redactor.warnings()) complain(`contract: warning: ${warning}`);

  const root = path.join(__dirname, '..');
  const collection = JSON.parse(fs.readFileSync(path.join(root, COLLECTION_PATH), 'utf8')) as object;
  const savedTokenText = config.expiredTokenFile && fs.existsSync(config.expiredTokenFile) ? fs.readFileSync(config.expiredTokenFile, 'utf8') : undefined;
  const savedToken = savedAccessToken(savedTokenText);
  if (savedToken) redactor.add(savedToken);
  // Before the run, so a reports directory that cannot be written costs no logins.
  fs.mkdirSync(config.reportsDir, { recursive: true });

  // Loaded only now: Newman takes a third of a second to load, and a configuration error need not wait for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load; import() would bypass esbuild-register
  const { runContract } = require('./lib/runner/contract-run') as { runContract: typeof RunContract };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediroutes-contract-'));
  try {
    const raw = { junit: path.join(work, 'junit.xml'), html: path.join(work, 'report.html') };
    const result = await runContract({ config, collection, savedTokenText, junitPath: raw.junit, htmlPath: raw.html, allowSkips: config.allowSkips });
    for (const secret of result.secrets) redactor.add(secret);
    // Without a verdict the run never started (unreachable): that is an error, on stderr.
    for (const line of result.lines) (result.verdict ? say : complain)(line);
    if (!result.verdict) return result.exitCode;

    // Reports reach the reports directory only redacted; then the scan proves nothing slipped through.
    for (const [name, file] of [['junit.xml', raw.junit], ['report.html', raw.html]] as const) {
      if (fs.existsSync(file)) fs.writeFileSync(path.join(config.reportsDir, name), redactor.redact(fs.readFileSync(file, 'utf8')));
    }
    const tokens = result.secrets.filter((s) => s !== config.password);
    if (savedToken) tokens.push(savedToken);
    const digests = tokens.map(tokenDigest);
    fs.writeFileSync(path.join(config.reportsDir, TOKEN_DIGEST_FILE_NAME), formatTokenDigestFile(digests));

    // Every file of the directory, not only this run's: whatever is there is about to be uploaded.
    const scan = createScanner(redactor.secrets(), new Set(digests));
    let files = 0;
    const findings: string[] = [];
    for (const file of readReportFiles(config.reportsDir, (line) => complain(`contract: warning: ${line}`))) {
      files += 1;
      findings.push(...scan(file.path, file.content).map(describeFinding));
    }
    if (findings.length > 0) {
      for (const finding of findings) complain(`contract: secret found: ${finding}`);
      complain(`contract: ${findings.length} finding${findings.length === 1 ? '' : 's'} in ${config.reportsDir}: do not publish, upload or commit these files`);
      return EXIT.SECRET_LEAK;
    }
    say(`reports: ${config.reportsDir} (${files} files scanned: no secrets)`);

    if (config.saveTokenFile && result.tokenToSave) {
      writePrivateFile(config.saveTokenFile, serializeSavedToken(result.tokenToSave));
      say(`saved the access token to ${config.saveTokenFile} (mode 0600) for a later EXPIRY-REJECTED check; it expires ${result.tokenToSave.expires}`);
    } else if (config.saveTokenFile) {
      complain(`contract: warning: no access token to save to ${config.saveTokenFile}: the run got none`);
    }
    return result.exitCode;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** A defect in the harness: one redacted line, no stack (stacks and messages can carry request data). */
function internalError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  complain(`contract: internal error: ${message.split('\n')[0]}`);
  process.exit(EXIT.INTERNAL);
}

process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

main().then((code) => {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}, internalError);
