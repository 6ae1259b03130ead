import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import expressOpenIdConnect from 'express-openid-connect';
import { decodeProtectedHeader } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';

const { auth, requiresAuth } = expressOpenIdConnect;

/**
 * The store express-openid-connect keeps back-channel logouts in: the `express-session` store interface
 * (`get`/`set`/`destroy` with callbacks) over a Map, as `express-session`'s own MemoryStore is.
 * The package requires one for back-channel logout; everything else about it runs unchanged.
 */
class MemoryStore<T> {
  readonly entries = new Map<string, T>();
  get(key: string, callback: (err: unknown, value?: T) => void): void {
    callback(null, this.entries.get(key));
  }
  set(key: string, value: T, callback?: (err?: unknown) => void): void {
    this.entries.set(key, value);
    callback?.();
  }
  destroy(key: string, callback?: (err?: unknown) => void): void {
    this.entries.delete(key);
    callback?.();
  }
}

interface ExpressRp {
  baseURL: string;
  /** The statuses the app answered to POSTs at its `/backchannel-logout` (observed, not handled, here). */
  backchannelStatuses: number[];
  close(): Promise<void>;
}

/** An Express 5 app on a loopback port, signed in by Auth0's express-openid-connect against latchkey. */
async function startExpressRp(config: {
  port: number;
  issuer: string;
  clientID: string;
  clientSecret: string;
}): Promise<ExpressRp> {
  const baseURL = `http://127.0.0.1:${config.port}`;
  const backchannelStatuses: number[] = [];
  const app = express();
  app.use((req, res, next) => {
    if (req.method === 'POST' && req.path === '/backchannel-logout')
      res.on('finish', () => backchannelStatuses.push(res.statusCode));
    next();
  });
  app.use(
    auth({
      issuerBaseURL: config.issuer,
      baseURL,
      clientID: config.clientID,
      clientSecret: config.clientSecret,
      secret: randomBytes(32).toString('base64url'),
      authRequired: false,
      idpLogout: true,
      enableTelemetry: false,
      authorizationParams: {
        response_type: 'code',
        scope: 'openid profile email groups offline_access',
      },
      backchannelLogout: { store: new MemoryStore() },
    }),
  );
  app.get('/', (req, res) => {
    res
      .type('html')
      .send(
        `<!doctype html><title>Express app</title><h1>Express app home</h1><p>${
          req.oidc.isAuthenticated() ? 'signed in' : 'signed out'
        }</p>`,
      );
  });
  app.get('/home', requiresAuth(), (_req, res) => {
    res.type('html').send('<!doctype html><title>Express app</title><h1>Signed in to the Express app</h1>');
  });
  app.get('/me', requiresAuth(), (req, res) => {
    res.json({
      user: req.oidc.user,
      idTokenHeader: decodeProtectedHeader(req.oidc.idToken ?? ''),
      accessToken: req.oidc.accessToken?.access_token,
      hasRefreshToken: typeof req.oidc.refreshToken === 'string',
    });
  });
  app.get('/refresh', requiresAuth(), async (req, res, next) => {
    try {
      const before = req.oidc.accessToken?.access_token;
      const refreshed = await req.oidc.accessToken?.refresh();
      res.json({ before, after: refreshed?.access_token });
    } catch (err) {
      next(err);
    }
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.port, '127.0.0.1', () => resolve(s));
  });
  return {
    baseURL,
    backchannelStatuses,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` until it returns a value other than `undefined`, failing after `ms`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("Auth0's express-openid-connect as an unchanged relying party, driven through Chromium", () => {
  let s: TestServer;
  let browser: Browser;
  let rp: ExpressRp;

  before(async () => {
    s = await startTestServer();
    const port = await freePort();
    const baseURL = `http://127.0.0.1:${port}`;
    // latchkey's defaults (no algorithm option); the `groups` scope besides the default ones.
    const client = await s.addClient({
      name: 'Express App',
      redirectUris: [`${baseURL}/callback`],
      postLogoutRedirectUris: [baseURL],
      backchannelLogoutUri: `${baseURL}/backchannel-logout`,
      scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
      grants: ['authorization_code', 'refresh_token'],
    });
    assert.ok(client.secret);
    rp = await startExpressRp({ port, issuer: s.issuer, clientID: client.id, clientSecret: client.secret });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await s?.close();
  });

  async function newUser() {
    const username = `ada-${randomBytes(4).toString('hex')}`;
    return { ...(await s.addUser({ username, groups: ['engineering', 'grafana-admins'] })), username };
  }

  /** Opens a protected page of the app: signs in at latchkey's pages and allows the app if asked. */
  async function signInThroughApp(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.goto(`${rp.baseURL}/home`);
    assert.equal(
      new URL(page.url()).origin,
      new URL(s.issuer).origin,
      'the app sent the browser to latchkey',
    );
    await fillSignIn(page, user.email, user.password);
    const allow = page.getByRole('button', { name: 'Allow', exact: true });
    const home = page.getByRole('heading', { name: 'Signed in to the Express app' });
    await allow.or(home).waitFor();
    if (await allow.isVisible()) await allow.click();
    await home.waitFor();
  }

  const me = (context: BrowserContext) => context.request.get(`${rp.baseURL}/me`, { maxRedirects: 0 });

  it('signs in through the hosted pages; req.oidc.user has sub, email, preferred_username, groups; the ID token is RS256', async () => {
    const user = await newUser();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await signInThroughApp(page, user);
      const res = await me(context);
      assert.equal(res.status(), 200);
      const body = (await res.json()) as {
        user: Record<string, unknown>;
        idTokenHeader: { alg?: string };
      };
      assert.equal(body.user['sub'], user.id);
      assert.equal(body.user['email'], user.email);
      assert.equal(body.user['preferred_username'], user.username);
      assert.deepEqual([...(body.user['groups'] as string[])].sort(), ['engineering', 'grafana-admins']);
      assert.equal(body.idTokenHeader.alg, 'RS256', 'verified by the package with its defaults (RS256)');
    } finally {
      await context.close();
    }
  });

  it('refreshes: accessToken.refresh() gets a new access token that latchkey /userinfo accepts', async () => {
    const user = await newUser();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await signInThroughApp(page, user);
      const first = (await (await me(context)).json()) as { hasRefreshToken: boolean };
      assert.equal(first.hasRefreshToken, true, 'offline_access gave the app a refresh token');
      const res = await context.request.get(`${rp.baseURL}/refresh`, { maxRedirects: 0 });
      assert.equal(res.status(), 200, await res.text());
      const { before, after } = (await res.json()) as { before: string; after: string };
      assert.ok(before && after);
      assert.notEqual(after, before);
      const info = await fetch(`${s.issuer}/userinfo`, { headers: { authorization: `Bearer ${after}` } });
      assert.equal(info.status, 200);
      const claims = (await info.json()) as Record<string, unknown>;
      assert.equal(claims['sub'], user.id);
      assert.equal(claims['email'], user.email);
      // The app's session now holds the new token.
      const later = (await (await me(context)).json()) as { accessToken: string };
      assert.equal(later.accessToken, after);
    } finally {
      await context.close();
    }
  });

  it("the app's /logout signs out at latchkey too (end_session) and comes back to the app", async () => {
    const user = await newUser();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await signInThroughApp(page, user);
      const delivered = rp.backchannelStatuses.length;
      await page.goto(`${rp.baseURL}/logout`);
      await page.getByRole('heading', { name: 'Express app home' }).waitFor();
      assert.equal(page.url(), `${rp.baseURL}/`);
      await page.getByText('signed out', { exact: true }).waitFor();
      const res = await me(context);
      assert.equal(res.status(), 302);
      // latchkey's session ended too: the next sign-in asks for the password again.
      await page.goto(`${rp.baseURL}/home`);
      await page.getByRole('textbox', { name: 'Email', exact: true }).waitFor();
      // latchkey also told the app over the back channel (its session was already gone).
      await eventually('the logout token reached the app', async () =>
        rp.backchannelStatuses.length > delivered ? true : undefined,
      );
      assert.equal(rp.backchannelStatuses.at(-1), 204);
    } finally {
      await context.close();
    }
  });

  it("back-channel logout: signing out at latchkey itself ends the app's own session", async () => {
    const user = await newUser();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await signInThroughApp(page, user);
      assert.equal((await me(context)).status(), 200);
      const delivered = rp.backchannelStatuses.length;

      // Signed out at latchkey, not through the app: the app's cookie is untouched.
      await page.goto(`${s.issuer}/logout`);
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();

      // latchkey POSTs a logout token to the app's /backchannel-logout; the app then refuses its session.
      const refused = await eventually('the app refuses its session', async () => {
        const res = await me(context);
        return res.status() === 302 ? res : undefined;
      });
      const location = new URL(refused.headers()['location'] ?? '', rp.baseURL);
      assert.equal(
        `${location.origin}${location.pathname}`,
        `${s.issuer}/authorize`,
        'sent to sign in again',
      );
      assert.ok(rp.backchannelStatuses.slice(delivered).includes(204), `${rp.backchannelStatuses}`);
    } finally {
      await context.close();
    }
  });
});
