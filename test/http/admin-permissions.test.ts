import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ADMIN_ROUTES } from '../../src/admin/http/index.js';
import type { Route } from '../../src/admin/http/route.js';
import { check } from '../../src/admin/http/schema.js';
import { PERMISSIONS, type Permission } from '../../src/admin/permissions.js';
import { enrollUserMfa, listUserSessions } from '../../src/admin/users.js';
import { linkUpstream } from '../helpers/identity.js';
import { browser, expectOAuthError, signIn } from '../helpers/oauth.js';
import { type AdminFixture, adminFixture } from './admin-fixture.js';

/** One request that succeeds on a route, with what it needs created first. */
interface Sample {
  path: string;
  body?: unknown;
}

const unique = () => randomBytes(4).toString('hex');

/**
 * Every route of the table gets a sample: a route added without one fails the first test below, so none
 * escapes the permission checks.
 */
function samples(f: AdminFixture): Record<string, () => Promise<Sample>> {
  const { t } = f;
  const user = () => t.addUser({});
  const client = () => t.addClient({ grants: ['authorization_code', 'client_credentials'] });
  const provider = async () => {
    const slug = `idp-${unique()}`;
    const res = await f.call(admin, 'POST', '/providers', {
      slug,
      issuer: 'https://idp.example.test',
      client_id: 'upstream-id',
      client_secret: 'upstream-secret',
    });
    assert.equal(res.status, 201, await res.text());
    return slug;
  };
  const scope = async () => {
    const name = `s-${unique()}`;
    const res = await f.call(admin, 'POST', '/scopes', { name, description: 'Read things' });
    assert.equal(res.status, 201, await res.text());
    return name;
  };
  return {
    createUser: async () => ({
      path: '/users',
      body: { email: `new-${unique()}@example.test`, groups: ['staff'] },
    }),
    listUsers: async () => ({ path: '/users?limit=5' }),
    getUser: async () => ({ path: `/users/${(await user()).id}` }),
    updateUser: async () => ({
      path: `/users/${(await user()).id}`,
      body: { name: 'Grace Hopper', groups: ['ops'] },
    }),
    deleteUser: async () => ({ path: `/users/${(await user()).id}` }),
    setUserPassword: async () => ({
      path: `/users/${(await user()).id}/password`,
      body: { password: `Horse-Battery-${unique()}` },
    }),
    disableUser: async () => ({ path: `/users/${(await user()).id}/disable` }),
    enableUser: async () => ({ path: `/users/${(await user()).id}/enable` }),
    listUserSessions: async () => ({ path: `/users/${(await user()).id}/sessions` }),
    endAllUserSessions: async () => ({ path: `/users/${(await user()).id}/sessions` }),
    endUserSession: async () => {
      const u = await user();
      await signIn(browser(t), u);
      const [session] = await listUserSessions(t.deps, u.id);
      assert.ok(session, 'the sign-in made a session');
      return { path: `/users/${u.id}/sessions/${encodeURIComponent(session.idHash)}` };
    },
    unlinkUser: async () => {
      const u = await user();
      await linkUpstream(t.deps.store, u.id, t.clock.now());
      return { path: `/users/${u.id}/provider` };
    },
    resetUserMfa: async () => {
      const u = await user();
      await enrollUserMfa(t.deps, u.id);
      return { path: `/users/${u.id}/mfa` };
    },
    registerClient: async () => ({
      path: '/clients',
      body: { name: 'Partner', redirect_uris: ['https://partner.example/cb'] },
    }),
    listClients: async () => ({ path: '/clients' }),
    getClient: async () => ({ path: `/clients/${(await client()).id}` }),
    putClient: async () => ({ path: `/clients/app-${unique()}`, body: { name: 'Declared' } }),
    updateClient: async () => ({ path: `/clients/${(await client()).id}`, body: { access_token_ttl: 300 } }),
    rotateClientSecret: async () => ({ path: `/clients/${(await client()).id}/rotate-secret` }),
    deleteClient: async () => ({ path: `/clients/${(await client()).id}` }),
    listScopes: async () => ({ path: '/scopes' }),
    addScope: async () => ({ path: '/scopes', body: { name: `s-${unique()}`, description: 'Write things' } }),
    deleteScope: async () => ({ path: `/scopes/${await scope()}` }),
    listProviders: async () => ({ path: '/providers' }),
    getProvider: async () => ({ path: `/providers/${await provider()}` }),
    addProvider: async () => ({
      path: '/providers',
      body: {
        slug: `idp-${unique()}`,
        issuer: 'https://idp.example.test',
        client_id: 'a',
        client_secret: 'b',
      },
    }),
    enableProvider: async () => ({ path: `/providers/${await provider()}/enable` }),
    disableProvider: async () => ({ path: `/providers/${await provider()}/disable` }),
    deleteProvider: async () => ({ path: `/providers/${await provider()}` }),
    listKeys: async () => ({ path: '/keys' }),
    rotateKeys: async () => ({ path: '/keys/rotate' }),
    listEvents: async () => ({ path: '/events?limit=10' }),
  };
}

let admin: string;

describe('/admin/v1: every route checks its permission (issue 12)', () => {
  let f: AdminFixture;
  let sample: Record<string, () => Promise<Sample>>;
  /** Per permission: a caller with exactly it, and one with every other permission but it. */
  const only = new Map<Permission, string>();
  const allBut = new Map<Permission, string>();
  const guarded = ADMIN_ROUTES.filter((r): r is Route & { permission: Permission } => r.permission !== null);

  before(async () => {
    f = await adminFixture();
    admin = (await f.caller(['admin'])).token;
    sample = samples(f);
    for (const p of PERMISSIONS) {
      only.set(p, (await f.caller([p])).token);
      allBut.set(p, (await f.caller(PERMISSIONS.filter((q) => q !== p))).token);
    }
  });
  after(() => f.t.close());

  it('has a sample request for every route of the table, and the table names each operation once', () => {
    const ids = ADMIN_ROUTES.map((r) => r.operationId);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(
      guarded.map((r) => r.operationId).filter((id) => !Object.hasOwn(sample, id)),
      [],
      'routes without a sample',
    );
    assert.ok(guarded.length >= 30, `${guarded.length} guarded routes`);
  });

  for (const route of ADMIN_ROUTES.filter((r) => r.permission !== null)) {
    const label = `${route.method.toUpperCase()} ${route.path} (${route.permission})`;

    it(`${label}: answers what its table entry says to a caller holding only that permission`, async () => {
      const { path, body } = await sample[route.operationId]!();
      const res = await f.call(only.get(route.permission!)!, route.method.toUpperCase(), path, body);
      const text = await res.text();
      const outcome = route.responses.find((o) => o.status === res.status);
      assert.ok(outcome, `${res.status} is not an answer the table lists: ${text}`);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      if (outcome.schema) check(outcome.schema, JSON.parse(text));
      else assert.equal(text, '');
    });

    it(`${label}: 403 insufficient_scope with a challenge to a caller with every other permission`, async () => {
      const { path, body } = await sample[route.operationId]!();
      const res = await f.call(allBut.get(route.permission!)!, route.method.toUpperCase(), path, body);
      const www = res.headers.get('www-authenticate') ?? '';
      await expectOAuthError(res, 'insufficient_scope', 403);
      assert.match(www, /^Bearer realm="latchkey", error="insufficient_scope"/);
      assert.ok(www.includes(route.permission!), www);
    });

    it(`${label}: 401 with a challenge without a token, and with a bad one`, async () => {
      const path = route.path.replace(/:[a-z_]+/g, 'x');
      const none = await f.call(null, route.method.toUpperCase(), path);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="latchkey"');
      await expectOAuthError(none, 'invalid_token', 401);
      const bad = await f.call('not.a-real.token', route.method.toUpperCase(), path);
      assert.match(bad.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      await expectOAuthError(bad, 'invalid_token', 401);
    });
  }
});
