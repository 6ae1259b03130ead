import { createHmac, hkdfSync } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Authenticated } from '../auth/authenticate.js';
import { randomToken, safeEqual, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { OAuthError } from '../oauth/errors.js';
import type { Session, User } from '../store/types.js';
import { readForm } from './params.js';
import { Redirect } from './render.js';

export const BROWSER_COOKIE = 'lk_browser';
export const SESSION_COOKIE = 'lk_session';
export const SESSION_TTL_SECONDS = 24 * 3600;

function cookieOptions(deps: Deps, maxAge?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax' as const,
    secure: deps.config.secureCookies,
    ...(maxAge !== undefined ? { maxAge } : {}),
  };
}

/** A random id per browser: binds interactions and CSRF tokens to it. */
export function browserId(c: Context, deps: Deps): string {
  const existing = getCookie(c, BROWSER_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const id = randomToken();
  setCookie(c, BROWSER_COOKIE, id, cookieOptions(deps, 400 * 86400));
  return id;
}

/** The browser id only when the browser already has one. */
export function existingBrowserId(c: Context): string | undefined {
  const existing = getCookie(c, BROWSER_COOKIE);
  return existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : undefined;
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

/** Checks a submitted CSRF token against the browser cookie, and the Origin header when sent. */
function csrfValid(c: Context, deps: Deps, submitted: string | undefined): boolean {
  const origin = c.req.header('origin');
  if (origin && origin !== 'null' && origin !== new URL(deps.config.issuer).origin) return false;
  const id = existingBrowserId(c);
  if (!id || !submitted) return false;
  return safeEqual(createHmac('sha256', csrfKey(deps)).update(id).digest('base64url'), submitted);
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

/** The signed-in user of this browser, if the session is still valid. */
export async function currentSession(c: Context, deps: Deps): Promise<ActiveSession | undefined> {
  const id = getCookie(c, SESSION_COOKIE);
  if (!id || id.length > 100) return undefined;
  const session = await deps.store.sessions.find(sha256(id));
  const now = deps.clock.now();
  if (!session || session.endedAt !== null || session.expiresAt <= now) return undefined;
  const user = await deps.store.users.find(session.userId);
  if (!user) return undefined;
  if (now - session.lastSeenAt > 300) await deps.store.sessions.touch(session.idHash, now);
  return { session, user };
}

/**
 * Starts a new session (a new id at every sign-in: no fixation) and ends the browser's previous one. Only
 * a complete sign-in (`Authenticated`: every required factor done) becomes a session.
 */
export async function startSession(c: Context, deps: Deps, signIn: Authenticated): Promise<Session> {
  const { user } = signIn;
  const previous = getCookie(c, SESSION_COOKIE);
  const now = deps.clock.now();
  if (previous && previous.length <= 100) await deps.store.sessions.end(sha256(previous), now);
  const id = randomToken();
  const session: Session = {
    idHash: sha256(id),
    userId: user.id,
    authTime: signIn.authTime,
    amr: signIn.amr,
    userAgent: (c.req.header('user-agent') ?? '').slice(0, 300) || null,
    ip: null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + SESSION_TTL_SECONDS,
    endedAt: null,
  };
  await deps.store.sessions.create(session);
  setCookie(c, SESSION_COOKIE, id, cookieOptions(deps));
  return session;
}

export function clearSessionCookie(c: Context, deps: Deps): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(deps));
}
