import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientInput } from '../../src/admin/clients.js';
import { ADMIN_SCOPE } from '../../src/admin/permissions.js';
import { DEVICE_CODE_GRANT } from '../../src/oauth/token/index.js';
import { actionOf, csrfOf, pkce } from '../helpers/agent.js';
import { browser, expectOAuthError, json, redeem, type TestClient, tokenRequest } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';

describe('the admin scope in the protocol (SPEC §1, issue 12)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  /**
   * A client whose allow-list names `admin`, written straight to the store: the refusals tested here hold
   * even for a client that got past the rule at client creation (belt and braces).
   */
  async function allowedAdmin(input: Partial<ClientInput>): Promise<TestClient> {
    const made = await t.addClient({ redirectUris: [CB], ...input });
    const record = (await t.deps.store.clients.find(made.id))!;
    const id = `${made.id}-admin`;
    await t.deps.store.clients.create({ ...record, id, scopes: [...record.scopes, ADMIN_SCOPE] });
    return { id, ...(made.secret ? { secret: made.secret } : {}), redirectUri: CB };
  }

  const authorizeUrl = (client: TestClient, scope: string, extra: Record<string, string> = {}) =>
    `/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: CB,
      scope,
      state: 'st',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      ...extra,
    })}`;

  it('is a built-in scope that discovery does not advertise', async () => {
    const admin = (await t.deps.store.scopes.list()).find((s) => s.name === ADMIN_SCOPE);
    assert.deepEqual(
      { name: admin?.name, description: admin?.description, builtin: admin?.builtin },
      { name: 'admin', description: 'Manage this latchkey server', builtin: true },
    );
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const scopes = (await json(await t.request(path)))['scopes_supported'] as string[];
      assert.ok(scopes.includes('openid'), path);
      assert.equal(scopes.includes(ADMIN_SCOPE), false, path);
    }
  });

  it('/authorize: a third-party client asking for it gets invalid_scope, even with it on its allow-list', async () => {
    const client = await allowedAdmin({});
    const step = await browser(t).go(authorizeUrl(client, 'openid admin'));
    assert.equal(step.external?.origin + step.external!.pathname, CB);
    assert.equal(step.external?.searchParams.get('error'), 'invalid_scope');
    assert.equal(step.external?.searchParams.get('state'), 'st');
  });

  it('the password grant: a third-party client asking for it gets invalid_scope; its default scope leaves it out', async () => {
    const client = await allowedAdmin({ grants: ['password'] });
    const user = await t.addUser({});
    const ask = (scope?: string) =>
      t.request(
        '/token',
        tokenRequest(client, {
          grant_type: 'password',
          username: user.email,
          password: user.password,
          ...(scope ? { scope } : {}),
        }),
      );
    await expectOAuthError(await ask('openid admin'), 'invalid_scope');
    const res = await ask();
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(String(body['scope']).split(' ').includes(ADMIN_SCOPE), false, body['scope']);
  });

  it('the device flow: a third-party client asking for it gets invalid_scope', async () => {
    const client = await allowedAdmin({ grants: [DEVICE_CODE_GRANT], isPublic: true });
    const res = await t.request('/device_authorization', tokenRequest(client, { scope: 'openid admin' }));
    await expectOAuthError(res, 'invalid_scope');
  });

  it('a first-party client gets it; the consent page never lists it and consent never remembers it', async () => {
    const client = await allowedAdmin({ firstParty: true });
    const user = await t.addUser({});
    const agent = browser(t);
    const { verifier, challenge } = pkce();
    const login = await agent.go(
      authorizeUrl(client, 'openid admin', {
        prompt: 'consent',
        code_challenge: challenge,
      }),
    );
    const consent = await agent.submit(login.html!, { email: user.email, password: user.password });
    const html = consent.html ?? '';
    assert.match(html, /name="decision"/, 'prompt=consent shows the page');
    assert.match(html, /Confirm your identity/);
    assert.doesNotMatch(html, /Manage this latchkey server/);
    assert.doesNotMatch(html, /\badmin\b/);
    const callback = await agent.post(actionOf(html), { csrf: csrfOf(html), decision: 'allow' });
    const code = callback.external?.searchParams.get('code');
    assert.ok(code, callback.external?.toString());
    assert.deepEqual(await t.deps.store.consents.find(user.id, client.id), ['openid']);
    const [granted] = (await t.deps.store.events.list(10)).filter((e) => e.type === 'consent_granted');
    assert.deepEqual(granted?.detail, { scopes: ['openid'] });
    const res = await redeem(t, client, code, verifier);
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body['scope'], 'openid admin');
  });

  it('client credentials may get it when allowed (a client with roles, no user involved)', async () => {
    const client = await allowedAdmin({ grants: ['client_credentials'], scopes: [], roles: ['auditor'] });
    const res = await t.request(
      '/token',
      tokenRequest(client, { grant_type: 'client_credentials', scope: 'admin' }),
    );
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body['scope'], 'admin');
  });
});
