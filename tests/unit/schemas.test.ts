import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { schemaCases } from '../support/schema-cases/schema-cases';
import { seedJwtPart, seedTokenResponse } from '../support/schema-cases/seed-token-response';

const SCHEMAS_DIR = join(__dirname, '..', '..', 'schemas');
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
const SCHEMA_FILES = readdirSync(SCHEMAS_DIR)
  .filter((name) => name.endsWith('.schema.json'))
  .sort();

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function readSchema(file: string): { [key: string]: Json } {
  return JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8')) as { [key: string]: Json };
}

/** Keywords whose value maps names to subschemas: their keys are names, not keywords. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', 'dependencies']);

/** JSON Pointers of every `format` keyword in a schema (not of properties merely named format). */
function formatKeywords(schema: Json, pointer = ''): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => formatKeywords(item, `${pointer}/${i}`));
  if (schema === null || typeof schema !== 'object') return [];
  return Object.entries(schema).flatMap(([key, value]) => {
    const here = `${pointer}/${key}`;
    if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return Object.entries(value).flatMap(([name, sub]) => formatKeywords(sub, `${here}/${name}`));
    }
    if (key === 'enum' || key === 'const' || key === 'examples' || key === 'default') return [];
    return key === 'format' ? [here] : formatKeywords(value, here);
  });
}

describe('schemas/*.schema.json', () => {
  it('finds a format keyword at any depth, and not a property merely named format', () => {
    const probe: Json = {
      properties: { format: { type: 'string' }, when: { anyOf: [{ type: 'string', format: 'date-time' }] } },
      definitions: { d: { items: { format: 'email' } } },
    };
    assert.deepEqual(formatKeywords(probe), ['/properties/when/anyOf/0/format', '/definitions/d/items/format']);
  });

  it('finds the six schemas of the contract, each with data-driven cases', () => {
    assert.deepEqual(SCHEMA_FILES, Object.keys(schemaCases).sort());
  });

  for (const file of SCHEMA_FILES) {
    describe(file, () => {
      const schema = readSchema(file);
      let validate: ValidateFunction | undefined;

      it('declares the draft-07 meta-schema, the newest the Postman sandbox ajv 6 accepts', () => {
        assert.equal(schema.$schema, DRAFT_07);
      });

      it('uses no format keyword, since the sandbox ajv 6 throws on unknown formats', () => {
        assert.deepEqual(formatKeywords(schema), []);
      });

      it('is a valid schema by the ajv 8 draft-07 meta-schema', () => {
        const ajv = new Ajv({ strict: true, allErrors: true });
        assert.equal(ajv.validateSchema(schema), true, ajv.errorsText(ajv.errors));
      });

      it('compiles under ajv 8 strict mode', () => {
        validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
      });

      for (const schemaCase of schemaCases[file] ?? []) {
        it(schemaCase.description, () => {
          assert.ok(validate, `${file} did not compile`);
          const valid = validate(schemaCase.data);
          const errors = validate.errors ?? [];
          if (schemaCase.valid) {
            assert.equal(valid, true, `expected valid, got: ${JSON.stringify(errors)}`);
            return;
          }
          assert.equal(valid, false, 'expected the schema to reject the data');
          assert.deepEqual(
            [...new Set(errors.map((error) => error.instancePath))],
            [schemaCase.errorAt],
            `every error should point at ${JSON.stringify(schemaCase.errorAt)}: ${JSON.stringify(errors)}`,
          );
        });
      }
    });
  }
});

describe('tests/fixtures/seed-token-response.json', () => {
  // What the seed page shows verbatim; the fixture may only complete what it elides.
  const SEED_ACCESS_TOKEN_PREFIX =
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3ZDUyMmNiMS1iZDYxLTQzZDctOWY3OS04MzgyM';
  const SEED_REFRESH_TOKEN_PREFIX =
    'CfDJ8EMw3GMoAG1Khpbl5wMJxvmsmeu553OU7whkKzFLC3h0ote-3NzDlA_I7PIqGnPn4UnmP6pZ8cS3';

  it('has the members of the seed sample, in its order', () => {
    assert.deepEqual(Object.keys(seedTokenResponse), [
      'access_token',
      'token_type',
      'expires_in',
      'refresh_token',
      'userName',
      '.issued',
      '.expires',
    ]);
  });

  it('keeps every token_type, expires_in and date value the seed shows', () => {
    assert.equal(seedTokenResponse.token_type, 'Bearer');
    assert.equal(seedTokenResponse.expires_in, 86400);
    assert.equal(seedTokenResponse['.issued'], 'Mon, 08 Jun 2020 17:17:55 GMT');
    assert.equal(seedTokenResponse['.expires'], 'Tue, 09 Jun 2020 17:17:55 GMT');
  });

  it('completes the elided tokens from the characters the seed shows', () => {
    assert.ok(seedTokenResponse.access_token.startsWith(SEED_ACCESS_TOKEN_PREFIX));
    assert.ok(seedTokenResponse.refresh_token.startsWith(SEED_REFRESH_TOKEN_PREFIX));
    assert.ok(seedTokenResponse.refresh_token.length > SEED_REFRESH_TOKEN_PREFIX.length);
  });

  it('carries a JWT whose lifetime and exp agree with .issued and .expires', () => {
    const claims = seedJwtPart(1);
    assert.equal(claims.iat, Date.parse(seedTokenResponse['.issued']) / 1000);
    assert.equal(claims.exp, Date.parse(seedTokenResponse['.expires']) / 1000);
  });
});
