import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sha256 } from '../../src/crypto/hash.js';
import { type Agent, attemptSignIn, csrfOf } from '../helpers/agent.js';
import { browser, signIn } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

/** The text of the element with role="alert". */
function alertText(html: string): string | undefined {
  const m = /<(\w+)[^>]*role="alert"[^>]*>([\s\S]*?)<\/\1>/.exec(html);
  return m?.[2]?.replace(/<[^>]*>/g, '').trim();
}

/** The rules' items, as text. */
function rules(html: string): string[] {
  const m = /<div[^>]*id="password-rules"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return [...(m?.[1] ?? '').matchAll(/<li>([\s\S]*?)<\/li>/g)].map((li) =>
    li[1]!.replace(/&#39;|&apos;/g, "'"),
  );
}

/** The `<input>` tag of the field named `name`. */
const inputTag = (html: string, name: string) =>
  new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? '';

async function post(agent: Agent, path: string, page: string, fields: Record<string, string>) {
  const res = await agent.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: csrfOf(page), ...fields }).toString(),
  });
  return { res, html: await res.text() };
}

describe('the password policy on the pages (LATCHKEY_PASSWORD_MIN_LENGTH=12)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ LATCHKEY_PASSWORD_MIN_LENGTH: '12', LATCHKEY_BRAND_NAME: 'Acme ID' });
  });
  after(() => t.close());

  it('the account page shows the rules beside "New password", linked with aria-describedby', async () => {
    const user = await t.addUser({});
    const a = browser(t);
    await signIn(a, user);
    const page = await (await a.request('/account')).text();
    assert.deepEqual(rules(page), [
      'At least 12 characters',
      'Not a commonly used password',
      'Not your email address or the name Acme ID',
    ]);
    const field = inputTag(page, 'new_password');
    assert.match(field, /aria-describedby="password-rules"/);
    assert.match(field, /minlength="12"/);
    assert.doesNotMatch(inputTag(page, 'current_password'), /password-rules/);

    const de = await (await a.request('/account', { headers: { 'accept-language': 'de' } })).text();
    assert.equal(rules(de)[0], 'Mindestens 12 Zeichen lang sein');
  });

  it('refuses a new password under the configured minimum, and says what the minimum is', async () => {
    const user = await t.addUser({});
    const a = browser(t);
    await signIn(a, user);
    const page = await (await a.request('/account')).text();
    const short = await post(a, '/account/password', page, {
      current_password: user.password,
      new_password: 'x7#kQ2!mZ4$', // 11 characters: enough by default, not here
    });
    assert.equal(short.res.status, 400);
    assert.match(
      alertText(short.html) ?? '',
      /^Choose a password of 12 to 256 characters\. It must not be a commonly used password/,
    );
    assert.match(inputTag(short.html, 'new_password'), /aria-invalid="true"/);
    assert.match(inputTag(short.html, 'new_password'), /aria-describedby="account-error password-rules"/);
    assert.equal((await attemptSignIn(browser(t), user.email, 'x7#kQ2!mZ4$')).status, 401, 'not set');
    assert.equal((await attemptSignIn(browser(t), user.email, user.password)).status, 303, 'unchanged');

    const fr = await a.request('/account/password', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'fr' },
      body: new URLSearchParams({
        csrf: csrfOf(page),
        current_password: user.password,
        new_password: 'x7#kQ2!mZ4$',
      }).toString(),
    });
    assert.match(alertText(await fr.text()) ?? '', /de 12 à 256 caractères/);

    const ok = await post(a, '/account/password', page, {
      current_password: user.password,
      new_password: 'x7#kQ2!mZ4$p',
    });
    assert.equal(ok.res.status, 303);
    assert.equal((await attemptSignIn(browser(t), user.email, 'x7#kQ2!mZ4$p')).status, 303);
  });

  it('the set-password page shows the same rules and refuses a password under the minimum', async () => {
    const user = await t.addUser({});
    const token = `policy-test-token-${Date.now()}`;
    const now = t.clock.now();
    await t.deps.store.passwordTokens.save({
      hash: sha256(token),
      userId: user.id,
      purpose: 'set',
      createdAt: now,
      expiresAt: now + 3600,
      usedAt: null,
    });
    const a = browser(t);
    const page = await (await a.request(`/password/set?token=${token}`)).text();
    assert.equal(rules(page)[0], 'At least 12 characters');
    assert.match(inputTag(page, 'password'), /aria-describedby="password-rules"/);
    const short = await post(a, '/password/set', page, { token, password: 'x7#kQ2!mZ4$' });
    assert.equal(short.res.status, 400);
    assert.match(alertText(short.html) ?? '', /12 to 256 characters/);
    assert.equal(
      (await t.deps.store.passwordTokens.find(sha256(token)))?.usedAt,
      null,
      'the link still works',
    );
  });
});

describe('the password policy on the pages (common check off, a least score)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ LATCHKEY_PASSWORD_CHECK_COMMON: 'off', LATCHKEY_PASSWORD_MIN_SCORE: '3' });
  });
  after(() => t.close());

  it('lists "Hard to guess" and not the common-password rule; a guessable password is refused', async () => {
    const user = await t.addUser({ password: 'a fresh and long passphrase' });
    const a = browser(t);
    await signIn(a, user);
    const page = await (await a.request('/account')).text();
    assert.deepEqual(rules(page), [
      'At least 8 characters',
      'Not your email address or the name latchkey',
      'Hard to guess',
    ]);
    const weak = await post(a, '/account/password', page, {
      current_password: user.password,
      new_password: 'password1', // on the common list, but that check is off: refused by its score
    });
    assert.equal(weak.res.status, 400);
    assert.equal(
      alertText(weak.html),
      'Choose a password of 8 to 256 characters. It must not be your email address or the name latchkey. It must also be hard to guess: avoid names, dates, single words and keyboard patterns.',
    );
  });
});
