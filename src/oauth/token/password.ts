import { authenticatePassword } from '../../auth/authenticate.js';
import { EMAIL_NOT_VERIFIED_DESCRIPTION, refusesUnverified } from '../../auth/verified-email.js';
import { requestMeta } from '../../http/net.js';
import { invalidGrant, throttledGrant, unauthorizedClient } from '../errors.js';
import { checkAllowedResource, checkUserScopes, defaultUserScopes, parseScope } from '../scope.js';
import type { GrantHandler } from './grant.js';
import { issueSignIn } from './issue.js';
import { mfaRequired } from './mfa-otp.js';

/** RFC 6749 §4.3: for first-party apps allowed it per client. */
export const password: GrantHandler = {
  type: 'password',
  async handle({ c, deps, params, auth }) {
    const { client } = auth;
    // RFC 9700 §2.4: the password grant only for a client that can keep a secret (a public one registered
    // with it before `client add` refused that still cannot use it).
    if (client.isPublic) throw unauthorizedClient('a public client cannot use the password grant');
    if (!deps.config.passwordLogin) throw unauthorizedClient('password sign-in is turned off');
    const username = params.require('username');
    const pass = params.require('password');
    const requested = parseScope(params.get('scope'));
    checkUserScopes(client, requested);
    const scope = (requested.length ? requested : defaultUserScopes(client)).join(' ');
    const resource = checkAllowedResource(client, params.get('resource')) ?? null;
    const meta = requestMeta(c);

    const result = await authenticatePassword(deps, username, pass, {
      ...meta,
      clientRequiresSecondFactor: deps.config.requireMfa || client.requireMfa,
    });
    if (result.status === 'failed') {
      if (result.code === 'throttled') throw throttledGrant(result.retryAfterSeconds);
      if (result.code === 'account_disabled') throw invalidGrant('the account is disabled');
      throw invalidGrant('the username or password is incorrect');
    }
    const { user, amr, authTime } = result;
    c.set('userId', user.id);
    // Issue 15: only once the password is proven, and before a second factor is asked for.
    if (refusesUnverified(client, user)) throw invalidGrant(EMAIL_NOT_VERIFIED_DESCRIPTION);
    // SPEC §3 "MFA grant": the app finishes the sign-in with the mfa-otp grant.
    if (result.status === 'second_factor_required')
      throw await mfaRequired(deps, {
        client,
        user,
        scope,
        resource,
        amr,
        authTime,
        methods: result.methods,
      });
    return issueSignIn(deps, {
      client,
      user,
      scope,
      resource,
      amr,
      authTime,
      grantType: 'password',
      ...meta,
    });
  },
};
