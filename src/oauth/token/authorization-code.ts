import { createHash } from 'node:crypto';
import { EMAIL_NOT_VERIFIED_DESCRIPTION, refusesUnverified } from '../../auth/verified-email.js';
import { safeEqual, sha256 } from '../../crypto/hash.js';
import { requestMeta } from '../../http/net.js';
import { invalidGrant } from '../errors.js';
import type { GrantHandler } from './grant.js';
import { buildTokens } from './issue.js';

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 §4.6; RFC 9700 §2.1.1: a verifier without a challenge is refused too. The problem, if any. */
function verifierProblem(challenge: string | null, verifier: string | undefined): string | undefined {
  if (challenge === null)
    return verifier === undefined
      ? undefined
      : '"code_verifier" was sent but the authorization request had no code challenge';
  if (verifier === undefined) return '"code_verifier" is required';
  // RFC 7636 §4.6: a malformed verifier cannot match the challenge either.
  if (!VERIFIER.test(verifier)) return '"code_verifier" must be 43-128 unreserved characters';
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  if (!safeEqual(computed, challenge)) return '"code_verifier" does not match the code challenge';
  return undefined;
}

/** RFC 6749 §4.1.3 with RFC 7636 §4.6. */
export const authorizationCode: GrantHandler = {
  type: 'authorization_code',
  async handle({ c, deps, params, auth }) {
    const { client } = auth;
    const code = params.require('code');
    const redirectUri = params.get('redirect_uri');
    const verifier = params.get('code_verifier');
    const now = deps.clock.now();
    const hash = code.length <= 200 ? sha256(code) : '';
    const record = hash ? await deps.store.codes.find(hash) : undefined;
    const invalid = 'the code is invalid, expired or was issued to another client';
    if (!record) throw invalidGrant(invalid);
    // RFC 6749 §4.1.3: bound to the client. Another client holding it means it leaked: it is spent (issue 8 #7).
    if (record.clientId !== client.id) {
      await deps.store.codes.consume(hash, now);
      throw invalidGrant(invalid);
    }
    if (record.consumedAt !== null) {
      // RFC 6749 §4.1.2: a second redemption revokes what the first issued.
      await deps.store.codes.redeem(
        hash,
        now,
        {},
        {
          at: now,
          type: 'code_replayed',
          userId: record.userId,
          clientId: client.id,
          ...requestMeta(c),
          detail: { grant: record.grantId },
        },
      );
      throw invalidGrant('the code was already used; the tokens issued from it are revoked');
    }
    if (record.expiresAt <= now) throw invalidGrant('the code has expired');
    // SPEC §3: equal to what /authorize received, or absent when it had none. A mismatch leaves the code
    // usable: the redirect URI is no secret, so it says nothing about who holds the code (unlike a verifier).
    if (record.redirectUri !== null) {
      if (redirectUri === undefined)
        throw invalidGrant('"redirect_uri" is required: it was sent to /authorize');
      if (redirectUri !== record.redirectUri)
        throw invalidGrant('"redirect_uri" does not match the authorization request');
    } else if (redirectUri !== undefined && !client.redirectUris.includes(redirectUri)) {
      throw invalidGrant('"redirect_uri" does not match the authorization request');
    }
    // RFC 6749 §10.5: single use. A failed verifier spends the code too (issue 8 #7): whoever holds it
    // without the verifier gets no second try. Nothing was issued, so there is no family to revoke.
    const problem = verifierProblem(record.codeChallenge, verifier);
    if (problem) {
      await deps.store.codes.consume(hash, now);
      throw invalidGrant(problem);
    }
    const grant = await deps.store.grants.find(record.grantId);
    const user = await deps.store.users.find(record.userId);
    if (!grant || grant.revokedAt !== null || !user) throw invalidGrant('the authorization was revoked');
    c.set('userId', user.id);
    // The client may have begun to require a verified address since the code was issued (issue 15).
    if (refusesUnverified(client, user)) throw invalidGrant(EMAIL_NOT_VERIFIED_DESCRIPTION);
    const { response, issued } = await buildTokens(deps, {
      client,
      user,
      scope: grant.scope,
      aud: grant.resource ?? client.id,
      grant,
      refresh: client.grants.includes('refresh_token'),
      idToken: { nonce: grant.nonce },
    });
    // The audit trail of a sign-in ends with the tokens it got, written with them.
    issued.event = {
      at: now,
      type: 'token_issued',
      userId: user.id,
      clientId: client.id,
      ...requestMeta(c),
      detail: { grant: grant.id, grant_type: 'authorization_code' },
    };
    if ((await deps.store.codes.redeem(hash, now, issued)) === 'replayed') {
      throw invalidGrant('the code was already used; the tokens issued from it are revoked');
    }
    return response;
  },
};
