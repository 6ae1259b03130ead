import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { ADMIN_API_BASE, ADMIN_ROUTES } from '../../src/admin/http/index.js';
import { openApiPath } from '../../src/admin/http/openapi.js';
import { type Json, json } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

describe('GET /admin/v1/openapi.json (issue 12)', () => {
  let t: TestApp;
  let doc: Json;
  before(async () => {
    t = await testApp();
    const res = await t.request('/admin/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    doc = await json(res);
  });
  after(() => t.close());

  it('is served without a token and is a valid OpenAPI 3.1 document (@readme/openapi-parser)', async () => {
    assert.equal(doc['openapi'], '3.1.0');
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as never);
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
    assert.deepEqual(result.warnings, []);
  });

  it("names the issuer's /admin/v1 as its server and bearer tokens as its security scheme", () => {
    assert.deepEqual(doc['servers'], [{ url: `${t.issuer}/admin/v1` }]);
    assert.equal(doc['components']['securitySchemes']['bearer']['scheme'], 'bearer');
  });

  it('lists every route of the table, each with its permission and security', () => {
    for (const route of ADMIN_ROUTES) {
      const op = doc['paths'][openApiPath(route.path)]?.[route.method];
      assert.ok(op, `${route.method} ${route.path} is missing`);
      assert.equal(op['operationId'], route.operationId);
      if (route.permission) {
        assert.deepEqual(op['security'], [{ bearer: [] }]);
        assert.ok(op['description'].includes(`\`${route.permission}\``), op['description']);
        for (const status of ['401', '403'])
          assert.ok(op['responses'][status], `${route.operationId} ${status}`);
      } else {
        assert.deepEqual(op['security'], []);
      }
      for (const outcome of route.responses) assert.ok(op['responses'][String(outcome.status)]);
    }
  });

  it('lists exactly the routes mounted under /admin/v1 (app.routes)', () => {
    const mounted = new Set(
      t.app.routes
        .filter((r) => r.method !== 'ALL' && r.path.startsWith(`${ADMIN_API_BASE}/`))
        .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path.slice(ADMIN_API_BASE.length))}`),
    );
    const documented = new Set(
      Object.entries(doc['paths'] as Record<string, Json>).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      ),
    );
    assert.ok(mounted.size >= 30, `${mounted.size} routes mounted`);
    assert.deepEqual([...mounted].sort(), [...documented].sort());
  });

  it('describes a body the same way the router checks it: the client registration', () => {
    const register = doc['paths']['/clients']['post'];
    const ref = register['requestBody']['content']['application/json']['schema']['$ref'] as string;
    const schema = doc['components']['schemas'][ref.split('/').pop()!];
    assert.deepEqual(schema['required'], ['name']);
    assert.equal(schema['additionalProperties'], false);
    assert.deepEqual(schema['properties']['token_format']['enum'], ['jwt', 'opaque']);
    assert.equal(schema['properties']['redirect_uris']['type'], 'array');
  });
});
