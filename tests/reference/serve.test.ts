/**
 * `npm run serve` end to end: the entry point as a child process, started on a free port,
 * asked for a token, and stopped by a signal.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { DEMO_USER } from '../../scripts/lib/reference/reference-api';
import { postForm } from './send-request';

const ROOT = join(__dirname, '..', '..');

interface Serve {
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first output line that matches. */
  line(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

function serve(args: string[]): Serve {
  const child = spawn(process.execPath, ['-r', 'esbuild-register', join(ROOT, 'scripts', 'serve.ts'), ...args], { cwd: ROOT, env: { ...process.env, PORT: '' } });
  let stdout = '';
  let stderr = '';
  const waiting: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    waiting.splice(0).forEach((wake) => wake());
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const look = (): void => {
          const match = pattern.exec(stdout);
          if (match) resolve(match);
          else waiting.push(look);
        };
        void exited.then(() => reject(new Error(`serve exited before printing ${pattern}: ${stderr}`)));
        look();
      }),
    exited,
    kill: (signal) => child.kill(signal),
  };
}

describe('npm run serve', () => {
  it('serves the chosen fault on a free port, never prints the password, and stops on SIGTERM', async () => {
    const child = serve(['--port', '0', '--fault', 'wrong-password-200']);
    try {
      const [, url] = await child.line(/listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
      await child.line(/Ctrl-C/);
      assert.match(child.stdout(), /token endpoint: +POST http:\/\/127\.0\.0\.1:\d+\/token\n/);
      assert.match(child.stdout(), /protected resource: +GET +http:\/\/127\.0\.0\.1:\d+\/v1\/riders\/getByRiderId\n/);
      assert.match(child.stdout(), new RegExp(`demo username: +${DEMO_USER.username.replace(/\./g, '\\.')} `));
      assert.match(child.stdout(), /fault: +wrong-password-200: /);
      assert.ok(!child.stdout().includes(DEMO_USER.password));
      const res = await postForm(url ?? '', '/token', { grant_type: 'password', username: DEMO_USER.username, password: 'wrong' });
      assert.equal(res.status, 200, 'the fault is in use');
    } finally {
      child.kill('SIGTERM');
    }
    assert.deepEqual(await child.exited, { code: 0, signal: null });
    assert.equal(child.stderr(), '');
  });

  it('exits 2 with one line on stderr for an unknown flag', async () => {
    const child = serve(['--prot', '80']);
    assert.deepEqual(await child.exited, { code: 2, signal: null });
    assert.equal(child.stderr(), 'serve: unknown argument "--prot"\n');
    assert.equal(child.stdout(), '');
  });
});
