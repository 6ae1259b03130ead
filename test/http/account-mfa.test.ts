import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { enrollTotpNow, secondFactorMethods, verifySecondFactor } from '../../src/auth/second-factor.js';
import { randomToken, sha256 } from '../../src/crypto/hash.js';
import { ACCOUNT_ACTIONS } from '../../src/interaction/account.js';
import { type Agent, csrfOf, decodeEntities } from '../helpers/agent.js';
import { browser, signIn, type TestClient, tokensFor } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';
const CONTEXT = { ip: '192.0.2.1', clientId: null };

type TestUser = { id: string; email: string; password: string };

describe('account page: two-factor authentication (issue 9)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.close());

  const userRecord = async (user: TestUser) => (await t.deps.store.users.find(user.id))!;
  /** The code an authenticator app shows now; the clock moves on a step first, as each step is accepted once. */
  const codeNow = (secret: string) => {
    t.clock.advance(30);
    return generateSync({ secret, epoch: t.clock.now() });
  };
  const secretOf = (html: string) =>
    decodeEntities(/<output id="mfa-secret"[^>]*>([^<]*)<\/output>/.exec(html)?.[1] ?? '');
  const recoveryCodesOf = (html: string) =>
    [...html.matchAll(/<li><code>([^<]*)<\/code><\/li>/g)].map((m) => m[1]!);
  /** The `role="alert"` message, inside the two-factor section. */
  const mfaAlert = (html: string) => {
    const section = html.slice(html.indexOf('id="mfa-heading"'), html.indexOf('id="provider-heading"'));
    return /role="alert"[\s\S]*?<p>([^<]*)<\/p>/.exec(section)?.[1];
  };

  async function signedIn(): Promise<{ user: TestUser; agent: Agent }> {
    const user = await t.addUser({});
    const agent = browser(t);
    await signIn(agent, user);
    return { user, agent };
  }

  /** Posts a form of the account page with the page's CSRF token (unless `csrf` says otherwise). */
  async function post(agent: Agent, path: string, fields: Record<string, string> = {}) {
    const page = await (await agent.request('/account')).text();
    const res = await agent.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfOf(page), ...fields }).toString(),
    });
    return { res, html: await res.text() };
  }

  /** Set-up then enable through the page; returns the secret and the recovery codes shown. */
  async function enrol(agent: Agent): Promise<{ secret: string; recoveryCodes: string[] }> {
    const setup = await post(agent, ACCOUNT_ACTIONS.mfaSetup);
    assert.equal(setup.res.status, 303);
    const secret = secretOf(await (await agent.request('/account')).text());
    const enabled = await post(agent, ACCOUNT_ACTIONS.mfaEnable, { code: codeNow(secret) });
    assert.equal(enabled.res.status, 200, enabled.html);
    return { secret, recoveryCodes: recoveryCodesOf(enabled.html) };
  }

  /**
   * Replaces the agent's session with one that passed its second factor just now: what the MFA page (built
   * elsewhere) leaves behind.
   */
  async function freshSecondFactor(agent: Agent, user: TestUser): Promise<void> {
    const id = randomToken();
    const now = t.clock.now();
    await t.deps.store.sessions.create({
      idHash: sha256(id),
      userId: user.id,
      authTime: now,
      amr: ['pwd', 'otp'],
      userAgent: null,
      ip: null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 3600,
      endedAt: null,
    });
    agent.cookies.set('lk_session', id);
  }

  it('offers set-up; set-up shows the secret key, the otpauth URI and a QR code', async () => {
    const { agent } = await signedIn();
    const off = await (await agent.request('/account')).text();
    assert.match(off, /Set up two-factor authentication/);
    assert.doesNotMatch(off, /mfa-secret/);

    const setup = await post(agent, ACCOUNT_ACTIONS.mfaSetup);
    assert.equal(setup.res.status, 303);
    assert.equal(setup.res.headers.get('location'), '/account');
    const html = await (await agent.request('/account')).text();
    assert.match(secretOf(html), /^[A-Z2-7]{32}$/);
    assert.match(html, /<img[^>]*src="data:image\/svg\+xml;base64,/);
    assert.match(html, /href="otpauth:\/\/totp\//);
    assert.match(html, /<label for="mfa-code">Authentication code<\/label>/);
    assert.match(html, />\s*Enable\s*</);
  });

  it('a wrong code is refused with 400 and the message in role="alert"; the set-up stays', async () => {
    const { agent } = await signedIn();
    await post(agent, ACCOUNT_ACTIONS.mfaSetup);
    const secret = secretOf(await (await agent.request('/account')).text());
    const wrong = await post(agent, ACCOUNT_ACTIONS.mfaEnable, { code: '000000' });
    assert.equal(wrong.res.status, 400);
    assert.match(mfaAlert(wrong.html) ?? '', /That code didn/);
    assert.equal(secretOf(wrong.html), secret, 'the same secret is shown again');
  });

  it('the right code enables it and shows ten recovery codes once; the factor is confirmed', async () => {
    const { user, agent } = await signedIn();
    await post(agent, ACCOUNT_ACTIONS.mfaSetup);
    const secret = secretOf(await (await agent.request('/account')).text());
    const enabled = await post(agent, ACCOUNT_ACTIONS.mfaEnable, { code: codeNow(secret) });
    assert.equal(enabled.res.status, 200);
    assert.match(enabled.html, /Two-factor authentication is now on\./);
    assert.match(enabled.html, /<h3>Recovery codes<\/h3>/);
    const codes = recoveryCodesOf(enabled.html);
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    assert.deepEqual(await secondFactorMethods(t.deps, await userRecord(user)), [
      { id: (await t.deps.store.mfa.findTotp(user.id))!.id, type: 'totp' },
    ]);

    const reload = await (await agent.request('/account')).text();
    assert.doesNotMatch(reload, /Recovery codes/, 'shown once');
    for (const code of codes) assert.ok(!reload.includes(code));
    assert.match(reload, /<label for="mfa-credential">Password or authentication code<\/label>/);
    assert.match(reload, /New recovery codes/);
    assert.match(reload, /formaction="\/account\/mfa\/disable"/);
    const [event] = await t.deps.store.events.list(1);
    assert.equal(event?.type, 'mfa_enrolled');
  });

  it('turns off with a current code; a wrong code is refused', async () => {
    const { user, agent } = await signedIn();
    const { secret } = await enrol(agent);

    const wrong = await post(agent, ACCOUNT_ACTIONS.mfaDisable, { credential: '123456' });
    assert.equal(wrong.res.status, 400);
    assert.match(mfaAlert(wrong.html) ?? '', /That code didn/);
    assert.equal((await secondFactorMethods(t.deps, await userRecord(user))).length, 1, 'still on');

    const off = await post(agent, ACCOUNT_ACTIONS.mfaDisable, { credential: codeNow(secret) });
    assert.equal(off.res.status, 303);
    assert.equal(off.res.headers.get('location'), '/account?notice=mfa_disabled');
    assert.equal((await secondFactorMethods(t.deps, await userRecord(user))).length, 0);
    const page = await (await agent.request('/account?notice=mfa_disabled')).text();
    assert.match(page, /Two-factor authentication is now off\./);
    assert.match(page, /Set up two-factor authentication/);
    const [event] = await t.deps.store.events.list(1);
    assert.equal(event?.type, 'mfa_disabled');
  });

  it('turns off with a recovery code', async () => {
    const { user, agent } = await signedIn();
    const { recoveryCodes } = await enrol(agent);
    const off = await post(agent, ACCOUNT_ACTIONS.mfaDisable, { credential: recoveryCodes[3]! });
    assert.equal(off.res.status, 303);
    assert.equal((await secondFactorMethods(t.deps, await userRecord(user))).length, 0);
  });

  it('accepts the password only while the second factor is fresh', async () => {
    const { user, agent } = await signedIn();
    await enrol(agent);

    // Signed in with a password only: the password proves nothing the session has not shown already.
    const stale = await post(agent, ACCOUNT_ACTIONS.mfaDisable, { credential: user.password });
    assert.equal(stale.res.status, 400);
    assert.ok(mfaAlert(stale.html));
    assert.equal((await secondFactorMethods(t.deps, await userRecord(user))).length, 1);

    await freshSecondFactor(agent, user);
    const page = await (await agent.request('/account')).text();
    assert.match(page, /Enter your password, a code/);
    const wrong = await post(agent, ACCOUNT_ACTIONS.mfaDisable, { credential: 'not-the-password' });
    assert.equal(wrong.res.status, 400);
    const off = await post(agent, ACCOUNT_ACTIONS.mfaDisable, { credential: user.password });
    assert.equal(off.res.status, 303);
    assert.equal((await secondFactorMethods(t.deps, await userRecord(user))).length, 0);

    // Minutes later the same session's factor is no longer fresh.
    await enrol(agent);
    t.clock.advance(600);
    const later = await post(agent, ACCOUNT_ACTIONS.mfaDisable, { credential: user.password });
    assert.equal(later.res.status, 400);
  });

  it('new recovery codes void the old ones', async () => {
    const { user, agent } = await signedIn();
    const { secret, recoveryCodes: old } = await enrol(agent);
    const renewed = await post(agent, ACCOUNT_ACTIONS.mfaRecoveryCodes, { credential: codeNow(secret) });
    assert.equal(renewed.res.status, 200);
    assert.match(renewed.html, /You have new recovery codes/);
    assert.match(renewed.html, /<h3>Recovery codes<\/h3>/);
    const fresh = recoveryCodesOf(renewed.html);
    assert.equal(fresh.length, 10);
    assert.ok(fresh.every((c) => !old.includes(c)));
    assert.equal((await t.deps.store.events.list(1))[0]?.type, 'recovery_codes_regenerated');

    const record = await userRecord(user);
    assert.equal((await verifySecondFactor(t.deps, record, old[0]!, CONTEXT)).ok, false);
    assert.deepEqual(await verifySecondFactor(t.deps, record, fresh[0]!, CONTEXT), {
      ok: true,
      method: 'recovery_code',
    });
    assert.doesNotMatch(await (await agent.request('/account')).text(), /Recovery codes/, 'shown once');

    const wrong = await post(agent, ACCOUNT_ACTIONS.mfaRecoveryCodes, { credential: old[1]! });
    assert.equal(wrong.res.status, 400);
    assert.match(mfaAlert(wrong.html) ?? '', /That code didn/);
    assert.equal(recoveryCodesOf(wrong.html).length, 0);
  });

  it('nothing to confirm without a factor: new codes and turning off are refused', async () => {
    const { user, agent } = await signedIn();
    await freshSecondFactor(agent, user);
    for (const path of [ACCOUNT_ACTIONS.mfaRecoveryCodes, ACCOUNT_ACTIONS.mfaDisable]) {
      const res = await post(agent, path, { credential: user.password });
      assert.equal(res.res.status, 400, path);
      assert.ok(mfaAlert(res.html), path);
    }
    assert.equal((await t.deps.store.mfa.unusedRecoveryCodes(user.id)).length, 0);
  });

  it('many wrong codes are throttled: 429 with Retry-After', async () => {
    const { agent } = await signedIn();
    await enrol(agent);
    let last: Response | undefined;
    let html = '';
    for (let i = 0; i < 7; i++)
      ({ res: last, html } = await post(agent, ACCOUNT_ACTIONS.mfaDisable, { credential: '111111' }));
    assert.equal(last?.status, 429);
    assert.ok(Number(last?.headers.get('retry-after')) >= 1);
    assert.match(mfaAlert(html) ?? '', /Too many attempts/);
  });

  it('the password stands in for a code only within the same throttle: a locked account refuses it too', async () => {
    const { user, agent } = await signedIn();
    await enrol(agent);
    await freshSecondFactor(agent, user);
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await post(agent, ACCOUNT_ACTIONS.mfaDisable, { credential: `wrong-${i}-pw` })).res.status,
        400,
      );
    const locked = await post(agent, ACCOUNT_ACTIONS.mfaDisable, { credential: user.password });
    assert.equal(locked.res.status, 429);
    assert.equal((await secondFactorMethods(t.deps, await userRecord(user))).length, 1);
  });

  describe('revoking an app needs a fresh second factor (step-up)', () => {
    let client: TestClient;
    before(async () => {
      client = { ...(await t.addClient({ name: 'Calendar', redirectUris: [CB] })), redirectUri: CB };
    });

    async function connected() {
      const { user, agent } = await signedIn();
      await tokensFor(t, client, user, { scope: 'openid offline_access', agent });
      await enrollTotpNow(t.deps, await userRecord(user), CONTEXT);
      const grants = () => t.deps.store.grants.listActiveForUser(user.id, t.clock.now());
      assert.equal((await grants()).length, 1);
      return { user, agent, grants };
    }

    it('with a stale factor: no revocation, the browser goes through resume to the MFA page', async () => {
      const { agent, grants } = await connected();
      const res = await post(agent, ACCOUNT_ACTIONS.revoke, { client_id: client.id });
      assert.equal(res.res.status, 303);
      const resume = res.res.headers.get('location') ?? '';
      assert.match(resume, /^\/authorize\/resume\?interaction=/);
      assert.equal((await grants()).length, 1, 'nothing revoked yet');

      const next = await agent.request(resume);
      assert.equal(next.status, 303);
      assert.match(next.headers.get('location') ?? '', /^\/login\/mfa\?interaction=/);
      const id = new URL(resume, t.issuer).searchParams.get('interaction')!;
      const saved = await t.deps.store.interactions.find(id);
      assert.deepEqual(saved?.data, {
        kind: 'signin',
        returnTo: '/account?notice=second_factor_confirmed',
        freshSecondFactor: true,
      });
    });

    it('through the MFA page: the code makes the factor fresh, back to the account page, then it revokes', async () => {
      const { user, agent, grants } = await connected();
      const record = await userRecord(user);
      // The admin enrolment of connected() is replaced by one whose secret this test knows.
      const { secret } = await enrollTotpNow(t.deps, record, CONTEXT);
      const res = await post(agent, ACCOUNT_ACTIONS.revoke, { client_id: client.id });
      const mfa = await agent.go(res.res.headers.get('location')!);
      assert.match(mfa.html!, /Authentication code/);
      const back = await agent.submit(mfa.html!, { code: codeNow(secret) });
      assert.equal(back.res?.status, 200);
      assert.match(back.html!, /please try it again/);
      assert.equal((await grants()).length, 1, 'the action itself is not replayed');
      const again = await post(agent, ACCOUNT_ACTIONS.revoke, { client_id: client.id });
      assert.equal(again.res.headers.get('location'), '/account?notice=app_revoked');
      assert.equal((await grants()).length, 0);
    });

    it('with a fresh factor: revokes at once', async () => {
      const { user, agent, grants } = await connected();
      await freshSecondFactor(agent, user);
      const res = await post(agent, ACCOUNT_ACTIONS.revoke, { client_id: client.id });
      assert.equal(res.res.status, 303);
      assert.equal(res.res.headers.get('location'), '/account?notice=app_revoked');
      assert.equal((await grants()).length, 0);
    });

    it('the notice after the MFA page asks to repeat the action', async () => {
      const { agent } = await signedIn();
      const page = await (await agent.request('/account?notice=second_factor_confirmed')).text();
      assert.match(page, /role="status"[\s\S]*?please try it again/);
      const unknown = await (await agent.request('/account?notice=%3Cb%3Eyou+won%3C%2Fb%3E')).text();
      assert.doesNotMatch(unknown, /you won/, 'the query never writes the page');
    });
  });

  it('every new form needs the CSRF token, and every form on the page carries it', async () => {
    const { user, agent } = await signedIn();
    const formsCarryTheToken = async () => {
      const html = await (await agent.request('/account')).text();
      for (const [form] of html.matchAll(/<form[\s\S]*?<\/form>/g))
        assert.match(form, /name="csrf" value="[^"]+"/);
      return html;
    };
    await formsCarryTheToken();
    await post(agent, ACCOUNT_ACTIONS.mfaSetup);
    const secret = secretOf(await formsCarryTheToken());

    for (const [path, fields] of [
      [ACCOUNT_ACTIONS.mfaSetup, {}],
      [ACCOUNT_ACTIONS.mfaEnable, { code: generateSync({ secret, epoch: t.clock.now() }) }],
      [ACCOUNT_ACTIONS.mfaRecoveryCodes, { credential: user.password }],
      [ACCOUNT_ACTIONS.mfaDisable, { credential: user.password }],
    ] as const) {
      for (const csrf of [undefined, 'forged']) {
        const res = await agent.request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...fields, ...(csrf ? { csrf } : {}) }).toString(),
        });
        assert.equal(res.status, 403, `${path} with ${csrf ?? 'no'} token`);
      }
    }
    assert.equal((await t.deps.store.mfa.findTotp(user.id))?.confirmedAt, null, 'not enabled');

    await enrol(agent);
    await formsCarryTheToken();
  });
});
