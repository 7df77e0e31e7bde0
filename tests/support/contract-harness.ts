/**
 * Runs the real contract run (the generated collection in Newman) in-process against the
 * reference server or one of its faulty variants, for the end-to-end tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Profile } from '../../scripts/lib/contract/clauses';
import { COLLECTION_PATH } from '../../scripts/lib/collection/artifacts';
import type { Fault } from '../../scripts/lib/reference/faults';
import { createReferenceApi } from '../../scripts/lib/reference/reference-api';
import { startReferenceServer } from '../../scripts/lib/reference/reference-server';
import { runContract, type ContractRunResult } from '../../scripts/lib/runner/contract-run';
import { parseTargetConfig, type TargetConfig } from '../../scripts/lib/target/target-config';

export const ROOT = path.join(__dirname, '..', '..');

export function committedCollection(): object {
  return JSON.parse(fs.readFileSync(path.join(ROOT, COLLECTION_PATH), 'utf8')) as object;
}

export function embeddedConfig(profile: Profile, extra: string[] = []): TargetConfig {
  const parsed = parseTargetConfig(['--profile', profile, ...extra], {});
  if (parsed.kind !== 'ok') throw new Error(`bad test configuration: ${parsed.kind}`);
  return parsed.config;
}

export interface HarnessRun {
  result: ContractRunResult;
  junit: string;
  html: string;
}

/** One in-process contract run against the embedded server, optionally a faulty variant of it. */
export async function runAgainst(options: { profile: Profile; fault?: Fault; config?: TargetConfig }): Promise<HarnessRun> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediroutes-e2e-'));
  try {
    const junitPath = path.join(work, 'junit.xml');
    const htmlPath = path.join(work, 'report.html');
    const result = await runContract({
      config: options.config ?? embeddedConfig(options.profile),
      collection: committedCollection(),
      junitPath,
      htmlPath,
      startEmbedded: async () => {
        const api = createReferenceApi();
        return startReferenceServer(options.fault ? { api, handle: options.fault.wrap(api) } : { api });
      },
    });
    const read = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
    return { result, junit: read(junitPath), html: read(htmlPath) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The clauses a run reported failed (or missing), sorted. */
export function failedClauses(run: HarnessRun): string[] {
  return (run.result.verdict?.clauses ?? [])
    .filter((c) => c.inProfile && (c.status === 'failed' || c.status === 'missing'))
    .map((c) => c.clause)
    .sort();
}
