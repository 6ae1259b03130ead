import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { Agent, actionOf, csrfOf } from '../helpers/agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * openid-client v6 as the relying party against the real server on a loopback port: what any
 * certified OpenID Connect RP does. The hosted pages are driven by the scripted browser (global fetch).
 */

const CB = 'https://rp.example/callback';
const AFTER_LOGOUT = 'https://rp.example/signed-out';

interface User {
  id: string;
  email: string;
  password: string;
}

/** Follows a URL through login and consent (allowing) until it leaves the issuer. */
async function throughPages(agent: Agent, url: URL, user: User): Promise<URL> {
  let step = await agent.go(url.href);
  for (let i = 0; i < 4 && !step.external; i++) {
    const html = step.html ?? '';
    if (html.includes('name="password"'))
      step = await agent.submit(html, { email: user.email, password: user.password });
    else if (html.includes('name="decision"'))
      step = await agent.post(actionOf(html), { csrf: csrfOf(html), decision: 'allow' });
    else throw new Error(`unexpected page (${step.res?.status}): ${html.slice(0, 300)}`);
  }
  if (!step.external) throw new Error('the flow did not reach the callback');
  return step.external;
}

/** The error an openid-client call rejects with. */
async function rejection(promise: Promise<unknown>): Promise<{ error?: string; name: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { error?: string; name: string };
  }
  assert.fail('expected the call to fail');
}

describe('openid-client v6 as the relying party', () => {
  let t: TestServer;
  let user: User;
  let confidential: { id: string; secret?: string };
  let config: oidc.Configuration;

  before(async () => {
    t = await startTestServer();
    user = await t.addUser({ name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' });
    confidential = await t.addClient({
      name: 'Certified RP',
      redirectUris: [CB],
      postLogoutRedirectUris: [AFTER_LOGOUT],
    });
    config = await oidc.discovery(
      new URL(t.issuer),
      confidential.id,
      confidential.secret!,
      oidc.ClientSecretBasic(confidential.secret!),
      { execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] },
    );
  });
  after(async () => {
    await t?.close();
  });

  const newAgent = () => new Agent((u, i) => fetch(u, i), t.issuer);

  /** buildAuthorizationUrl with PKCE, state and nonce. */
  async function start(c: oidc.Configuration, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(c, {
      redirect_uri: CB,
      scope: 'openid profile email offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    return { url, verifier, state, nonce };
  }

  /** A whole code flow, returning the token response. */
  async function codeFlow(c: oidc.Configuration, agent = newAgent(), extra: Record<string, string> = {}) {
    const { url, verifier, state, nonce } = await start(c, extra);
    const callback = await throughPages(agent, url, user);
    const tokens = await oidc.authorizationCodeGrant(c, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    return { tokens, callback, verifier, state, nonce, agent };
  }

  it('discovers the issuer', () => {
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, t.issuer);
    assert.equal(meta.authorization_endpoint, `${t.issuer}/authorize`);
    assert.equal(meta.token_endpoint, `${t.issuer}/token`);
    assert.equal(meta.userinfo_endpoint, `${t.issuer}/userinfo`);
    assert.equal(meta.end_session_endpoint, `${t.issuer}/logout`);
    assert.equal(meta.jwks_uri, `${t.issuer}/jwks`);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.equal(meta.authorization_response_iss_parameter_supported, true);
    assert.ok(meta.supportsPKCE());
  });

  it('runs the code flow with PKCE, state and nonce and validates the ID token', async () => {
    const { tokens, callback, nonce } = await codeFlow(config);
    assert.equal(callback.searchParams.get('iss'), t.issuer);
    assert.equal(tokens.token_type, 'bearer');
    assert.ok(tokens.access_token);
    assert.ok(tokens.refresh_token);
    const claims = tokens.claims()!;
    assert.equal(claims.iss, t.issuer);
    assert.equal(claims.sub, user.id);
    assert.equal(claims.aud, confidential.id);
    assert.equal(claims.nonce, nonce);
    assert.deepEqual(claims['amr'], ['pwd']);
    assert.equal(typeof claims.auth_time, 'number');
    assert.equal(claims['email'], user.email);
    assert.equal(claims['name'], 'Ada Lovelace');
    assert.ok(claims['at_hash']);
  });

  it('refuses a replayed code and revokes what the first redemption issued', async () => {
    const { tokens, callback, verifier, state, nonce } = await codeFlow(config);
    const replay = await rejection(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      }),
    );
    assert.equal(replay.error, 'invalid_grant');
    const refused = await rejection(oidc.refreshTokenGrant(config, tokens.refresh_token!));
    assert.equal(refused.error, 'invalid_grant');
    const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspection.active, false);
  });

  it('refuses a wrong PKCE verifier', async () => {
    const { url, state, nonce } = await start(config);
    const callback = await throughPages(newAgent(), url, user);
    const err = await rejection(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      }),
    );
    assert.equal(err.error, 'invalid_grant');
  });

  it('answers code_challenge_method=plain with an error redirect', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CB,
      scope: 'openid',
      code_challenge: verifier,
      code_challenge_method: 'plain',
      state,
    });
    const callback = await throughPages(newAgent(), url, user);
    const err = await rejection(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    );
    assert.equal(err.name, 'AuthorizationResponseError');
    assert.equal(err.error, 'invalid_request');
  });

  for (const [what, uri] of [
    ['path', 'https://rp.example/other'],
    ['query', 'https://rp.example/callback?x=1'],
    ['port', 'https://rp.example:8443/callback'],
    ['scheme', 'http://rp.example/callback'],
    ['fragment', 'https://rp.example/callback#top'],
  ]) {
    it(`shows an error page, never a redirect, for a redirect_uri with another ${what}`, async () => {
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: uri!,
        scope: 'openid',
        state: oidc.randomState(),
      });
      const res = await fetch(url, { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /invalid_redirect_uri/);
    });
  }

  it('rotates refresh tokens and answers an in-window retry with the same tokens', async () => {
    const { tokens } = await codeFlow(config);
    const first = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(first.refresh_token);
    assert.notEqual(first.refresh_token, tokens.refresh_token);
    assert.equal(first.claims()!.sub, user.id);
    const retry = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(retry.refresh_token, first.refresh_token);
    assert.equal(retry.access_token, first.access_token);
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    assert.notEqual(second.refresh_token, first.refresh_token);
  });

  it('detects refresh token reuse and revokes the family', async () => {
    const strict = await t.addClient({ redirectUris: [CB], refreshReuseGraceSeconds: 0, firstParty: true });
    const c = await oidc.discovery(
      new URL(t.issuer),
      strict.id,
      strict.secret!,
      oidc.ClientSecretPost(strict.secret!),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const { tokens } = await codeFlow(c);
    const next = await oidc.refreshTokenGrant(c, tokens.refresh_token!);
    const reuse = await rejection(oidc.refreshTokenGrant(c, tokens.refresh_token!));
    assert.equal(reuse.error, 'invalid_grant');
    const family = await rejection(oidc.refreshTokenGrant(c, next.refresh_token!));
    assert.equal(family.error, 'invalid_grant');
  });

  it('fetches userinfo', async () => {
    const { tokens } = await codeFlow(config);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, user.id);
    assert.equal(info.sub, user.id);
    assert.equal(info.email, user.email);
    assert.equal(info.name, 'Ada Lovelace');
    assert.equal(info.given_name, 'Ada');
    const wrongSubject = await rejection(oidc.fetchUserInfo(config, tokens.access_token, 'someone-else'));
    assert.ok(wrongSubject);
  });

  it('logs out through buildEndSessionUrl, after which prompt=none answers login_required', async () => {
    const agent = newAgent();
    const { tokens } = await codeFlow(config, agent);
    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: AFTER_LOGOUT,
      state: 'logout-state',
    });
    const step = await agent.go(logout.href);
    assert.ok(step.external);
    assert.equal(`${step.external.origin}${step.external.pathname}`, AFTER_LOGOUT);
    assert.equal(step.external.searchParams.get('state'), 'logout-state');

    const { url, verifier, state } = await start(config, { prompt: 'none' });
    const callback = (await agent.go(url.href)).external!;
    const err = await rejection(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    );
    assert.equal(err.name, 'AuthorizationResponseError');
    assert.equal(err.error, 'login_required');
    // offline_access was granted: that refresh token outlives the browser session.
    assert.ok((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).access_token);
  });

  describe('a public client (token endpoint auth none)', () => {
    let pub: oidc.Configuration;
    before(async () => {
      const client = await t.addClient({ name: 'Native App', redirectUris: [CB], isPublic: true });
      pub = await oidc.discovery(new URL(t.issuer), client.id, undefined, oidc.None(), {
        execute: [oidc.allowInsecureRequests],
      });
    });

    it('runs the code flow with PKCE and refreshes', async () => {
      const { tokens } = await codeFlow(pub);
      assert.equal(tokens.claims()!.sub, user.id);
      const next = await oidc.refreshTokenGrant(pub, tokens.refresh_token!);
      assert.ok(next.access_token);
      assert.notEqual(next.refresh_token, tokens.refresh_token);
    });

    it('is refused without PKCE', async () => {
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(pub, { redirect_uri: CB, scope: 'openid', state });
      const callback = (await newAgent().go(url.href)).external!;
      const err = await rejection(oidc.authorizationCodeGrant(pub, callback, { expectedState: state }));
      assert.equal(err.name, 'AuthorizationResponseError');
      assert.equal(err.error, 'invalid_request');
    });
  });
});
