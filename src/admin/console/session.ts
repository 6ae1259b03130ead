import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { isDisabled } from '../../auth/authenticate.js';
import { randomToken, sha256 } from '../../crypto/hash.js';
import type { Deps } from '../../deps.js';
import { currentSession } from '../../http/browser.js';
import type { ConsoleSession, User } from '../../store/types.js';
import { type Permission, permissionsOf } from '../permissions.js';

export const CONSOLE_COOKIE = 'lk_console';
/** A console session ends after this long without a request (issue 17). */
export const CONSOLE_IDLE_SECONDS = 15 * 60;
/** …and this long after its sign-in, however busy. */
export const CONSOLE_MAX_SECONDS = 12 * 3600;
/** A use is written at most this often; the idle end counts it, so no session ends sooner than the idle limit. */
const TOUCH_EVERY_SECONDS = 60;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Where the console's cookies are sent over plain http: its own paths only. Written for the root, as every
 * route: under an issuer's path the base-path wrapper puts the path on (`underBasePath`).
 */
const CONSOLE_PATH = '/admin';

/**
 * The console's cookie names as sent: under https with the `__Host-` prefix (as the browser cookies,
 * src/http/browser.ts), so a sibling subdomain or a plain-http page cannot plant one (a login CSRF into someone
 * else's console). Only that name is read then: a planted unprefixed cookie is ignored.
 */
export const consoleCookieName = (deps: Pick<Deps, 'config'>, name: string): string =>
  deps.config.secureCookies ? `__Host-${name}` : name;

/**
 * A console cookie's attributes: HttpOnly, Secure under https, and the console's path; a `__Host-` cookie must
 * have `Path=/` (the browser drops it otherwise), which the base path then leaves as it is (base-path.ts).
 */
export const consoleCookieOptions = (
  deps: Pick<Deps, 'config'>,
  sameSite: 'Strict' | 'Lax',
  maxAge?: number,
) => ({
  path: deps.config.secureCookies ? '/' : CONSOLE_PATH,
  httpOnly: true,
  sameSite,
  secure: deps.config.secureCookies,
  ...(maxAge !== undefined ? { maxAge } : {}),
});

/** The end of a console session used last at `lastSeenAt`: the earlier of the idle end and the absolute end. */
const endOf = (session: Pick<ConsoleSession, 'createdAt' | 'lastSeenAt'>): number =>
  Math.min(
    session.createdAt + CONSOLE_MAX_SECONDS,
    session.lastSeenAt + CONSOLE_IDLE_SECONDS + TOUCH_EVERY_SECONDS,
  );

export interface ActiveConsole {
  session: ConsoleSession;
  user: User;
  /** From the user's roles now, not at sign-in: a role taken away counts at the next request. */
  permissions: ReadonlySet<Permission>;
}

/**
 * Starts a console session for the user the console's code was issued to (a new id each time: no fixation) and
 * sets its cookie: HttpOnly, SameSite=Strict (no other site can make the browser use it), the console's path
 * (`__Host-` and `Path=/` under https).
 */
export async function startConsoleSession(
  c: Context,
  deps: Deps,
  signIn: { userId: string; grantId: string; browserSessionHash: string },
): Promise<void> {
  const now = deps.clock.now();
  const id = randomToken();
  const session = { idHash: sha256(id), ...signIn, createdAt: now, lastSeenAt: now };
  await deps.store.consoleSessions.create({ ...session, expiresAt: endOf(session) });
  setCookie(c, consoleCookieName(deps, CONSOLE_COOKIE), id, consoleCookieOptions(deps, 'Strict'));
}

/**
 * The console session of this request, if it still holds: not past its idle or absolute end, its user still
 * there and not disabled, the browser session it was signed in from still this browser's and live (not logged
 * out, not expired, the same user), the grant it came from (while stored) not revoked. One that no longer holds
 * is deleted.
 */
export async function currentConsole(c: Context, deps: Deps): Promise<ActiveConsole | undefined> {
  const id = getCookie(c, consoleCookieName(deps, CONSOLE_COOKIE));
  if (!id || !SESSION_ID.test(id)) return undefined;
  const idHash = sha256(id);
  const session = await deps.store.consoleSessions.find(idHash);
  if (!session) return undefined;
  const now = deps.clock.now();
  const end = async () => {
    await deps.store.consoleSessions.delete(idHash);
    return undefined;
  };
  if (endOf(session) <= now) return end();
  const user = await deps.store.users.find(session.userId);
  if (!user || isDisabled(user)) return end();
  // Bound to the browser session it was signed in from: a logout, its expiry or another sign-in in this browser
  // ends the console too, whether or not the sweep has deleted the console's short-lived grant yet.
  const browser = await currentSession(c, deps);
  if (
    !browser ||
    browser.session.idHash !== session.browserSessionHash ||
    browser.session.userId !== session.userId
  )
    return end();
  // A replay of the console's code revokes the grant: the console ends too.
  const grant = await deps.store.grants.find(session.grantId);
  if (grant && grant.revokedAt !== null) return end();
  c.set('userId', user.id);
  if (now - session.lastSeenAt >= TOUCH_EVERY_SECONDS)
    await deps.store.consoleSessions.touch(idHash, now, endOf({ ...session, lastSeenAt: now }));
  return { session, user, permissions: permissionsOf(user.roles) };
}

/** `POST /admin/logout`: the row and the cookie go. */
export async function endConsoleSession(c: Context, deps: Deps): Promise<void> {
  const name = consoleCookieName(deps, CONSOLE_COOKIE);
  const id = getCookie(c, name);
  if (id && SESSION_ID.test(id)) await deps.store.consoleSessions.delete(sha256(id));
  deleteCookie(c, name, consoleCookieOptions(deps, 'Strict'));
}
