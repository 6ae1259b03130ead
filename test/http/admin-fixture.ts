import assert from 'node:assert/strict';
import { type Json, json } from '../helpers/oauth.js';
import { basic, form, type TestApp, testApp } from '../helpers/server.js';

/**
 * The admin API in process with a first-party "console" client allowed the password grant and the `admin`
 * scope, the way an admin's tool gets its tokens (README "Admin API").
 */
export interface AdminFixture {
  t: TestApp;
  console: { id: string; secret: string };
  /** A user with the given roles and a fresh access token with the `admin` scope. */
  caller(roles: string[]): Promise<{ id: string; email: string; token: string }>;
  /** `app.request` on `/admin/v1<path>` with the token, JSON in and out. */
  call(
    token: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
}

export async function adminFixture(env: Record<string, string> = {}): Promise<AdminFixture> {
  const t = await testApp(env);
  const added = await t.addClient({ grants: ['password'], scopes: ['admin'], firstParty: true });
  const console = { id: added.id, secret: added.secret! };
  const call: AdminFixture['call'] = (token, method, path, body, headers = {}) =>
    t.request(`/admin/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  return {
    t,
    console,
    call,
    async caller(roles) {
      const user = await t.addUser({ roles });
      return { id: user.id, email: user.email, token: await passwordToken(t, console, user) };
    },
  };
}

/** RFC 6749 §4.3: the password grant with the `admin` scope. */
export async function passwordToken(
  t: TestApp,
  client: { id: string; secret: string },
  user: { email: string; password: string },
  scope = 'admin',
): Promise<string> {
  const res = await t.request(
    '/token',
    form(
      { grant_type: 'password', username: user.email, password: user.password, scope },
      { authorization: basic(client.id, client.secret) },
    ),
  );
  const body = await json(res);
  assert.equal(res.status, 200, JSON.stringify(body));
  return body['access_token'] as string;
}

/** An admin API error: status, `error`, the `field` when one is expected, `no-store`. */
export async function expectApiError(
  res: Response,
  status: number,
  error: string,
  field?: string,
): Promise<Json> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, text);
  assert.equal(res.headers.get('cache-control'), 'no-store', text);
  const body = JSON.parse(text) as Json;
  assert.equal(body['error'], error, text);
  assert.equal(typeof body['error_description'], 'string', text);
  assert.equal(body['field'], field, text);
  return body;
}
