import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { CONSOLE_CLIENT_ID } from '../../src/admin/clients.js';
import { queryEvents } from '../../src/admin/events.js';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { sha256 } from '../../src/crypto/hash.js';
import { Agent, csrfOf, decodeEntities, pkce } from '../helpers/agent.js';
import { refresh, tokensFor } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const UA = 'console-apps-test/1.0';

describe('the admin console: Apps (issue 17)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  /** A console browser signed in as a new user with `roles` (password + TOTP). */
  async function consoleAs(roles: string[]) {
    const user = await t.addUser({ roles });
    const record = (await t.deps.store.users.find(user.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    const agent = new Agent(async (url, init) => {
      const headers = new Headers(init?.headers);
      headers.set('user-agent', UA);
      return t.app.request(url, { ...init, headers });
    }, t.issuer);
    const login = await agent.go('/admin');
    const mfa = await agent.submit(login.html!, { email: user.email, password: user.password });
    const home = await agent.submit(mfa.html!, { code: generateSync({ secret, epoch: t.clock.now() }) });
    assert.equal(home.res?.status, 200, 'signed in to the console');
    const csrf = csrfOf(home.html!);
    /** A console form's POST, with the CSRF token unless `fields.csrf` says otherwise. */
    /** A confirmation's step-up code: the clock moves on a step first (each TOTP step is accepted once). */
    const stepUp = () => {
      t.clock.advance(30);
      return { code: generateSync({ secret, epoch: t.clock.now() }) };
    };
    /** …and a fresh step-up code unless `fields.code` is given (every change asks for it). */
    const post = async (path: string, fields: Record<string, string> = {}) => {
      const res = await agent.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, ...('code' in fields ? {} : stepUp()), ...fields }).toString(),
      });
      return { res, html: await res.text() };
    };
    const get = async (path: string) => {
      const res = await agent.request(path);
      return { res, html: await res.text() };
    };
    return { user, agent, post, get, stepUp };
  }

  const eventsOf = async (clientId: string) => (await queryEvents(t.deps, { clientId, limit: 200 })).items;

  const secretOn = (html: string) => {
    const input = /<input[^>]*id="client-secret"[^>]*>/.exec(html)?.[0];
    return input ? decodeEntities(/value="([^"]*)"/.exec(input)![1]!) : undefined;
  };
  const clientIdOn = (html: string) => {
    const input = /<input[^>]*id="client-id"[^>]*>/.exec(html)![0];
    return decodeEntities(/value="([^"]*)"/.exec(input)![1]!);
  };

  /** The app page's whole form, as it would be sent, with `changes` over it. */
  const editForm = (changes: Record<string, string>): Record<string, string> => ({
    redirect_uris: 'https://app.example/cb',
    post_logout_redirect_uris: '',
    'grant:authorization_code': 'on',
    'grant:refresh_token': 'on',
    scopes: 'openid profile email offline_access',
    access_token_ttl: '600',
    refresh_token_ttl: '2592000',
    token_format: 'jwt',
    ...changes,
  });

  async function register(admin: Awaited<ReturnType<typeof consoleAs>>, name: string, uri: string) {
    const done = await admin.post('/admin/apps/new', {
      name,
      redirect_uris: `${uri}\n`,
      'grant:authorization_code': 'on',
      'grant:refresh_token': 'on',
      type: 'confidential',
    });
    assert.equal(done.res.status, 201, done.html.slice(0, 2000));
    return { id: clientIdOn(done.html), secret: secretOn(done.html)!, page: done };
  }

  it('registers an app and shows its secret once; the app page never shows it; only its hash is stored', async () => {
    const admin = await consoleAs(['admin']);
    const form = await admin.get('/admin/apps/new');
    assert.equal(form.res.status, 200);
    assert.match(form.html, /<label for="app-name">Name<\/label>/);
    assert.match(form.html, /<label for="redirect-uris">Redirect URIs<\/label>/);
    assert.match(form.html, /name="grant:client_credentials"/);

    const { id, secret, page } = await register(admin, 'Billing', 'https://billing.example/cb');
    assert.equal(page.res.headers.get('cache-control'), 'no-store');
    assert.match(page.html, /Copy this secret now: you will not see it again\./);
    assert.match(page.html, /<input[^>]*id="client-secret"[^>]*readonly/);
    assert.match(page.html, /<button[^>]*data-copy="client-secret"[^>]*>\s*Copy\s*<\/button>/);
    assert.match(page.html, /<script src="\/assets\/copy-secret\.js"/);
    assert.ok(secret.length >= 32);
    const stored = (await t.deps.store.clients.find(id))!;
    assert.equal(stored.name, 'Billing');
    assert.deepEqual(stored.redirectUris, ['https://billing.example/cb']);
    assert.equal(stored.secretHash, sha256(secret), 'the stored value is the hash');

    const app = await admin.get(`/admin/apps/${id}`);
    assert.equal(app.res.status, 200);
    assert.match(app.html, /<h1>Billing<\/h1>/);
    assert.ok(!app.html.includes(secret), 'the app page never shows the secret');
    assert.ok(!app.html.includes(stored.secretHash!), 'nor its hash');

    const script = await t.request('/assets/copy-secret.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type')!, /javascript/);

    const [event] = await eventsOf(id);
    assert.equal(event?.type, 'client_created');
    assert.equal(event?.actor, `user:${admin.user.id}`);
    assert.equal(event?.userAgent, UA);
  });

  it('lists every app in a table, the console client marked built-in', async () => {
    const admin = await consoleAs(['admin']);
    await register(admin, 'Listed app', 'https://listed.example/cb');
    const list = await admin.get('/admin/apps');
    assert.equal(list.res.status, 200);
    for (const col of ['Name', 'Client ID', 'Type', 'First-party', 'Grants'])
      assert.match(list.html, new RegExp(`<th scope="col">${col}</th>`));
    assert.match(
      list.html,
      /<a href="\/admin\/apps\/latchkey-console">[^<]*<\/a><span class="badge"> \(built-in\)/,
    );
    assert.match(list.html, />Listed app<\/a>/);
    assert.match(list.html, /<a[^>]*href="\/admin\/apps\/new"[^>]*>\s*Register app/);
    assert.match(list.html, /data-label="Type">confidential</);
    // A paging link tampered with: the hosted error page, not a 500.
    const tampered = await admin.get('/admin/apps?cursor=x');
    assert.equal(tampered.res.status, 400);
    assert.match(tampered.html, /Something went wrong/);
  });

  it('a refused registration re-renders the form with the use case’s message in role="alert"', async () => {
    const admin = await consoleAs(['admin']);
    const refused = await admin.post('/admin/apps/new', {
      name: 'Wild',
      redirect_uris: 'https://*.example/cb',
      'grant:authorization_code': 'on',
      type: 'confidential',
    });
    assert.equal(refused.res.status, 400);
    assert.match(
      decodeEntities(refused.html),
      /role="alert"[^>]*>\s*<p>Redirect URIs "https:\/\/\*\.example\/cb" must not contain "\*"/,
    );
    assert.match(refused.html, /value="Wild"/, 'what was typed stays');
  });

  it('an edited redirect URI is the one /authorize accepts; the old one is refused', async () => {
    const admin = await consoleAs(['admin']);
    const { id } = await register(admin, 'Editable', 'https://old.example/cb');
    const saved = await admin.post(
      `/admin/apps/${id}`,
      editForm({ redirect_uris: 'https://new.example/cb' }),
    );
    assert.equal(saved.res.status, 303);
    const after = await admin.get(saved.res.headers.get('location')!);
    assert.match(after.html, /Saved\./);
    assert.match(after.html, />https:\/\/new\.example\/cb<\/textarea>/);

    const authorize = (redirectUri: string) => {
      const { challenge } = pkce();
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: id,
        redirect_uri: redirectUri,
        scope: 'openid',
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      return new Agent(async (u, i) => t.app.request(u, i), t.issuer).go(`/authorize?${q}`);
    };
    const accepted = await authorize('https://new.example/cb');
    assert.equal(accepted.res?.status, 200);
    assert.match(accepted.html!, /name="password"/, 'on to the sign-in');
    const refused = await authorize('https://old.example/cb');
    assert.equal(refused.res?.status, 400);
    assert.equal(refused.external, undefined, 'never sent to the old URI');

    const [event] = await eventsOf(id);
    assert.equal(event?.type, 'client_updated');
    assert.equal(event?.actor, `user:${admin.user.id}`);
    assert.deepEqual(event?.detail, { changed: ['redirectUris'] });
  });

  it('editing redirect URIs or registering needs the step-up: a wrong code changes nothing (401)', async () => {
    const admin = await consoleAs(['admin']);
    const { id } = await register(admin, 'Guarded edit', 'https://kept.example/cb');
    const form = await admin.get(`/admin/apps/${id}`);
    assert.match(form.html, /<label for="step-up-code">Authentication code<\/label>/);
    assert.match(/<input[^>]*id="step-up-code"[^>]*>/.exec(form.html)![0], /autocomplete="one-time-code"/);
    const before = (await eventsOf(id)).length;
    for (const code of ['000000', '']) {
      const wrong = await admin.post(
        `/admin/apps/${id}`,
        editForm({ redirect_uris: 'https://evil.example/cb', code }),
      );
      assert.equal(wrong.res.status, 401);
      assert.match(wrong.html, /role="alert"[^>]*>\s*<p>That code didn’t work/);
      assert.match(wrong.html, />https:\/\/evil\.example\/cb<\/textarea>/, 'what was typed stays');
      assert.deepEqual((await t.deps.store.clients.find(id))!.redirectUris, ['https://kept.example/cb']);
    }
    assert.equal((await eventsOf(id)).length, before, 'nothing changed');
    const saved = await admin.post(
      `/admin/apps/${id}`,
      editForm({ redirect_uris: 'https://new.example/cb' }),
    );
    assert.equal(saved.res.status, 303);
    assert.deepEqual((await t.deps.store.clients.find(id))!.redirectUris, ['https://new.example/cb']);

    const apps = (await t.deps.store.clients.list()).length;
    const refused = await admin.post('/admin/apps/new', {
      name: 'Sneaky',
      redirect_uris: 'https://sneaky.example/cb',
      'grant:authorization_code': 'on',
      type: 'confidential',
      code: '000000',
    });
    assert.equal(refused.res.status, 401);
    assert.match(refused.html, /value="Sneaky"/);
    assert.equal((await t.deps.store.clients.list()).length, apps, 'nothing registered');
  });

  it('edits the settings, and a refused edit shows the message and keeps what was typed', async () => {
    const admin = await consoleAs(['admin']);
    const { id } = await register(admin, 'Settings', 'https://settings.example/cb');
    const saved = await admin.post(
      `/admin/apps/${id}`,
      editForm({
        redirect_uris: 'https://settings.example/cb',
        post_logout_redirect_uris: 'https://settings.example/bye',
        access_token_ttl: '300',
        token_format: 'opaque',
        first_party: 'on',
        require_pkce: 'on',
        require_mfa: 'on',
      }),
    );
    assert.equal(saved.res.status, 303);
    const client = (await t.deps.store.clients.find(id))!;
    assert.deepEqual(client.postLogoutRedirectUris, ['https://settings.example/bye']);
    assert.equal(client.accessTokenTtlSeconds, 300);
    assert.equal(client.tokenFormat, 'opaque');
    assert.equal(client.firstParty, true);
    assert.equal(client.requirePkce, true);
    assert.equal(client.requireMfa, true);

    const refused = await admin.post(
      `/admin/apps/${id}`,
      editForm({ redirect_uris: 'https://settings.example/cb#frag' }),
    );
    assert.equal(refused.res.status, 400);
    assert.match(refused.html, /role="alert"/);
    assert.match(refused.html, /must not contain a fragment/);
    assert.match(refused.html, />https:\/\/settings\.example\/cb#frag<\/textarea>/);
    assert.match(
      refused.html,
      /<textarea id="redirect-uris"[^>]*aria-invalid="true"[^>]*aria-describedby="app-error redirect-uris-hint"/,
    );
    const badTtl = await admin.post(`/admin/apps/${id}`, editForm({ access_token_ttl: 'soon' }));
    assert.equal(badTtl.res.status, 400);
    assert.match(badTtl.html, /Access token lifetime must be a whole number of seconds/);
    assert.match(badTtl.html, /id="access-ttl"[^>]*aria-invalid="true"/);
    assert.deepEqual((await t.deps.store.clients.find(id))!.redirectUris, ['https://settings.example/cb']);
  });

  it('rotates the secret through a confirmation page; the new one is shown once', async () => {
    const admin = await consoleAs(['admin']);
    const { id, secret } = await register(admin, 'Rotating', 'https://rotating.example/cb');
    const confirm = await admin.get(`/admin/apps/${id}/rotate`);
    assert.equal(confirm.res.status, 200);
    assert.match(confirm.html, /current secret stops working/);
    assert.match(confirm.html, new RegExp(`<form method="post" action="/admin/apps/${id}/rotate"`));
    assert.equal((await t.deps.store.clients.find(id))!.secretHash, sha256(secret), 'GET changes nothing');

    const rotated = await admin.post(`/admin/apps/${id}/rotate`, admin.stepUp());
    assert.equal(rotated.res.status, 200);
    assert.equal(rotated.res.headers.get('cache-control'), 'no-store');
    assert.match(rotated.html, /Copy this secret now: you will not see it again\./);
    const fresh = secretOn(rotated.html)!;
    assert.notEqual(fresh, secret);
    assert.equal((await t.deps.store.clients.find(id))!.secretHash, sha256(fresh));
    assert.ok(!(await admin.get(`/admin/apps/${id}`)).html.includes(fresh));

    const [event] = await eventsOf(id);
    assert.equal(event?.type, 'client_secret_rotated');
    assert.equal(event?.actor, `user:${admin.user.id}`);
  });

  it('deletes an app through a confirmation page: its refresh tokens and grants are gone', async () => {
    const admin = await consoleAs(['admin']);
    const { id, secret } = await register(admin, 'Doomed', 'https://doomed.example/cb');
    const user = await t.addUser({});
    const client = { id, secret, redirectUri: 'https://doomed.example/cb' };
    const tokens = await tokensFor(t, client, user, { scope: 'openid offline_access' });
    assert.equal(typeof tokens['refresh_token'], 'string');
    assert.equal((await t.deps.store.grants.listActiveForUser(user.id, t.clock.now())).length, 1);

    const confirm = await admin.get(`/admin/apps/${id}/delete`);
    assert.equal(confirm.res.status, 200);
    assert.match(confirm.html, /access and refresh tokens, and its grants/);
    assert.match(confirm.html, /consents to it are deleted/);
    assert.ok(await t.deps.store.clients.find(id), 'GET changes nothing');

    const done = await admin.post(`/admin/apps/${id}/delete`, admin.stepUp());
    assert.equal(done.res.status, 200);
    assert.match(done.html, /Deleted Doomed\./);
    assert.equal(await t.deps.store.clients.find(id), undefined);
    assert.equal((await refresh(t, client, tokens['refresh_token'] as string)).status, 401);
    assert.equal((await t.deps.store.grants.listActiveForUser(user.id, t.clock.now())).length, 0);
    assert.equal((await admin.get(`/admin/apps/${id}`)).res.status, 404);

    const [event] = await eventsOf(id);
    assert.equal(event?.type, 'client_removed');
    assert.equal(event?.actor, `user:${admin.user.id}`);
  });

  it('the console’s own client cannot be deleted: the confirmation page says why', async () => {
    const admin = await consoleAs(['admin']);
    const refused = await admin.post(`/admin/apps/${CONSOLE_CLIENT_ID}/delete`, admin.stepUp());
    assert.equal(refused.res.status, 409);
    assert.match(
      decodeEntities(refused.html),
      /role="alert"[^>]*>\s*<p>"latchkey-console" is the admin console's own client: it cannot be removed/,
    );
    assert.ok(await t.deps.store.clients.find(CONSOLE_CLIENT_ID));
  });

  it('the console’s own client: only require_mfa and the lifetimes may change, its secret cannot rotate', async () => {
    const admin = await consoleAs(['admin']);
    const page = await admin.get(`/admin/apps/${CONSOLE_CLIENT_ID}`);
    assert.equal(page.res.status, 200, 'its page still renders');
    const prior = (await t.deps.store.clients.find(CONSOLE_CLIENT_ID))!;
    const form = (changes: Record<string, string>) => ({
      redirect_uris: prior.redirectUris.join('\n'),
      post_logout_redirect_uris: '',
      'grant:authorization_code': 'on',
      scopes: prior.scopes.join(' '),
      access_token_ttl: String(prior.accessTokenTtlSeconds),
      refresh_token_ttl: String(prior.refreshTokenTtlSeconds),
      token_format: prior.tokenFormat,
      first_party: 'on',
      require_mfa: 'on',
      ...changes,
    });
    const saved = await admin.post(`/admin/apps/${CONSOLE_CLIENT_ID}`, form({ access_token_ttl: '300' }));
    assert.equal(saved.res.status, 303, saved.html);
    assert.equal((await t.deps.store.clients.find(CONSOLE_CLIENT_ID))!.accessTokenTtlSeconds, 300);

    const evil = `${prior.redirectUris[0]}\nhttps://evil.example/cb`;
    const refused = await admin.post(`/admin/apps/${CONSOLE_CLIENT_ID}`, form({ redirect_uris: evil }));
    assert.equal(refused.res.status, 409);
    assert.match(
      decodeEntities(refused.html),
      /role="alert"[^>]*>\s*<p>"latchkey-console" is the admin console's own client: only require_mfa, access_token_ttl, refresh_token_ttl, refresh_reuse_grace may change \(not redirect_uris\)/,
    );
    assert.deepEqual((await t.deps.store.clients.find(CONSOLE_CLIENT_ID))!.redirectUris, prior.redirectUris);

    const rotate = await admin.post(`/admin/apps/${CONSOLE_CLIENT_ID}/rotate`, admin.stepUp());
    assert.equal(rotate.res.status, 409);
    assert.match(decodeEntities(rotate.html), /own client: it is public and has no secret to rotate/);
  });

  it('a public app is registered without a secret', async () => {
    const admin = await consoleAs(['admin']);
    const done = await admin.post('/admin/apps/new', {
      name: 'SPA',
      redirect_uris: 'https://spa.example/cb',
      'grant:authorization_code': 'on',
      type: 'public',
    });
    assert.equal(done.res.status, 201);
    assert.equal(secretOn(done.html), undefined);
    assert.match(done.html, /it has no secret/);
    assert.equal((await t.deps.store.clients.find(clientIdOn(done.html)))!.isPublic, true);
  });

  it('an auditor sees the list and the apps, but every change is refused with 403', async () => {
    const admin = await consoleAs(['admin']);
    const { id } = await register(admin, 'Audited', 'https://audited.example/cb');
    const auditor = await consoleAs(['auditor']);
    const list = await auditor.get('/admin/apps');
    assert.equal(list.res.status, 200);
    assert.match(list.html, />Audited<\/a>/);
    assert.doesNotMatch(list.html, /Register app/, 'no link to a page that would refuse');
    const app = await auditor.get(`/admin/apps/${id}`);
    assert.equal(app.res.status, 200);
    assert.doesNotMatch(app.html, /Save changes/);
    assert.equal((await auditor.get('/admin/apps/new')).res.status, 403);
    assert.equal((await auditor.get(`/admin/apps/${id}/delete`)).res.status, 403);
    const before = (await eventsOf(id)).length;
    for (const [path, fields] of [
      ['/admin/apps/new', { name: 'Nope', type: 'confidential' }],
      [`/admin/apps/${id}`, editForm({ redirect_uris: 'https://evil.example/cb' })],
      [`/admin/apps/${id}/rotate`, {}],
      [`/admin/apps/${id}/delete`, {}],
    ] as const) {
      const res = await auditor.post(path, fields);
      assert.equal(res.res.status, 403, path);
      assert.match(res.html, /You do not have access/);
    }
    assert.equal((await eventsOf(id)).length, before, 'nothing changed');
    assert.ok(await t.deps.store.clients.find(id));
  });

  it('a POST without the CSRF token is refused with 403 and changes nothing', async () => {
    const admin = await consoleAs(['admin']);
    const { id, secret } = await register(admin, 'Guarded', 'https://guarded.example/cb');
    for (const path of ['/admin/apps/new', `/admin/apps/${id}/rotate`, `/admin/apps/${id}/delete`]) {
      const res = await admin.post(path, { csrf: '', name: 'Forged', type: 'confidential' });
      assert.equal(res.res.status, 403, path);
    }
    const client = (await t.deps.store.clients.find(id))!;
    assert.equal(client.secretHash, sha256(secret));
  });
});
