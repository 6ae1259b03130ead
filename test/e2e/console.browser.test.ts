import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { fillSignIn, launchBrowser } from '../helpers/browser.js';
import { type Callback, startCallback } from '../helpers/rp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** axe-core's browser build, evaluated in each page (DevTools evaluation: the pages' strict CSP stays on). */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [1280, 375] as const;
const SCHEMES = ['light', 'dark'] as const;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const g = globalThis as unknown as {
      axe: { run(context: unknown): Promise<{ violations: Violation[] }> };
      document: unknown;
    };
    const { violations } = await g.axe.run(g.document);
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

/** The little of the DOM the in-page checks use (the project's TypeScript has no DOM library). */
interface El {
  id: string;
  tagName: string;
  className: string;
  textContent: string | null;
  children: { length: number };
  getBoundingClientRect(): { right: number };
  checkVisibility(): boolean;
  hasAttribute(name: string): boolean;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  blur?(): void;
}
interface Doc {
  activeElement: El | null;
  body: El;
  documentElement: { scrollWidth: number };
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El>;
}

/**
 * The page as it stands, at each width and color scheme: axe-core's violations, and a page wider than a 375 px
 * phone. Returns the problems, one line each.
 */
async function a11yProblems(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const width of WIDTHS)
    for (const colorScheme of SCHEMES) {
      await page.setViewportSize({ width, height: 900 });
      // Reduced motion: no transition between the schemes is caught half-way.
      await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
      const where = `${name} (${width} px, ${colorScheme})`;
      for (const v of await axeViolations(page))
        problems.push(
          `${where}: ${v.id} (${v.impact}) ${v.help} — ${JSON.stringify(v.nodes.map((n) => n.target))}`,
        );
      const wide = await page.evaluate((w) => {
        const { document } = globalThis as unknown as { document: Doc };
        const past = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > w && el.children.length === 0)
          .slice(0, 3)
          .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`);
        return { scrollWidth: document.documentElement.scrollWidth, past };
      }, width);
      if (wide.scrollWidth > width)
        problems.push(`${where}: the page is ${wide.scrollWidth} px wide (${wide.past.join(', ')})`);
    }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
  return problems;
}

/**
 * Tabs through the page from the top (at most 200 stops): every nav link and every form's submit button (the
 * visible ones) takes the focus. Returns what it never reached.
 */
async function unreachable(page: Page, name: string): Promise<string[]> {
  await page.evaluate(() => {
    const { document } = globalThis as unknown as { document: Doc };
    document.activeElement?.blur?.();
    for (const el of document.querySelectorAll('[data-tabbed]')) el.removeAttribute('data-tabbed');
  });
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    // Back at the first stop (or out of the page): the whole cycle was seen. A date field keeps the focus
    // for its parts, so a stop seen before is not the end.
    const wrapped = await page.evaluate(() => {
      const { document } = globalThis as unknown as { document: Doc };
      const el = document.activeElement;
      if (!el || el === document.body) return true;
      if (el.getAttribute('data-tabbed') === 'first') return true;
      if (!el.hasAttribute('data-tabbed'))
        el.setAttribute('data-tabbed', document.querySelector('[data-tabbed]') ? '' : 'first');
      return false;
    });
    if (wrapped && i > 0) break;
  }
  return page.evaluate((n) => {
    const { document } = globalThis as unknown as { document: Doc };
    return [...document.querySelectorAll('nav a, form button[type="submit"], form button:not([type])')]
      .filter((el) => el.checkVisibility() && !el.hasAttribute('data-tabbed'))
      .map((el) => `${n}: Tab never reaches "${(el.textContent ?? '').trim()}"`);
  }, name);
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

async function enterCode(page: Page, code: string) {
  await page.getByRole('textbox', { name: 'Authentication code', exact: true }).fill(code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
}

/**
 * A destructive action's confirmation: the admin's second factor again (step-up), then its button. A recovery
 * code each time: the TOTP code of the sign-in cannot be used twice within its 30 s.
 */
async function confirm(page: Page, button: string, code: string) {
  await page.getByRole('textbox', { name: 'Authentication code', exact: true }).fill(code);
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.waitForLoadState();
}

describe('the admin console in Chromium (issue 17)', () => {
  let s: TestServer;
  let browser: Browser;
  let cb: Callback;
  const contexts: BrowserContext[] = [];
  let admin: Page;
  /** The admin's recovery codes, one per destructive step (step-up). */
  const adminRecovery: string[] = [];
  const stepUp = (): string => adminRecovery.shift() as string;
  let outsider: Page;
  const app = { id: '', secret: '', name: 'Console-made app' };
  const people: Record<'mfa' | 'disabled', { id: string; email: string; password: string }> = {} as never;

  before(async () => {
    s = await startTestServer();
    browser = await launchBrowser();
    cb = await startCallback();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await cb?.close();
    await s?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context.newPage();
  }

  /** A user with `roles` and TOTP enrolled; `code()` is the current code. */
  async function withTotp(roles: string[]) {
    const user = await s.addUser({ roles });
    const record = (await s.deps.store.users.find(user.id))!;
    const { secret, recoveryCodes } = await enrollTotpNow(s.deps, record, {
      ip: '127.0.0.1',
      clientId: null,
    });
    return { ...user, code: () => generateSync({ secret }), recovery: [...recoveryCodes] };
  }

  /** /admin → the hosted login → the second factor → back to the console. */
  async function signInToConsole(page: Page, user: { email: string; password: string; code(): string }) {
    await page.goto(`${s.url}/admin`);
    await page.waitForURL(/\/login/);
    await fillSignIn(page, user.email, user.password);
    await page.waitForURL(/\/login\/mfa/);
    await enterCode(page, user.code());
    await page.waitForURL(/\/admin(\?|$)/);
  }

  it('shows the first-run page, with the CLI command, while no administrator exists', async () => {
    const page = await newPage();
    const res = await page.goto(`${s.url}/admin`);
    assert.equal(res?.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/admin', 'no sign-in is started');
    assert.match(await page.locator('main').innerText(), /latchkey user add .*--role admin/);
    assert.deepEqual(await a11yProblems(page, 'first-run'), []);
  });

  it('signs an admin in through /admin, the login and a TOTP code, to the console home', async () => {
    const user = await withTotp(['admin']);
    adminRecovery.push(...user.recovery);
    admin = await newPage();
    await signInToConsole(admin, user);
    assert.equal(await admin.getByRole('heading', { level: 1 }).innerText(), 'Admin console');
    assert.ok(await admin.getByText(user.email).isVisible());
    const nav = admin.getByRole('navigation', { name: 'Console sections' });
    for (const section of ['Users', 'Apps', 'Providers', 'Scopes', 'Keys', 'Audit'])
      assert.ok(await nav.getByRole('link', { name: section, exact: true }).isVisible(), section);
  });

  it('registers an app, shows its secret once, edits its redirect URI, and a code flow uses the new one', async () => {
    await admin.goto(`${s.url}/admin/apps`);
    await admin.getByRole('link', { name: 'Register app' }).click();
    await admin.getByLabel('Name', { exact: true }).fill(app.name);
    await admin.getByLabel('Redirect URIs', { exact: true }).fill('http://127.0.0.1:9/old-callback');
    await admin.getByLabel('First-party (no consent page)').check();
    await confirm(admin, 'Register', stepUp());
    await admin.locator('#client-secret').waitFor();
    app.id = await admin.locator('#client-id').inputValue();
    app.secret = await admin.locator('#client-secret').inputValue();
    assert.ok(app.secret.length >= 32);
    assert.match(await admin.locator('body').innerText(), /you will not see it again/);

    await admin.goto(`${s.url}/admin/apps/${app.id}`);
    assert.equal(await admin.getByRole('heading', { level: 1 }).innerText(), app.name);
    assert.ok(!(await admin.content()).includes(app.secret), 'the app page never shows the secret');
    await admin.getByLabel('Redirect URIs', { exact: true }).fill(cb.url);
    await confirm(admin, 'Save changes', stepUp());
    assert.deepEqual((await s.deps.store.clients.find(app.id))?.redirectUris, [cb.url]);

    // The admin's hosted session signs them in to the app: the code comes back to the new URI.
    const { challenge } = pkce();
    const query = (redirectUri: string) =>
      new URLSearchParams({
        response_type: 'code',
        client_id: app.id,
        redirect_uri: redirectUri,
        scope: 'openid',
        state: 'st-1',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
    const arrived = cb.next();
    await admin.goto(`${s.url}/authorize?${query(cb.url)}`);
    const callback = (await arrived) as URL;
    assert.equal(callback.searchParams.get('state'), 'st-1');
    assert.ok(callback.searchParams.get('code'));
    const old = await admin.goto(`${s.url}/authorize?${query('http://127.0.0.1:9/old-callback')}`);
    assert.equal(old?.status(), 400, 'the old redirect URI is refused, on the hosted error page');
  });

  it("resets a user's MFA, and disables a user, whose browser session then ends", async () => {
    people.mfa = await withTotp([]);
    people.disabled = await s.addUser({});
    const theirs = await newPage();
    await theirs.goto(`${s.url}/account`);
    await fillSignIn(theirs, people.disabled.email, people.disabled.password);
    await theirs.waitForURL(/\/account/);

    await admin.goto(`${s.url}/admin/users/${people.mfa.id}`);
    await admin.getByRole('link', { name: 'Reset two-factor authentication…' }).click();
    await confirm(admin, 'Reset two-factor authentication', stepUp());
    assert.ok(!(await s.deps.store.mfa.findTotp(people.mfa.id)), 'no TOTP factor left');

    await admin.goto(`${s.url}/admin/users`);
    await admin.getByRole('link', { name: people.disabled.email }).click();
    await admin.getByRole('link', { name: 'Disable user…' }).click();
    await confirm(admin, 'Disable user', stepUp());
    assert.ok((await s.deps.store.users.find(people.disabled.id))?.disabledAt, 'disabled');

    await theirs.goto(`${s.url}/account`);
    assert.equal(new URL(theirs.url()).pathname, '/login', 'the disabled user is signed out');
  });

  it('finds each of these actions in /admin/audit', async () => {
    const types = async (filter: Record<string, string>) => {
      await admin.goto(`${s.url}/admin/audit?${new URLSearchParams(filter)}`);
      return admin.locator('td[data-label="Type"]').allInnerTexts();
    };
    const ofApp = await types({ app: app.id });
    assert.ok(ofApp.includes('client_created'), String(ofApp));
    assert.ok(ofApp.includes('client_updated'), String(ofApp));
    assert.ok((await types({ user: people.mfa.id })).includes('mfa_reset'));
    assert.ok((await types({ user: people.disabled.id })).includes('user_disabled'));
  });

  it('answers 403 to a signed-in non-admin, and to a console form posted without its CSRF token', async () => {
    outsider = await newPage();
    const user = await withTotp(['support']);
    await outsider.goto(`${s.url}/admin`);
    await fillSignIn(outsider, user.email, user.password);
    await outsider.waitForURL(/\/login\/mfa/);
    const forbidden = outsider.waitForResponse((r) => new URL(r.url()).pathname === '/admin');
    await enterCode(outsider, user.code());
    assert.equal((await forbidden).status(), 403, 'the hosted 403 page');
    assert.equal((await outsider.goto(`${s.url}/admin`))?.status(), 403, 'no redirect loop');

    await admin.goto(`${s.url}/admin/users/new`);
    // A raw request with the admin's cookies (the pages' CSP lets no script fetch).
    const refused = await admin.context().request.post(`${s.url}/admin/users/new`, {
      form: { email: 'no-token@example.test' },
      headers: { origin: s.url },
      maxRedirects: 0,
    });
    assert.equal(refused.status(), 403);
    assert.ok(!(await s.deps.store.users.findByEmail('no-token@example.test')), 'no user created');
  });

  it('every console page: no axe violation at 1280 and 375 px, light and dark; no overflow; all by keyboard', async () => {
    const user = people.mfa.id;
    const pages: { name: string; open: (page: Page) => Promise<unknown> }[] = [
      { name: 'home', open: (p) => p.goto(`${s.url}/admin`) },
      { name: 'users', open: (p) => p.goto(`${s.url}/admin/users`) },
      { name: 'user', open: (p) => p.goto(`${s.url}/admin/users/${user}`) },
      { name: 'add user', open: (p) => p.goto(`${s.url}/admin/users/new`) },
      { name: 'confirm disable', open: (p) => p.goto(`${s.url}/admin/users/${user}/disable`) },
      { name: 'apps', open: (p) => p.goto(`${s.url}/admin/apps`) },
      { name: 'register', open: (p) => p.goto(`${s.url}/admin/apps/new`) },
      { name: 'app', open: (p) => p.goto(`${s.url}/admin/apps/${app.id}`) },
      { name: 'confirm rotate', open: (p) => p.goto(`${s.url}/admin/apps/${app.id}/rotate`) },
      {
        name: 'secret',
        open: async (p) => {
          await p.goto(`${s.url}/admin/apps/new`);
          await p.getByLabel('Name', { exact: true }).fill(`Another app ${randomBytes(3).toString('hex')}`);
          await p.getByLabel('Redirect URIs', { exact: true }).fill('https://another.example/cb');
          await confirm(p, 'Register', stepUp());
          await p.locator('#client-secret').waitFor();
        },
      },
      { name: 'providers', open: (p) => p.goto(`${s.url}/admin/providers`) },
      { name: 'add provider', open: (p) => p.goto(`${s.url}/admin/providers/new`) },
      { name: 'scopes', open: (p) => p.goto(`${s.url}/admin/scopes`) },
      { name: 'keys', open: (p) => p.goto(`${s.url}/admin/keys`) },
      { name: 'confirm key rotation', open: (p) => p.goto(`${s.url}/admin/keys/rotate`) },
      { name: 'audit', open: (p) => p.goto(`${s.url}/admin/audit`) },
    ];
    const problems: string[] = [];
    for (const { name, open } of pages) {
      await open(admin);
      problems.push(...(await a11yProblems(admin, name)), ...(await unreachable(admin, name)));
    }
    await outsider.goto(`${s.url}/admin`);
    problems.push(...(await a11yProblems(outsider, '403')));
    assert.deepEqual(problems, []);
  });
});
