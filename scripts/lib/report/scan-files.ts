/**
 * The artifact scan over many files, pure: the caller reads the files (lazily, if it likes, by
 * passing a generator) and prints the result. scripts/scan-reports.ts is one caller; the
 * contract runner can scan its own reports the same way before it exits.
 */
import { createScanner, type Finding, type FindingKind } from './artifact-scan';

export interface ReportFile {
  path: string;
  content: string;
}

export interface ScanSummary {
  files: number;
  findings: Finding[];
}

export function scanFiles(files: Iterable<ReportFile>, secrets: readonly string[], digests?: ReadonlySet<string>): ScanSummary {
  const scan = createScanner(secrets, digests);
  const findings: Finding[] = [];
  let count = 0;
  for (const file of files) {
    count++;
    findings.push(...scan(file.path, file.content));
  }
  return { files: count, findings };
}

const LABELS: Readonly<Record<FindingKind, string>> = {
  secret: 'known secret (a configured credential, possibly encoded)',
  jwt: 'JWT-shaped string',
  'token-digest': 'a token seen during the run (matched by its digest)',
};

/** `reports/x.xml:12: JWT-shaped string`: where to look, never what was found. */
export function describeFinding(finding: Finding): string {
  return `${finding.file}:${finding.line}: ${LABELS[finding.kind]}`;
}
