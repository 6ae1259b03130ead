import { isDisabled } from '../../auth/authenticate.js';
import type { Amr, SecondFactorMethod } from '../../auth/factors.js';
import { MAX_CODE_ATTEMPTS, secondFactorMethods, verifySecondFactor } from '../../auth/second-factor.js';
import { EMAIL_NOT_VERIFIED_DESCRIPTION, refusesUnverified } from '../../auth/verified-email.js';
import { randomToken, sha256 } from '../../crypto/hash.js';
import type { Deps } from '../../deps.js';
import { requestMeta } from '../../http/net.js';
import type { Client, User } from '../../store/types.js';
import { invalidGrant, OAuthError, throttledGrant, unauthorizedClient } from '../errors.js';
import type { GrantHandler } from './grant.js';
import { MFA_OTP_GRANT } from './index.js';
import { issueSignIn } from './issue.js';

/**
 * SPEC §3 "MFA grant": a password sign-in to a user with a second factor answers 403 `mfa_required` with an
 * opaque `mfa_token`; the app sends it back with a code to this grant, and gets the normal token response.
 */
export const MFA_TOKEN_TTL_SECONDS = 300;

/** One answer for an unknown, expired, spent, worn-out or another client's token: none says which. */
const TOKEN_INVALID = 'the mfa_token is invalid, expired or already used';
/** Never says how close a wrong code was (SPEC §3). */
const CODE_INVALID = 'the code is incorrect';

export interface PendingSignIn {
  client: Client;
  user: User;
  scope: string;
  resource: string | null;
  amr: Amr[];
  authTime: number;
  methods: SecondFactorMethod[];
}

/** The 403 `mfa_required` answer: saves the pending sign-in behind a new `mfa_token` (stored as its hash). */
export async function mfaRequired(deps: Deps, p: PendingSignIn): Promise<OAuthError> {
  // --require-mfa (or LATCHKEY_REQUIRE_MFA) with nothing enrolled: no code could ever finish this sign-in.
  if (p.methods.length === 0)
    return invalidGrant(
      'this app requires two-factor authentication: set it up on your account page first, then sign in again',
    );
  const token = randomToken();
  const now = deps.clock.now();
  await deps.store.mfa.saveToken({
    hash: sha256(token),
    clientId: p.client.id,
    userId: p.user.id,
    scope: p.scope,
    resource: p.resource,
    amr: p.amr,
    authTime: p.authTime,
    attempts: 0,
    createdAt: now,
    expiresAt: now + MFA_TOKEN_TTL_SECONDS,
    spentAt: null,
  });
  return new OAuthError('mfa_required', 'a second factor is required: send a code with the mfa-otp grant', {
    extra: { mfa_token: token, mfa_methods: p.methods.map(({ id, type }) => ({ id, type })) },
  });
}

/** `grant_type=urn:latchkey:grant-type:mfa-otp` with `mfa_token`, `method_id` and `otp` (SPEC §3). */
export const mfaOtp: GrantHandler = {
  type: MFA_OTP_GRANT,
  async handle({ c, deps, params, auth }) {
    const { client } = auth;
    // It finishes a password grant, which a public client never has.
    if (client.isPublic) throw unauthorizedClient('a public client cannot use the mfa-otp grant');
    const presented = params.require('mfa_token');
    const methodId = params.require('method_id');
    const otp = params.require('otp');
    const now = deps.clock.now();
    const hash = presented.length <= 200 ? sha256(presented) : '';

    const pending = hash ? await deps.store.mfa.findToken(hash) : undefined;
    // Bound to its client: another client's attempt is refused before it counts against the owner's token.
    if (!pending || pending.clientId !== client.id || pending.spentAt !== null || pending.expiresAt <= now)
      throw invalidGrant(TOKEN_INVALID);
    const user = await deps.store.users.find(pending.userId);
    if (!user) throw invalidGrant(TOKEN_INVALID);
    c.set('userId', user.id);
    if (isDisabled(user)) throw invalidGrant('the account is disabled');
    // The address may have changed (and be unverified again) since the password grant.
    if (refusesUnverified(client, user)) throw invalidGrant(EMAIL_NOT_VERIFIED_DESCRIPTION);
    const methods = await secondFactorMethods(deps, user);
    if (!methods.some((m) => m.id === methodId))
      throw invalidGrant('"method_id" is not one of the mfa_methods');
    // Counted before the code is checked, atomically: concurrent guesses cannot pass MAX_CODE_ATTEMPTS.
    const attempt = await deps.store.mfa.attemptToken(hash, now, MAX_CODE_ATTEMPTS);
    if (!attempt) throw invalidGrant(TOKEN_INVALID);

    const meta = requestMeta(c);
    const check = await verifySecondFactor(deps, user, otp, { ...meta, clientId: client.id });
    if (!check.ok)
      throw check.code === 'throttled' ? throttledGrant(check.retryAfterSeconds) : invalidGrant(CODE_INVALID);
    // The first success spends it; a concurrent one that lost gets no second set of tokens.
    if (!(await deps.store.mfa.spendToken(hash, now))) throw invalidGrant(TOKEN_INVALID);
    return issueSignIn(deps, {
      client,
      user,
      scope: attempt.scope,
      resource: attempt.resource,
      amr: [...attempt.amr, 'otp'],
      authTime: now,
      grantType: MFA_OTP_GRANT,
      ...meta,
    });
  },
};
