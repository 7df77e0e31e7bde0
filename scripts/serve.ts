/**
 * `npm run serve -- [--port N] [--host H] [--fault NAME] [--help]`: the reference MediRoutes auth
 * server (or one faulty variant) in the foreground, for pointing Newman, Postman or curl at.
 */
import { decodeJwt } from './lib/contract/jwt';
import { formatRfc1123 } from './lib/contract/rfc1123';
import { parseServeArgs, serveUsage } from './lib/reference/parse-serve-args';
import { createReferenceApi } from './lib/reference/reference-api';
import { startReferenceServer } from './lib/reference/reference-server';
import { writePrivateFile } from './lib/runner/private-file';
import { serializeSavedToken } from './lib/runner/saved-token';

async function main(): Promise<void> {
  const args = parseServeArgs(process.argv.slice(2), process.env);
  if (args.kind === 'help') {
    process.stdout.write(serveUsage());
    return;
  }
  if (args.kind === 'error') {
    process.stderr.write(`serve: ${args.message}\n`);
    process.exitCode = 2;
    return;
  }

  const api = createReferenceApi();
  const server = await startReferenceServer({ api, port: args.port, host: args.host, ...(args.fault ? { handle: args.fault.wrap(api) } : {}) }).catch(
    (err: NodeJS.ErrnoException) => {
      process.stderr.write(`serve: cannot listen on ${args.host}:${args.port}: ${err.code ?? err.message}\n`);
      process.exitCode = 1;
      return undefined;
    },
  );
  if (!server) return;

  if (args.expiredTokenFile) {
    // In the saved-token format of --save-token, so the contract run can use it as it stands.
    const accessToken = api.mintExpiredAccessToken();
    const decoded = decodeJwt(accessToken);
    const exp = decoded.ok ? Number(decoded.claims.exp) : 0;
    writePrivateFile(args.expiredTokenFile, serializeSavedToken({ baseUrl: server.url, accessToken, expires: formatRfc1123(exp * 1000), savedAt: formatRfc1123(Date.now()) }));
  }

  const fault = args.fault;
  process.stdout.write(
    [
      `MediRoutes reference server listening on ${server.url}`,
      `  token endpoint:     POST ${server.url}${api.tokenPath}`,
      `  protected resource: GET  ${server.url}${api.resourcePath}`,
      // The password stays out of terminal logs; the README names it.
      `  demo username:      ${api.demoUser.username} (password: see README)`,
      fault
        ? `  fault:              ${fault.name}: ${fault.description}; run the ${fault.profile} profile, expect ${fault.breaks.join(', ')} to fail`
        : '  fault:              none',
      ...(args.expiredTokenFile ? [`  expired token:      written to ${args.expiredTokenFile} (for --expired-token-file)`] : []),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    server.close().then(
      () => process.stdout.write('stopped\n'),
      (err: Error) => {
        process.stderr.write(`serve: ${err.message}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
