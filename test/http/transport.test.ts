import assert from 'node:assert/strict';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { expectOAuthError } from '../helpers/oauth.js';
import { basic, form, startTestServer, type TestApp, tempDir, testApp } from '../helpers/server.js';

describe('a database locked by another process (SQLITE_BUSY)', () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'latchkey.db');
  let t: TestApp;
  let other: SqliteStore;
  let client: { id: string; secret?: string };
  before(async () => {
    t = await testApp({ LATCHKEY_DB: file });
    client = await t.addClient({ grants: ['client_credentials'], tokenFormat: 'opaque' });
    other = createSqliteStore(file);
  });
  after(async () => {
    if (other.raw.inTransaction) other.raw.exec('ROLLBACK');
    await other.close();
    await t.close();
    tmp.cleanup();
  });

  const locked = async <T>(run: () => Promise<T>): Promise<T> => {
    other.raw.exec('BEGIN IMMEDIATE');
    try {
      return await run();
    } finally {
      other.raw.exec('ROLLBACK');
    }
  };

  it('a write answers 503 temporarily_unavailable with Retry-After at once, not after 5 s and not 500', async () => {
    const started = performance.now();
    const res = await locked(() =>
      t.request(
        '/token',
        form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret!) }),
      ),
    );
    const elapsed = performance.now() - started;
    assert.equal(res.headers.get('retry-after'), '1');
    await expectOAuthError(res, 'temporarily_unavailable', 503);
    assert.ok(elapsed < 2_000, `answered after ${Math.round(elapsed)} ms`);
  });

  it('a page answers the hosted error page with 503', async () => {
    const app = await t.addClient({ redirectUris: ['https://app.example.test/cb'] });
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: app.id,
      redirect_uri: 'https://app.example.test/cb',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const res = await locked(() => t.request(`/authorize?${query}`));
    const html = await res.text();
    assert.equal(res.status, 503, html);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(res.headers.get('location'), null, 'nothing is sent to the redirect URI');
    assert.match(html, /Something went wrong/);
    assert.match(html, /temporarily_unavailable/);
  });

  it('answers normally once the lock is released', async () => {
    const res = await t.request(
      '/token',
      form({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret!) }),
    );
    assert.equal(res.status, 200, await res.clone().text());
  });
});

describe('shutdown drains requests in flight (SIGTERM)', () => {
  it('finishes a request whose body is still arriving, sends Connection: close, and refuses new connections', async () => {
    const t = await startTestServer();
    try {
      const client = await t.addClient({ grants: ['client_credentials'] });
      const body = 'grant_type=client_credentials';
      const url = new URL('/token', t.url);
      const answer = new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>(
        (resolve, reject) => {
          const req = httpRequest(
            url,
            {
              method: 'POST',
              agent: new HttpAgent({ keepAlive: true }),
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': String(body.length),
                authorization: basic(client.id, client.secret!),
              },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => {
                text += chunk;
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.write(body.slice(0, 10));
          setTimeout(() => req.end(body.slice(10)), 400);
        },
      );
      await sleep(100);
      const closed = t.server.close();
      await assert.rejects(
        fetch(new URL('/healthz', t.url)),
        'a new connection is refused once shutdown has started',
      );
      const res = await answer;
      assert.equal(res.status, 200, res.text);
      assert.ok((JSON.parse(res.text) as { access_token?: string }).access_token);
      assert.equal(res.headers.connection, 'close', 'not kept alive for another request');
      await closed;
    } finally {
      await t.close();
    }
  });
});

describe('a method a path does not support: 405 with Allow (RFC 9110 §15.5.6)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  for (const [method, path, allow] of [
    ['PUT', '/token', 'POST'],
    ['GET', '/token', 'POST'],
    ['DELETE', '/introspect', 'POST'],
    ['PATCH', '/userinfo', 'GET, HEAD, POST'],
    ['POST', '/jwks', 'GET, HEAD'],
    ['OPTIONS', '/.well-known/openid-configuration', 'GET, HEAD'],
  ] as const) {
    it(`${method} ${path}: 405, Allow: ${allow}, invalid_request`, async () => {
      const res = await t.request(path, { method });
      assert.deepEqual(res.headers.get('allow')?.split(', ').sort(), allow.split(', ').sort());
      await expectOAuthError(res, 'invalid_request', 405);
    });
  }

  for (const [method, path] of [
    ['DELETE', '/authorize'],
    ['PUT', '/login'],
    ['PUT', '/consent'],
  ] as const) {
    it(`${method} ${path} (a page): 405 with Allow and the hosted error page`, async () => {
      const res = await t.request(path, { method });
      const html = await res.text();
      assert.equal(res.status, 405, html);
      assert.deepEqual(res.headers.get('allow')?.split(', ').sort(), ['GET', 'HEAD', 'POST']);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(html, /Something went wrong/);
    });
  }

  it('a path that does not exist is still 404', async () => {
    await expectOAuthError(await t.request('/nowhere', { method: 'PUT' }), 'invalid_request', 404);
    await expectOAuthError(await t.request('/token/extra', { method: 'POST' }), 'invalid_request', 404);
  });
});
