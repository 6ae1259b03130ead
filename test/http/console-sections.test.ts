import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { Agent, csrfOf, decodeEntities } from '../helpers/agent.js';
import { freePort, type TestApp, testApp } from '../helpers/server.js';

/** The console sections (issue 17): audit, keys, scopes, providers, each through the admin use cases. */
describe('the admin console sections (issue 17)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signedIn>>;
  let auditor: Awaited<ReturnType<typeof signedIn>>;

  /** A user with the roles given and TOTP, signed in to the console: /admin → login → TOTP → /admin. */
  async function signedIn(roles: string[]) {
    const user = await t.addUser({ roles });
    const record = (await t.deps.store.users.find(user.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    const agent = new Agent((url, init) => t.app.request(url, init), t.issuer);
    const login = await agent.go('/admin');
    const mfa = await agent.submit(login.html!, { email: user.email, password: user.password });
    const home = await agent.submit(mfa.html!, { code: generateSync({ secret, epoch: t.clock.now() }) });
    assert.equal(home.res?.status, 200);
    /** A confirmation's step-up code: the clock moves on a step first (each TOTP step is accepted once). */
    const stepUp = () => {
      t.clock.advance(30);
      return { code: generateSync({ secret, epoch: t.clock.now() }) };
    };
    return { id: user.id, agent, stepUp };
  }

  /** A console page, expected to answer 200. */
  async function page(agent: Agent, path: string): Promise<string> {
    const res = await agent.go(path);
    assert.equal(res.res?.status, 200, `${path}: ${res.html?.slice(0, 300)}`);
    return res.html!;
  }

  /** Posts a console form with the page's CSRF token. */
  const post = (agent: Agent, html: string, action: string, fields: Record<string, string> = {}) =>
    agent.post(action, { csrf: csrfOf(html), ...fields });

  /** The newest audit row of a type. */
  async function lastEvent(type: string) {
    const rows = await t.deps.store.events.query({ limit: 1, type });
    assert.ok(rows[0], `an audit row ${type}`);
    return rows[0];
  }

  before(async () => {
    t = await testApp();
    admin = await signedIn(['admin']);
    auditor = await signedIn(['auditor']);
  });
  after(() => t.close());

  it('the nav marks the section a page is in with aria-current, and only that one', async () => {
    const current = (html: string) =>
      [...html.matchAll(/<a href="([^"]*)" aria-current="page">/g)].map((m) => m[1]);
    assert.deepEqual(current(await page(admin.agent, '/admin')), [], 'the home page is no section');
    for (const [path, section] of [
      ['/admin/users', '/admin/users'],
      ['/admin/users/new', '/admin/users'],
      [`/admin/users/${admin.id}`, '/admin/users'],
      ['/admin/apps', '/admin/apps'],
      ['/admin/apps/new', '/admin/apps'],
      ['/admin/providers', '/admin/providers'],
      ['/admin/scopes', '/admin/scopes'],
      ['/admin/keys', '/admin/keys'],
      ['/admin/keys/rotate', '/admin/keys'],
      ['/admin/audit', '/admin/audit'],
    ] as const)
      assert.deepEqual(current(await page(admin.agent, path)), [section], path);
  });

  it('the audit page lists events newest first and filters by type', async () => {
    const all = await page(admin.agent, '/admin/audit');
    assert.match(all, /<h1>Audit trail<\/h1>/);
    assert.match(all, /<th scope="col">When<\/th>/);
    assert.match(all, /<label for="audit-type">/);
    assert.match(all, /mfa_enrolled|login_succeeded|login/);
    const filtered = await page(admin.agent, '/admin/audit?type=no_such_event');
    assert.match(filtered, /No events match/);
    const { type } = (await t.deps.store.events.list(1))[0]!;
    const one = await page(admin.agent, `/admin/audit?type=${type}`);
    const types = [...one.matchAll(/<td data-label="Type">([^<]*)<\/td>/g)].map((m) => m[1]);
    assert.ok(types.length > 0);
    assert.ok(
      types.every((x) => x === type),
      `only ${type}: ${types.join(', ')}`,
    );
    const bad = await page(admin.agent, '/admin/audit?from=yesterday');
    assert.match(bad, /role="alert"[\s\S]*From must be a date/);
  });

  it('the audit page pages through the trail, keeping the filters', async () => {
    for (let i = 0; i < 55; i++)
      await t.deps.store.events.add({
        ...{ at: t.clock.now(), type: 'paging_probe', userId: null, clientId: null },
        ...{ ip: null, actor: 'cli', userAgent: null, detail: { i } },
      });
    const first = await page(admin.agent, '/admin/audit?type=paging_probe');
    const older = /<a href="([^"]*)">Older events<\/a>/.exec(first);
    assert.ok(older, 'a link to the next page');
    assert.match(decodeEntities(older[1]!), /type=paging_probe&cursor=/);
    const second = await page(admin.agent, decodeEntities(older[1]!));
    assert.equal([...second.matchAll(/data-label="Type">paging_probe</g)].length, 5);
  });

  it('rotating keys goes through a confirmation, adds a key the JWKS then lists, and is audited', async () => {
    const before = await t.deps.store.keys.list();
    const list = await page(admin.agent, '/admin/keys');
    assert.match(list, /<h1>Signing keys<\/h1>/);
    assert.match(list, /<th scope="col">In the JWKS until<\/th>/);
    for (const k of before) assert.ok(list.includes(k.kid));
    const confirm = await page(admin.agent, '/admin/keys/rotate');
    assert.match(confirm, /stay in the JWKS/);
    assert.equal((await t.deps.store.keys.list()).length, before.length, 'the GET changes nothing');
    const done = await post(admin.agent, confirm, '/admin/keys/rotate', admin.stepUp());
    assert.equal(done.res?.status, 200);
    assert.match(done.html!, /role="status"[\s\S]*Keys rotated/);
    const added = (await t.deps.store.keys.list()).filter((k) => !before.some((b) => b.kid === k.kid));
    assert.ok(added.length > 0, 'a new key');
    const jwks = (await (await t.request('/jwks')).json()) as { keys: { kid: string }[] };
    for (const k of added)
      assert.ok(
        jwks.keys.some((j) => j.kid === k.kid),
        `the JWKS lists ${k.kid}`,
      );
    for (const k of before)
      assert.ok(
        jwks.keys.some((j) => j.kid === k.kid),
        'the old keys stay published',
      );
    assert.equal((await lastEvent('keys_rotated')).actor, `user:${admin.id}`);
    const auditorList = await page(auditor.agent, '/admin/keys');
    assert.doesNotMatch(auditorList, /href="\/admin\/keys\/rotate"/, 'no button without keys:rotate');
  });

  it('adds a scope, edits its description and removes it after a confirmation; a built-in one stays', async () => {
    const list = await page(admin.agent, '/admin/scopes');
    assert.match(list, /<label for="scope-name">Name<\/label>/);
    const added = await post(admin.agent, list, '/admin/scopes', {
      name: 'reports:read',
      description: 'Read your reports',
    });
    assert.equal(added.res?.status, 200);
    assert.match(added.html!, /Scope added/);
    assert.match(added.html!, /Read your reports/);
    assert.equal((await lastEvent('scope_added')).actor, `user:${admin.id}`);
    const again = await post(admin.agent, list, '/admin/scopes', { name: 'reports:read', description: 'x' });
    assert.equal(again.res?.status, 409);
    assert.match(again.html!, /role="alert"[\s\S]*exists already/);
    const empty = await post(admin.agent, list, '/admin/scopes', { name: 'reports:write', description: '' });
    assert.equal(empty.res?.status, 400);
    assert.match(empty.html!, /role="alert"[\s\S]*description must not be empty/);

    const edit = await page(admin.agent, '/admin/scopes/reports%3Aread/edit');
    assert.match(edit, /value="Read your reports"/);
    const edited = await post(admin.agent, edit, '/admin/scopes/reports%3Aread/edit', {
      description: 'Read all your reports',
    });
    assert.match(edited.html!, /Scope updated/);
    assert.equal(
      (await t.deps.store.scopes.findMany(['reports:read']))[0]?.description,
      'Read all your reports',
    );
    assert.equal((await lastEvent('scope_updated')).actor, `user:${admin.id}`);

    const confirm = await page(admin.agent, '/admin/scopes/reports%3Aread/remove');
    assert.match(confirm, /Remove the scope reports:read/);
    assert.equal((await t.deps.store.scopes.findMany(['reports:read'])).length, 1, 'the GET removes nothing');
    const removed = await post(admin.agent, confirm, '/admin/scopes/reports%3Aread/remove', admin.stepUp());
    assert.match(removed.html!, /Scope removed/);
    assert.equal((await t.deps.store.scopes.findMany(['reports:read'])).length, 0);
    assert.equal((await lastEvent('scope_removed')).actor, `user:${admin.id}`);

    const builtin = await page(admin.agent, '/admin/scopes/openid/remove');
    const refused = await post(admin.agent, builtin, '/admin/scopes/openid/remove', admin.stepUp());
    assert.equal(refused.res?.status, 400);
    assert.match(refused.html!, /role="alert"[\s\S]*built-in scope: it cannot be removed/);
    assert.equal((await admin.agent.go('/admin/scopes/nope/edit')).res?.status, 404);
  });

  it('adds Google from its preset, disables, enables and removes it; the secret is never shown back', async () => {
    const list = await page(admin.agent, '/admin/providers');
    assert.match(list, /href="\/admin\/providers\/new\?preset=google"/);
    const form = await page(admin.agent, '/admin/providers/new?preset=google');
    assert.match(form, /<label for="provider-client-id">Client id<\/label>/);
    assert.match(form, /\/federation\/google\/callback/);
    assert.doesNotMatch(form, /name="issuer"/, 'the preset names the issuer');
    const missing = await post(admin.agent, form, '/admin/providers/new?preset=google', {
      slug: 'google',
      clientId: 'google-client',
      clientSecret: '',
      ...admin.stepUp(),
    });
    assert.equal(missing.res?.status, 400);
    assert.match(missing.html!, /role="alert"[\s\S]*clientSecret must not be empty/);
    assert.match(missing.html!, /value="google-client"/, 'the form keeps what was typed');
    const added = await post(admin.agent, form, '/admin/providers/new?preset=google', {
      slug: 'google',
      clientId: 'google-client',
      clientSecret: 'the-upstream-secret',
      ...admin.stepUp(),
    });
    assert.equal(added.res?.status, 200);
    assert.match(added.html!, /Provider added/);
    assert.match(added.html!, /https:\/\/accounts\.google\.com/);
    assert.doesNotMatch(added.html!, /the-upstream-secret/);
    const stored = (await t.deps.store.providers.find('google'))!;
    assert.equal(stored.kind, 'google');
    assert.equal(stored.enabled, true);
    assert.equal((await lastEvent('provider_added')).actor, `user:${admin.id}`);

    const disabled = await post(admin.agent, added.html!, '/admin/providers/google/disable');
    assert.match(disabled.html!, /Provider disabled/);
    assert.equal((await t.deps.store.providers.find('google'))?.enabled, false);
    assert.equal((await lastEvent('provider_disabled')).actor, `user:${admin.id}`);
    const wrong = await post(admin.agent, disabled.html!, '/admin/providers/google/enable', {
      code: '000000',
    });
    assert.equal(wrong.res?.status, 401);
    assert.equal(
      (await t.deps.store.providers.find('google'))?.enabled,
      false,
      'a wrong code enables nothing',
    );
    const enabled = await post(admin.agent, disabled.html!, '/admin/providers/google/enable', admin.stepUp());
    assert.equal((await t.deps.store.providers.find('google'))?.enabled, true);

    const azure = await page(admin.agent, '/admin/providers/new?preset=azure');
    assert.match(azure, /<label for="provider-tenant">Tenant<\/label>/);
    const ms = await post(admin.agent, azure, '/admin/providers/new?preset=azure', {
      slug: 'azure',
      tenant: 'organizations',
      clientId: 'ms-client',
      clientSecret: 's',
      ...admin.stepUp(),
    });
    assert.match(ms.html!, /https:\/\/login\.microsoftonline\.com\/organizations\/v2\.0/);

    const confirm = await page(admin.agent, '/admin/providers/google/remove');
    assert.match(confirm, /keep their link/);
    assert.ok(await t.deps.store.providers.find('google'), 'the GET removes nothing');
    const removed = await post(admin.agent, enabled.html!, '/admin/providers/google/remove', admin.stepUp());
    assert.match(removed.html!, /Provider removed/);
    assert.equal(await t.deps.store.providers.find('google'), undefined);
    assert.equal((await lastEvent('provider_removed')).actor, `user:${admin.id}`);
    assert.equal((await admin.agent.go('/admin/providers/google/remove')).res?.status, 404);
  });

  it('"Test" reports a discovery error in role="alert" for an unreachable issuer', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    const form = await page(admin.agent, '/admin/providers/new?preset=oidc');
    const added = await post(admin.agent, form, '/admin/providers/new?preset=oidc', {
      slug: 'acme',
      issuer,
      clientId: 'acme-client',
      clientSecret: 'acme-secret',
      ...admin.stepUp(),
    });
    assert.match(added.html!, /Provider added/);
    const tested = await post(admin.agent, added.html!, '/admin/providers/acme/test');
    assert.equal(tested.res?.status, 200);
    const alert = /role="alert"[\s\S]*?<\/div>/.exec(tested.html!)?.[0] ?? '';
    assert.match(
      alert,
      /Test of acme: could not read the discovery document at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration \(not reachable\)\./,
    );
    assert.doesNotMatch(tested.html!, /acme-secret/);
  });

  it('"Test" words a failure coarsely: an open port and a refused one read alike, no error text', async () => {
    const refusedPort = await freePort();
    // An open port that speaks no HTTP, one that answers 404, and a discovery document of another issuer.
    const raw = createNetServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
    const web = createServer((req, res) => {
      if (req.url?.startsWith('/other/')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ issuer: 'https://someone-else.example', authorization_endpoint: 'x' }));
      } else {
        res.statusCode = 404;
        res.end('no such page: ECONNREFUSED');
      }
    });
    await new Promise<void>((done) => raw.listen(0, '127.0.0.1', done));
    await new Promise<void>((done) => web.listen(0, '127.0.0.1', done));
    const portOf = (server: { address(): unknown }) => (server.address() as AddressInfo).port;
    try {
      const form = await page(admin.agent, '/admin/providers/new?preset=oidc');
      const cases = [
        ['scan-closed', `http://127.0.0.1:${refusedPort}`, 'not reachable'],
        ['scan-open', `http://127.0.0.1:${portOf(raw)}`, 'not reachable'],
        ['scan-web', `http://127.0.0.1:${portOf(web)}`, 'not a valid discovery document'],
        ['scan-other', `http://127.0.0.1:${portOf(web)}/other`, 'issuer mismatch'],
      ] as const;
      for (const [slug, issuer, reason] of cases) {
        const added = await post(admin.agent, form, '/admin/providers/new?preset=oidc', {
          slug,
          issuer,
          clientId: `${slug}-client`,
          clientSecret: `${slug}-secret`,
          ...admin.stepUp(),
        });
        assert.match(added.html!, /Provider added/, slug);
        const tested = await post(admin.agent, added.html!, `/admin/providers/${slug}/test`);
        assert.equal(tested.res?.status, 200);
        const alert = decodeEntities(/role="alert"[\s\S]*?<\/div>/.exec(tested.html!)?.[0] ?? '');
        const text = alert
          .replace(/^role="alert"[^>]*>/, '')
          .replace(/<[^>]*>/g, '')
          .trim();
        assert.equal(
          text,
          `Test of ${slug}: could not read the discovery document at ${issuer}/.well-known/openid-configuration (${reason}).`,
        );
        assert.doesNotMatch(
          tested.html!,
          /ECONNREFUSED|fetch failed|HTTP\/|parse|timed out|status code|SSH/i,
        );
      }
    } finally {
      raw.close();
      web.close();
    }
  });

  it('an auditor reads every section but gets 403 on every POST; a POST without the CSRF token is 403', async () => {
    for (const path of ['/admin/audit', '/admin/keys', '/admin/scopes', '/admin/providers']) {
      const html = await page(auditor.agent, path);
      assert.doesNotMatch(html, /<form method="post" action="\/admin\/(keys|scopes|providers)/, path);
    }
    const html = await page(auditor.agent, '/admin/scopes');
    await t.deps.store.scopes.upsert(
      { name: 'kept', description: 'Kept', builtin: false, managedBy: null },
      t.clock.now(),
    );
    const posts: [string, Record<string, string>][] = [
      ['/admin/keys/rotate', {}],
      ['/admin/scopes', { name: 'sneaky', description: 'x' }],
      ['/admin/scopes/kept/edit', { description: 'changed' }],
      ['/admin/scopes/kept/remove', {}],
      ['/admin/providers/new?preset=google', { slug: 'google', clientId: 'a', clientSecret: 'b' }],
      ['/admin/providers/acme/disable', {}],
      ['/admin/providers/acme/enable', {}],
      ['/admin/providers/acme/test', {}],
      ['/admin/providers/acme/remove', {}],
    ];
    const keys = (await t.deps.store.keys.list()).length;
    for (const [path, fields] of posts) {
      const res = await post(auditor.agent, html, path, fields);
      assert.equal(res.res?.status, 403, `${path} as an auditor`);
      assert.match(res.html!, /You do not have access/);
    }
    for (const [path, fields] of posts) {
      const res = await admin.agent.post(path, fields);
      assert.equal(res.res?.status, 403, `${path} without a CSRF token`);
      assert.match(res.html!, /csrf/);
    }
    assert.equal((await t.deps.store.keys.list()).length, keys);
    assert.equal((await t.deps.store.scopes.findMany(['kept']))[0]?.description, 'Kept');
    assert.equal((await t.deps.store.scopes.findMany(['sneaky'])).length, 0);
    assert.equal((await t.deps.store.providers.find('acme'))?.enabled, true);
  });
});
