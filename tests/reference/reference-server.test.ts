/**
 * What the HTTP layer adds around the pure handler: body limits, malformed input, handler
 * failures, rate limits per remote address, and a close() that leaves no socket behind.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

import { ManualClock } from '../../scripts/lib/reference/manual-clock';
import { createReferenceApi, DEMO_USER, type ApiRequest, type ApiResponse } from '../../scripts/lib/reference/reference-api';
import { MAX_BODY_BYTES, startReferenceServer, type RunningServer } from '../../scripts/lib/reference/reference-server';
import { jsonObject, postForm, sendRequest } from './send-request';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Sends raw bytes and returns everything the server wrote before closing. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('reference server', () => {
  describe('with the reference API', () => {
    let server: RunningServer;
    before(async () => {
      server = await startReferenceServer({ api: createReferenceApi({ rateLimitPerSecond: Infinity }) });
    });
    after(() => server.close());

    it('listens on a free loopback port and reports its URL', () => {
      assert.ok(server.port > 0);
      assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    });

    it('sends a Date header', async () => {
      const res = await sendRequest(server.url, { path: '/' });
      assert.ok(!Number.isNaN(Date.parse(res.headers['date'] ?? '')));
    });

    it('accepts a body of exactly 16 KiB', async () => {
      const body = `grant_type=password&padding=${'a'.repeat(MAX_BODY_BYTES - 'grant_type=password&padding='.length)}`;
      assert.equal(Buffer.byteLength(body), MAX_BODY_BYTES);
      const res = await sendRequest(server.url, { method: 'POST', path: server.api.tokenPath, headers: FORM, body });
      assert.equal(res.status, 401);
    });

    it('answers 413 JSON to a body over 16 KiB and keeps serving', async () => {
      const res = await sendRequest(server.url, { method: 'POST', path: server.api.tokenPath, headers: FORM, body: 'a'.repeat(MAX_BODY_BYTES + 1) });
      assert.equal(res.status, 413);
      assert.equal(jsonObject(res)['error'], 'invalid_request');
      assert.equal(res.headers['connection'], 'close');
      assert.equal((await postForm(server.url, server.api.tokenPath, { grant_type: 'password', ...DEMO_USER })).status, 200);
    });

    it('answers 413 to an oversized chunked body that declares no length', async () => {
      const res = await new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}${server.api.tokenPath}`, { method: 'POST', agent: false, headers: { ...FORM, 'transfer-encoding': 'chunked' } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on('error', reject);
        for (let i = 0; i < 8; i++) req.write('a'.repeat(4096));
        req.end();
      });
      assert.equal(res, 413);
      assert.equal((await sendRequest(server.url, { path: '/' })).status, 404);
    });

    it('answers 400 JSON to a request node cannot parse, and keeps serving', async () => {
      const answer = await rawExchange(server.port, 'THIS IS NOT HTTP\r\n\r\n');
      assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(answer, /"error":"invalid_request"/);
      assert.equal((await sendRequest(server.url, { path: '/' })).status, 404);
    });

    it('answers 431 to oversized headers', async () => {
      const answer = await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 431 /);
    });

    it('passes the remote address as clientId, so limits are per client', async () => {
      const seen: ApiRequest[] = [];
      const spy = await startReferenceServer({
        handle: (req) => {
          seen.push(req);
          return { status: 204, headers: {}, body: '' };
        },
      });
      try {
        await sendRequest(spy.url, { path: '/x?y=1', headers: { 'x-test': 'yes' } });
        assert.equal(seen[0]?.clientId, '127.0.0.1');
        assert.equal(seen[0]?.path, '/x?y=1');
        assert.equal(seen[0]?.headers['x-test'], 'yes');
      } finally {
        await spy.close();
      }
    });
  });

  describe('with a custom handler', () => {
    const cases: Array<[string, (req: ApiRequest) => ApiResponse | Promise<ApiResponse>]> = [
      ['throws', () => { throw new Error('boom'); }],
      ['rejects', () => Promise.reject(new Error('boom'))],
      ['returns a status node refuses', () => ({ status: 42, headers: {}, body: '' })],
      ['returns a header value node refuses', () => ({ status: 200, headers: { 'x-bad': 'line\nbreak' }, body: '' })],
    ];
    for (const [what, handle] of cases) {
      it(`answers 500 JSON when the handler ${what}`, async () => {
        const server = await startReferenceServer({ handle });
        try {
          const res = await sendRequest(server.url, { path: '/' });
          assert.equal(res.status, 500);
          assert.deepEqual(jsonObject(res), { error: 'server_error' });
          assert.equal(res.headers['x-bad'], undefined);
        } finally {
          await server.close();
        }
      });
    }

    it('uses the handler in place of api.handle and still reports the api', async () => {
      const api = createReferenceApi();
      const server = await startReferenceServer({ api, handle: async () => ({ status: 418, headers: { 'content-type': 'text/plain' }, body: 'teapot' }) });
      try {
        const res = await sendRequest(server.url, { path: api.tokenPath });
        assert.equal(res.status, 418);
        assert.equal(res.body, 'teapot');
        assert.equal(server.api, api);
      } finally {
        await server.close();
      }
    });
  });

  describe('close()', () => {
    it('closes idle keep-alive connections too, and stops listening', async () => {
      const server = await startReferenceServer();
      const agent = new Agent({ keepAlive: true });
      try {
        await new Promise<void>((resolve, reject) => {
          request(`${server.url}/`, { agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          }).on('error', reject).end();
        });
        assert.equal(Object.values(agent.sockets).flat().length + Object.values(agent.freeSockets).flat().length, 1);
        // Would hang until the keep-alive timeout without closeAllConnections(): mocha's timeout catches that.
        await server.close();
        await assert.rejects(sendRequest(server.url, { path: '/' }), /ECONNREFUSED/);
      } finally {
        agent.destroy();
      }
    });

    it('fails to start on a port in use, with the listen error', async () => {
      const first = await startReferenceServer();
      try {
        await assert.rejects(startReferenceServer({ port: first.port }), /EADDRINUSE/);
      } finally {
        await first.close();
      }
    });
  });
});

describe('rate limits', () => {
  const clock = new ManualClock();
  let server: RunningServer;
  before(async () => {
    server = await startReferenceServer({ api: createReferenceApi({ clock }) });
  });
  after(() => server.close());

  const badLogin = (): ReturnType<typeof postForm> => postForm(server.url, server.api.tokenPath, { grant_type: 'password', username: 'x', password: 'y' });

  it('answers 429 with Retry-After: 1 to the 11th token request in one second, and lets it through a second later', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await badLogin()).status, 401, `request ${i + 1}`);
    const limited = await badLogin();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '1');
    assert.equal(limited.headers['cache-control'], 'no-store');
    assert.deepEqual(jsonObject(limited), { error: 'invalid_request', error_description: 'Too many requests' });
    clock.advance(999);
    assert.equal((await badLogin()).status, 429, 'the window slides: the first requests are 999 ms old');
    clock.advance(1);
    assert.equal((await badLogin()).status, 401);
  });

  it('counts each client on its own', () => {
    const limited = createReferenceApi({ clock });
    const login = (clientId: string): number =>
      limited.handle({ method: 'POST', path: limited.tokenPath, headers: FORM, body: 'grant_type=password', clientId }).status;
    for (let i = 0; i < 10; i++) login('10.0.0.1');
    assert.equal(login('10.0.0.1'), 429);
    assert.equal(login('10.0.0.2'), 401);
  });

  it('allows 300 other requests per second per client, as documented', () => {
    const limited = createReferenceApi({ clock });
    const get = (): number => limited.handle({ method: 'GET', path: limited.resourcePath, headers: {}, body: '', clientId: 'c' }).status;
    for (let i = 0; i < 300; i++) assert.equal(get(), 401);
    assert.equal(get(), 429);
  });

  it('refuses every token request with a limit of 0, for testing a client back-off', () => {
    const closed = createReferenceApi({ clock, rateLimitPerSecond: 0 });
    const res = closed.handle({ method: 'POST', path: closed.tokenPath, headers: FORM, body: '', clientId: 'c' });
    assert.equal(res.status, 429);
    assert.equal(res.headers['retry-after'], '1');
  });
});
