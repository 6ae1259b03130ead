import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { enrollTotpNow, secondFactorMethods } from '../../src/auth/second-factor.js';
import { type Agent, actionOf, csrfOf, pkce } from '../helpers/agent.js';
import { breakTotpSecret } from '../helpers/mfa.js';
import { browser, claimsOf, getCode, json, redeem, type TestClient, verifyJwt } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const REDIRECT = 'https://app.example/cb';

/** The text of the element with role="alert". */
function alertText(html: string): string | undefined {
  const m = /<(\w+)[^>]*role="alert"[^>]*>([\s\S]*?)<\/\1>/.exec(html);
  return m?.[2]?.replace(/<[^>]*>/g, '').trim();
}

describe('the MFA step of hosted sign-in', () => {
  let t: TestApp;
  let client: TestClient;
  before(async () => {
    t = await testApp();
    const c = await t.addClient({ redirectUris: [REDIRECT], firstParty: true });
    client = { ...c, redirectUri: REDIRECT };
  });
  after(() => t.close());

  /** A user with TOTP enrolled by the admin, and a code generator at the fake clock's time. */
  async function enrolledUser() {
    const user = await t.addUser({});
    const record = (await t.deps.store.users.find(user.id))!;
    const enrolment = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    const code = (offsetSteps = 0) =>
      generateSync({ secret: enrolment.secret, epoch: t.clock.now() + offsetSteps * 30 });
    return { ...user, ...enrolment, code };
  }

  /** /authorize → login: returns the page the password leads to. */
  async function toMfaPage(agent: Agent, user: { email: string; password: string }, extra = {}) {
    const { challenge } = pkce();
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    const login = await agent.go(`/authorize?${q}`);
    return agent.submit(login.html!, { email: user.email, password: user.password }, t.issuer);
  }

  it('asks for the code after the password, with no session until it passes', async () => {
    const user = await enrolledUser();
    const agent = browser(t);
    const page = await toMfaPage(agent, user);
    assert.equal(page.res?.status, 200);
    assert.match(page.html!, /<label for="code">Authentication code<\/label>/);
    assert.match(page.html!, />\s*Verify\s*</);
    assert.equal(agent.cookies.has('lk_session'), false, 'no session before the second factor');
    // The account page sends the browser to sign in.
    const account = await agent.request('/account');
    assert.equal(account.status, 303);
    assert.match(account.headers.get('location') ?? '', /^\/login\?return_to=/);
    // prompt=none from the same browser: nobody is signed in.
    const none = await agent.go(
      `/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.id, redirect_uri: REDIRECT, scope: 'openid', prompt: 'none', code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`,
    );
    assert.equal(none.external?.searchParams.get('error'), 'login_required');
  });

  it('issues ID tokens with amr ["pwd","otp"] and the 2fa acr once the code passes', async () => {
    const user = await enrolledUser();
    const { code, verifier } = await getCode(t, client, user, { otp: () => user.code() });
    const res = await redeem(t, client, code, verifier);
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    const id = await verifyJwt(t, body['id_token'], client.id);
    assert.deepEqual(id['amr'], ['pwd', 'otp']);
    assert.equal(id['acr'], 'urn:latchkey:acr:2fa');
  });

  it('says acr 1fa for a password-only sign-in', async () => {
    const user = await t.addUser({});
    const { code, verifier } = await getCode(t, client, user);
    const body = await json(await redeem(t, client, code, verifier));
    assert.equal(claimsOf(body['id_token'])['acr'], 'urn:latchkey:acr:1fa');
  });

  it('keeps a wrong code on the page with a role="alert" message', async () => {
    const user = await enrolledUser();
    const agent = browser(t);
    const page = await toMfaPage(agent, user);
    const wrong = await agent.submit(
      page.html!,
      { code: '000000' === user.code() ? '111111' : '000000' },
      t.issuer,
    );
    assert.equal(wrong.res?.status, 400);
    assert.match(alertText(wrong.html!) ?? '', /didn’t work/);
    assert.match(wrong.html!, /Authentication code/);
    assert.equal(agent.cookies.has('lk_session'), false);
    // The right code still works afterwards.
    const right = await agent.submit(wrong.html!, { code: user.code() }, t.issuer);
    assert.equal(right.external?.searchParams.get('state'), 's1');
    assert.ok(right.external?.searchParams.get('code'));
  });

  it('accepts a recovery code once, and not twice', async () => {
    const user = await enrolledUser();
    const recovery = user.recoveryCodes[0]!;
    const first = await getCode(t, client, user, { otp: () => recovery.toUpperCase() });
    assert.ok(first.code);
    const agent = browser(t);
    const page = await toMfaPage(agent, user);
    const again = await agent.submit(page.html!, { code: recovery }, t.issuer);
    assert.equal(again.res?.status, 400);
    assert.ok(alertText(again.html!));
  });

  it('refuses a TOTP code that was accepted once already (and codes of earlier steps)', async () => {
    const user = await enrolledUser();
    const code = user.code();
    await getCode(t, client, user, { otp: () => code });
    const agent = browser(t);
    const page = await toMfaPage(agent, user);
    const replay = await agent.submit(page.html!, { code }, t.issuer);
    assert.equal(replay.res?.status, 400, 'the same code again');
    const earlier = await agent.submit(replay.html!, { code: user.code(-1) }, t.issuer);
    assert.equal(earlier.res?.status, 400, 'a code of the step before the accepted one');
  });

  it('accepts one step of drift either way, and not two', async () => {
    for (const [offset, ok] of [
      [-1, true],
      [1, true],
      [-2, false],
      [2, false],
    ] as const) {
      const user = await enrolledUser();
      const agent = browser(t);
      const page = await toMfaPage(agent, user);
      const res = await agent.submit(page.html!, { code: user.code(offset) }, t.issuer);
      if (ok) assert.ok(res.external?.searchParams.get('code'), `offset ${offset}`);
      else assert.equal(res.res?.status, 400, `offset ${offset}`);
    }
  });

  it('drops the pending sign-in after 5 wrong codes: the user starts again from the password', async () => {
    const user = await enrolledUser();
    const agent = browser(t);
    const page = await toMfaPage(agent, user);
    const wrong = user.code() === '123456' ? '654321' : '123456';
    let step = page;
    for (let i = 0; i < 4; i++) {
      step = await agent.submit(step.html!, { code: wrong }, t.issuer);
      assert.equal(step.res?.status, 400, `attempt ${i + 1}`);
    }
    const fifth = await agent.submit(step.html!, { code: wrong }, t.issuer);
    assert.match(fifth.html!, /name="password"/, 'back on the sign-in page');
    assert.match(alertText(fifth.html!) ?? '', /Too many wrong codes/);
    // The MFA page no longer accepts even the right code for that interaction: there is nobody pending.
    const mfaUrl = actionOf(page.html!);
    const direct = await agent.request(mfaUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfOf(fifth.html!), code: user.code() }).toString(),
    });
    assert.equal(direct.status, 303);
    assert.equal(agent.cookies.has('lk_session'), false);
  });

  it('throttles wrong codes per account across pending sign-ins, without saying how close they were', async () => {
    const user = await enrolledUser();
    const wrong = user.code() === '123456' ? '654321' : '123456';
    // Nearly right: the code of two steps ahead, just outside the drift window.
    const near = user.code(2);
    const texts = new Set<string>();
    const [a, b] = [browser(t), browser(t)];
    // Two browsers, two pending sign-ins: the count is the account's (3 + 2 wrong codes, 5 free).
    const pageA = await toMfaPage(a, user);
    let stepA = pageA;
    for (const code of [wrong, near, wrong]) {
      stepA = await a.submit(stepA.html!, { code }, t.issuer);
      assert.equal(stepA.res?.status, 400);
      texts.add(alertText(stepA.html!) ?? '');
    }
    const pageB = await toMfaPage(b, user);
    let stepB = pageB;
    for (const code of [near, wrong]) {
      stepB = await b.submit(stepB.html!, { code }, t.issuer);
      assert.equal(stepB.res?.status, 400);
      texts.add(alertText(stepB.html!) ?? '');
    }
    assert.equal(texts.size, 1, 'a nearly right code reads like any wrong one');
    // The sixth attempt waits, even with the right code.
    const right = await b.submit(stepB.html!, { code: user.code() }, t.issuer);
    assert.equal(right.res?.status, 429);
    assert.equal(right.res?.headers.get('retry-after'), '1');
    assert.match(alertText(right.html!) ?? '', /Too many attempts/);
    // Once the wait is over, the right code goes through.
    t.clock.advance(2);
    const after = await a.submit(stepA.html!, { code: user.code() }, t.issuer);
    assert.ok(after.external?.searchParams.get('code'));
  });

  it('sends a user with MFA who already has a session nowhere new: the session passed the factor', async () => {
    const user = await enrolledUser();
    const first = await getCode(t, client, user, { otp: () => user.code() });
    const second = await getCode(t, client, user, { agent: first.agent });
    assert.ok(second.code, 'no second MFA prompt within the session');
  });

  it('takes a user without TOTP through enrolment when the client requires MFA', async () => {
    const c = await t.addClient({ redirectUris: [REDIRECT], firstParty: true, requireMfa: true });
    const strict: TestClient = { ...c, redirectUri: REDIRECT };
    const user = await t.addUser({});
    const agent = browser(t);
    const { challenge, verifier } = pkce();
    const login = await agent.go(
      `/authorize?${new URLSearchParams({ response_type: 'code', client_id: strict.id, redirect_uri: REDIRECT, scope: 'openid', state: 'e1', code_challenge: challenge, code_challenge_method: 'S256' })}`,
    );
    const enrol = await agent.submit(login.html!, { email: user.email, password: user.password }, t.issuer);
    assert.equal(agent.cookies.has('lk_session'), false);
    assert.match(enrol.html!, /Set up two-factor authentication/);
    assert.match(enrol.html!, /<img[^>]*src="data:image\/svg\+xml;base64,/);
    const secret = /<output id="mfa-secret"[^>]*>\s*([A-Z2-7]+)\s*</.exec(enrol.html!)?.[1];
    assert.ok(secret, 'the Secret key is shown');
    const wrong = await agent.submit(enrol.html!, { code: '000000' }, t.issuer);
    assert.equal(wrong.res?.status, 400);
    assert.ok(alertText(wrong.html!));
    const done = await agent.submit(
      wrong.html!,
      { code: generateSync({ secret, epoch: t.clock.now() }) },
      t.issuer,
    );
    assert.equal(done.res?.status, 200);
    assert.match(done.html!, /<h3>Recovery codes<\/h3>/);
    assert.equal((done.html!.match(/<li>\s*<code>/g) ?? []).length, 10);
    assert.ok(agent.cookies.has('lk_session'));
    const href = /<a class="button button-primary" href="([^"]*)"/.exec(done.html!)?.[1] ?? '';
    const end = await agent.go(href.replace(/&amp;/g, '&'));
    const code = end.external?.searchParams.get('code');
    assert.ok(code);
    const body = await json(await redeem(t, strict, code, verifier));
    assert.deepEqual(claimsOf(body['id_token'])['amr'], ['pwd', 'otp']);
    const record = (await t.deps.store.users.find(user.id))!;
    assert.equal((await secondFactorMethods(t.deps, record)).length, 1);
  });

  it('steps up a single-factor session when acr_values asks for the second factor', async () => {
    // A session from before the user enrolled: password only.
    const plain = await t.addUser({});
    const first = await getCode(t, client, plain);
    const record = (await t.deps.store.users.find(plain.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    // prompt=none cannot step up: unmet_authentication_requirements.
    const none = await first.agent.go(
      `/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.id, redirect_uri: REDIRECT, scope: 'openid', prompt: 'none', acr_values: 'urn:latchkey:acr:2fa', code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`,
    );
    assert.equal(none.external?.searchParams.get('error'), 'unmet_authentication_requirements');
    const stepped = await getCode(t, client, plain, {
      agent: first.agent,
      extra: { acr_values: 'urn:latchkey:acr:2fa' },
      otp: () => generateSync({ secret, epoch: t.clock.now() }),
    });
    const body = await json(await redeem(t, client, stepped.code, stepped.verifier));
    const id = claimsOf(body['id_token']);
    assert.deepEqual(id['amr'], ['pwd', 'otp']);
    assert.equal(id['acr'], 'urn:latchkey:acr:2fa');
  });

  it('refuses the MFA page out of turn: a code never stands in for the password max_age asks for', async () => {
    const user = await enrolledUser();
    const first = await getCode(t, client, user, { otp: () => user.code() });
    t.clock.advance(3600);
    const agent = first.agent;
    const start = await agent.request(
      `/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.id, redirect_uri: REDIRECT, scope: 'openid', max_age: '60', code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`,
    );
    const login = start.headers.get('location') ?? '';
    assert.match(login, /^\/login\?interaction=/, 'max_age asks for the password');
    const id = new URL(login, t.issuer).searchParams.get('interaction')!;
    const resume = `/authorize/resume?interaction=${encodeURIComponent(id)}`;
    const mfaUrl = `/login/mfa?interaction=${encodeURIComponent(id)}`;
    // GET: no code form, no enrolment; back to resume, which sends the browser to the password.
    const get = await agent.request(mfaUrl);
    assert.equal(get.status, 303);
    assert.equal(get.headers.get('location'), resume);
    // POST with a valid code: refused the same way, and the session is not renewed.
    const csrf = csrfOf(await (await agent.request('/login?interaction=' + encodeURIComponent(id))).text());
    const session = agent.cookies.get('lk_session');
    const post = await agent.request(mfaUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, code: user.code() }).toString(),
    });
    assert.equal(post.status, 303);
    assert.equal(post.headers.get('location'), resume);
    assert.equal(agent.cookies.get('lk_session'), session);
  });

  it('loads the MFA page only in the browser the sign-in started in', async () => {
    const user = await enrolledUser();
    const page = await toMfaPage(browser(t), user);
    const other = await browser(t).request(actionOf(page.html!));
    assert.equal(other.status, 400);
    assert.match(await other.text(), /interaction_expired/);
  });

  it('answers a factor whose secret cannot be opened like a wrong code, never a 500', async () => {
    const user = await enrolledUser();
    await breakTotpSecret(t, user.id);
    const agent = browser(t);
    const page = await toMfaPage(agent, user);
    const res = await agent.submit(page.html!, { code: user.code() }, t.issuer);
    assert.equal(res.res?.status, 400);
    assert.ok(alertText(res.html!));
  });

  it('advertises the acr values in discovery', async () => {
    const meta = await json(await t.request('/.well-known/openid-configuration'));
    assert.deepEqual(meta['acr_values_supported'], ['urn:latchkey:acr:1fa', 'urn:latchkey:acr:2fa']);
    assert.ok((meta['claims_supported'] as string[]).includes('acr'));
  });
});

describe('the MFA step under parallel guesses (throttle off, so only the per-sign-in limit counts)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ LATCHKEY_THROTTLE: 'off' });
  });
  after(() => t.close());

  it('evaluates at most 5 codes for one pending sign-in, however many arrive at once', async () => {
    const c = await t.addClient({ redirectUris: [REDIRECT], firstParty: true });
    const user = await t.addUser({});
    const record = (await t.deps.store.users.find(user.id))!;
    const { secret } = await enrollTotpNow(t.deps, record, { ip: '127.0.0.1', clientId: null });
    const right = generateSync({ secret, epoch: t.clock.now() });
    const wrong = right === '123456' ? '654321' : '123456';
    const agent = browser(t);
    const login = await agent.go(
      `/authorize?${new URLSearchParams({ response_type: 'code', client_id: c.id, redirect_uri: REDIRECT, scope: 'openid', code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`,
    );
    const page = await agent.submit(login.html!, { email: user.email, password: user.password }, t.issuer);
    const action = actionOf(page.html!);
    const body = new URLSearchParams({ csrf: csrfOf(page.html!), code: wrong }).toString();
    const post = (b: string) =>
      agent.request(action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: b,
      });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body)));
    assert.equal(answers.filter((r) => r.status === 400).length, 4, 'four wrong codes re-render the page');
    assert.ok(answers.every((r) => r.status === 400 || r.status === 303));
    // The sign-in is gone: even the right code now leads back to the password.
    const last = await post(new URLSearchParams({ csrf: csrfOf(page.html!), code: right }).toString());
    assert.equal(last.status, 303);
    assert.match(last.headers.get('location') ?? '', /^\/authorize\/resume\?/);
    assert.equal(agent.cookies.has('lk_session'), false);
  });
});
