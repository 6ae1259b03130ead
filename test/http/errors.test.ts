import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { addScope } from '../../src/admin/scopes.js';
import { expectOAuthError } from '../helpers/oauth.js';
import { basic, form, type TestApp, testApp } from '../helpers/server.js';

type Client = { id: string; secret?: string };
type Body = Record<string, unknown>;

const raw = (body: string | Uint8Array, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body,
});

describe('OAuth errors (RFC 6749 §5.2): malformed requests are 400 invalid_request, never a 500', () => {
  let t: TestApp;
  let client: Client;
  let codeOnly: Client;
  let auth: Record<string, string>;
  before(async () => {
    t = await testApp({ LATCHKEY_THROTTLE: 'off' });
    await addScope(t.deps, 'api:read', 'Read the API');
    await addScope(t.deps, 'api:admin', 'Administer the API');
    client = await t.addClient({
      grants: ['client_credentials'],
      scopes: ['api:read'],
      resources: ['https://api.example.test/v1'],
    });
    codeOnly = await t.addClient({ redirectUris: ['https://app.example.test/cb'] });
    auth = { authorization: basic(client.id, client.secret!) };
  });
  after(() => t.close());

  for (const endpoint of ['/token', '/introspect', '/revoke']) {
    it(`${endpoint}: a repeated parameter`, async () => {
      const body =
        endpoint === '/token'
          ? 'grant_type=client_credentials&grant_type=client_credentials'
          : 'token=a&token=b';
      await expectOAuthError(await t.request(endpoint, raw(body, auth)), 'invalid_request');
      const id = `grant_type=client_credentials&token=x&client_id=${client.id}&client_id=${client.id}&client_secret=${client.secret}`;
      await expectOAuthError(await t.request(endpoint, raw(id)), 'invalid_request');
    });

    it(`${endpoint}: a body that is not application/x-www-form-urlencoded`, async () => {
      const json = JSON.stringify({ grant_type: 'client_credentials', token: 'x' });
      for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x', '']) {
        const init: RequestInit = {
          method: 'POST',
          headers: { ...auth, ...(type ? { 'content-type': type } : {}) },
          body: json,
        };
        await expectOAuthError(await t.request(endpoint, init), 'invalid_request');
      }
    });

    it(`${endpoint}: a body over 64 KiB (streamed, no Content-Length)`, async () => {
      const body = `grant_type=client_credentials&token=${'a'.repeat(64 * 1024)}`;
      await expectOAuthError(await t.request(endpoint, raw(body, auth)), 'invalid_request');
    });

    it(`${endpoint}: a body over 64 KiB (announced by Content-Length)`, async () => {
      const body = `grant_type=client_credentials&token=${'a'.repeat(64 * 1024)}`;
      const res = await t.request(endpoint, raw(body, { ...auth, 'content-length': String(body.length) }));
      await expectOAuthError(res, 'invalid_request');
    });

    it(`${endpoint}: invalid percent-encoding`, async () => {
      for (const body of [
        'grant_type=client_credentials&token=%zz',
        'grant_type=client_credentials&token=%',
        'grant_type=client_credentials&token=abc%4',
        'grant_type=client_credentials&token=%FF%FE',
        'grant_type=client_credentials&token=%C3',
        'grant_type%ZZ=client_credentials&token=x',
      ]) {
        await expectOAuthError(await t.request(endpoint, raw(body, auth)), 'invalid_request');
      }
    });

    it(`${endpoint}: a body that is not UTF-8`, async () => {
      const body = new Uint8Array([...Buffer.from('grant_type=client_credentials&token='), 0xff, 0xfe, 0x80]);
      await expectOAuthError(await t.request(endpoint, raw(body, auth)), 'invalid_request');
    });

    it(`${endpoint}: errors are not cached`, async () => {
      const res = await t.request(endpoint, raw('a=1&a=2', auth));
      assert.equal(res.headers.get('cache-control'), 'no-store');
    });
  }

  it('a well-encoded body with a charset and a literal percent sign is fine', async () => {
    const res = await t.request(
      '/token',
      raw('grant_type=client_credentials&unknown_param=100%25', {
        ...auth,
        'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      }),
    );
    assert.equal(res.status, 200, await res.clone().text());
  });

  it('a missing grant_type: invalid_request', async () => {
    await expectOAuthError(await t.request('/token', form({}, auth)), 'invalid_request');
  });

  it('an unknown grant_type: unsupported_grant_type', async () => {
    for (const type of ['bogus', 'urn:example:grant', 'implicit', 'x'.repeat(1000)]) {
      const body = await expectOAuthError(
        await t.request('/token', form({ grant_type: type }, auth)),
        'unsupported_grant_type',
      );
      assert.ok(
        (body['error_description'] as string).length < 400,
        'the description does not echo a huge value',
      );
    }
  });

  it('a grant the client is not allowed: unauthorized_client', async () => {
    const res = await t.request(
      '/token',
      form({ grant_type: 'client_credentials' }, { authorization: basic(codeOnly.id, codeOnly.secret!) }),
    );
    await expectOAuthError(res, 'unauthorized_client');
  });

  it('a scope the client is not allowed: invalid_scope', async () => {
    for (const scope of [
      'api:admin',
      'api:read api:admin',
      'never-registered',
      'api:read "quoted"',
      'back\\slash',
    ]) {
      await expectOAuthError(
        await t.request('/token', form({ grant_type: 'client_credentials', scope }, auth)),
        'invalid_scope',
      );
    }
  });

  it('an allowed scope is granted and echoed', async () => {
    const res = await t.request(
      '/token',
      form({ grant_type: 'client_credentials', scope: 'api:read' }, auth),
    );
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Body)['scope'], 'api:read');
  });

  it('RFC 8707: "resource" becomes the aud of the access token', async () => {
    const resource = 'https://api.example.test/v1';
    const res = await t.request('/token', form({ grant_type: 'client_credentials', resource }, auth));
    assert.equal(res.status, 200);
    const { access_token } = (await res.json()) as { access_token: string };
    const payload = JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()) as Body;
    assert.equal(payload['aud'], resource);
    const introspected = await t.request('/introspect', form({ token: access_token }, auth));
    assert.equal(((await introspected.json()) as Body)['aud'], resource);
  });

  it('without "resource" the aud is the client id', async () => {
    const res = await t.request('/token', form({ grant_type: 'client_credentials' }, auth));
    const { access_token } = (await res.json()) as { access_token: string };
    const payload = JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()) as Body;
    assert.equal(payload['aud'], client.id);
  });

  it('RFC 8707 §2: a "resource" that is not an absolute URI without fragment is invalid_target', async () => {
    for (const resource of ['api', '/relative', 'https://api.example.test/#frag']) {
      await expectOAuthError(
        await t.request('/token', form({ grant_type: 'client_credentials', resource }, auth)),
        'invalid_target',
      );
    }
  });

  it('an unknown path answers a JSON 404', async () => {
    const res = await t.request('/no-such-endpoint', form({}));
    await expectOAuthError(res, 'invalid_request', 404);
  });

  it('the wrong method on an OAuth endpoint is a 4xx', async () => {
    for (const path of ['/token', '/introspect', '/revoke']) {
      const res = await t.request(path);
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
    }
  });

  it('random bodies and headers never get a 500 (property)', async () => {
    const printable = fc.string({ unit: 'binary', maxLength: 200 });
    const param = fc.oneof(
      fc.constantFrom(
        'grant_type',
        'client_id',
        'client_secret',
        'scope',
        'resource',
        'token',
        'token_type_hint',
      ),
      printable,
    );
    const value = fc.oneof(
      fc.constantFrom('client_credentials', client.id, client.secret!, 'api:read', '%', '%zz', ''),
      printable,
    );
    const pairs = fc.array(fc.tuple(param, value), { maxLength: 6 });
    const body = fc.oneof(
      pairs.map((ps) => ps.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
      pairs.map((ps) => ps.map(([k, v]) => `${k}=${v}`).join('&')),
      printable,
    );
    const authorization = fc.oneof(
      fc.constant(undefined),
      fc.constant(auth['authorization']),
      printable.map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
      fc.stringMatching(/^[ -~]{0,60}$/),
    );
    const contentType = fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/json',
      'text/plain',
      '',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/token', '/introspect', '/revoke'),
        body,
        authorization,
        contentType,
        async (path, b, a, ct) => {
          const headers: Record<string, string> = {};
          if (a !== undefined) headers['authorization'] = a;
          if (ct) headers['content-type'] = ct;
          let res: Response;
          try {
            res = await t.request(path, { method: 'POST', headers, body: b });
          } catch (err) {
            // A header value the Fetch API itself refuses never reaches the server.
            if (err instanceof TypeError) return;
            throw err;
          }
          assert.ok(res.status < 500, `${path} answered ${res.status}: ${await res.clone().text()}`);
          if (res.status >= 400) {
            const json = (await res.json()) as Body;
            assert.equal(typeof json['error'], 'string');
          }
        },
      ),
      { numRuns: 300, seed: 20240601 },
    );
  });
});
