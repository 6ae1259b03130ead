import { EMAIL_NOT_VERIFIED_DESCRIPTION, refusesUnverified } from '../../auth/verified-email.js';
import { sha256 } from '../../crypto/hash.js';
import { requestMeta } from '../../http/net.js';
import { accessDenied, invalidGrant, OAuthError } from '../errors.js';
import type { GrantHandler } from './grant.js';
import { DEVICE_CODE_GRANT } from './index.js';
import { signInTokens } from './issue.js';

/** One answer for an unknown, spent or another client's code: none says which. */
const CODE_INVALID = 'the device_code is invalid, already used or was issued to another client';

/**
 * RFC 8628 §3.4–3.5: the device polls with its device code until the user approves or denies it on
 * `/device`; an approval becomes tokens exactly once, as the code flow issues them.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export const deviceCode: GrantHandler = {
  type: DEVICE_CODE_GRANT,
  async handle({ c, deps, params, auth }) {
    const { client } = auth;
    const presented = params.require('device_code');
    // Device codes are 43 characters: anything much longer is no code, and is not hashed.
    if (presented.length > 200) throw invalidGrant(CODE_INVALID);
    const hash = sha256(presented);
    const poll = await deps.store.devices.poll(hash, client.id, deps.clock.nowMs());
    switch (poll.status) {
      case 'unknown':
      case 'redeemed':
        throw invalidGrant(CODE_INVALID);
      case 'expired':
        throw new OAuthError('expired_token', 'the device_code has expired: start over');
      case 'slow_down':
        throw new OAuthError('slow_down', `polled too often: wait ${poll.interval} seconds between polls`);
      case 'pending':
        throw new OAuthError('authorization_pending', 'the user has not answered yet');
      case 'denied':
        throw accessDenied('the user denied the request');
      case 'approved':
        break;
    }
    const { authorization } = poll;
    // The user may have been removed since the approval (which cascades the row, or races with it).
    const user = authorization.userId ? await deps.store.users.find(authorization.userId) : undefined;
    if (!user || authorization.authTime === null) throw invalidGrant('the authorization was revoked');
    c.set('userId', user.id);
    // The client may have begun to require a verified address since the approval (issue 15).
    if (refusesUnverified(client, user)) throw invalidGrant(EMAIL_NOT_VERIFIED_DESCRIPTION);
    // The code flow's grant is made in the browser step, so a logout before redemption revokes it; here the
    // grant is made now, so the session that approved must still be live (a logout undoes the approval).
    if (authorization.sessionHash !== null) {
      const session = await deps.store.sessions.find(authorization.sessionHash);
      if (!session || session.endedAt !== null)
        throw invalidGrant('the sign-in that approved this device has ended');
    }
    const { response, issued } = await signInTokens(deps, {
      client,
      user,
      scope: authorization.scope,
      resource: null,
      amr: authorization.amr,
      authTime: authorization.authTime,
      sessionHash: authorization.sessionHash,
      grantType: DEVICE_CODE_GRANT,
      ...requestMeta(c),
    });
    // Concurrent polls may all find it approved: the one whose redemption lands first gets the tokens.
    if (!(await deps.store.devices.redeem(hash, deps.clock.now(), issued))) throw invalidGrant(CODE_INVALID);
    return response;
  },
};
