import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type LookupFunction } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import nock from 'nock';
import { httpRequest, TransportError, type TransportErrorKind } from '../../scripts/lib/target/http-client';

const PASSWORD = `p@ss+w0rd$.*?(x)|[y]{2}^\\ &=%"'`;
const BEARER = 'eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl';

interface Running {
  port: number;
  close(): Promise<void>;
}

async function listen(server: net.Server): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function httpServer(handler: http.RequestListener): Promise<Running> {
  return listen(http.createServer(handler));
}

async function expectTransportError(promise: Promise<unknown>, kind: TransportErrorKind): Promise<TransportError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof TransportError, `expected a TransportError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    assert.ok(!err.message.includes('\n'), 'one line');
    assert.equal(err.stack, `TransportError: ${err.message}`, 'no stack trace');
    return err;
  }
  assert.fail(`expected a ${kind} TransportError, the request succeeded`);
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const running = await listen(net.createServer());
  await running.close();
  return running.port;
}

describe('httpRequest', () => {
  const running: Running[] = [];
  async function serve(handler: http.RequestListener): Promise<string> {
    const r = await httpServer(handler);
    running.push(r);
    return `http://127.0.0.1:${r.port}`;
  }
  async function serveRaw(onConnection: (socket: net.Socket) => void): Promise<string> {
    const r = await listen(net.createServer(onConnection));
    running.push(r);
    return `http://127.0.0.1:${r.port}`;
  }

  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.close()));
    nock.cleanAll();
  });

  describe('answers', () => {
    it('returns status, lower-cased headers, body and receivedAt from the injected clock', async () => {
      const base = await serve((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'X-Seen-Body': body, 'X-Seen-Method': req.method ?? '' });
          res.end('{"ok":true}');
        });
      });
      const response = await httpRequest({ method: 'POST', url: `${base}/token`, body: 'grant_type=password', timeoutMs: 5000, now: () => 1234 });
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(response.headers['x-seen-body'], 'grant_type=password');
      assert.equal(response.headers['x-seen-method'], 'POST');
      assert.equal(response.body, '{"ok":true}');
      assert.equal(response.receivedAt, 1234);
    });

    it('returns an HTML 200 as it is: judging it is the checks\' job', async () => {
      const base = await serve((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<!DOCTYPE html><html><body>Maintenance</body></html>');
      });
      const response = await httpRequest({ method: 'GET', url: `${base}/token`, timeoutMs: 5000 });
      assert.equal(response.status, 200);
      assert.match(response.body, /Maintenance/);
    });

    it('returns error statuses without rejecting', async () => {
      const base = await serve((_req, res) => {
        res.writeHead(503, { 'Retry-After': '1' });
        res.end();
      });
      const response = await httpRequest({ method: 'GET', url: `${base}/x`, timeoutMs: 5000 });
      assert.equal(response.status, 503);
      assert.equal(response.body, '');
    });

    it('joins a repeated header with ", ", including ones Node would drop', async () => {
      const base = await serveRaw((socket) => {
        socket.once('data', () => {
          socket.end(
            'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\nCache-Control: no-cache\r\nCache-Control: no-store\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n__proto__: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
          );
        });
      });
      const response = await httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000 });
      assert.equal(response.headers['content-type'], 'application/json, text/plain');
      assert.equal(response.headers['cache-control'], 'no-cache, no-store');
      assert.equal(response.headers['set-cookie'], 'a=1, b=2');
      assert.equal(Object.getOwnPropertyDescriptor(response.headers, '__proto__')?.value, 'x');
    });

    it('decodes a gzip body a server sent although identity was asked for', async () => {
      const base = await serve((req, res) => {
        res.writeHead(200, { 'Content-Encoding': 'gzip', 'X-Asked': req.headers['accept-encoding'] ?? '' });
        res.end(zlib.gzipSync('{"access_token":"x"}'));
      });
      const response = await httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000 });
      assert.equal(response.headers['x-asked'], 'identity');
      assert.equal(response.body, '{"access_token":"x"}');
    });

    it('answers a slow server that finishes within the timeout', async () => {
      const base = await serve((_req, res) => {
        setTimeout(() => res.end('late but fine'), 150);
      });
      const response = await httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000 });
      assert.equal(response.body, 'late but fine');
    });

    it('lets nock intercept an https MediRoutes-like host', async () => {
      nock('https://api.mediroutes.example')
        .post('/token', 'grant_type=password&username=u&password=p')
        .matchHeader('content-type', 'application/x-www-form-urlencoded')
        .reply(200, { access_token: BEARER, token_type: 'bearer', expires_in: 86400 }, { 'Content-Type': 'application/json;charset=UTF-8' });
      const response = await httpRequest({
        method: 'POST',
        url: 'https://api.mediroutes.example/token',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password&username=u&password=p',
        timeoutMs: 5000,
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-type'], 'application/json;charset=UTF-8');
      assert.equal((JSON.parse(response.body) as { expires_in: number }).expires_in, 86400);
    });
  });

  describe('failures', () => {
    it('refused: a port nothing listens on', async () => {
      const port = await closedPort();
      const err = await expectTransportError(httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/v1/riders`, timeoutMs: 5000 }), 'refused');
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.match(err.message, /refused/);
      assert.equal(err.code, 'ECONNREFUSED');
    });

    it('timeout: a server that accepts and never answers ends by the deadline', async function () {
      this.timeout(5000); // the bound: the request's own 300 ms deadline must end it long before
      const base = await serveRaw(() => undefined);
      const err = await expectTransportError(httpRequest({ method: 'POST', url: `${base}/token`, body: 'x', timeoutMs: 300 }), 'timeout');
      assert.match(err.message, /300 ms/);
    });

    it('timeout: a server that trickles the body byte by byte ends by the deadline', async function () {
      this.timeout(5000);
      const base = await serve((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const drip = setInterval(() => res.write(' '), 20);
        res.on('close', () => clearInterval(drip));
      });
      await expectTransportError(httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 300 }), 'timeout');
    });

    it('reset: the server destroys the socket on receiving the request', async () => {
      const base = await serve((req) => req.socket.destroy());
      await expectTransportError(httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000 }), 'reset');
    });

    it('reset: the server sends a TCP RST (resetAndDestroy)', async () => {
      const base = await serveRaw((socket) => socket.once('data', () => socket.resetAndDestroy()));
      const err = await expectTransportError(httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000 }), 'reset');
      assert.equal(err.code, 'ECONNRESET');
    });

    it('reset: the connection closes halfway through the body', async () => {
      const base = await serve((req, res) => {
        res.writeHead(200, { 'Content-Length': '1000' });
        res.write('{"access_token":"', () => req.socket.destroy());
      });
      await expectTransportError(httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000 }), 'reset');
    });

    it('too-large: a 30 MB streamed body is cut off at the limit', async function () {
      this.timeout(10_000);
      let sent = 0;
      const base = await serve((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const pump = (): void => {
          while (sent < 30 * 1024 * 1024 && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        res.on('error', () => undefined);
        pump();
      });
      const err = await expectTransportError(httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 8000 }), 'too-large');
      assert.match(err.message, /1048576-byte limit/);
      assert.ok(sent < 30 * 1024 * 1024, 'the read stopped before the server finished');
    });

    it('too-large: a Content-Length over the limit is refused before reading', async () => {
      const base = await serve((_req, res) => {
        res.writeHead(200, { 'Content-Length': String(50 * 1024 * 1024) });
        res.write('x');
      });
      await expectTransportError(httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000, maxBodyBytes: 1024 }), 'too-large');
    });

    it('too-large: the limit applies after decoding, so a gzip bomb is stopped', async () => {
      const bomb = zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024));
      const base = await serve((_req, res) => {
        res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(bomb.length) });
        res.end(bomb);
      });
      await expectTransportError(httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000 }), 'too-large');
    });

    it('dns: an injected resolver that fails with ENOTFOUND', async () => {
      // localhost passes the test network guard, so the request reaches the resolver; the
      // injected lookup then fails as an unknown name would, and nothing leaves the machine.
      let asked: string | undefined;
      const lookup = ((hostname: string, _options: unknown, callback: (err: NodeJS.ErrnoException) => void) => {
        asked = hostname;
        const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        err.code = 'ENOTFOUND';
        process.nextTick(callback, err);
      }) as unknown as LookupFunction;
      const err = await expectTransportError(httpRequest({ method: 'POST', url: 'https://localhost:8443/token', timeoutMs: 5000, lookup }), 'dns');
      assert.equal(asked, 'localhost');
      assert.match(err.message, /localhost:8443/);
      assert.match(err.message, /DNS/);
    });

    it('other: the test network guard refusing a .invalid host, without quoting the query', async () => {
      const err = await expectTransportError(httpRequest({ method: 'GET', url: `https://mediroutes.invalid/v1/riders?access_token=${BEARER}`, timeoutMs: 5000 }), 'other');
      assert.match(err.message, /mediroutes\.invalid:443/);
      assert.ok(!err.message.includes(BEARER));
    });

    it('other: a server answering garbage instead of HTTP', async () => {
      const base = await serveRaw((socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n')));
      const err = await expectTransportError(httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000 }), 'other');
      assert.match(err.message, /not valid HTTP/);
    });

    it('never puts the body, the Authorization header or the query in a message', async () => {
      const port = await closedPort();
      const err = await expectTransportError(
        httpRequest({
          method: 'POST',
          url: `http://127.0.0.1:${port}/token?access_token=${BEARER}`,
          headers: { Authorization: `Bearer ${BEARER}` },
          body: `grant_type=password&username=u&password=${encodeURIComponent(PASSWORD)}`,
          timeoutMs: 5000,
        }),
        'refused',
      );
      for (const secret of [BEARER, PASSWORD, encodeURIComponent(PASSWORD), 'access_token']) assert.ok(!err.message.includes(secret), secret);
    });

    describe('TLS', () => {
      let dir: string | undefined;
      let key: Buffer;
      let cert: Buffer;
      before(function () {
        try {
          dir = fs.mkdtempSync(path.join(os.tmpdir(), 'http-client-tls-'));
          execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
          key = fs.readFileSync(path.join(dir, 'key.pem'));
          cert = fs.readFileSync(path.join(dir, 'cert.pem'));
        } catch {
          this.skip(); // no openssl: the other TLS guarantees are still covered by review
        }
      });
      after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
      });

      async function selfSigned(): Promise<string> {
        const r = await listen(https.createServer({ key, cert }, (_req, res) => res.end('should not be read')));
        running.push(r);
        return `https://127.0.0.1:${r.port}`;
      }

      it('tls: refuses a self-signed certificate', async () => {
        const base = await selfSigned();
        const err = await expectTransportError(httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000 }), 'tls');
        assert.match(err.message, /127\.0\.0\.1:\d+/);
      });

      it('tls: still verifies when NODE_TLS_REJECT_UNAUTHORIZED=0 is set', async () => {
        const base = await selfSigned();
        const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
        const savedEmit = process.emitWarning;
        process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
        process.emitWarning = () => undefined; // Node warns about the variable once; not this test's concern
        try {
          await expectTransportError(httpRequest({ method: 'GET', url: `${base}/`, timeoutMs: 5000 }), 'tls');
        } finally {
          if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
          else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
          process.emitWarning = savedEmit;
        }
      });

      it('tls: https to a plain-http port fails as a handshake error', async () => {
        const base = await serve((_req, res) => res.end('plain'));
        await expectTransportError(httpRequest({ method: 'GET', url: base.replace('http:', 'https:'), timeoutMs: 5000 }), 'tls');
      });
    });
  });
});
