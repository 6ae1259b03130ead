import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Agent, actionOf, authorizeThroughPages, csrfOf, pkce } from '../helpers/agent.js';
import {
  browser,
  claimsOf,
  headerOf,
  type Json,
  json,
  signIn,
  tokenRequest,
  tokensFor,
  verifyJwt,
} from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

/** An /authorize page error: HTTP 400, HTML, the stable code, and never a redirect. */
async function assertPageError(res: Response, code: string): Promise<void> {
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('location'), null);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const html = await res.text();
  assert.match(html, /Something went wrong/);
  assert.ok(html.includes(`<code>${code}</code>`), `the page shows ${code}`);
}

/** An error redirect to the verified redirect URI, with `error`, `state` and `iss` (RFC 9207). */
function assertRedirectError(
  t: TestApp,
  res: Response,
  o: { redirectUri: string; error: string; state?: string; in?: 'query' | 'fragment' },
): URLSearchParams {
  assert.equal(res.status, 303, `expected a redirect, got ${res.status}`);
  const location = new URL(res.headers.get('location')!);
  assert.equal(`${location.origin}${location.pathname}`, o.redirectUri);
  const params = o.in === 'fragment' ? new URLSearchParams(location.hash.slice(1)) : location.searchParams;
  assert.equal(params.get('error'), o.error, params.get('error_description') ?? '');
  assert.equal(params.get('iss'), t.issuer);
  if (o.state) assert.equal(params.get('state'), o.state);
  if (o.in === 'fragment') assert.equal(location.searchParams.get('error'), null);
  return params;
}

const isLoginPage = (html: string | undefined) => !!html && html.includes('name="password"');
const isConsentPage = (html: string | undefined) => !!html && html.includes('name="decision"');

describe('GET /authorize', () => {
  let t: TestApp;
  let user: { id: string; email: string; password: string };
  let client: { id: string; secret?: string };
  let firstParty: { id: string; secret?: string };

  before(async () => {
    t = await testApp();
    user = await t.addUser({ name: 'Ada Lovelace' });
    client = await t.addClient({ name: 'Partner App', redirectUris: [CB] });
    firstParty = await t.addClient({ name: 'Own App', redirectUris: [CB], firstParty: true });
  });
  after(() => t.close());

  const base = (clientId: string, extra: Record<string, string> = {}) => ({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: CB,
    scope: 'openid',
    state: 'xyz',
    ...extra,
  });

  describe('page errors until the client and redirect URI are verified', () => {
    it('shows invalid_client for a missing client_id', async () => {
      const { client_id: _, ...rest } = base('x');
      await assertPageError(await t.request(`/authorize?${query(rest)}`), 'invalid_client');
    });

    it('shows invalid_client for an unknown client_id', async () => {
      await assertPageError(await t.request(`/authorize?${query(base('no-such-client'))}`), 'invalid_client');
    });

    const mismatches: [string, string][] = [
      ['path', 'https://app.example/other'],
      ['query', 'https://app.example/cb?next=1'],
      ['port', 'https://app.example:8443/cb'],
      ['scheme', 'http://app.example/cb'],
      ['fragment', 'https://app.example/cb#frag'],
      ['trailing slash', 'https://app.example/cb/'],
      ['host', 'https://evil.example/cb'],
      ['case of the host', 'https://APP.example/cb'],
    ];
    for (const [what, uri] of mismatches) {
      it(`shows invalid_redirect_uri for a different ${what}`, async () => {
        const res = await t.request(`/authorize?${query(base(client.id, { redirect_uri: uri }))}`);
        await assertPageError(res, 'invalid_redirect_uri');
      });
    }

    it('does not give a non-loopback host any port (localhost is not a loopback IP literal)', async () => {
      const native = await t.addClient({ redirectUris: ['http://localhost/cb'] });
      const res = await t.request(
        `/authorize?${query(base(native.id, { redirect_uri: 'http://localhost:5000/cb' }))}`,
      );
      await assertPageError(res, 'invalid_redirect_uri');
    });

    it('requires redirect_uri with openid even when one URI is registered', async () => {
      const { redirect_uri: _, ...rest } = base(client.id);
      await assertPageError(await t.request(`/authorize?${query(rest)}`), 'invalid_redirect_uri');
    });

    it('requires redirect_uri when several URIs are registered', async () => {
      const several = await t.addClient({ redirectUris: [CB, 'https://app.example/cb2'] });
      const { redirect_uri: _, ...rest } = base(several.id, { scope: 'profile' });
      await assertPageError(await t.request(`/authorize?${query(rest)}`), 'invalid_redirect_uri');
    });

    it('shows a page for a repeated parameter', async () => {
      const res = await t.request(`/authorize?${query(base(client.id))}&state=again`);
      await assertPageError(res, 'invalid_request');
      const res2 = await t.request(`/authorize?${query(base(client.id))}&client_id=${client.id}`);
      await assertPageError(res2, 'invalid_request');
    });

    it('never redirects to an unverified URI, even with another error in the request', async () => {
      const res = await t.request(
        `/authorize?${query(base(client.id, { redirect_uri: 'https://evil.example/cb', response_type: 'bogus' }))}`,
      );
      await assertPageError(res, 'invalid_redirect_uri');
    });
  });

  describe('redirect URI matching', () => {
    it('defaults to the single registered URI without openid', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const { redirect_uri: _, ...rest } = base(firstParty.id, { scope: 'profile' });
      const step = await agent.go(`/authorize?${query(rest)}`);
      assert.ok(step.external);
      assert.equal(`${step.external.origin}${step.external.pathname}`, CB);
      assert.ok(step.external.searchParams.get('code'));
    });

    it('lets a loopback IP redirect URI use any port (RFC 8252 §7.3)', async () => {
      const native = await t.addClient({ redirectUris: ['http://127.0.0.1/callback'], isPublic: true });
      const { challenge } = pkce();
      const cb = await authorizeThroughPages(browser(t), {
        clientId: native.id,
        redirectUri: 'http://127.0.0.1:51234/callback',
        challenge,
        email: user.email,
        password: user.password,
      });
      assert.equal(cb.host, '127.0.0.1:51234');
      assert.equal(cb.pathname, '/callback');
      assert.ok(cb.searchParams.get('code'));
    });

    it('lets an IPv6 loopback redirect URI use any port, with the same path only', async () => {
      const native = await t.addClient({ redirectUris: ['http://[::1]/callback'], isPublic: true });
      const { challenge } = pkce();
      const params = {
        ...base(native.id, { redirect_uri: 'http://[::1]:40000/callback' }),
        code_challenge: challenge,
        code_challenge_method: 'S256',
      };
      const ok = await t.request(`/authorize?${query(params)}`);
      assert.equal(ok.status, 303);
      assert.match(ok.headers.get('location')!, /^\/login\?interaction=/);
      const wrongPath = await t.request(
        `/authorize?${query({ ...params, redirect_uri: 'http://[::1]:40000/other' })}`,
      );
      await assertPageError(wrongPath, 'invalid_redirect_uri');
    });
  });

  describe('errors after verification redirect with error, state and iss', () => {
    it('unsupported_response_type', async () => {
      const res = await t.request(`/authorize?${query(base(client.id, { response_type: 'bogus' }))}`);
      assertRedirectError(t, res, { redirectUri: CB, error: 'unsupported_response_type', state: 'xyz' });
    });

    it('request and request_uri answer their own codes (OIDC Core 6.1, 6.2; issue 8 #17)', async () => {
      const withObject = await t.request(
        `/authorize?${query(base(client.id, { request: 'eyJhbGciOiJub25lIn0.e30.' }))}`,
      );
      assertRedirectError(t, withObject, { redirectUri: CB, error: 'request_not_supported', state: 'xyz' });
      const withUri = await t.request(
        `/authorize?${query(base(client.id, { request_uri: 'https://rp.example/request.jwt' }))}`,
      );
      assertRedirectError(t, withUri, { redirectUri: CB, error: 'request_uri_not_supported', state: 'xyz' });
    });

    it('invalid_scope for a scope the client is not allowed', async () => {
      const narrow = await t.addClient({ redirectUris: [CB], scopes: ['openid'] });
      const res = await t.request(`/authorize?${query(base(narrow.id, { scope: 'openid email' }))}`);
      assertRedirectError(t, res, { redirectUri: CB, error: 'invalid_scope', state: 'xyz' });
      const unknown = await t.request(`/authorize?${query(base(client.id, { scope: 'openid admin' }))}`);
      assertRedirectError(t, unknown, { redirectUri: CB, error: 'invalid_scope', state: 'xyz' });
    });

    it('invalid_target for a resource the client is not allowed (RFC 8707 §2; issue 8 #4)', async () => {
      const payments = 'https://payments.internal.example/api';
      const none = await t.request(`/authorize?${query(base(client.id, { resource: payments }))}`);
      assertRedirectError(t, none, { redirectUri: CB, error: 'invalid_target', state: 'xyz' });
      const api = await t.addClient({ redirectUris: [CB], resources: ['https://api.example/'] });
      for (const resource of [payments, 'https://api.example', 'relative']) {
        const res = await t.request(`/authorize?${query(base(api.id, { resource }))}`);
        assertRedirectError(t, res, { redirectUri: CB, error: 'invalid_target', state: 'xyz' });
      }
      // Still a page until the redirect URI is verified.
      const unverified = await t.request(
        `/authorize?${query(base(api.id, { resource: payments, redirect_uri: 'https://evil.example/cb' }))}`,
      );
      await assertPageError(unverified, 'invalid_redirect_uri');
    });

    it('invalid_request when a public client sends no PKCE challenge', async () => {
      const pub = await t.addClient({ redirectUris: [CB], isPublic: true });
      const res = await t.request(`/authorize?${query(base(pub.id))}`);
      const params = assertRedirectError(t, res, { redirectUri: CB, error: 'invalid_request', state: 'xyz' });
      assert.match(params.get('error_description')!, /code_challenge/);
    });

    it('invalid_request for code_challenge_method=plain', async () => {
      const { verifier } = pkce();
      const res = await t.request(
        `/authorize?${query(base(client.id, { code_challenge: verifier, code_challenge_method: 'plain' }))}`,
      );
      assertRedirectError(t, res, { redirectUri: CB, error: 'invalid_request', state: 'xyz' });
      // A challenge without a method defaults to plain (RFC 7636 §4.3): refused as well.
      const noMethod = await t.request(`/authorize?${query(base(client.id, { code_challenge: verifier }))}`);
      assertRedirectError(t, noMethod, { redirectUri: CB, error: 'invalid_request', state: 'xyz' });
    });

    it('unauthorized_client for the implicit flow when the client is not --implicit', async () => {
      for (const responseType of ['token', 'id_token token']) {
        const res = await t.request(
          `/authorize?${query(base(client.id, { response_type: responseType, nonce: 'n-1' }))}`,
        );
        assertRedirectError(t, res, {
          redirectUri: CB,
          error: 'unauthorized_client',
          state: 'xyz',
          in: 'fragment',
        });
      }
    });

    it('login_required for prompt=none without a session', async () => {
      const res = await t.request(`/authorize?${query(base(client.id, { prompt: 'none' }))}`);
      assertRedirectError(t, res, { redirectUri: CB, error: 'login_required', state: 'xyz' });
    });

    it('consent_required for prompt=none with a session but no consent', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const res = await agent.request(`/authorize?${query(base(client.id, { prompt: 'none' }))}`);
      assertRedirectError(t, res, { redirectUri: CB, error: 'consent_required', state: 'xyz' });
    });

    it('keeps the registered query component and adds iss without state when none was sent', async () => {
      const withQuery = await t.addClient({ redirectUris: ['https://app.example/cb?tenant=7'] });
      const { state: _, ...rest } = base(withQuery.id, {
        redirect_uri: 'https://app.example/cb?tenant=7',
        prompt: 'none',
      });
      const res = await t.request(`/authorize?${query(rest)}`);
      const params = assertRedirectError(t, res, {
        redirectUri: 'https://app.example/cb',
        error: 'login_required',
      });
      assert.equal(params.get('tenant'), '7');
      assert.equal(params.has('state'), false);
    });
  });

  describe('responses', () => {
    it('response_mode=form_post renders an auto-submitting form with code, state and iss', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const res = await agent.request(
        `/authorize?${query(base(firstParty.id, { response_mode: 'form_post' }))}`,
      );
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('location'), null);
      const html = await res.text();
      assert.equal(actionOf(html), CB);
      assert.match(html, /<form[^>]*method="post"/);
      const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
      assert.ok(field('code'));
      assert.equal(field('state'), 'xyz');
      assert.equal(field('iss'), t.issuer);
      assert.match(html, /<script src="\/assets\/form-post\.js"/);
      assert.doesNotMatch(html, /<script>/);
    });

    it('response_mode=form_post carries errors the same way', async () => {
      const res = await t.request(
        `/authorize?${query(base(client.id, { response_mode: 'form_post', prompt: 'none' }))}`,
      );
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('location'), null);
      const html = await res.text();
      assert.equal(actionOf(html), CB);
      const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
      assert.equal(field('error'), 'login_required');
      assert.equal(field('state'), 'xyz');
      assert.equal(field('iss'), t.issuer);
      assert.equal(field('code'), undefined);
    });

    it('issues the implicit flow to an --implicit client: tokens in the fragment, nonce and at_hash', async () => {
      const implicit = await t.addClient({ redirectUris: [CB], implicit: true, firstParty: true });
      const agent = browser(t);
      await signIn(agent, user);
      const res = await agent.request(
        `/authorize?${query(base(implicit.id, { response_type: 'id_token token', nonce: 'n-0S6_WzA2Mj' }))}`,
      );
      assert.equal(res.status, 303);
      const location = new URL(res.headers.get('location')!);
      assert.equal(location.search, '');
      const fragment = new URLSearchParams(location.hash.slice(1));
      assert.equal(fragment.get('token_type'), 'Bearer');
      assert.equal(fragment.get('state'), 'xyz');
      assert.equal(fragment.get('iss'), t.issuer);
      assert.equal(fragment.has('code'), false);
      assert.equal(fragment.has('refresh_token'), false);
      const accessToken = fragment.get('access_token')!;
      const idToken = await verifyJwt(t, fragment.get('id_token')!, implicit.id);
      assert.equal(idToken.sub, user.id);
      assert.equal(idToken['nonce'], 'n-0S6_WzA2Mj');
      const digest = createHash('sha256').update(accessToken).digest();
      assert.equal(idToken['at_hash'], digest.subarray(0, 16).toString('base64url'));
      assert.equal(claimsOf(accessToken)['client_id'], implicit.id);
    });

    it('requires a nonce for the implicit flow', async () => {
      const implicit = await t.addClient({ redirectUris: [CB], implicit: true });
      const res = await t.request(
        `/authorize?${query(base(implicit.id, { response_type: 'id_token token' }))}`,
      );
      const params = assertRedirectError(t, res, {
        redirectUri: CB,
        error: 'invalid_request',
        state: 'xyz',
        in: 'fragment',
      });
      assert.match(params.get('error_description')!, /nonce/);
    });
  });

  describe('sign-in and consent rules', () => {
    it('prompt=login shows the login page even with a session', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const step = await agent.go(`/authorize?${query(base(firstParty.id, { prompt: 'login' }))}`);
      assert.ok(isLoginPage(step.html), 'login page');
      const done = await agent.submit(step.html!, { email: user.email, password: user.password });
      assert.ok(done.external?.searchParams.get('code'));
    });

    it('max_age=0 forces a new sign-in', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const step = await agent.go(`/authorize?${query(base(firstParty.id, { max_age: '0' }))}`);
      assert.ok(isLoginPage(step.html), 'login page');
    });

    it('a sign-in older than max_age forces a new one; a recent one does not', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      t.clock.advance(120);
      const recent = await agent.go(`/authorize?${query(base(firstParty.id, { max_age: '600' }))}`);
      assert.ok(recent.external?.searchParams.get('code'), 'no login needed');
      const stale = await agent.go(`/authorize?${query(base(firstParty.id, { max_age: '60' }))}`);
      assert.ok(isLoginPage(stale.html), 'login page');
      const done = await agent.submit(stale.html!, { email: user.email, password: user.password });
      assert.ok(done.external?.searchParams.get('code'));
    });

    it('a first-party client skips consent', async () => {
      const agent = browser(t);
      const first = await agent.go(
        `/authorize?${query(base(firstParty.id, { scope: 'openid email profile' }))}`,
      );
      assert.ok(isLoginPage(first.html));
      const done = await agent.submit(first.html!, { email: user.email, password: user.password });
      assert.ok(done.external?.searchParams.get('code'), 'straight to the callback');
    });

    it('remembers consent per user and client, and asks again for a new scope', async () => {
      const app = await t.addClient({ name: 'Remember Me App', redirectUris: [CB] });
      const agent = browser(t);
      await signIn(agent, user);
      const first = await agent.go(`/authorize?${query(base(app.id, { scope: 'openid email' }))}`);
      assert.ok(isConsentPage(first.html), 'consent page');
      assert.ok(first.html!.includes('Remember Me App'));
      assert.ok(first.html!.includes('Confirm your identity'));
      assert.ok(first.html!.includes('Your email address'));
      const allowed = await agent.post(actionOf(first.html!), {
        csrf: csrfOf(first.html!),
        decision: 'allow',
      });
      assert.ok(allowed.external?.searchParams.get('code'));

      const again = await agent.go(`/authorize?${query(base(app.id, { scope: 'email openid' }))}`);
      assert.ok(again.external?.searchParams.get('code'), 'no consent page the second time');
      const fewer = await agent.go(`/authorize?${query(base(app.id, { scope: 'openid' }))}`);
      assert.ok(fewer.external?.searchParams.get('code'), 'a subset needs no consent');

      const more = await agent.go(`/authorize?${query(base(app.id, { scope: 'openid email profile' }))}`);
      assert.ok(isConsentPage(more.html), 'consent page for a new scope');
      assert.ok(more.html!.includes('Your name'));

      // Another user of the same browser has not consented.
      const other = await t.addUser({});
      const agent2 = browser(t);
      await signIn(agent2, other);
      const otherStep = await agent2.go(`/authorize?${query(base(app.id, { scope: 'openid email' }))}`);
      assert.ok(isConsentPage(otherStep.html));
    });

    it('the consent page names the resource asked for, and the code gets it as aud (issue 8 #4)', async () => {
      const resource = 'https://api.example/v1?tenant=a&region=eu';
      const app = await t.addClient({ name: 'Resourceful App', redirectUris: [CB], resources: [resource] });
      const agent = browser(t);
      await signIn(agent, user);
      const plain = await agent.go(`/authorize?${query(base(app.id, { scope: 'openid email' }))}`);
      assert.ok(isConsentPage(plain.html));
      assert.ok(!plain.html!.includes('class="resource"'), 'no resource line without a resource');

      const { verifier, challenge } = pkce();
      const page = await agent.go(
        `/authorize?${query(base(app.id, { scope: 'openid email', resource, code_challenge: challenge, code_challenge_method: 'S256' }))}`,
      );
      assert.ok(isConsentPage(page.html));
      assert.ok(page.html!.includes('Resourceful App'));
      assert.ok(
        page.html!.includes(
          'for <strong class="resource">https://api.example/v1?tenant=a&amp;region=eu</strong>',
        ),
        'names the resource, escaped',
      );
      // SPEC §5: still one list item per requested scope, and nothing else in the list.
      assert.equal(page.html!.match(/<li\b/g)?.length, 2);
      const allowed = await agent.post(actionOf(page.html!), { csrf: csrfOf(page.html!), decision: 'allow' });
      const code = allowed.external?.searchParams.get('code');
      assert.ok(code);
      const res = await t.request(
        '/token',
        tokenRequest(app, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: CB,
          code_verifier: verifier,
        }),
      );
      const { access_token } = (await res.json()) as { access_token: string };
      assert.equal((await verifyJwt(t, access_token, resource)).aud, resource);
    });

    it('Deny on the consent page redirects with access_denied, state and iss', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const page = await agent.go(`/authorize?${query(base(client.id, { scope: 'openid profile' }))}`);
      assert.ok(isConsentPage(page.html));
      const res = await agent.request(actionOf(page.html!), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: csrfOf(page.html!), decision: 'deny' }).toString(),
      });
      assertRedirectError(t, res, { redirectUri: CB, error: 'access_denied', state: 'xyz' });
      // The interaction is spent: the consent page cannot be replayed.
      const replay = await agent.go(actionOf(page.html!));
      assert.equal(replay.res?.status, 400);
    });
  });

  describe('id_token_hint (OIDC Core 3.1.2.1; issue 8 #6)', () => {
    let alice: { id: string; email: string; password: string };
    let bob: { id: string; email: string; password: string };
    let bobBrowser: Agent;
    let aliceIdToken: string;
    let bobIdToken: string;

    /** A first-party client: no consent page stands between a signed-in user and the code. */
    const withHint = (hint: string, extra: Record<string, string> = {}) =>
      `/authorize?${query(base(firstParty.id, { id_token_hint: hint, ...extra }))}`;

    before(async () => {
      alice = await t.addUser({});
      bob = await t.addUser({});
      aliceIdToken = (await tokensFor(t, firstPartyClient(), alice)).id_token;
      bobBrowser = browser(t);
      await signIn(bobBrowser, bob);
      bobIdToken = (await tokensFor(t, firstPartyClient(), bob, { agent: bobBrowser })).id_token;
    });

    const firstPartyClient = () => ({ ...firstParty, redirectUri: CB });

    it('refuses a hint that is not a JWT with invalid_request, even with prompt=none', async () => {
      const res = await bobBrowser.request(withHint('not.a.jwt', { prompt: 'none' }));
      assertRedirectError(t, res, { redirectUri: CB, error: 'invalid_request', state: 'xyz' });
    });

    it('refuses an unsigned (alg none) hint naming the signed-in user', async () => {
      const { kid } = headerOf(bobIdToken);
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const unsigned = `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claimsOf(bobIdToken))}.`;
      const res = await bobBrowser.request(withHint(unsigned, { prompt: 'none' }));
      assertRedirectError(t, res, { redirectUri: CB, error: 'invalid_request', state: 'xyz' });
    });

    it('refuses an access token as the hint', async () => {
      const { access_token } = await tokensFor(t, firstPartyClient(), bob, { agent: bobBrowser });
      assert.equal(headerOf(access_token).typ, 'at+jwt');
      const res = await bobBrowser.request(withHint(access_token, { prompt: 'none' }));
      assertRedirectError(t, res, { redirectUri: CB, error: 'invalid_request', state: 'xyz' });
    });

    it('answers login_required to prompt=none when the hint names another user than the session’s', async () => {
      const res = await bobBrowser.request(withHint(aliceIdToken, { prompt: 'none' }));
      const params = assertRedirectError(t, res, { redirectUri: CB, error: 'login_required', state: 'xyz' });
      assert.equal(params.get('code'), null);
    });

    it('shows the login page when the hint names another user, and the hinted user signs in there', async () => {
      const agent = browser(t);
      await signIn(agent, bob);
      const step = await agent.go(withHint(aliceIdToken));
      assert.ok(isLoginPage(step.html), 'login page, not a code for bob');
      const done = await agent.submit(step.html!, { email: alice.email, password: alice.password });
      const code = done.external?.searchParams.get('code');
      assert.ok(code);
      const tokens = await redeemCode(code);
      assert.equal(claimsOf(tokens.id_token).sub, alice.id);
    });

    it('answers login_required when someone else than the hinted user signs in (review finding)', async () => {
      const agent = browser(t);
      const step = await agent.go(withHint(aliceIdToken));
      assert.ok(isLoginPage(step.html));
      const done = await agent.submit(step.html!, { email: bob.email, password: bob.password });
      assert.ok(done.external, 'back at the client');
      assert.equal(done.external.searchParams.get('error'), 'login_required');
      assert.equal(done.external.searchParams.get('code'), null);
    });

    it('accepts a hint naming the signed-in user, expired or not', async () => {
      const res = await bobBrowser.request(withHint(bobIdToken, { prompt: 'none' }));
      assert.equal(res.status, 303);
      const code = new URL(res.headers.get('location')!).searchParams.get('code');
      assert.ok(code, res.headers.get('location') ?? '');
      assert.equal(claimsOf((await redeemCode(code)).id_token).sub, bob.id);

      t.clock.advance(2 * 3600);
      const later = await bobBrowser.request(withHint(bobIdToken, { prompt: 'none' }));
      assert.ok(
        new URL(later.headers.get('location')!).searchParams.get('code'),
        'an expired hint still names bob',
      );
    });

    /** Redeems a code of the first-party client obtained without PKCE. */
    async function redeemCode(code: string): Promise<Json> {
      const res = await t.request(
        '/token',
        tokenRequest(firstPartyClient(), { grant_type: 'authorization_code', code, redirect_uri: CB }),
      );
      const body = await json(res);
      assert.equal(res.status, 200, JSON.stringify(body));
      return body;
    }
  });

  describe('browser security', () => {
    it('sends CSP frame-ancestors none and X-Frame-Options DENY on every page', async () => {
      const agent = browser(t);
      const login = await agent.request(`/authorize?${query(base(client.id))}`);
      const pages = [
        await agent.request(login.headers.get('location')!),
        await t.request('/login'),
        await t.request(`/authorize?${query(base('no-such-client'))}`),
      ];
      await signIn(agent, user);
      const consent = await agent.request(`/authorize?${query(base(client.id, { scope: 'openid email' }))}`);
      pages.push(await agent.request(consent.headers.get('location')!));
      for (const res of pages) {
        assert.match(res.headers.get('content-type') ?? '', /text\/html/);
        assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
        assert.equal(res.headers.get('x-frame-options'), 'DENY');
      }
    });

    it('sets HttpOnly, SameSite=Lax cookies, without Secure on an http issuer', async () => {
      const agent = browser(t);
      const res = await agent.request('/login');
      const cookies = res.headers.getSetCookie();
      assert.ok(cookies.length > 0);
      for (const c of cookies) {
        assert.match(c, /; HttpOnly/i);
        assert.match(c, /; SameSite=Lax/i);
        assert.doesNotMatch(c, /; Secure/i);
      }
    });

    it('sets Secure and the __Host- prefix on every cookie when the issuer is https', async () => {
      const s = await testApp({ ISSUER: 'https://id.example' });
      try {
        const u = await s.addUser({});
        const agent = new Agent(async (url, i) => s.app.request(url, i), s.issuer);
        const page = await agent.request('/login');
        const html = await page.text();
        const signedIn = await agent.request('/login', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf: csrfOf(html), email: u.email, password: u.password }).toString(),
        });
        assert.equal(signedIn.status, 303);
        const cookies = [...page.headers.getSetCookie(), ...signedIn.headers.getSetCookie()];
        // RFC 6265bis §4.1.3.2: a __Host- cookie is Secure, Path=/ and has no Domain, so no sibling host sets it.
        assert.ok(
          cookies.some((c) => c.startsWith('__Host-lk_browser=')),
          'the browser cookie',
        );
        assert.ok(
          cookies.some((c) => c.startsWith('__Host-lk_session=')),
          'the session cookie',
        );
        for (const c of cookies) {
          assert.match(c, /^__Host-/);
          assert.match(c, /; HttpOnly/i);
          assert.match(c, /; SameSite=Lax/i);
          assert.match(c, /; Secure/i);
          assert.match(c, /; Path=\/(;|$)/i);
          assert.doesNotMatch(c, /; Domain=/i);
        }
      } finally {
        await s.close();
      }
    });

    const post = (agent: Agent, url: string, fields: Record<string, string>) =>
      agent.request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });

    it('refuses a sign-in without or with a wrong CSRF token', async () => {
      const agent = browser(t);
      const start = await agent.go(`/authorize?${query(base(client.id))}`);
      const action = actionOf(start.html!);
      for (const csrf of [undefined, 'wrong-token', csrfOf(start.html!).slice(0, -2) + 'AA']) {
        const fields: Record<string, string> = { email: user.email, password: user.password };
        if (csrf !== undefined) fields['csrf'] = csrf;
        const res = await post(agent, action, fields);
        assert.equal(res.status, 403);
        assert.equal(res.headers.get('location'), null);
        assert.equal(agent.cookies.has('lk_session'), false);
      }
      // A token from another browser is refused too.
      const other = browser(t);
      const otherPage = await other.go('/login');
      const res = await post(agent, action, {
        csrf: csrfOf(otherPage.html!),
        email: user.email,
        password: user.password,
      });
      assert.equal(res.status, 403);
      assert.equal(agent.cookies.has('lk_session'), false);
    });

    it('refuses a consent decision without or with a wrong CSRF token', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const page = await agent.go(`/authorize?${query(base(client.id, { scope: 'openid profile email' }))}`);
      assert.ok(isConsentPage(page.html));
      const action = actionOf(page.html!);
      for (const fields of [{ decision: 'allow' }, { decision: 'allow', csrf: 'forged' }] as Record<
        string,
        string
      >[]) {
        const res = await post(agent, action, fields);
        assert.ok(res.status === 400 || res.status === 403, `refused, got ${res.status}`);
        assert.equal(res.headers.get('location'), null);
        assert.match(await res.text(), /<code>csrf<\/code>/);
      }
      // Nothing was approved: the page is still asked for.
      const again = await agent.go(action);
      assert.ok(isConsentPage(again.html));
    });

    it('changes the session cookie value at every sign-in (no fixation)', async () => {
      const agent = browser(t);
      agent.cookies.set('lk_session', 'attacker-chosen-session-id');
      await signIn(agent, user);
      const first = agent.cookies.get('lk_session');
      assert.ok(first);
      assert.notEqual(first, 'attacker-chosen-session-id');
      const step = await agent.go(`/authorize?${query(base(firstParty.id, { prompt: 'login' }))}`);
      await agent.submit(step.html!, { email: user.email, password: user.password });
      const second = agent.cookies.get('lk_session');
      assert.ok(second);
      assert.notEqual(second, first);
      // The previous session is over: its cookie alone no longer signs anyone in.
      const old = browser(t);
      old.cookies.set('lk_session', first);
      const res = await old.request(`/authorize?${query(base(firstParty.id, { prompt: 'none' }))}`);
      assertRedirectError(t, res, { redirectUri: CB, error: 'login_required' });
    });

    it('refuses an interaction opened in another browser', async () => {
      const victim = browser(t);
      const start = await victim.request(`/authorize?${query(base(client.id))}`);
      const loginUrl = start.headers.get('location')!;
      const interaction = new URL(loginUrl, t.issuer).searchParams.get('interaction')!;
      assert.ok(interaction);

      const attacker = browser(t);
      const page = await attacker.go(loginUrl);
      assert.equal(page.res?.status, 400);
      assert.match(page.html!, /interaction_expired/);

      const own = await attacker.go('/login');
      const posted = await post(attacker, loginUrl, {
        csrf: csrfOf(own.html!),
        email: user.email,
        password: user.password,
      });
      assert.equal(posted.status, 400);
      assert.equal(posted.headers.get('location'), null);

      const resume = await attacker.request(
        `/authorize/resume?interaction=${encodeURIComponent(interaction)}`,
      );
      assert.equal(resume.status, 400);
      assert.equal(resume.headers.get('location'), null);
      const consent = await attacker.request(`/consent?interaction=${encodeURIComponent(interaction)}`);
      assert.equal(consent.status, 400);
    });
  });
});
