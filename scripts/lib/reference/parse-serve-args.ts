/**
 * The command line of `npm run serve`, parsed without touching process: the entry point passes
 * argv and env in and acts on the result, so every rule here is unit-tested.
 */
import { FAULTS, faultByName, type Fault } from './faults';

export const DEFAULT_SERVE_PORT = 5080;
export const DEFAULT_SERVE_HOST = '127.0.0.1';

export type ServeArgs =
  | { kind: 'run'; port: number; host: string; fault?: Fault; expiredTokenFile?: string }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

const VALUE_FLAGS = ['--port', '--host', '--fault', '--expired-token-file'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

export function parseServeArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServeArgs {
  // Help wins over everything else on the line, so `--help` always answers.
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  const values: Partial<Record<ValueFlag, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!isValueFlag(flag)) return error(`unknown argument ${JSON.stringify(arg)}`);
    if (values[flag] !== undefined) return error(`${flag} given twice`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) return error(`${flag} needs a value`);
    values[flag] = value;
  }

  const portText = values['--port'] ?? env['PORT'];
  const port = portText === undefined || portText === '' ? DEFAULT_SERVE_PORT : parsePort(portText);
  if (port === undefined) {
    const source = values['--port'] !== undefined ? '--port' : 'PORT';
    return error(`${source} must be a whole number from 0 to 65535, not ${JSON.stringify(portText)}`);
  }

  const faultName = values['--fault'];
  const fault = faultName === undefined ? undefined : faultByName(faultName);
  if (faultName !== undefined && !fault) return error(`unknown fault ${JSON.stringify(faultName)}; --help lists them`);

  const expiredTokenFile = values['--expired-token-file'];
  return { kind: 'run', port, host: values['--host'] ?? DEFAULT_SERVE_HOST, ...(fault ? { fault } : {}), ...(expiredTokenFile ? { expiredTokenFile } : {}) };
}

/** The --help text, faults included. */
export function serveUsage(): string {
  const width = Math.max(...FAULTS.map((f) => f.name.length));
  const faultLines = FAULTS.map((f) => `  ${f.name.padEnd(width)}  ${f.description}${f.profile === 'strict' ? ' (strict profile)' : ''}`);
  return [
    'Usage: npm run serve -- [--port N] [--host H] [--fault NAME] [--expired-token-file FILE] [--help]',
    '',
    'Runs the reference MediRoutes auth server, or a faulty variant of it, until Ctrl-C.',
    '',
    `  --port N      port to listen on; 0 picks a free one (default: PORT, else ${DEFAULT_SERVE_PORT})`,
    `  --host H      address to listen on (default: ${DEFAULT_SERVE_HOST})`,
    '  --fault NAME  serve a variant that breaks one contract clause (below)',
    '  --expired-token-file FILE',
    '                write an access token of this server that expired an hour ago (mode 0600),',
    '                for `npm run contract -- --expired-token-file FILE` (EXPIRY-REJECTED)',
    '  --help        show this text',
    '',
    'Faults:',
    ...faultLines,
    '',
  ].join('\n');
}

function isValueFlag(flag: string): flag is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(flag);
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

function error(message: string): ServeArgs {
  return { kind: 'error', message };
}
