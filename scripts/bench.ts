/**
 * npm run bench [-- --runs N]: measures the harness's own cost on this machine and prints a
 * table (medians over N runs). Targets: contract run <= 1.5 x a bare `newman run` of the same
 * collection, npm test <= 30 s, <= 25 HTTP requests per run, exactly one successful password grant.
 * Speed is measured here, never asserted in a test.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateArtifacts, COLLECTION_PATH } from './lib/collection/artifacts';
import { startReferenceServer } from './lib/reference/reference-server';
import { runContract } from './lib/runner/contract-run';
import { parseTargetConfig } from './lib/target/target-config';

const root = path.join(__dirname, '..');

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`bench: ${name} needs a whole number >= 1\n`);
    process.exit(2);
  }
  return value;
}

if (process.argv.includes('--help')) {
  process.stdout.write('usage: npm run bench -- [--runs N (default 5)] [--test-runs N (default 3)]\n');
  process.exit(0);
}
const runs = argValue('--runs', 5);
const testRuns = argValue('--test-runs', 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall time of a command, in ms; fails the bench if the command fails. */
function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.split('\n')[0]}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

async function repeat(n: number, measure: () => Promise<number>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n; i += 1) samples.push(await measure());
  return median(samples);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediroutes-bench-'));
  const server = await startReferenceServer();
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const contractMs = await repeat(runs, () => timeCommand(npm, ['run', '-s', 'contract', '--', '--reports-dir', path.join(work, 'reports')]));
    const newmanMs = await repeat(runs, () =>
      timeCommand(path.join(root, 'node_modules', '.bin', 'newman'), [
        'run', path.join(root, COLLECTION_PATH), '--reporters', 'cli', '--silent',
        '--env-var', `baseUrl=${server.url}`, '--env-var', `resourcePath=${server.api.resourcePath}`,
        '--env-var', `username=${server.api.demoUser.username}`, '--env-var', `password=${server.api.demoUser.password}`,
        '--env-var', `expiredAccessToken=${server.api.mintExpiredAccessToken()}`,
      ]),
    );
    const testMs = await repeat(testRuns, () => timeCommand(npm, ['test', '--silent']));
    const generationMs = await repeat(runs, async () => {
      const started = process.hrtime.bigint();
      generateArtifacts();
      return Number(process.hrtime.bigint() - started) / 1e6;
    });
    const parsed = parseTargetConfig([], {});
    if (parsed.kind !== 'ok') throw new Error('default configuration did not parse');
    const run = await runContract({ config: parsed.config, collection: JSON.parse(fs.readFileSync(path.join(root, COLLECTION_PATH), 'utf8')) as object, junitPath: path.join(work, 'j.xml'), htmlPath: path.join(work, 'r.html') });
    const stats = run.stats!;

    const ratio = contractMs / newmanMs;
    const row = (what: string, value: string, target: string, ok: boolean): string => `| ${what} | ${value} | ${target} | ${ok ? 'met' : 'MISSED'} |`;
    const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    const lines = [
      `Benchmark on ${os.cpus().length} x ${os.cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}; medians of ${runs} runs (npm test: ${testRuns})`,
      '',
      '| measure | value | target | |',
      '|---|---|---|---|',
      row('`npm run contract` (embedded reference server)', s(contractMs), '', true),
      row('bare `newman run` of the same collection (server already running)', s(newmanMs), '', true),
      row('ratio contract / bare newman', ratio.toFixed(2), '<= 1.5', ratio <= 1.5),
      row('`npm test`', s(testMs), '<= 30 s', testMs <= 30_000),
      row('HTTP requests per contract run', String(stats.requests), '<= 25', stats.requests <= 25),
      row('successful password grants per run', String(stats.passwordGrants), 'exactly 1', stats.passwordGrants === 1),
      row('failed logins per run (for the configured user)', `${stats.failedLogins} (${stats.failedLoginsForUser})`, 'configured user <= 1', stats.failedLoginsForUser <= 1),
      row('collection generation (in-process, esbuild bundle)', `${generationMs.toFixed(0)} ms`, '', true),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
