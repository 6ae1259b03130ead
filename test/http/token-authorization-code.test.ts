import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sha256 } from '../../src/crypto/hash.js';
import { pkce } from '../helpers/agent.js';
import {
  browser,
  claimsOf,
  expectOAuthError,
  getCode,
  headerOf,
  introspect,
  json,
  redeem,
  refresh,
  signIn,
  type TestClient,
  tokenRequest,
  verifyJwt,
} from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';

function codeRequest(client: TestClient, fields: Record<string, string>): RequestInit {
  return tokenRequest(client, { grant_type: 'authorization_code', ...fields });
}

describe('POST /token grant_type=authorization_code', () => {
  let t: TestApp;
  let user: { id: string; email: string; password: string };
  let client: TestClient;
  let other: TestClient;

  before(async () => {
    t = await testApp();
    user = await t.addUser({ name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' });
    client = {
      ...(await t.addClient({ redirectUris: [CB], firstParty: true, resources: ['https://api.example/'] })),
      redirectUri: CB,
    };
    other = { ...(await t.addClient({ redirectUris: [CB], firstParty: true })), redirectUri: CB };
  });
  after(() => t.close());

  it('redeems a code once; a replay fails and revokes the access and refresh tokens it issued', async () => {
    const { code, verifier } = await getCode(t, client, user, { scope: 'openid offline_access' });
    const first = await redeem(t, client, code, verifier);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    const tokens = await json(first);
    assert.equal(tokens.token_type, 'Bearer');
    assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token);
    assert.equal((await introspect(t, client, tokens.access_token)).active, true);

    await expectOAuthError(await redeem(t, client, code, verifier), 'invalid_grant');
    assert.equal((await introspect(t, client, tokens.access_token)).active, false);
    assert.equal((await introspect(t, client, tokens.refresh_token)).active, false);
    await expectOAuthError(await refresh(t, client, tokens.refresh_token), 'invalid_grant');
    const userinfo = await t.request('/userinfo', {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(userinfo.status, 401);
  });

  it('expires a code after 60 seconds', async () => {
    const { code, verifier } = await getCode(t, client, user);
    t.clock.advance(61);
    await expectOAuthError(await redeem(t, client, code, verifier), 'invalid_grant');
  });

  it('accepts a code just inside its 60 seconds', async () => {
    const { code, verifier } = await getCode(t, client, user);
    t.clock.advance(59);
    assert.equal((await redeem(t, client, code, verifier)).status, 200);
  });

  it('binds a code to its client', async () => {
    const { code, verifier } = await getCode(t, client, user);
    await expectOAuthError(await redeem(t, other, code, verifier), 'invalid_grant');
  });

  it('a redemption by another client spends the code (issue 8 #7)', async () => {
    const { code, verifier } = await getCode(t, client, user);
    await expectOAuthError(await redeem(t, other, code, verifier), 'invalid_grant');
    await expectOAuthError(await redeem(t, client, code, verifier), 'invalid_grant');
  });

  it('refuses an unknown code', async () => {
    await expectOAuthError(await redeem(t, client, 'not-a-code', pkce().verifier), 'invalid_grant');
  });

  describe('redirect_uri', () => {
    it('must equal the one sent to /authorize', async () => {
      const two = {
        ...(await t.addClient({ redirectUris: [CB, `${CB}2`], firstParty: true })),
        redirectUri: CB,
      };
      const { code, verifier } = await getCode(t, two, user);
      await expectOAuthError(
        await t.request(
          '/token',
          codeRequest(two, { code, code_verifier: verifier, redirect_uri: `${CB}2` }),
        ),
        'invalid_grant',
      );
      await expectOAuthError(
        await t.request(
          '/token',
          codeRequest(two, { code, code_verifier: verifier, redirect_uri: `${CB}/` }),
        ),
        'invalid_grant',
      );
      // Those failures did not spend it: unlike a wrong code_verifier, a wrong redirect_uri says nothing
      // about who holds the code (the URI is no secret), so the client may correct itself (issue 8 #7).
      assert.equal((await redeem(t, two, code, verifier)).status, 200);
    });

    it('is required when /authorize received one', async () => {
      const { code, verifier } = await getCode(t, client, user);
      await expectOAuthError(
        await t.request('/token', codeRequest(client, { code, code_verifier: verifier })),
        'invalid_grant',
      );
    });

    it('may be absent when /authorize had none', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const { verifier, challenge } = pkce();
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: client.id,
        scope: 'profile',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const step = await agent.go(`/authorize?${q}`);
      const code = step.external!.searchParams.get('code')!;
      assert.ok(code);
      const res = await t.request('/token', codeRequest(client, { code, code_verifier: verifier }));
      assert.equal(res.status, 200);
      const body = await json(res);
      assert.equal(body.scope, 'profile');
      assert.equal(body.id_token, undefined, 'no ID token without openid');
    });

    it('must not name another URI when /authorize had none', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const { verifier, challenge } = pkce();
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: client.id,
        scope: 'profile',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const code = (await agent.go(`/authorize?${q}`)).external!.searchParams.get('code')!;
      await expectOAuthError(
        await t.request(
          '/token',
          codeRequest(client, { code, code_verifier: verifier, redirect_uri: 'https://evil.example/cb' }),
        ),
        'invalid_grant',
      );
    });
  });

  describe('PKCE (RFC 7636 §4.6)', () => {
    it('refuses a wrong verifier', async () => {
      const { code } = await getCode(t, client, user);
      await expectOAuthError(await redeem(t, client, code, pkce().verifier), 'invalid_grant');
    });

    it('refuses a malformed verifier with invalid_grant', async () => {
      const { code } = await getCode(t, client, user);
      await expectOAuthError(await redeem(t, client, code, 'wrong'), 'invalid_grant');
    });

    it('refuses a missing verifier when a challenge was sent', async () => {
      const { code } = await getCode(t, client, user);
      await expectOAuthError(
        await t.request('/token', codeRequest(client, { code, redirect_uri: CB })),
        'invalid_grant',
      );
    });

    it('refuses a verifier when no challenge was sent (RFC 9700 §2.1.1)', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: client.id,
        redirect_uri: CB,
        scope: 'openid',
      });
      const code = (await agent.go(`/authorize?${q}`)).external!.searchParams.get('code')!;
      await expectOAuthError(await redeem(t, client, code, pkce().verifier), 'invalid_grant');
    });

    it('lets a confidential client without PKCE redeem without a verifier', async () => {
      const agent = browser(t);
      await signIn(agent, user);
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: client.id,
        redirect_uri: CB,
        scope: 'openid',
      });
      const code = (await agent.go(`/authorize?${q}`)).external!.searchParams.get('code')!;
      assert.equal((await t.request('/token', codeRequest(client, { code, redirect_uri: CB }))).status, 200);
    });

    it('lets a public client redeem with client_id and the verifier only', async () => {
      const pub = {
        ...(await t.addClient({ redirectUris: [CB], isPublic: true, firstParty: true })),
        redirectUri: CB,
      };
      const { code, verifier } = await getCode(t, pub, user);
      const res = await redeem(t, pub, code, verifier);
      assert.equal(res.status, 200);
    });

    describe('a failed verifier spends the code without revoking anything (issue 8 #7)', () => {
      /** The code's record and its grant, straight from the store. */
      async function stored(code: string) {
        const record = await t.deps.store.codes.find(sha256(code));
        assert.ok(record);
        return { record, grant: await t.deps.store.grants.find(record.grantId) };
      }

      const failures: [string, (code: string) => RequestInit][] = [
        [
          'a wrong verifier',
          (code) => codeRequest(client, { code, redirect_uri: CB, code_verifier: pkce().verifier }),
        ],
        [
          'a malformed verifier',
          (code) => codeRequest(client, { code, redirect_uri: CB, code_verifier: 'wrong' }),
        ],
        ['a missing verifier', (code) => codeRequest(client, { code, redirect_uri: CB })],
      ];
      for (const [what, request] of failures) {
        it(`after ${what}, the right verifier no longer redeems it`, async () => {
          const { code, verifier } = await getCode(t, client, user);
          await expectOAuthError(await t.request('/token', request(code)), 'invalid_grant');
          const { record, grant } = await stored(code);
          assert.notEqual(record.consumedAt, null, 'spent');
          assert.equal(grant?.revokedAt, null, 'nothing was issued, nothing is revoked');
          await expectOAuthError(await redeem(t, client, code, verifier), 'invalid_grant');
        });
      }

      it('after a verifier sent for a code without a challenge, the code no longer redeems', async () => {
        const agent = browser(t);
        await signIn(agent, user);
        const q = new URLSearchParams({
          response_type: 'code',
          client_id: client.id,
          redirect_uri: CB,
          scope: 'openid',
        });
        const code = (await agent.go(`/authorize?${q}`)).external!.searchParams.get('code')!;
        await expectOAuthError(await redeem(t, client, code, pkce().verifier), 'invalid_grant');
        assert.notEqual((await stored(code)).record.consumedAt, null, 'spent');
        await expectOAuthError(
          await t.request('/token', codeRequest(client, { code, redirect_uri: CB })),
          'invalid_grant',
        );
      });

      it('a public client gets no second try either', async () => {
        const pub = {
          ...(await t.addClient({ redirectUris: [CB], isPublic: true, firstParty: true })),
          redirectUri: CB,
        };
        const { code, verifier } = await getCode(t, pub, user);
        await expectOAuthError(await redeem(t, pub, code, pkce().verifier), 'invalid_grant');
        await expectOAuthError(await redeem(t, pub, code, verifier), 'invalid_grant');
      });
    });
  });

  describe('ID token (OIDC Core §2, §3.1.3.6)', () => {
    it('carries iss, sub, aud, exp, iat, auth_time, nonce, amr and a correct at_hash', async () => {
      const signedInAt = t.clock.now();
      const agent = browser(t);
      await signIn(agent, user);
      t.clock.advance(30);
      const { code, verifier } = await getCode(t, client, user, { nonce: 'n-0S6_WzA2Mj', agent });
      const tokens = await json(await redeem(t, client, code, verifier));
      const header = headerOf(tokens.id_token);
      assert.equal(header.alg, 'RS256', 'RS256 unless the client registered another (issue 13)');
      assert.ok(header.kid);
      const claims = await verifyJwt(t, tokens.id_token, client.id);
      assert.equal(claims.iss, t.issuer);
      assert.equal(claims.sub, user.id);
      assert.equal(claims.aud, client.id);
      assert.equal(claims.iat, t.clock.now());
      assert.ok(claims.exp! > claims.iat!);
      assert.equal(claims['auth_time'], signedInAt);
      assert.equal(claims['nonce'], 'n-0S6_WzA2Mj');
      assert.deepEqual(claims['amr'], ['pwd']);
      const digest = createHash('sha256').update(tokens.access_token, 'ascii').digest();
      assert.equal(claims['at_hash'], digest.subarray(0, digest.length / 2).toString('base64url'));
      assert.equal(claims['email'], undefined);
      assert.equal(claims['name'], undefined);
    });

    it('carries email claims with the email scope and name claims with profile', async () => {
      const withEmail = await json(
        await (async () => {
          const { code, verifier } = await getCode(t, client, user, { scope: 'openid email' });
          return redeem(t, client, code, verifier);
        })(),
      );
      const e = await verifyJwt(t, withEmail.id_token, client.id);
      assert.equal(e['email'], user.email);
      assert.equal(typeof e['email_verified'], 'boolean');
      assert.equal(e['name'], undefined);
      assert.equal(e['given_name'], undefined);

      const { code, verifier } = await getCode(t, client, user, { scope: 'openid profile' });
      const withProfile = await json(await redeem(t, client, code, verifier));
      const p = await verifyJwt(t, withProfile.id_token, client.id);
      assert.equal(p['name'], 'Ada Lovelace');
      assert.equal(p['given_name'], 'Ada');
      assert.equal(p['family_name'], 'Lovelace');
      assert.equal(p['email'], undefined);
      assert.equal(withProfile.scope, 'openid profile');
    });

    it('signs with RS256 for a client configured so', async () => {
      const rs = {
        ...(await t.addClient({ redirectUris: [CB], firstParty: true, signingAlg: 'RS256' })),
        redirectUri: CB,
      };
      const { code, verifier } = await getCode(t, rs, user);
      const tokens = await json(await redeem(t, rs, code, verifier));
      assert.equal(headerOf(tokens.id_token).alg, 'RS256');
      const claims = await verifyJwt(t, tokens.id_token, rs.id);
      assert.equal(claims.sub, user.id);
      assert.equal(headerOf(tokens.access_token).alg, 'RS256');
      await verifyJwt(t, tokens.access_token);
    });
  });

  describe('access token', () => {
    it('is an RFC 9068 JWT whose aud is the client id by default', async () => {
      const { code, verifier } = await getCode(t, client, user, { scope: 'openid email' });
      const tokens = await json(await redeem(t, client, code, verifier));
      assert.equal(headerOf(tokens.access_token).typ, 'at+jwt');
      const claims = await verifyJwt(t, tokens.access_token);
      assert.equal(claims.aud, client.id);
      assert.equal(claims['client_id'], client.id);
      assert.equal(claims['scope'], 'openid email');
      assert.equal(claims.sub, user.id);
      assert.equal(tokens.expires_in, 600);
    });

    it('has the RFC 8707 resource as aud', async () => {
      const { code, verifier } = await getCode(t, client, user, {
        extra: { resource: 'https://api.example/' },
      });
      const tokens = await json(await redeem(t, client, code, verifier));
      const claims = await verifyJwt(t, tokens.access_token);
      assert.equal(claims.aud, 'https://api.example/');
      assert.equal((await introspect(t, client, tokens.access_token)).aud, 'https://api.example/');
      // The ID token stays for the client.
      assert.equal(claimsOf(tokens.id_token).aud, client.id);
    });
  });
});
