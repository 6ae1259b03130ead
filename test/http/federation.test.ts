import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { addProvider as registerProvider } from '../../src/admin/providers.js';
import { inviteUser, unlinkUser } from '../../src/admin/users.js';
import { UPSTREAM_TIMEOUT_SECONDS } from '../../src/federation/upstream.js';
import { browser } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';
import { addProvider, startUpstream } from '../helpers/upstream.js';

describe('/federation/:slug (in process)', () => {
  let t: TestApp;
  let silent: Server;
  const sockets = new Set<Socket>();
  let silentPort = 0;

  before(async () => {
    t = await testApp();
    // Accepts connections and never answers: the upstream that would hang a sign-in without a timeout.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    silentPort = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await t.close();
  });

  it('answers provider_error (502) within about 10 s when the upstream never answers', async () => {
    await addProvider(
      t.deps,
      { issuer: `http://127.0.0.1:${silentPort}`, clientId: 'c', clientSecret: 's' },
      { slug: 'silent', name: 'Silent' },
    );
    const started = Date.now();
    const { res, html } = await browser(t).go('/federation/silent/start?return_to=%2Faccount');
    const elapsed = Date.now() - started;
    assert.equal(res?.status, 502);
    assert.match(html ?? '', /provider_error/);
    // The timeout is ours (not openid-client's 30 s default) however loaded the machine: at least its 10 s,
    // and well under the default.
    const ours = UPSTREAM_TIMEOUT_SECONDS * 1000;
    assert.ok(elapsed >= ours - 1_000 && elapsed < 2 * ours, `${elapsed} ms`);
  });

  it('answers state_mismatch to a callback without a state, with a malformed one, or for no interaction', async () => {
    const agent = browser(t);
    for (const query of ['', '?code=x', '?state=nodot', `?state=${'a'.repeat(40)}.${'b'.repeat(43)}`]) {
      const { res, html } = await agent.go(`/federation/silent/callback${query}`);
      assert.equal(res?.status, 400, query);
      assert.match(html ?? '', /state_mismatch/, query);
    }
  });

  it('refuses an idp= hint longer than a slug (a redirect error, the redirect URI being verified)', async () => {
    const client = await t.addClient({ redirectUris: ['http://127.0.0.1:9/cb'], isPublic: true });
    const res = await browser(t).request(
      `/authorize?client_id=${client.id}&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&idp=${'x'.repeat(33)}`,
    );
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('error'), 'invalid_request');
  });
});

describe('upstream rules that guard against the wrong tenant or provider kind', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  it('refuses a {tenantid} template issuer for a single-tenant Entra entry: provider_error, nothing signed in', async () => {
    const upstream = await startUpstream({
      redirectUris: [`${t.issuer}/federation/one-tenant/callback`],
      tenant: 'tenant-1111',
    });
    try {
      await addProvider(t.deps, upstream, {
        slug: 'one-tenant',
        name: 'One tenant',
        kind: 'azure',
        tenant: '00000000-0000-0000-0000-000000000001',
        // Its discovery document names the template: completed with this tenant it looks right.
        issuer: upstream.issuer.replace('/organizations/', '/00000000-0000-0000-0000-000000000001/'),
      });
      const { res, html } = await browser(t).go('/federation/one-tenant/start?return_to=%2Faccount');
      assert.equal(res?.status, 502);
      assert.match(html ?? '', /provider_error/);
    } finally {
      await upstream.stop();
    }
  });

  it('refuses to register a Microsoft Entra ID issuer under another slug than azure', async () => {
    await assert.rejects(
      registerProvider(t.deps, {
        slug: 'entra',
        issuer: 'https://login.microsoftonline.com/common/v2.0',
        clientId: 'c',
        clientSecret: 's',
      }),
      /--slug azure/,
    );
  });

  it('refuses to unlink or invite while password sign-in is off: the user would have no way in', async () => {
    const off = await testApp({ LATCHKEY_PASSWORD_LOGIN: 'off' });
    try {
      const user = await off.addUser({});
      await assert.rejects(unlinkUser(off.deps, user.email), /LATCHKEY_PASSWORD_LOGIN=off/);
      // Nor is anyone invited to choose a password nothing accepts; no user is created.
      await assert.rejects(
        inviteUser(off.deps, { email: 'invitee@example.test' }),
        /LATCHKEY_PASSWORD_LOGIN=off/,
      );
      assert.equal(await off.deps.store.users.findByEmail('invitee@example.test'), undefined);
    } finally {
      await off.close();
    }
  });
});
