import { createHmac, hkdfSync } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Authenticated } from '../auth/authenticate.js';
import { isDisabled } from '../auth/authenticate.js';
import type { Config } from '../config.js';
import { randomToken, safeEqual, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { queueBackchannelLogout } from '../oauth/backchannel.js';
import { OAuthError } from '../oauth/errors.js';
import type { Session, User } from '../store/types.js';
import { userAgentOf } from './net.js';
import { readForm } from './params.js';
import { Redirect } from './render.js';

export const BROWSER_COOKIE = 'lk_browser';
export const SESSION_COOKIE = 'lk_session';
export const DEVICE_COOKIE = 'lk_device';
/** Without "Keep me signed in" a session lasts a day at most (and never past `LATCHKEY_SESSION_MAX`). */
export const UNREMEMBERED_SESSION_SECONDS = 24 * 3600;

/**
 * How often a use of a session is written (`lastSeenAt`): every 5 minutes, or a tenth of the idle limit when
 * that is shorter, so browsing costs few writes and a short limit is still kept closely.
 */
export const touchEvery = (idleSeconds: number): number => Math.min(300, Math.ceil(idleSeconds / 10));

type Lifetimes = Pick<Config, 'sessionIdleSeconds' | 'sessionMaxSeconds'>;

/** The absolute end, counted from the sign-in: `LATCHKEY_SESSION_MAX` when remembered, else 24 h at most. */
export function absoluteEnd(config: Lifetimes, session: Pick<Session, 'createdAt' | 'remember'>): number {
  const lifetime = session.remember
    ? config.sessionMaxSeconds
    : Math.min(UNREMEMBERED_SESSION_SECONDS, config.sessionMaxSeconds);
  return session.createdAt + lifetime;
}

/**
 * When the session ends if it is not used again: the earlier of its absolute end and the idle end. Uses between
 * two writes of `lastSeenAt` go unrecorded, so the idle end counts `touchEvery` past the last write: a session
 * never ends sooner than `LATCHKEY_SESSION_IDLE` after its last use, and at most `touchEvery` later. Both come
 * from the configuration now, so a shortened setting applies to the sessions already running.
 */
export function sessionEnd(
  config: Lifetimes,
  session: Pick<Session, 'createdAt' | 'remember' | 'lastSeenAt'>,
): number {
  const idle = config.sessionIdleSeconds;
  return Math.min(absoluteEnd(config, session), session.lastSeenAt + idle + touchEvery(idle));
}

/**
 * Under https the cookies carry the `__Host-` prefix: the browser keeps them only when `Secure`, `Path=/`
 * and without `Domain`, so a sibling subdomain or a plain-http page cannot plant or overwrite them.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-4.1.3.2
 */
export function cookieName(
  deps: Pick<Deps, 'config'>,
  name: typeof BROWSER_COOKIE | typeof SESSION_COOKIE | typeof DEVICE_COOKIE,
): string {
  return deps.config.secureCookies ? `__Host-${name}` : name;
}

export function cookieOptions(deps: Pick<Deps, 'config'>, maxAge?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax' as const,
    secure: deps.config.secureCookies,
    ...(maxAge !== undefined ? { maxAge } : {}),
  };
}

declare module 'hono' {
  interface ContextVariableMap {
    /** A browser id issued during this request (a new browser, or the rotation at sign-in). */
    browserId: string;
  }
}

const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/;

function setBrowserId(c: Context, deps: Deps, id: string): string {
  setCookie(c, cookieName(deps, BROWSER_COOKIE), id, cookieOptions(deps, 400 * 86400));
  c.set('browserId', id);
  return id;
}

const newBrowserId = (c: Context, deps: Deps) => setBrowserId(c, deps, randomToken());

/** A random id per browser: binds interactions and CSRF tokens to it. */
export function browserId(c: Context, deps: Deps): string {
  return existingBrowserId(c, deps) ?? newBrowserId(c, deps);
}

/** The browser id only when the browser already has one. */
export function existingBrowserId(c: Context, deps: Deps): string | undefined {
  const issued = c.get('browserId');
  if (issued) return issued;
  const existing = getCookie(c, cookieName(deps, BROWSER_COOKIE));
  return existing && BROWSER_ID.test(existing) ? existing : undefined;
}

let csrfKeyCache: { secret: string; key: Buffer } | undefined;
function csrfKey(deps: Deps): Buffer {
  if (csrfKeyCache?.secret !== deps.config.secret) {
    csrfKeyCache = {
      secret: deps.config.secret,
      key: Buffer.from(hkdfSync('sha256', deps.config.secret, '', 'latchkey-csrf-v1', 32)),
    };
  }
  return csrfKeyCache.key;
}

/** A CSRF token bound to the browser: HMAC of its id, so it needs no storage. */
export function csrfToken(c: Context, deps: Deps): string {
  return createHmac('sha256', csrfKey(deps)).update(browserId(c, deps)).digest('base64url');
}

/**
 * Checks a submitted CSRF token against the browser cookie, and what the browser says about where the form
 * came from: an `Origin` other than the issuer's (`null` included: a sandboxed frame, a `data:` page) and a
 * `Sec-Fetch-Site` other than `same-origin` or `none` (`none`: a typed or bookmarked URL) are refused, whatever
 * the token. A sibling subdomain (`same-site`) is refused too: it can often set cookies for the issuer's host.
 * Clients that send neither header (not a browser) rely on the token alone.
 * @see https://www.rfc-editor.org/rfc/rfc6454#section-7.3
 * @see https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header
 */
function csrfValid(c: Context, deps: Deps, submitted: string | undefined): boolean {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== new URL(deps.config.issuer).origin) return false;
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  // The token was rendered for the id the browser sent, not one rotated during this request.
  const sent = getCookie(c, cookieName(deps, BROWSER_COOKIE));
  if (!sent || !BROWSER_ID.test(sent) || !submitted) return false;
  return safeEqual(createHmac('sha256', csrfKey(deps)).update(sent).digest('base64url'), submitted);
}

/** The one CSRF failure: 403 and the hosted `csrf` page. */
export function verifyCsrf(c: Context, deps: Deps, submitted: string | undefined): void {
  if (!csrfValid(c, deps, submitted))
    throw new OAuthError('invalid_request', 'the form has expired; go back and try again', {
      status: 403,
      page: 'csrf',
    });
}

/** Every form POST on these routes carries the browser's CSRF token (SPEC §5). */
export function csrf(deps: Deps): MiddlewareHandler {
  return async function csrf(c, next) {
    if (c.req.method === 'POST') verifyCsrf(c, deps, (await readForm(c)).get('csrf'));
    await next();
  };
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by `requireSession()`. */
    session: ActiveSession;
  }
}

/** Signed-in routes: an anonymous visit goes to `/login` and back (SPEC §5). */
export function requireSession(deps: Deps, returnTo: string): MiddlewareHandler {
  return async function requireSession(c, next) {
    const active = await currentSession(c, deps);
    if (!active) throw new Redirect(`/login?return_to=${encodeURIComponent(returnTo)}`);
    c.set('session', active);
    await next();
  };
}

export interface ActiveSession {
  session: Session;
  user: User;
}

/**
 * The signed-in user of this browser, if the session is still valid: not ended, not past its stored end nor its
 * end under today's configuration (`sessionEnd`). A use moves the idle end on (written at most every
 * `touchEvery` seconds); `authTime` stays the sign-in's, whatever the activity.
 */
export async function currentSession(c: Context, deps: Deps): Promise<ActiveSession | undefined> {
  const id = getCookie(c, cookieName(deps, SESSION_COOKIE));
  if (!id || id.length > 100) return undefined;
  const session = await deps.store.sessions.find(sha256(id));
  const now = deps.clock.now();
  if (!session || session.endedAt !== null) return undefined;
  if (Math.min(session.expiresAt, sessionEnd(deps.config, session)) <= now) return undefined;
  const user = await deps.store.users.find(session.userId);
  // Disabling ends the user's sessions; this also covers one started while the disabling ran.
  if (!user || isDisabled(user)) return undefined;
  c.set('userId', user.id);
  if (now - session.lastSeenAt > touchEvery(deps.config.sessionIdleSeconds))
    await deps.store.sessions.touch(
      session.idHash,
      now,
      sessionEnd(deps.config, { ...session, lastSeenAt: now }),
    );
  return { session, user };
}

/**
 * Starts a new session (a new id at every sign-in: no fixation) and ends the browser's previous one. Only
 * a complete sign-in (`Authenticated`: every required factor done) becomes a session.
 *
 * The browser id is rotated too, so that an id planted or learnt before the sign-in (and every CSRF token
 * made from it) is worthless after it. Interactions are bound to the browser id: the one this sign-in
 * belongs to (`context.interaction`) moves to the new id and stays usable; others started in this browser before
 * the sign-in (another tab) must be started again, like their forms.
 *
 * `remember` ("Keep me signed in"): the session may last `LATCHKEY_SESSION_MAX` and its cookie carries that
 * Max-Age; without it the cookie is a browser-session one (closing the browser ends it) and the session lasts
 * 24 h at most. Either way it ends after `LATCHKEY_SESSION_IDLE` without use. A sign-in that carries on the
 * browser's session (the same user again: a step-up, `prompt=login`) keeps its `sid` and grants but takes this
 * sign-in's choice, its lifetimes counted from now.
 */
export async function startSession(
  c: Context,
  deps: Deps,
  signIn: Authenticated,
  context: {
    /** The interaction the sign-in belongs to, with its progress: saved and moved to the new browser id. */
    interaction?: { id: string; state: object } | undefined;
    clientId: string | null;
    ip: string;
    /** "Keep me signed in" was ticked. */
    remember?: boolean;
  },
): Promise<Session> {
  const { user } = signIn;
  const previous = getCookie(c, cookieName(deps, SESSION_COOKIE));
  const now = deps.clock.now();
  const id = randomToken();
  const remember = context.remember ?? false;
  // A carried-on session too: its lifetimes count from this sign-in, with this sign-in's choice.
  const expiresAt = sessionEnd(deps.config, { createdAt: now, lastSeenAt: now, remember });
  const session: Session = {
    idHash: sha256(id),
    userId: user.id,
    authTime: signIn.authTime,
    amr: signIn.amr,
    userAgent: (c.req.header('user-agent') ?? '').slice(0, 300) || null,
    ip: null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    endedAt: null,
    remember,
  };
  const before = existingBrowserId(c, deps);
  const after = randomToken();
  // One unit of work; the cookies change only once it is written (a busy database leaves the browser as it was).
  const endedOther = await deps.store.sessions.start(
    session,
    previous && previous.length <= 100 ? sha256(previous) : null,
    before && context.interaction
      ? {
          id: context.interaction.id,
          data: context.interaction.state as Record<string, unknown>,
          fromBrowserHash: sha256(before),
          toBrowserHash: sha256(after),
        }
      : null,
    {
      at: now,
      type: 'login',
      userId: user.id,
      clientId: context.clientId,
      ip: context.ip,
      userAgent: userAgentOf(c),
      detail: { amr: signIn.amr },
    },
  );
  setCookie(
    c,
    cookieName(deps, SESSION_COOKIE),
    id,
    cookieOptions(deps, remember ? absoluteEnd(deps.config, session) - now : undefined),
  );
  setBrowserId(c, deps, after);
  // Another user signed in over a live session: that session ended here, and its clients hear of it.
  if (endedOther) await queueBackchannelLogout(deps, [endedOther]);
  return session;
}

export function clearSessionCookie(c: Context, deps: Deps): void {
  deleteCookie(c, cookieName(deps, SESSION_COOKIE), cookieOptions(deps));
}
