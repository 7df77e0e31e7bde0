import { buildSync } from 'esbuild';
import path from 'node:path';

/** Where the collection script's source lives (bundled, never copied). */
export const SANDBOX_ENTRY = path.join(__dirname, '..', 'sandbox', 'collection-script.ts');

/**
 * Bundles the collection script with the clause checks and the schemas into one IIFE the Postman
 * sandbox runs. esbuild reads the sources; the output is returned, not written. Deterministic for
 * a given esbuild version: no timestamps, paths relative to the repository.
 */
export function bundleSandboxScript(): string {
  const result = buildSync({
    entryPoints: [SANDBOX_ENTRY],
    absWorkingDir: path.join(__dirname, '..', '..', '..'),
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2018',
    external: ['ajv'],
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output for the collection script');
  return output.text;
}
