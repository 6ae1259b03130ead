import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { sha256 } from '../../src/crypto/hash.js';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer, tempDir } from '../helpers/server.js';

/** axe-core's browser build, evaluated in each page (DevTools evaluation: the pages' strict CSP stays on). */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [1280, 375] as const;
const LANGUAGES = [
  { locale: 'en-US', lang: 'en' },
  { locale: 'de-DE', lang: 'de' },
] as const;
const SHOTS = join('test-results', 'pages');
const BRAND = 'Acme Identity';

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function axeViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE);
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

/** The sign-in form by its fields' names: the accessible names are in the page's language here. */
async function fillSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form:has(input[name="password"]) button[type="submit"]').click();
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/**
 * Every hosted page, as a user meets it, in two languages and at a desktop and a phone width: axe-core finds no
 * violation, `<html lang>` is the negotiated language, and the deployment's branding shows (screenshots in
 * test-results/pages/ for a look).
 */
describe('hosted pages: accessibility, language and branding in Chromium', () => {
  let s: TestServer;
  let browser: Browser;
  const files = tempDir('latchkey-brand-');
  let user: { id: string; email: string; password: string };
  let mfaUser: { id: string; email: string; password: string };
  let thirdParty: { id: string };
  const resetToken = randomBytes(32).toString('base64url');
  const verifyToken = randomBytes(32).toString('base64url');
  let signups = 0;
  const CALLBACK = 'http://127.0.0.1:9/callback';

  before(async () => {
    const logo = join(files.dir, 'logo.svg');
    writeFileSync(
      logo,
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b5d3b"/></svg>',
    );
    s = await startTestServer({
      LATCHKEY_SIGNUP: 'on',
      LATCHKEY_BRAND_NAME: BRAND,
      LATCHKEY_BRAND_LOGO: logo,
      LATCHKEY_BRAND_COLOR: '#0b5d3b',
    });
    browser = await launchBrowser();
    user = await s.addUser({ name: 'Ada Lovelace' });
    mfaUser = await s.addUser({});
    const record = await s.deps.store.users.find(mfaUser.id);
    assert.ok(record);
    await enrollTotpNow(s.deps, record, { ip: '127.0.0.1', clientId: null });
    thirdParty = await s.addClient({ name: 'Partner App', redirectUris: [CALLBACK] });
    // Live links for the reset and verification pages (opening them spends nothing).
    const now = s.deps.clock.now();
    const unverified = await s.addUser({ name: 'Grace Hopper' });
    await s.deps.store.users.update(unverified.id, { emailVerified: false }, now, {
      at: now,
      type: 'test',
      userId: unverified.id,
      clientId: null,
      ip: null,
      detail: null,
    });
    await s.deps.store.passwordTokens.save({
      hash: sha256(resetToken),
      userId: user.id,
      purpose: 'reset',
      createdAt: now,
      expiresAt: now + 3600,
      usedAt: null,
    });
    await s.deps.store.emailTokens.issue({
      hash: sha256(verifyToken),
      userId: unverified.id,
      email: unverified.email,
      purpose: 'verify',
      createdAt: now,
      expiresAt: now + 3600,
      usedAt: null,
    });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    files.cleanup();
  });

  /** The pages, each reached the way a user reaches it, in a fresh browser context. */
  const pages: { name: string; open: (page: Page) => Promise<void> }[] = [
    { name: 'home', open: async (page) => void (await page.goto(`${s.url}/`)) },
    { name: 'login', open: async (page) => void (await page.goto(`${s.url}/account`)) },
    {
      name: 'login-error',
      open: async (page) => {
        await page.goto(`${s.url}/account`);
        await fillSignIn(page, user.email, 'not the password');
        await page.getByRole('alert').waitFor();
      },
    },
    {
      name: 'mfa',
      open: async (page) => {
        await page.goto(`${s.url}/account`);
        await fillSignIn(page, mfaUser.email, mfaUser.password);
        await page.waitForURL(/\/login\/mfa/);
      },
    },
    {
      name: 'consent',
      open: async (page) => {
        const { challenge } = pkce();
        const q = new URLSearchParams({
          response_type: 'code',
          client_id: thirdParty.id,
          redirect_uri: CALLBACK,
          scope: 'openid email profile',
          state: 'st',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        });
        await page.goto(`${s.url}/authorize?${q}`);
        await fillSignIn(page, user.email, user.password);
        await page.waitForURL(/\/consent/);
      },
    },
    {
      name: 'account',
      open: async (page) => {
        await page.goto(`${s.url}/account`);
        await fillSignIn(page, user.email, user.password);
        await page.waitForURL(/\/account/);
      },
    },
    {
      name: 'device',
      open: async (page) => void (await page.goto(`${s.url}/device`)),
    },
    {
      name: 'logout',
      open: async (page) => {
        await page.goto(`${s.url}/account`);
        await fillSignIn(page, user.email, user.password);
        await page.waitForURL(/\/account/);
        await page.goto(`${s.url}/logout`);
      },
    },
    {
      name: 'error',
      open: async (page) => void (await page.goto(`${s.url}/authorize?client_id=no-such-client`)),
    },
    // Issue 15: the mail flows' pages.
    { name: 'forgot', open: async (page) => void (await page.goto(`${s.url}/login/forgot`)) },
    {
      name: 'forgot-sent',
      open: async (page) => {
        await page.goto(`${s.url}/login/forgot`);
        await page.locator('input[name="email"]').fill('someone@example.test');
        await page.locator('form button[type="submit"]').click();
        await page.waitForLoadState();
      },
    },
    {
      name: 'reset',
      open: async (page) => void (await page.goto(`${s.url}/login/reset?token=${resetToken}`)),
    },
    { name: 'signup', open: async (page) => void (await page.goto(`${s.url}/signup`)) },
    {
      name: 'signup-sent',
      open: async (page) => {
        await page.goto(`${s.url}/signup`);
        await page.locator('#name').fill('New Person');
        await page.locator('#email').fill(`new-${++signups}@example.test`);
        await page.locator('#password').fill('a long and fresh passphrase');
        await page.locator('form button[type="submit"]').click();
        await page.waitForLoadState();
      },
    },
    {
      name: 'verify-email',
      open: async (page) => void (await page.goto(`${s.url}/verify-email?token=${verifyToken}`)),
    },
    {
      name: 'account-email',
      open: async (page) => {
        await page.goto(`${s.url}/account`);
        await fillSignIn(page, user.email, user.password);
        await page.waitForURL(/\/account/);
        await page.goto(`${s.url}/account/email`);
      },
    },
  ];

  for (const { locale, lang } of LANGUAGES)
    for (const width of WIDTHS)
      it(`${lang} at ${width} px: no axe violation, <html lang="${lang}">, the brand on every page`, async () => {
        const problems: string[] = [];
        for (const p of pages) {
          let context: BrowserContext | undefined;
          try {
            context = await browser.newContext({ locale, viewport: { width, height: 900 } });
            const page = await context.newPage();
            await p.open(page);
            const violations = await axeViolations(page);
            for (const v of violations)
              problems.push(
                `${p.name}: ${v.id} (${v.impact}) ${v.help} — ${JSON.stringify(v.nodes.map((n) => n.target))}`,
              );
            const htmlLang = await page.locator('html').getAttribute('lang');
            if (htmlLang !== lang) problems.push(`${p.name}: <html lang="${htmlLang}">, expected "${lang}"`);
            if (!(await page.getByText(BRAND).first().isVisible()))
              problems.push(`${p.name}: the brand name "${BRAND}" is not visible`);
            await page.screenshot({ path: join(SHOTS, `${p.name}-${lang}-${width}.png`), fullPage: true });
          } catch (err) {
            problems.push(`${p.name}: ${(err as Error).message.split('\n')[0]}`);
          } finally {
            await context?.close();
          }
        }
        assert.deepEqual(problems, []);
      });
});
