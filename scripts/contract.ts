/**
 * npm run contract [-- flags]: checks every clause of CONTRACT.md against a target by running the
 * generated Postman collection with Newman. No base URL: the embedded reference server.
 * Thin: configuration, files and the exit code; the run itself is scripts/lib/runner.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COLLECTION_PATH } from './lib/collection/artifacts';
import { scanText, tokenDigest } from './lib/report/artifact-scan';
import { createRedactor } from './lib/report/redactor';
import { runContract } from './lib/runner/contract-run';
import { serializeSavedToken } from './lib/runner/saved-token';
import { EXIT } from './lib/target/exit-codes';
import { parseTargetConfig } from './lib/target/target-config';

const USAGE = `usage: npm run contract -- [flags]

Runs ${COLLECTION_PATH} with Newman against the target and checks every clause of the profile.
Writes <reports-dir>/junit.xml and <reports-dir>/report.html (secrets redacted), then scans them.

`;

async function main(): Promise<number> {
  const parsed = parseTargetConfig(process.argv.slice(2), process.env, { readStdin: () => fs.readFileSync(0, 'utf8') });
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE + parsed.text);
    return EXIT.OK;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`contract: ${parsed.message}\n`);
    return parsed.exitCode;
  }
  const { config } = parsed;
  const root = path.join(__dirname, '..');
  const collection = JSON.parse(fs.readFileSync(path.join(root, COLLECTION_PATH), 'utf8')) as object;
  const savedTokenText = config.expiredTokenFile && fs.existsSync(config.expiredTokenFile) ? fs.readFileSync(config.expiredTokenFile, 'utf8') : undefined;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediroutes-contract-'));
  try {
    const raw = { junit: path.join(work, 'junit.xml'), html: path.join(work, 'report.html') };
    const result = await runContract({ config, collection, savedTokenText, junitPath: raw.junit, htmlPath: raw.html, allowSkips: config.allowSkips });
    const redactor = createRedactor(result.secrets);
    for (const line of result.lines) process.stdout.write(`${redactor.redact(line)}\n`);
    if (!result.verdict) return result.exitCode;

    // Reports reach reports/ only redacted; then the scan proves nothing slipped through.
    fs.mkdirSync(config.reportsDir, { recursive: true });
    const written: string[] = [];
    for (const [name, file] of [['junit.xml', raw.junit], ['report.html', raw.html]] as const) {
      if (!fs.existsSync(file)) continue;
      const target = path.join(config.reportsDir, name);
      fs.writeFileSync(target, redactor.redact(fs.readFileSync(file, 'utf8')));
      written.push(target);
    }
    const digests = result.secrets.map(tokenDigest);
    fs.writeFileSync(path.join(config.reportsDir, '.token-digests.json'), `${JSON.stringify(digests)}\n`);
    const findings = written.flatMap((file) => scanText(file, fs.readFileSync(file, 'utf8'), result.secrets, new Set(digests)));
    process.stdout.write(`reports: ${written.join(', ')}${findings.length === 0 ? ' (scanned: no secrets)' : ''}\n`);
    if (findings.length > 0) {
      for (const f of findings) process.stderr.write(`contract: secret found in ${f.file}:${f.line} (${f.kind}); the report must not be published\n`);
      return EXIT.SECRET_LEAK;
    }
    if (config.saveTokenFile && result.tokenToSave) {
      fs.mkdirSync(path.dirname(path.resolve(config.saveTokenFile)), { recursive: true });
      fs.writeFileSync(config.saveTokenFile, serializeSavedToken(result.tokenToSave), { mode: 0o600 });
      fs.chmodSync(config.saveTokenFile, 0o600);
      process.stdout.write(`saved the access token for a later EXPIRY-REJECTED check (expires ${result.tokenToSave.expires}), mode 0600\n`);
    }
    return result.exitCode;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A defect in the harness: one line, no stack (stacks can carry request data).
    process.stderr.write(`contract: internal error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    process.exitCode = EXIT.INTERNAL;
  },
);
