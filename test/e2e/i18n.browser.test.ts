import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's violations on the page (injected with the page's CSP bypassed: the pages allow no inline script). */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; help: string }[] }> } }
    ).axe;
    return (await axe.run()).violations.map((v) => `${v.id}: ${v.help}`);
  });
  return result;
}

describe('languages in Chromium: Accept-Language, the switcher without JavaScript, axe-core', () => {
  let t: TestServer;
  let browser: Browser;
  before(async () => {
    t = await startTestServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const width of [1280, 375]) {
    it(`speaks the browser's language, switches by a link, and passes axe-core (${width} px)`, async () => {
      const user = await t.addUser({});
      // Without JavaScript: the switcher is plain links.
      const context = await browser.newContext({
        locale: 'de-DE',
        javaScriptEnabled: false,
        viewport: { width, height: 900 },
      });
      try {
        const page = await context.newPage();
        await page.goto(`${t.issuer}/login`);
        assert.equal(await page.getAttribute('html', 'lang'), 'de');
        await page.getByRole('heading', { name: 'Anmelden' }).waitFor();

        await page
          .getByRole('navigation', { name: 'Sprache' })
          .getByRole('link', { name: 'Français' })
          .click();
        assert.equal(await page.getAttribute('html', 'lang'), 'fr');
        await page.getByRole('textbox', { name: 'E-mail' }).fill(user.email);
        await page.getByLabel('Mot de passe', { exact: true }).fill(user.password);
        await page.getByRole('button', { name: 'Se connecter' }).click();
        await page.waitForURL(/\/account$/);
        await page.getByRole('heading', { name: 'Votre compte' }).waitFor();
        await page.getByRole('heading', { name: 'Sessions' }).waitFor();
        assert.match(await page.locator('time').first().innerText(), /\d{4}.* UTC$/);
      } finally {
        await context.close();
      }
    });
  }

  for (const [locale, width] of [
    ['de-DE', 1280],
    ['fr-FR', 375],
    ['en-GB', 1280],
  ] as const) {
    it(`axe-core finds no violations on the login and account pages (${locale}, ${width} px)`, async () => {
      const user = await t.addUser({});
      const context = await browser.newContext({ locale, bypassCSP: true, viewport: { width, height: 900 } });
      try {
        const page = await context.newPage();
        await page.goto(`${t.issuer}/login`);
        assert.equal(await page.getAttribute('html', 'lang'), locale.slice(0, 2));
        assert.deepEqual(await violations(page), [], 'login page');
        await page.locator('#email').fill(user.email);
        await page.locator('#password').fill('wrong-password');
        await page.locator('button[type=submit]').click();
        await page.getByRole('alert').waitFor();
        assert.deepEqual(await violations(page), [], 'login page with its error');
        await page.locator('#password').fill(user.password);
        await page.locator('button[type=submit]').click();
        await page.waitForURL(/\/account$/);
        assert.deepEqual(await violations(page), [], 'account page');
      } finally {
        await context.close();
      }
    });
  }
});
