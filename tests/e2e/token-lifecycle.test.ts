/**
 * The collection script's token lifecycle for requests a user adds to the collection (the reason
 * users import it): run in Newman against the reference server, counting grants server-side.
 */
import { strict as assert } from 'node:assert';
import newman from 'newman';
import type { PostmanCollection, PostmanItem } from '../../scripts/lib/collection/postman-types';
import { VARS } from '../../scripts/lib/contract/run-state';
import { createReferenceApi, type ApiRequest, type ReferenceApi } from '../../scripts/lib/reference/reference-api';
import { startReferenceServer, type RunningServer } from '../../scripts/lib/reference/reference-server';
import { committedCollection } from '../support/contract-harness';

interface Counted {
  server: RunningServer;
  api: ReferenceApi;
  grants: string[];
  resourceStatuses: number[];
}

async function countingServer(rejectFirstResource = false): Promise<Counted> {
  const api = createReferenceApi();
  const counted: Omit<Counted, 'server'> = { api, grants: [], resourceStatuses: [] };
  let rejected = false;
  const handle = (req: ApiRequest) => {
    if (req.path.startsWith(api.tokenPath)) counted.grants.push(new URLSearchParams(req.body).get('grant_type') ?? '');
    if (req.path.startsWith(api.resourcePath) && rejectFirstResource && !rejected) {
      rejected = true;
      counted.resourceStatuses.push(401);
      return { status: 401, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' }, body: '{"error":"invalid_token"}' };
    }
    const res = api.handle(req);
    if (req.path.startsWith(api.resourcePath)) counted.resourceStatuses.push(res.status);
    return res;
  };
  return { ...counted, server: await startReferenceServer({ api, handle }) };
}

/** The committed collection's scripts and variables with only the user's own requests. */
function userCollection(names: string[], variables: Record<string, string> = {}): PostmanCollection {
  const base = committedCollection() as PostmanCollection;
  const item: PostmanItem[] = names.map((name) => ({
    name,
    request: {
      method: 'GET',
      header: [],
      url: `{{${VARS.baseUrl}}}{{${VARS.resourcePath}}}?riderId=42`,
      auth: { type: 'bearer', bearer: [{ key: 'token', value: `{{${VARS.accessToken}}}`, type: 'string' }] },
      description: 'a request of the user',
    },
  }));
  return {
    ...base,
    item: [{ name: 'My requests', description: '', item }],
    variable: base.variable.map((v) => (v.key in variables ? { ...v, value: variables[v.key]! } : v)),
  };
}

function run(collection: PostmanCollection, c: Counted): Promise<void> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: collection as unknown as newman.NewmanRunOptions['collection'],
        envVar: [
          { key: VARS.baseUrl, value: c.server.url },
          { key: VARS.resourcePath, value: c.api.resourcePath },
          { key: VARS.username, value: c.api.demoUser.username },
          { key: VARS.password, value: c.api.demoUser.password },
        ],
        reporters: [],
      },
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

/** A valid token pair for the demo user, taken from the API directly. */
function grant(api: ReferenceApi): { access_token: string; refresh_token: string } {
  const res = api.handle({ method: 'POST', path: api.tokenPath, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'password', username: api.demoUser.username, password: api.demoUser.password }).toString(), clientId: 'test' });
  return JSON.parse(res.body) as { access_token: string; refresh_token: string };
}

describe('e2e: the collection token lifecycle for a user\'s own requests', function () {
  this.timeout(30_000);
  let c: Counted | undefined;
  afterEach(async () => c?.server.close());

  it('makes one password grant for many requests, and caches the token', async () => {
    c = await countingServer();
    await run(userCollection(['one', 'two', 'three']), c);
    assert.deepEqual(c.grants, ['password']);
    assert.deepEqual(c.resourceStatuses, [200, 200, 200]);
  });

  it('refreshes a token within the safety margin of .expires before sending, with no password grant', async () => {
    c = await countingServer();
    const tokens = grant(c.api);
    c.grants.length = 0;
    await run(userCollection(['one', 'two'], { [VARS.accessToken]: tokens.access_token, [VARS.refreshToken]: tokens.refresh_token, [VARS.accessTokenExpires]: String(Date.now() + 30_000) }), c);
    assert.deepEqual(c.grants, ['refresh_token']);
    assert.deepEqual(c.resourceStatuses, [200, 200]);
  });

  it('refreshes after a protected request was answered 401', async () => {
    c = await countingServer(true);
    await run(userCollection(['one', 'two']), c);
    assert.deepEqual(c.grants, ['password', 'refresh_token']);
    assert.deepEqual(c.resourceStatuses, [401, 200]);
  });

  it('falls back to one password grant when the refresh token is refused', async () => {
    c = await countingServer();
    await run(userCollection(['one'], { [VARS.accessToken]: 'stale', [VARS.refreshToken]: 'not-a-refresh-token', [VARS.accessTokenExpires]: '0' }), c);
    assert.deepEqual(c.grants, ['refresh_token', 'password']);
    assert.deepEqual(c.resourceStatuses, [200]);
  });
});
