import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { enrollTotpNow, MAX_CODE_ATTEMPTS } from '../../src/auth/second-factor.js';
import { MFA_OTP_GRANT } from '../../src/oauth/token/index.js';
import { breakTotpSecret } from '../helpers/mfa.js';
import {
  expectOAuthError,
  type Json,
  json,
  refresh,
  type TestClient,
  tokenRequest,
  verifyJwt,
} from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const STEP_SECONDS = 30;

interface MfaUser {
  id: string;
  email: string;
  password: string;
  secret: string;
  recoveryCodes: string[];
  methodId: string;
}

/** A user with TOTP on, enrolled the way `user mfa-enroll` does it. */
async function enrolledUser(t: TestApp): Promise<MfaUser> {
  const created = await t.addUser({});
  const user = (await t.deps.store.users.find(created.id))!;
  const { secret, recoveryCodes } = await enrollTotpNow(t.deps, user, { ip: '127.0.0.1', clientId: null });
  const factor = (await t.deps.store.mfa.findTotp(user.id))!;
  return { ...created, secret, recoveryCodes, methodId: factor.id };
}

/** The code an authenticator shows at the fake clock's time, `steps` time steps away. */
const totp = (t: TestApp, user: MfaUser, steps = 0) =>
  generateSync({ secret: user.secret, epoch: t.clock.now() + steps * STEP_SECONDS });

/** Puts the fake clock in the middle of a time step, so one step of drift either way is unambiguous. */
function midStep(t: TestApp): void {
  const offset = t.clock.now() % STEP_SECONDS;
  t.clock.advance((STEP_SECONDS / 2 - offset + STEP_SECONDS) % STEP_SECONDS);
}

const passwordGrant = (
  t: TestApp,
  client: { id: string; secret?: string },
  user: { email: string; password: string },
  scope = 'openid profile',
) =>
  t.request(
    '/token',
    tokenRequest(client, { grant_type: 'password', username: user.email, password: user.password, scope }),
  );

const mfaOtp = (t: TestApp, client: { id: string; secret?: string }, fields: Record<string, string>) =>
  t.request('/token', tokenRequest(client, { grant_type: MFA_OTP_GRANT, ...fields }));

/** The password step: asserts the 403 and returns the mfa_token. */
async function mfaToken(
  t: TestApp,
  client: { id: string; secret?: string },
  user: MfaUser,
  scope?: string,
): Promise<string> {
  const body = await expectOAuthError(await passwordGrant(t, client, user, scope), 'mfa_required', 403);
  return body['mfa_token'] as string;
}

/** Sends a code with a fresh or given mfa_token; returns the response. */
const sendCode = (
  t: TestApp,
  client: { id: string; secret?: string },
  user: MfaUser,
  token: string,
  otp: string,
) => mfaOtp(t, client, { mfa_token: token, method_id: user.methodId, otp });

async function expectTokens(res: Response): Promise<Json> {
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text) as Json;
}

describe(`POST /token grant_type=password with MFA, then ${MFA_OTP_GRANT}`, () => {
  let t: TestApp;
  let client: TestClient;

  before(async () => {
    t = await testApp();
    client = {
      ...(await t.addClient({ grants: ['password', 'refresh_token'], firstParty: true })),
      redirectUri: '',
    };
  });
  after(() => t.close());

  it('answers invalid_grant, not a 500, when the TOTP secret cannot be opened (another LATCHKEY_SECRET)', async () => {
    const user = await enrolledUser(t);
    await breakTotpSecret(t, user.id);
    const token = await mfaToken(t, client, user);
    await expectOAuthError(await sendCode(t, client, user, token, totp(t, user)), 'invalid_grant');
  });

  it('round trip: 403 mfa_required with mfa_token and mfa_methods, then tokens with amr ["pwd","otp"]', async () => {
    const user = await enrolledUser(t);
    const first = await passwordGrant(t, client, user, 'openid profile offline_access');
    const body = await expectOAuthError(first, 'mfa_required', 403);
    assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description', 'mfa_methods', 'mfa_token']);
    assert.deepEqual(body['mfa_methods'], [{ id: user.methodId, type: 'totp' }]);
    assert.match(body['mfa_token'], /^[A-Za-z0-9_-]{43}$/);

    t.clock.advance(5);
    const res = await sendCode(t, client, user, body['mfa_token'], totp(t, user));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const tokens = await expectTokens(res);
    assert.equal(tokens['token_type'], 'Bearer');
    assert.equal(tokens['scope'], 'openid profile offline_access');
    assert.ok(tokens['refresh_token']);
    const id = await verifyJwt(t, tokens['id_token'], client.id);
    assert.equal(id.sub, user.id);
    assert.deepEqual(id['amr'], ['pwd', 'otp']);
    assert.equal(id['acr'], 'urn:latchkey:acr:2fa');
    assert.equal(id['auth_time'], t.clock.now(), 'auth_time is when the second factor passed');
    const access = await verifyJwt(t, tokens['access_token']);
    assert.deepEqual(access['amr'], ['pwd', 'otp']);

    const info = await t.request('/userinfo', {
      headers: { authorization: `Bearer ${tokens['access_token']}` },
    });
    assert.equal(info.status, 200);
    assert.equal((await json(info))['sub'], user.id);

    // The family keeps both factors through a refresh.
    const next = await expectTokens(await refresh(t, client, tokens['refresh_token']));
    assert.deepEqual((await verifyJwt(t, next['id_token'], client.id))['amr'], ['pwd', 'otp']);

    const login = (await t.deps.store.events.list(100)).find(
      (e) => e.type === 'login' && e.userId === user.id,
    );
    assert.deepEqual(login?.detail, { grant_type: MFA_OTP_GRANT, amr: ['pwd', 'otp'] });
    assert.equal(login?.clientId, client.id);
  });

  it('a user without MFA still gets tokens from the password grant directly', async () => {
    const plain = await t.addUser({});
    const tokens = await expectTokens(await passwordGrant(t, client, plain));
    assert.deepEqual((await verifyJwt(t, tokens['id_token'], client.id))['amr'], ['pwd']);
  });

  it('refuses an expired mfa_token (5 minutes)', async () => {
    const user = await enrolledUser(t);
    const token = await mfaToken(t, client, user);
    t.clock.advance(301);
    await expectOAuthError(await sendCode(t, client, user, token, totp(t, user)), 'invalid_grant');
  });

  it('refuses a spent mfa_token: the first success spends it', async () => {
    const user = await enrolledUser(t);
    const token = await mfaToken(t, client, user);
    await expectTokens(await sendCode(t, client, user, token, totp(t, user)));
    t.clock.advance(STEP_SECONDS);
    await expectOAuthError(await sendCode(t, client, user, token, totp(t, user)), 'invalid_grant');
  });

  it('refuses an unknown mfa_token', async () => {
    const user = await enrolledUser(t);
    await expectOAuthError(await sendCode(t, client, user, 'x'.repeat(43), totp(t, user)), 'invalid_grant');
    await expectOAuthError(await sendCode(t, client, user, 'x'.repeat(5000), totp(t, user)), 'invalid_grant');
  });

  it("refuses another client's mfa_token, without counting those attempts against the owner's", async () => {
    const user = await enrolledUser(t);
    const other = await t.addClient({ grants: ['password'], firstParty: true });
    const token = await mfaToken(t, client, user);
    for (let i = 0; i < 6; i++)
      await expectOAuthError(await sendCode(t, other, user, token, totp(t, user)), 'invalid_grant');
    await expectTokens(await sendCode(t, client, user, token, totp(t, user)));
  });

  it('refuses an unknown method_id, without counting it as a code', async () => {
    const user = await enrolledUser(t);
    const token = await mfaToken(t, client, user);
    for (let i = 0; i < 6; i++)
      await expectOAuthError(
        await mfaOtp(t, client, { mfa_token: token, method_id: `not-${user.methodId}`, otp: totp(t, user) }),
        'invalid_grant',
      );
    await expectTokens(await sendCode(t, client, user, token, totp(t, user)));
  });

  it('refuses a TOTP code used once already, even with another mfa_token', async () => {
    const user = await enrolledUser(t);
    const code = totp(t, user);
    await expectTokens(await sendCode(t, client, user, await mfaToken(t, client, user), code));
    await expectOAuthError(
      await sendCode(t, client, user, await mfaToken(t, client, user), code),
      'invalid_grant',
    );
  });

  it('takes a recovery code once (with or without dashes, any case), never twice', async () => {
    const user = await enrolledUser(t);
    const [first, second] = user.recoveryCodes as [string, string];
    assert.match(first, /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    const tokens = await expectTokens(
      await sendCode(t, client, user, await mfaToken(t, client, user), first),
    );
    assert.deepEqual((await verifyJwt(t, tokens['id_token'], client.id))['amr'], ['pwd', 'otp']);
    for (const again of [first, first.replace(/-/g, '').toUpperCase()])
      await expectOAuthError(
        await sendCode(t, client, user, await mfaToken(t, client, user), again),
        'invalid_grant',
      );
    await expectTokens(
      await sendCode(
        t,
        client,
        user,
        await mfaToken(t, client, user),
        second.replace(/-/g, '').toUpperCase(),
      ),
    );
  });

  it('accepts the previous and the next time step, not two steps away', async () => {
    midStep(t);
    const early = await enrolledUser(t);
    await expectTokens(
      await sendCode(t, client, early, await mfaToken(t, client, early), totp(t, early, -1)),
    );
    const late = await enrolledUser(t);
    await expectTokens(await sendCode(t, client, late, await mfaToken(t, client, late), totp(t, late, 1)));
    const far = await enrolledUser(t);
    const token = await mfaToken(t, client, far);
    for (const steps of [-2, 2])
      await expectOAuthError(await sendCode(t, client, far, token, totp(t, far, steps)), 'invalid_grant');
    await expectTokens(await sendCode(t, client, far, token, totp(t, far)));
  });

  it('refuses a code of a step earlier than the last accepted one', async () => {
    midStep(t);
    const user = await enrolledUser(t);
    await expectTokens(await sendCode(t, client, user, await mfaToken(t, client, user), totp(t, user)));
    // Still inside the drift window, but older than the step just used.
    await expectOAuthError(
      await sendCode(t, client, user, await mfaToken(t, client, user), totp(t, user, -1)),
      'invalid_grant',
    );
    await expectTokens(await sendCode(t, client, user, await mfaToken(t, client, user), totp(t, user, 1)));
  });

  it('gives every wrong code the same answer, however close it was', async () => {
    midStep(t);
    const user = await enrolledUser(t);
    const token = await mfaToken(t, client, user);
    const near = await expectOAuthError(
      await sendCode(t, client, user, token, totp(t, user, 2)),
      'invalid_grant',
    );
    const far = await expectOAuthError(await sendCode(t, client, user, token, '000000'), 'invalid_grant');
    const recovery = await expectOAuthError(
      await sendCode(t, client, user, token, 'aaaa-bbbb-cccc'),
      'invalid_grant',
    );
    assert.deepEqual(near, far);
    assert.deepEqual(far, recovery);
  });

  it('a --require-mfa client refuses a user who never enrolled, pointing at the account page', async () => {
    const strict = await t.addClient({ grants: ['password'], firstParty: true, requireMfa: true });
    const plain = await t.addUser({});
    const body = await expectOAuthError(await passwordGrant(t, strict, plain), 'invalid_grant');
    assert.match(body['error_description'], /account page/);
    assert.equal(body['mfa_token'], undefined);
    // An enrolled user goes through the MFA grant as with any client.
    const user = await enrolledUser(t);
    await expectTokens(await sendCode(t, strict, user, await mfaToken(t, strict, user), totp(t, user)));
  });

  it('answers invalid_request when mfa_token, method_id or otp is missing', async () => {
    const user = await enrolledUser(t);
    const token = await mfaToken(t, client, user);
    const all = { mfa_token: token, method_id: user.methodId, otp: totp(t, user) };
    for (const name of Object.keys(all) as (keyof typeof all)[]) {
      const { [name]: _left, ...rest } = all;
      const body = await expectOAuthError(await mfaOtp(t, client, rest), 'invalid_request');
      assert.match(body['error_description'], new RegExp(name));
    }
    await expectTokens(await mfaOtp(t, client, all));
  });

  it('is refused with unauthorized_client to a client without the password grant', async () => {
    const machine = await t.addClient({ grants: ['client_credentials'] });
    await expectOAuthError(
      await mfaOtp(t, machine, { mfa_token: 'x', method_id: 'y', otp: '123456' }),
      'unauthorized_client',
    );
  });

  it('is listed in discovery', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const doc = await json(await t.request(path));
      assert.ok((doc['grant_types_supported'] as string[]).includes(MFA_OTP_GRANT), path);
    }
  });

  it('shares the account throttle: after 5 wrong codes across two mfa_tokens even the right one waits', async () => {
    const user = await enrolledUser(t);
    const one = await mfaToken(t, client, user);
    for (let i = 0; i < 3; i++)
      await expectOAuthError(await sendCode(t, client, user, one, `00000${i}`), 'invalid_grant');
    const two = await mfaToken(t, client, user);
    for (let i = 3; i < 5; i++)
      await expectOAuthError(await sendCode(t, client, user, two, `00000${i}`), 'invalid_grant');
    const refused = await sendCode(t, client, user, two, totp(t, user));
    await expectOAuthError(refused, 'invalid_grant');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1, 'Retry-After');
    t.clock.advance(retryAfter);
    await expectTokens(await sendCode(t, client, user, two, totp(t, user)));
  });
});

describe(`${MFA_OTP_GRANT}: the mfa_token survives ${MAX_CODE_ATTEMPTS} codes (account throttle off)`, () => {
  let t: TestApp;
  let client: TestClient;

  before(async () => {
    t = await testApp({ LATCHKEY_THROTTLE: 'off' });
    client = { ...(await t.addClient({ grants: ['password'], firstParty: true })), redirectUri: '' };
  });
  after(() => t.close());

  it('after 4 wrong codes the right one still works', async () => {
    const user = await enrolledUser(t);
    const token = await mfaToken(t, client, user);
    for (let i = 0; i < 4; i++)
      await expectOAuthError(await sendCode(t, client, user, token, `99999${i}`), 'invalid_grant');
    await expectTokens(await sendCode(t, client, user, token, totp(t, user)));
  });

  it('after 5 wrong codes even the right one is refused on that token, not on a new one', async () => {
    const user = await enrolledUser(t);
    const token = await mfaToken(t, client, user);
    for (let i = 0; i < 5; i++)
      await expectOAuthError(await sendCode(t, client, user, token, `99999${i}`), 'invalid_grant');
    const worn = await sendCode(t, client, user, token, totp(t, user));
    await expectOAuthError(worn, 'invalid_grant');
    assert.equal(
      worn.headers.get('retry-after'),
      null,
      'the token is worn out, the account is not throttled',
    );
    await expectTokens(await sendCode(t, client, user, await mfaToken(t, client, user), totp(t, user)));
  });
});
