import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { randomToken, safeEqual, sha256 } from '../../crypto/hash.js';
import { Sealer } from '../../crypto/seal.js';
import type { Deps } from '../../deps.js';
import { currentSession } from '../../http/browser.js';
import { Params } from '../../http/params.js';
import { Redirect } from '../../http/render.js';
import { OAuthError } from '../../oauth/errors.js';
import { authorizationCode } from '../../oauth/token/authorization-code.js';
import { clientAllowsGrant } from '../../oauth/token/index.js';
import { ADMIN_SCOPE } from '../permissions.js';
import { CONSOLE_CLIENT_ID, consoleRedirectUri } from './client.js';
import { consoleCookieName, consoleCookieOptions, startConsoleSession } from './session.js';

/**
 * The sign-in in progress: its `state`, PKCE verifier and where it goes back to, sealed in a short cookie
 * (`__Host-lk_console_login` under https).
 */
export const LOGIN_COOKIE = 'lk_console_login';
const LOGIN_TTL_SECONDS = 10 * 60;

/** Where a finished sign-in may go: a console path, never anything a request could point elsewhere. */
const RETURN_TO = /^\/admin(\/[A-Za-z0-9_-]+)*$/;

interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo: string;
  expiresAt: number;
}

let sealerCache: { secret: string; sealer: Sealer } | undefined;
function loginSealer(deps: Pick<Deps, 'config'>): Sealer {
  if (sealerCache?.secret !== deps.config.secret)
    sealerCache = {
      secret: deps.config.secret,
      sealer: new Sealer(deps.config.secret, 'latchkey-console-login-v1'),
    };
  return sealerCache.sealer;
}

// Lax: the browser comes back to /admin/callback by a top-level redirect from /authorize.
const loginCookieOptions = (deps: Pick<Deps, 'config'>, maxAge?: number) =>
  consoleCookieOptions(deps, 'Lax', maxAge);

/**
 * Sends the browser to `/authorize` for the console's client, PKCE S256 and `state` kept in a sealed cookie
 * (RFC 9700 §2.1.1, RFC 7636). The hosted flow then applies unchanged: login, throttling, the second factor.
 */
export function startConsoleSignIn(c: Context, deps: Deps, returnTo: string): never {
  const state = randomToken();
  const verifier = randomToken();
  const pending: PendingSignIn = {
    state,
    verifier,
    returnTo: RETURN_TO.test(returnTo) ? returnTo : '/admin',
    expiresAt: deps.clock.now() + LOGIN_TTL_SECONDS,
  };
  setCookie(
    c,
    consoleCookieName(deps, LOGIN_COOKIE),
    loginSealer(deps).seal(JSON.stringify(pending)),
    loginCookieOptions(deps, LOGIN_TTL_SECONDS),
  );
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CONSOLE_CLIENT_ID,
    redirect_uri: consoleRedirectUri(deps.config.issuer),
    scope: `openid ${ADMIN_SCOPE}`,
    state,
    code_challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url'),
    code_challenge_method: 'S256',
  });
  throw new Redirect(`/authorize?${query}`);
}

/** The sign-in this browser started, if its cookie opens and has not expired. */
function pendingSignIn(c: Context, deps: Deps): PendingSignIn | undefined {
  const sealed = getCookie(c, consoleCookieName(deps, LOGIN_COOKIE));
  if (!sealed || sealed.length > 2000) return undefined;
  try {
    const pending = JSON.parse(loginSealer(deps).open(sealed)) as PendingSignIn;
    if (
      typeof pending.state !== 'string' ||
      typeof pending.verifier !== 'string' ||
      typeof pending.returnTo !== 'string' ||
      typeof pending.expiresAt !== 'number'
    )
      return undefined;
    return pending.expiresAt > deps.clock.now() ? pending : undefined;
  } catch {
    return undefined;
  }
}

const stateMismatch = () =>
  new OAuthError('invalid_request', 'the console sign-in was not started in this browser, or it expired', {
    page: 'state_mismatch',
  });

/**
 * `GET /admin/callback`: the code the console's sign-in ended with. `state` is checked against the cookie (RFC
 * 6749 §10.12), then the code is redeemed in process by the token endpoint's own handler with the verifier, so
 * every code rule (single use, replay, PKCE, expiry, redirect URI) is `/token`'s. The console keeps no token: it
 * starts a console session for the grant's user.
 */
export async function consoleCallback(c: Context, deps: Deps): Promise<Response> {
  const pending = pendingSignIn(c, deps);
  deleteCookie(c, consoleCookieName(deps, LOGIN_COOKIE), loginCookieOptions(deps));
  const query = Params.from(new URL(c.req.url).searchParams);
  const state = query.get('state');
  if (!pending || state === undefined || !safeEqual(state, pending.state)) throw stateMismatch();
  // RFC 9207 §2.4: a response naming another issuer is not this server's.
  const iss = query.get('iss');
  if (iss !== undefined && iss !== deps.config.issuer)
    throw new OAuthError('invalid_request', '"iss" is not this server', { page: 'state_mismatch' });
  const error = query.get('error');
  if (error !== undefined)
    throw new OAuthError('access_denied', 'the sign-in to the admin console did not complete', {
      detail: `authorization error: ${error.slice(0, 100)}`,
    });
  const code = query.require('code');
  const client = await deps.store.clients.find(CONSOLE_CLIENT_ID);
  if (!client || !clientAllowsGrant(client, authorizationCode.type))
    throw new OAuthError('invalid_client', 'the admin console has no usable client', {
      detail: `client ${CONSOLE_CLIENT_ID} is missing or lost the authorization_code grant`,
    });
  await authorizationCode.handle({
    c,
    deps,
    params: Params.from(
      new URLSearchParams({
        grant_type: authorizationCode.type,
        code,
        redirect_uri: consoleRedirectUri(deps.config.issuer),
        code_verifier: pending.verifier,
      }),
    ),
    auth: { client, method: 'none' },
  });
  // Redeemed: the record names the grant and the user the code was issued to.
  const record = await deps.store.codes.find(sha256(code));
  if (!record) throw new OAuthError('server_error', 'the redeemed code is gone');
  // The sign-in just happened in this browser: the console session is bound to its browser session.
  const browser = await currentSession(c, deps);
  if (!browser || browser.user.id !== record.userId)
    throw new OAuthError('access_denied', 'the sign-in to the admin console did not complete', {
      detail: 'no browser session of the signed-in user in this browser',
    });
  await startConsoleSession(c, deps, {
    userId: record.userId,
    grantId: record.grantId,
    browserSessionHash: browser.session.idHash,
  });
  return c.redirect(pending.returnTo, 303);
}
