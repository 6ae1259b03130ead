/**
 * Screenshots of the admin console for the README (not part of `npm test`):
 *   node --import tsx scripts/console-screenshots.ts
 * writes docs/console-users.png and docs/console-register.png at 1280 px, from a throwaway server on loopback.
 */
import { generateSync } from 'otplib';
import { enrollTotpNow } from '../src/auth/second-factor.js';
import { fillSignIn, launchBrowser } from '../test/helpers/browser.js';
import { startTestServer } from '../test/helpers/server.js';

const s = await startTestServer();
const browser = await launchBrowser();
try {
  const admin = await s.addUser({ email: 'ada@example.com', name: 'Ada Lovelace', roles: ['admin'] });
  const record = (await s.deps.store.users.find(admin.id))!;
  const { secret } = await enrollTotpNow(s.deps, record, { ip: '127.0.0.1', clientId: null });
  for (const [email, name, roles] of [
    ['grace@example.com', 'Grace Hopper', ['auditor']],
    ['alan@example.com', 'Alan Turing', []],
    ['katherine@example.com', 'Katherine Johnson', []],
  ] as const)
    await s.addUser({ email, name, roles: [...roles] });

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${s.url}/admin`);
  await fillSignIn(page, admin.email, admin.password);
  await page
    .getByRole('textbox', { name: 'Authentication code', exact: true })
    .fill(generateSync({ secret }));
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.waitForURL(/\/admin(\?|$)/);
  await page.goto(`${s.url}/admin/users`);
  await page.screenshot({ path: 'docs/console-users.png', fullPage: true });
  await page.goto(`${s.url}/admin/apps/new`);
  await page.screenshot({ path: 'docs/console-register.png', fullPage: true });
  await context.close();
} finally {
  await browser.close();
  await s.close();
}
