import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a file only its owner can read (the --save-token file of `npm run contract` and
 * `npm run test:live`): under a fresh name with mode 0600, then renamed, so the token is never
 * readable by others, not even briefly. The one file write in the library: two entry points must
 * keep a token the same safe way.
 */
export function writePrivateFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
  try {
    fs.chmodSync(temporary, 0o600); // whatever the umask did
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
