import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { seedWith, seedTokenResponse } from '../support/schema-cases/seed-token-response';

const SCHEMAS_DIR = join(__dirname, '..', '..', 'schemas');
const OPENAPI_PATH = join(SCHEMAS_DIR, 'openapi.yaml');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The untyped YAML tree; the document is checked piece by piece, so plain records will do. */
type Node = Record<string, unknown>;

function node(value: unknown, where: string): Node {
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `${where} should be an object`);
  return value as Node;
}

function readOpenApi(): Node {
  return node(parse(readFileSync(OPENAPI_PATH, 'utf8')), 'openapi.yaml');
}

/** Every operation of the document as [`METHOD /path`, operation]. */
function operations(doc: Node): [string, Node][] {
  return Object.entries(node(doc.paths, 'paths')).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => method in node(item, path)).map(
      (method): [string, Node] => [`${method.toUpperCase()} ${path}`, node(node(item, path)[method], path)],
    ),
  );
}

/** Every `$ref` value anywhere in a YAML tree. */
function refs(tree: unknown): string[] {
  if (Array.isArray(tree)) return tree.flatMap(refs);
  if (tree === null || typeof tree !== 'object') return [];
  return Object.entries(tree).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refs(value),
  );
}

/** A copy of schemas/ in a temporary directory with openapi.yaml replaced, for negative checks. */
function withBrokenCopy(edit: (doc: Node) => void, run: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-test-'));
  for (const file of readdirSync(SCHEMAS_DIR).filter((name) => name.endsWith('.json'))) {
    copyFileSync(join(SCHEMAS_DIR, file), join(dir, file));
  }
  const doc = readOpenApi();
  edit(doc);
  const path = join(dir, 'openapi.yaml');
  writeFileSync(path, JSON.stringify(doc));
  return run(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function assertRejected(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(SwaggerParser.validate(path), (error: Error) => {
    assert.match(error.message, pattern);
    return true;
  });
}

describe('schemas/openapi.yaml', () => {
  const doc = readOpenApi();
  const tokenPost = node(node(node(doc.paths, 'paths')['/token'], '/token').post, 'POST /token');
  const tokenResponses = node(tokenPost.responses, 'POST /token responses');
  const riders = node(node(doc.paths, 'paths')['/v1/riders/getByRiderId'], '/v1/riders/getByRiderId');
  const ridersGet = node(riders.get, 'GET /v1/riders/getByRiderId');

  it('is a valid OpenAPI 3.1.0 document by @apidevtools/swagger-parser, resolved offline', async () => {
    assert.equal(doc.openapi, '3.1.0');
    // tests/setup.ts refuses non-loopback connections, so this also proves no $ref reaches out.
    await SwaggerParser.validate(OPENAPI_PATH);
  });

  it('is rejected by the validator when a response lacks its description', async () => {
    await withBrokenCopy(
      (broken) => {
        const responses = node(node(node(node(broken.paths, 'paths')['/token'], '/token').post, 'post').responses, 'r');
        delete node(responses['500'], '500').description;
      },
      (path) => assertRejected(path, /description/),
    );
  });

  it('is rejected by the validator when a $ref names a schema file that does not exist', async () => {
    await withBrokenCopy(
      (broken) => {
        node(node(broken.components, 'components').schemas, 'schemas').OAuthError = { $ref: './missing.schema.json' };
      },
      (path) => assertRejected(path, /missing\.schema\.json/),
    );
  });

  it('documents a 401 answer for every operation', () => {
    const ops = operations(doc);
    assert.deepEqual(
      ops.map(([name]) => name),
      ['POST /token', 'GET /v1/riders/getByRiderId'],
    );
    for (const [name, operation] of ops) {
      assert.ok('401' in node(operation.responses, `${name} responses`), `${name} should document 401`);
    }
  });

  it('$refs only relative schema files that exist, or local components', () => {
    const all = refs(doc);
    assert.ok(all.length > 0);
    for (const ref of all) {
      if (ref.startsWith('#/')) continue;
      assert.match(ref, /^\.\/[a-z0-9-]+\.schema\.json$/, `${ref} should be a relative schema file`);
      assert.ok(existsSync(resolve(dirname(OPENAPI_PATH), ref)), `${ref} should exist`);
    }
  });

  it('$refs every schemas/*.schema.json, so the JSON Schemas stay the single source of truth', () => {
    const referenced = new Set(refs(doc).filter((ref) => !ref.startsWith('#')).map((ref) => ref.slice(2)));
    const files = readdirSync(SCHEMAS_DIR).filter((name) => name.endsWith('.schema.json'));
    assert.deepEqual([...referenced].sort(), files.sort());
  });

  it('lists the production and test servers of the contract', () => {
    const servers = (doc.servers as unknown[]).map((server) => node(server, 'server').url);
    assert.deepEqual(servers, [
      'https://api.mediroutes.com',
      'https://mediroutesexternalapi-primary-test.azurewebsites.net',
    ]);
  });

  it('declares bearerAuth as an http bearer scheme with JWT tokens', () => {
    const schemes = node(node(doc.components, 'components').securitySchemes, 'securitySchemes');
    const bearer = node(schemes.bearerAuth, 'bearerAuth');
    assert.deepEqual([bearer.type, bearer.scheme, bearer.bearerFormat], ['http', 'bearer', 'JWT']);
  });

  it('takes a form-encoded password grant or refresh grant at POST /token, without bearer auth', () => {
    assert.deepEqual(tokenPost.security, []);
    const content = node(node(tokenPost.requestBody, 'requestBody').content, 'requestBody content');
    assert.deepEqual(Object.keys(content), ['application/x-www-form-urlencoded']);
    const oneOf = node(node(content['application/x-www-form-urlencoded'], 'form').schema, 'form schema').oneOf;
    assert.deepEqual(oneOf, [
      { $ref: '#/components/schemas/PasswordGrant' },
      { $ref: '#/components/schemas/RefreshGrant' },
    ]);
  });

  it('TOKEN-BODY-SCHEMA: composes the 200 body of token-response and token-lifetime, with cache headers', () => {
    const ok = node(tokenResponses['200'], '200');
    const schema = node(node(node(ok.content, '200 content')['application/json'], 'json').schema, '200 schema');
    assert.deepEqual(schema.allOf, [
      { $ref: './token-response.schema.json' },
      { $ref: './token-lifetime.schema.json' },
    ]);
    assert.deepEqual(Object.keys(node(ok.headers, '200 headers')), ['Cache-Control', 'Pragma']);
  });

  it('TOKEN-ERROR-BODY: describes the 401 body by token-error, and 429 with Retry-After, and 500', () => {
    const unauthorized = node(tokenResponses['401'], '401');
    const json = node(node(unauthorized.content, '401 content')['application/json'], 'json');
    assert.deepEqual(json.schema, { $ref: './token-error.schema.json' });
    assert.ok('Retry-After' in node(node(tokenResponses['429'], '429').headers, '429 headers'));
    assert.ok('500' in tokenResponses);
  });

  it('BEARER-MISSING-401: protects GET /v1/riders/getByRiderId with bearerAuth, 401 carrying WWW-Authenticate', () => {
    assert.deepEqual(ridersGet.security, [{ bearerAuth: [] }]);
    const parameters = (ridersGet.parameters as unknown[]).map((p) => node(p, 'parameter'));
    assert.deepEqual(
      parameters.map((p) => [p.name, p.in, p.required]),
      [['riderId', 'query', true]],
    );
    const responses = node(ridersGet.responses, 'responses');
    const ok = node(node(node(responses['200'], '200').content, '200 content')['application/json'], 'json');
    assert.deepEqual(ok.schema, { type: 'object' });
    assert.ok('WWW-Authenticate' in node(node(responses['401'], '401').headers, '401 headers'));
  });

  describe('the dereferenced document, compiled by ajv 8', () => {
    let api: Node;
    const compile = (schema: unknown) => new Ajv({ strict: true, allErrors: true }).compile(node(schema, 'schema'));
    const jsonSchema = (response: unknown) =>
      node(node(node(response, 'response').content, 'content')['application/json'], 'json').schema;

    before(async () => {
      api = node(await SwaggerParser.dereference(OPENAPI_PATH), 'dereferenced');
    });

    function tokenOperation(): Node {
      return node(node(node(api.paths, 'paths')['/token'], '/token').post, 'post');
    }

    it('TOKEN-BODY-SCHEMA: accepts the seed sample 200 body as the documented 200 response', () => {
      const validate = compile(jsonSchema(node(tokenOperation().responses, 'r')['200']));
      assert.equal(validate(seedTokenResponse), true, JSON.stringify(validate.errors));
    });

    it('EXPIRY-EXPIRES-IN: rejects an expires_in of 3600 as the documented 200 response', () => {
      const validate = compile(jsonSchema(node(tokenOperation().responses, 'r')['200']));
      assert.equal(validate(seedWith({ expires_in: 3600 })), false);
    });

    it('TOKEN-ERROR-BODY: rejects a 401 body carrying an access_token', () => {
      const validate = compile(jsonSchema(node(tokenOperation().responses, 'r')['401']));
      assert.equal(validate({ error: 'invalid_grant' }), true);
      assert.equal(validate({ access_token: seedTokenResponse.access_token }), false);
    });

    it('accepts exactly one of the password and refresh grant forms as the token request', () => {
      const form = node(node(tokenOperation().requestBody, 'requestBody').content, 'content');
      const validate = compile(node(form['application/x-www-form-urlencoded'], 'form').schema);
      assert.equal(validate({ grant_type: 'password', username: 'jane.doe@example.com', password: 'x' }), true);
      assert.equal(validate({ grant_type: 'refresh_token', refresh_token: seedTokenResponse.refresh_token }), true);
      assert.equal(validate({ grant_type: 'client_credentials' }), false);
      assert.equal(validate({ grant_type: 'password', username: 'jane.doe@example.com' }), false);
      assert.equal(validate({ grant_type: 'refresh_token' }), false);
    });
  });
});
