import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import type { Browser, Page, Request } from 'playwright-core';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';

/** The browser build of oidc-client-ts, unchanged from npm (an IIFE defining the global `oidc`). */
function oidcClientTsBrowserBuild(): string {
  const require = createRequire(import.meta.url);
  const dist = join(require.resolve('oidc-client-ts'), '..', '..', 'browser', 'oidc-client-ts.min.js');
  return readFileSync(dist, 'utf8');
}

/** The single-page app's settings, handed to `new oidc.UserManager(...)` as they are. */
interface SpaSettings {
  authority: string;
  client_id: string;
  redirect_uri: string;
  post_logout_redirect_uri: string;
  response_type: 'code';
  scope: string;
  automaticSilentRenew: false;
}

/**
 * The app: one small page on every path. On `/callback` it finishes the sign-in, on `/signed-out` the sign-out;
 * `window.app` lets the test press its buttons, `window.spa` reports what happened.
 */
function spaPage(settings: SpaSettings): string {
  const script = `
const mgr = new oidc.UserManager(${JSON.stringify(settings)});
const report = (patch) => { window.spa = { ...window.spa, ...patch }; };
const view = (user) => user && {
  profile: user.profile, access_token: user.access_token, refresh_token: user.refresh_token,
  id_token: user.id_token, scope: user.scope, expired: user.expired,
};
window.spa = {};
window.app = {
  signIn: () => mgr.signinRedirect().catch((e) => report({ error: String(e) })),
  renew: () => mgr.signinSilent().then((u) => report({ renewed: view(u) }), (e) => report({ error: String(e) })),
  signOut: () => mgr.signoutRedirect().catch((e) => report({ error: String(e) })),
  userinfo: async () => {
    const user = await mgr.getUser();
    const meta = await mgr.metadataService.getMetadata();
    const res = await fetch(meta.userinfo_endpoint, { headers: { authorization: 'Bearer ' + user.access_token } });
    return { status: res.status, json: await res.json() };
  },
};
const done = (p) => p.then((patch) => report({ ready: true, ...patch }), (e) => report({ ready: true, error: String(e) }));
if (location.pathname === '/callback') done(mgr.signinRedirectCallback().then((u) => ({ user: view(u) })));
else if (location.pathname === '/signed-out')
  done(mgr.signoutRedirectCallback().then(async () => ({ signedOut: true, user: view(await mgr.getUser()) })));
else done(mgr.getUser().then((u) => ({ user: view(u) })));
`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SPA</title>
<script src="/oidc-client-ts.min.js"></script></head>
<body><h1>SPA</h1><script>${script}</script></body></html>`;
}

/** The app's own origin: a static server for its page and the library, nothing else (no back end). */
async function startSpa(page: () => string): Promise<{ origin: string; close(): Promise<void> }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const library = oidcClientTsBrowserBuild();
  const server: Server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', origin);
    if (pathname === '/oidc-client-ts.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(library);
    } else if (pathname === '/' || pathname === '/callback' || pathname === '/signed-out') {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end(page());
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface SpaUser {
  profile: Record<string, unknown>;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  expired?: boolean;
}

interface SpaState {
  ready?: boolean;
  error?: string;
  user?: SpaUser | null;
  renewed?: SpaUser;
  signedOut?: boolean;
}

/** The page's globals (the tests have no DOM types: `globalThis` is the page's `window` inside `evaluate`). */
interface SpaWindow {
  spa: SpaState | undefined;
  app: {
    signIn(): Promise<void>;
    renew(): Promise<void>;
    signOut(): Promise<void>;
    userinfo(): Promise<{ status: number; json: Record<string, unknown> }>;
  };
}

/** Waits for the page's script to report, and fails with what it reported when it is an error. */
async function spaState(page: Page, key: keyof SpaState): Promise<SpaState> {
  await page.waitForFunction(
    (k) => {
      const spa = (globalThis as unknown as SpaWindow).spa;
      return spa !== undefined && (k in spa || 'error' in spa);
    },
    key,
    { timeout: 15_000 },
  );
  const state = (await page.evaluate(() => (globalThis as unknown as SpaWindow).spa)) ?? {};
  assert.equal(state.error, undefined, `the app reported: ${state.error}`);
  return state;
}

/**
 * `oidc-client-ts` v3, unchanged from npm, as a single-page app in Chromium on its own loopback origin (another
 * port, so every call to latchkey is cross-origin and CORS is real), against a public client created with
 * latchkey's defaults (no algorithm option): code + PKCE, silent renew with a refresh token, sign-out.
 */
describe('oidc-client-ts in Chromium as a single-page app', () => {
  let s: TestServer;
  let browser: Browser;
  let spa: { origin: string; close(): Promise<void> };
  let settings: SpaSettings;
  let user: { id: string; email: string; password: string };

  before(async () => {
    s = await startTestServer();
    // The page is built per request: the client (so its id) needs the app's origin first.
    spa = await startSpa(() => spaPage(settings));
    const client = await s.addClient({
      name: 'Single-Page App',
      isPublic: true,
      redirectUris: [`${spa.origin}/callback`],
      postLogoutRedirectUris: [`${spa.origin}/signed-out`],
    });
    settings = {
      authority: s.issuer,
      client_id: client.id,
      redirect_uri: `${spa.origin}/callback`,
      post_logout_redirect_uri: `${spa.origin}/signed-out`,
      response_type: 'code',
      scope: 'openid profile email offline_access',
      automaticSilentRenew: false,
    };
    user = await s.addUser({});
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await spa?.close();
    await s?.close();
  });

  it('signs in with code + PKCE, renews with the refresh token, signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const issuerOrigin = new URL(s.issuer).origin;
    // Every call the app's script makes to latchkey (fetch), with its headers; and where the browser went.
    const calls: { request: Request; headers: Promise<Record<string, string>> }[] = [];
    const authorizations: URL[] = [];
    const logouts: URL[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== issuerOrigin) return;
      if (request.isNavigationRequest() && url.pathname === '/authorize') authorizations.push(url);
      if (request.isNavigationRequest() && url.pathname === '/logout') logouts.push(url);
      if (['fetch', 'xhr'].includes(request.resourceType()))
        calls.push({ request, headers: request.allHeaders() });
    });
    const tokenCalls = () =>
      calls
        .filter(({ request }) => request.method() === 'POST' && new URL(request.url()).pathname === '/token')
        .map(({ request }) => new URLSearchParams(request.postData() ?? ''));

    // (1) Code + PKCE: the app sends the browser to latchkey, the user signs in and allows, the app redeems.
    await page.goto(`${spa.origin}/`);
    assert.equal((await spaState(page, 'user')).user, null, 'nobody signed in yet');
    await page.evaluate(() => {
      void (globalThis as unknown as SpaWindow).app.signIn();
    });
    await page.waitForURL((url) => url.origin === issuerOrigin, { timeout: 15_000 });
    await fillSignIn(page, user.email, user.password);
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.waitForURL((url) => url.href.startsWith(settings.redirect_uri), { timeout: 15_000 });
    const signedIn = (await spaState(page, 'ready')).user;
    assert.ok(signedIn, 'the callback gave the app a user');
    assert.equal(signedIn.profile['sub'], user.id);
    assert.equal(signedIn.profile['email'], user.email);
    assert.equal(signedIn.profile['iss'], s.issuer);
    assert.equal(signedIn.profile['aud'], settings.client_id);
    assert.ok(signedIn.refresh_token, 'a refresh token for the public client (offline_access)');
    assert.equal(signedIn.scope, settings.scope);

    // What oidc-client-ts asked for: the code flow with PKCE S256 and a state (v3 sends no nonce with PKCE).
    const [sent] = authorizations;
    assert.ok(sent, 'the browser went to /authorize');
    assert.equal(sent.searchParams.get('client_id'), settings.client_id);
    assert.equal(sent.searchParams.get('response_type'), 'code');
    assert.equal(sent.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(sent.searchParams.get('code_challenge'));
    assert.ok(sent.searchParams.get('state'));
    const [redeemed] = tokenCalls();
    assert.ok(redeemed, 'the app redeemed its code from the browser');
    assert.equal(redeemed.get('grant_type'), 'authorization_code');
    assert.ok(redeemed.get('code_verifier'), 'with its PKCE verifier');
    assert.equal(redeemed.get('client_secret'), null);

    // The ID token is RS256 by default and verifies against the JWKS with a verifier allowing RS256 only.
    // (oidc-client-ts decodes the ID token and checks its subject, not its signature, issuer or audience: jose does.)
    const idToken = signedIn.id_token ?? '';
    assert.equal(jose.decodeProtectedHeader(idToken).alg, 'RS256');
    const jwks = jose.createRemoteJWKSet(new URL(`${s.issuer}/jwks`));
    const { payload } = await jose.jwtVerify(idToken, jwks, {
      issuer: s.issuer,
      audience: settings.client_id,
      algorithms: ['RS256'],
    });
    assert.equal(payload.sub, user.id);

    // (2) Silent renew: with a refresh token present, oidc-client-ts uses the refresh_token grant from the page.
    await page.evaluate(() => {
      void (globalThis as unknown as SpaWindow).app.renew();
    });
    const renewed = (await spaState(page, 'renewed')).renewed as SpaUser;
    const refreshed = tokenCalls().filter((params) => params.get('grant_type') === 'refresh_token');
    assert.equal(refreshed.length, 1, 'one refresh_token grant POSTed to /token');
    assert.equal(refreshed[0]?.get('refresh_token'), signedIn.refresh_token);
    assert.equal(refreshed[0]?.get('client_id'), settings.client_id);
    assert.notEqual(renewed.access_token, signedIn.access_token, 'a new access token');
    assert.equal(renewed.profile['sub'], user.id);
    assert.notEqual(renewed.refresh_token, signedIn.refresh_token, 'the refresh token rotated');
    // The refresh answered a new ID token, which oidc-client-ts held to the first one's sub and auth_time.
    assert.ok(renewed.id_token && renewed.id_token !== signedIn.id_token);
    assert.equal(jose.decodeProtectedHeader(renewed.id_token).alg, 'RS256');
    const info = await page.evaluate(() => (globalThis as unknown as SpaWindow).app.userinfo());
    assert.equal(info.status, 200, 'the new access token works at /userinfo, read from the app origin');
    assert.equal(info.json['sub'], user.id);
    assert.equal(info.json['email'], user.email);

    // No call of the app's script to latchkey carried latchkey's cookies: CORS here is never credentialed.
    assert.ok(calls.length > 0);
    for (const call of calls) {
      const headers = await call.headers;
      assert.equal(
        headers['cookie'],
        undefined,
        `${call.request.method()} ${call.request.url()} sent cookies`,
      );
    }

    // (3) Sign-out: RP-initiated logout with the ID token as hint, back to the app's post-logout URI. The hint
    // names the signed-in user, so latchkey signs out without asking (RP-Initiated Logout §2).
    await page.evaluate(() => {
      void (globalThis as unknown as SpaWindow).app.signOut();
    });
    await page.waitForURL((url) => url.href.startsWith(settings.post_logout_redirect_uri), {
      timeout: 15_000,
    });
    const [logout] = logouts;
    assert.ok(logout, 'the browser went to /logout');
    assert.equal(logout.searchParams.get('id_token_hint'), renewed.id_token);
    assert.equal(logout.searchParams.get('post_logout_redirect_uri'), settings.post_logout_redirect_uri);
    const signedOut = await spaState(page, 'signedOut');
    assert.equal(signedOut.signedOut, true);
    assert.equal(signedOut.user, null, 'the app forgot its user');

    // latchkey's session is gone: a new sign-in shows the form again.
    await page.goto(`${spa.origin}/`);
    await spaState(page, 'ready');
    await page.evaluate(() => {
      void (globalThis as unknown as SpaWindow).app.signIn();
    });
    await page.waitForURL((url) => url.origin === issuerOrigin, { timeout: 15_000 });
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 15_000 });
    await context.close();
  });
});
