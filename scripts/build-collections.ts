/**
 * npm run build:collections       writes collections/ from the plan, the checks and schemas/
 * npm run check:collections       fails (exit 1) when the committed files differ from a fresh build
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateArtifacts } from './lib/collection/artifacts';

const root = path.join(__dirname, '..');
const check = process.argv.includes('--check');
if (process.argv.includes('--help')) {
  process.stdout.write('usage: build-collections [--check]\n  writes collections/ (or, with --check, exits 1 when they differ from a fresh build)\n');
  process.exit(0);
}
const stale: string[] = [];
for (const artifact of generateArtifacts()) {
  const file = path.join(root, artifact.path);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (current === artifact.content) continue;
  if (check) stale.push(artifact.path);
  else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, artifact.content);
    process.stdout.write(`wrote ${artifact.path}\n`);
  }
}
if (check && stale.length > 0) {
  process.stderr.write(`collections are stale: ${stale.join(', ')}; run npm run build:collections and commit the result\n`);
  process.exit(1);
}
if (check) process.stdout.write('collections are up to date\n');
