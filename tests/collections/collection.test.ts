/**
 * The generated artifacts: fresh (no drift from the plan, checks and schemas), valid against the
 * official Postman collection v2.1.0 schema, sandbox-compatible, deterministic, and secret-free.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { CLAUSE_IDS } from '../../scripts/lib/contract/clauses';
import { STEPS } from '../../scripts/lib/contract/plan';
import { DEMO_USER } from '../../scripts/lib/reference/reference-api';
import { COLLECTION_PATH, generateArtifacts } from '../../scripts/lib/collection/artifacts';
import type { PostmanCollection, PostmanEnvironment } from '../../scripts/lib/collection/postman-types';

const ROOT = path.join(__dirname, '..', '..');
const POSTMAN_SCHEMA = path.join(__dirname, '..', 'fixtures', 'postman-collection-v2.1.0', 'collection.schema.json');

function read(relative: string): string {
  return fs.readFileSync(path.join(ROOT, relative), 'utf8');
}

describe('collections: the generated Postman artifacts', () => {
  const artifacts = generateArtifacts();
  const collection = JSON.parse(read(COLLECTION_PATH)) as PostmanCollection;
  const script = collection.event[0]!.script.exec.join('\n');

  it('the committed files are exactly what the generator writes now (npm run build:collections)', () => {
    for (const artifact of artifacts) assert.ok(read(artifact.path) === artifact.content, `${artifact.path} is stale: run npm run build:collections`);
  });

  it('generation is deterministic: two builds are byte-identical', () => {
    assert.deepEqual(generateArtifacts(), artifacts);
  });

  it('the collection validates against the official Postman collection v2.1.0 schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(POSTMAN_SCHEMA, 'utf8')) as object);
    assert.ok(validate(collection), JSON.stringify(validate.errors?.slice(0, 5)));
  });

  it('the schema check can fail: a collection without info is rejected', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(POSTMAN_SCHEMA, 'utf8')) as object);
    const { info: _info, ...broken } = collection;
    assert.equal(validate(broken), false);
  });

  it('has one request per plan step, in plan order, in folders by clause group', () => {
    const names = collection.item.flatMap((folder) => folder.item.map((i) => i.name));
    assert.deepEqual(names, STEPS.map((s) => s.name));
  });

  it('every clause of the catalogue is checked by at least one test of the plan', () => {
    const checked = new Set(STEPS.flatMap((s) => s.assertions.map((a) => a.clause)));
    assert.deepEqual(CLAUSE_IDS.filter((id) => !checked.has(id)), []);
  });

  it('every test name starts with its clause ID', () => {
    for (const step of STEPS) for (const a of step.assertions) assert.ok(a.title.startsWith(`${a.clause}: `), a.title);
  });

  it('the script runs in the Postman sandbox: no pm.require, no Node modules, only the bundled ajv', () => {
    assert.ok(!/pm\.require/.test(script), 'pm.require is not available in Newman 6 / every Postman app');
    // esbuild routes require through its __require shim, which uses the sandbox's require.
    const requires = [...script.matchAll(/(?:\b|__)require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(requires)], ['ajv']);
    assert.ok(!/^\s*(import|export)\s/m.test(script), 'an IIFE, not a module');
    assert.ok(!/\b(Buffer|TextEncoder|process\.)\b/.test(script), 'no Node-only globals');
  });

  it('pre-request and test events carry the same bundle as arrays of lines', () => {
    assert.equal(collection.event.length, 2);
    for (const event of collection.event) {
      assert.ok(Array.isArray(event.script.exec));
      assert.deepEqual(event.script.exec, collection.event[0]!.script.exec);
    }
  });

  it('the schemas are embedded from schemas/, not copied by hand', () => {
    for (const file of fs.readdirSync(path.join(ROOT, 'schemas')).filter((f) => f.endsWith('.schema.json'))) {
      const schema = JSON.parse(read(`schemas/${file}`)) as { title: string };
      assert.ok(script.includes(schema.title), `${file} is bundled`);
    }
  });

  describe('environments', () => {
    const environments = artifacts
      .filter((a) => a.path.startsWith('collections/environments/'))
      .map((a) => JSON.parse(a.content) as PostmanEnvironment);

    it('local, test and production exist', () => {
      assert.deepEqual(environments.map((e) => e.name).sort(), ['MediRoutes local reference server', 'MediRoutes production', 'MediRoutes test']);
    });

    it('the password and the expired token are secret-typed and empty', () => {
      for (const env of environments) {
        for (const key of ['password', 'expiredAccessToken']) {
          const value = env.values.find((v) => v.key === key);
          assert.ok(value, `${env.name} has ${key}`);
          assert.equal(value.type, 'secret');
          assert.equal(value.value, '');
        }
      }
    });

    it('test and production point at the real MediRoutes base URLs with empty credentials', () => {
      const byName = new Map(environments.map((e) => [e.name, new Map(e.values.map((v) => [v.key, v.value]))]));
      assert.equal(byName.get('MediRoutes production')!.get('baseUrl'), 'https://api.mediroutes.com');
      assert.equal(byName.get('MediRoutes test')!.get('baseUrl'), 'https://mediroutesexternalapi-primary-test.azurewebsites.net');
      assert.equal(byName.get('MediRoutes production')!.get('username'), '');
    });
  });

  it('no committed collection file holds a password or a JWT', () => {
    for (const artifact of artifacts) {
      assert.ok(!artifact.content.includes(DEMO_USER.password), `${artifact.path} holds the demo password`);
      assert.ok(!/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./.test(artifact.content), `${artifact.path} holds a JWT`);
    }
  });
});
