import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { Agent, authorizeThroughPages } from '../helpers/agent.js';
import { launchBrowser } from '../helpers/browser.js';
import { basic, form, startTestServer, type TestServer } from '../helpers/server.js';

describe('account page (Chromium)', () => {
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

  async function refreshTokenFor(
    client: { id: string; secret?: string },
    user: { email: string; password: string },
  ) {
    const agent = new Agent(fetch, t.issuer);
    const cb = await authorizeThroughPages(agent, {
      clientId: client.id,
      redirectUri: 'https://app.example/cb',
      scope: 'openid offline_access',
      email: user.email,
      password: user.password,
    });
    const res = await fetch(
      `${t.issuer}/token`,
      form(
        {
          grant_type: 'authorization_code',
          code: cb.searchParams.get('code')!,
          redirect_uri: 'https://app.example/cb',
        },
        { authorization: basic(client.id, client.secret!) },
      ),
    );
    return ((await res.json()) as { refresh_token: string }).refresh_token;
  }

  const refresh = (client: { id: string; secret?: string }, token: string) =>
    fetch(
      `${t.issuer}/token`,
      form(
        { grant_type: 'refresh_token', refresh_token: token },
        { authorization: basic(client.id, client.secret!) },
      ),
    );

  it('sends an anonymous visitor to sign in and back, then revokes a connected app', async () => {
    const user = await t.addUser({ name: 'Grace Hopper' });
    const client = await t.addClient({ name: 'Calendar', redirectUris: ['https://app.example/cb'] });
    const token = await refreshTokenFor(client, user);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.issuer}/account`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    for (const name of ['Sessions', 'Connected apps', 'Two-factor authentication', 'Sign-in provider']) {
      await page.getByRole('heading', { name, exact: true }).waitFor();
    }
    assert.ok(new URL(page.url()).pathname === '/account');
    const app = page.getByRole('listitem').filter({ hasText: 'Calendar' });
    await app.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('heading', { name: 'Connected apps', exact: true }).waitFor();
    assert.equal(await page.getByRole('listitem').filter({ hasText: 'Calendar' }).count(), 0);
    const res = await refresh(client, token);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
    await context.close();
  });

  it('signs out everywhere: every session ends and every refresh token is revoked', async () => {
    const user = await t.addUser({});
    const client = await t.addClient({ name: 'Mail', redirectUris: ['https://app.example/cb'] });
    const token = await refreshTokenFor(client, user);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.issuer}/login`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out everywhere', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal((await refresh(client, token)).status, 400);
    await page.goto(`${t.issuer}/account`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await context.close();
  });
});
