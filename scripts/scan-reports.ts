/**
 * `npm run scan-reports [-- DIR ...]` (default: reports/): proves no credential or token reached
 * the written artifacts before CI uploads them. Exit 0 when clean, 21 (SECRET_LEAK) with one
 * line per finding (file:line: kind, never the value), 2 for a missing directory.
 *
 * Secrets: MEDIROUTES_PASSWORD and MEDIROUTES_EXPIRED_ACCESS_TOKEN when set; tokens the run saw:
 * by digest, from <dir>/.token-digests.json when present. JWT-shaped strings need no list.
 *
 * The file walk is exported for the contract runner; the scan itself is the pure
 * lib/report/scan-files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeFinding, scanFiles, type ReportFile } from './lib/report/scan-files';
import { MIN_SECRET_LENGTH } from './lib/report/secret-pattern';
import { parseTokenDigestFile, TOKEN_DIGEST_FILE_NAME } from './lib/report/token-digest-file';
import { EXIT } from './lib/target/exit-codes';

/** Reports are a few MB; anything this large is not one of ours and would stall the scan. */
export const MAX_SCANNED_FILE_BYTES = 50 * 1024 * 1024;

const SECRET_VARIABLES = ['MEDIROUTES_PASSWORD', 'MEDIROUTES_EXPIRED_ACCESS_TOKEN'] as const;

const USAGE = `usage: npm run scan-reports [-- DIR ...]

Scans every file under each DIR (default: reports) for MEDIROUTES_PASSWORD and
MEDIROUTES_EXPIRED_ACCESS_TOKEN (when set, in any URL/form/JSON/XML encoding), for
un-redacted JWTs, and for tokens listed by sha256 in DIR/${TOKEN_DIGEST_FILE_NAME}.
Files over ${MAX_SCANNED_FILE_BYTES / 1024 / 1024} MB are skipped with a warning; symbolic links are not followed.

Exit codes: ${EXIT.OK} clean, ${EXIT.SECRET_LEAK} secrets found (SECRET_LEAK), ${EXIT.USAGE} bad arguments or missing directory,
${EXIT.INTERNAL} an unreadable file or digest file.
`;

export class ScanSetupError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Every regular file under dir, read lazily (one file in memory at a time), in a stable order.
 * Oversized files and symbolic links are reported through warn and skipped; an unreadable file
 * throws, since a file that could not be read has not been proven clean.
 */
export function* readReportFiles(dir: string, warn: (line: string) => void): Generator<ReportFile> {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      warn(`${full}: symbolic link not followed`);
    } else if (entry.isDirectory()) {
      yield* readReportFiles(full, warn);
    } else if (entry.isFile()) {
      const size = fs.statSync(full).size;
      if (size > MAX_SCANNED_FILE_BYTES) {
        warn(`${full}: skipped, ${size} bytes is over the ${MAX_SCANNED_FILE_BYTES}-byte limit`);
        continue;
      }
      let content: string;
      try {
        content = fs.readFileSync(full, 'utf8');
      } catch (err) {
        throw new ScanSetupError(EXIT.INTERNAL, `${full}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      yield { path: full, content };
    }
  }
}

/**
 * Digests from every .token-digests.json under <dir> (one per run: CI writes reports/<profile>/),
 * so `scan-reports reports` finds the tokens of all the runs below it; none when there is none.
 */
export function readTokenDigests(dir: string): Set<string> {
  const digests = new Set<string>();
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name === TOKEN_DIGEST_FILE_NAME) {
        const parsed = parseTokenDigestFile(fs.readFileSync(full, 'utf8'));
        // A damaged digest list would silently weaken the scan: stop instead.
        if (!parsed.ok) throw new ScanSetupError(EXIT.INTERNAL, `${full}: ${parsed.reason}; expected a JSON array of sha256 hex strings`);
        for (const digest of parsed.digests) digests.add(digest);
      }
    }
  };
  walk(dir);
  return digests;
}

export interface ScanReportsIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The whole command, minus process.exit: returns the exit code. */
export function runScanReports(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: ScanReportsIo): number {
  const dirs: string[] = [];
  let optionsEnded = false;
  for (const arg of argv) {
    if (!optionsEnded && arg === '--') optionsEnded = true;
    else if (!optionsEnded && (arg === '--help' || arg === '-h')) {
      io.out(USAGE.trimEnd());
      return EXIT.OK;
    } else if (!optionsEnded && arg.startsWith('-')) {
      io.err(`scan-reports: unknown option ${JSON.stringify(arg.split('=')[0])}; see --help`);
      return EXIT.USAGE;
    } else dirs.push(arg);
  }
  if (dirs.length === 0) dirs.push('reports');

  for (const dir of dirs) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      io.err(`scan-reports: ${dir} is not a directory; run the contract first (it writes reports/) or name the directory to scan`);
      return EXIT.USAGE;
    }
  }

  const secrets: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (value.length < MIN_SECRET_LENGTH) {
      io.err(`scan-reports: warning: ${name} is shorter than ${MIN_SECRET_LENGTH} characters and is not searched for (it would match ordinary text)`);
      continue;
    }
    secrets.push(value);
  }

  let files = 0;
  const findings: string[] = [];
  try {
    for (const dir of dirs) {
      const summary = scanFiles(
        readReportFiles(dir, (line) => io.err(`scan-reports: warning: ${line}`)),
        secrets,
        readTokenDigests(dir),
      );
      files += summary.files;
      findings.push(...summary.findings.map(describeFinding));
    }
  } catch (err) {
    if (!(err instanceof ScanSetupError)) throw err;
    io.err(`scan-reports: ${err.message}`);
    return err.exitCode;
  }

  const what = `${files} file${files === 1 ? '' : 's'}`;
  if (findings.length === 0) {
    io.out(`scan-reports: ${what}, no secrets found`);
    return EXIT.OK;
  }
  for (const line of findings) io.out(line);
  io.err(`scan-reports: ${what}, ${findings.length} finding${findings.length === 1 ? '' : 's'}: do not upload or commit these files`);
  return EXIT.SECRET_LEAK;
}

if (require.main === module) {
  try {
    process.exitCode = runScanReports(process.argv.slice(2), process.env, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (err) {
    // A defect here must not print a stack that could quote file contents.
    process.stderr.write(`scan-reports: internal error: ${(err as NodeJS.ErrnoException).code ?? (err as Error).name}\n`);
    process.exitCode = EXIT.INTERNAL;
  }
}
