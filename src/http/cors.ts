import type { Context, MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.js';
import { presetHeader } from './net.js';

/**
 * CORS (Fetch standard §3.2) for browser apps. Never `Access-Control-Allow-Credentials`: no endpoint that
 * answers another origin may be reached with the session cookie, so a page elsewhere cannot act as the user.
 */

/** The request headers a browser app may send: a bearer token or client credentials, and a form or JSON body. */
const ALLOWED_HEADERS = 'Authorization, Content-Type';
/** How long a browser may keep a preflight's answer (seconds): short, so a removed client's origin goes soon. */
const PREFLIGHT_MAX_AGE = '600';
/** An `Origin` longer than this is no origin a client registered (host names stop at 253 characters). */
const ORIGIN_MAX = 300;

const isPreflight = (c: Context) =>
  c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined;

/**
 * Public documents (discovery, the JWKS): any origin may read them, as they hold nothing secret. A preflight
 * (a library adding a header to a GET) is answered too.
 */
export function publicCors(): MiddlewareHandler {
  return async function publicCors(c, next) {
    presetHeader(c, 'Access-Control-Allow-Origin', '*');
    if (isPreflight(c)) {
      return c.body(null, 204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
      });
    }
    return next();
  };
}

/** The origin of a registered URI, or undefined for one a browser page cannot have (custom scheme, `null`). */
function originOf(uri: string): string | undefined {
  try {
    const { protocol, origin } = new URL(uri);
    return (protocol === 'https:' || protocol === 'http:') && origin !== 'null' ? origin : undefined;
  } catch {
    return undefined;
  }
}

/** A positive answer is trusted this long (ms), so a client removed in this process loses its origin soon. */
export const ORIGINS_MAX_AGE_MS = 30_000;
/** An origin not in the set makes the set be read again, at most this often (ms). */
export const ORIGINS_MISS_REFRESH_MS = 1_000;

/**
 * The origins some client registered: its redirect URIs' origins and its web origins (like Keycloak's "Web
 * origins"). Its size is bounded by registered data, never by requests. It is read again when another
 * process writes (`store.generation()`); on SQLite a write in this process (the admin API) does not change
 * that number (on PostgreSQL it does), so the set is also read again after `ORIGINS_MAX_AGE_MS`, and when an origin is missing from it
 * (a client just added), at most once per `ORIGINS_MISS_REFRESH_MS` whatever the requests send.
 */
export function registeredOrigins(deps: Deps): (origin: string) => Promise<boolean> {
  let cached: { generation: number; atMs: number; origins: Promise<ReadonlySet<string>> } | undefined;
  const read = (generation: number) => {
    const origins = deps.store.clients.list().then((clients) => {
      const set = new Set<string>();
      for (const client of clients)
        for (const uri of [...client.redirectUris, ...client.webOrigins]) {
          const origin = originOf(uri);
          if (origin) set.add(origin);
        }
      return set as ReadonlySet<string>;
    });
    const entry = { generation, atMs: deps.clock.nowMs(), origins };
    // A failed read is not kept: the next request tries again.
    origins.catch(() => {
      if (cached === entry) cached = undefined;
    });
    cached = entry;
    return origins;
  };
  return async (origin) => {
    const generation = deps.store.generation();
    const age = cached ? deps.clock.nowMs() - cached.atMs : 0;
    if (!cached || cached.generation !== generation || age >= ORIGINS_MAX_AGE_MS)
      return (await read(generation)).has(origin);
    if ((await cached.origins).has(origin)) return true;
    return age >= ORIGINS_MISS_REFRESH_MS ? (await read(generation)).has(origin) : false;
  };
}

/**
 * Endpoints a single-page app calls (`/token`, `/userinfo`, `/revoke`, the self-service API, `DELETE /session`): only the
 * registered origins, echoed exactly with `Vary: Origin`; any other origin gets no CORS header, so its
 * browser withholds the answer. `methods(path)` names what the path answers, for the preflight.
 */
export function clientCors(
  isAllowed: (origin: string) => Promise<boolean>,
  methods: (path: string) => readonly string[],
): MiddlewareHandler {
  return async function clientCors(c, next) {
    // The answer depends on `Origin` whether or not it allows it: no cache may serve it to another origin.
    c.header('Vary', 'Origin');
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && origin.length <= ORIGIN_MAX && (await isAllowed(origin));
    if (isPreflight(c)) {
      // Not allowed: 204 without CORS headers, and the browser does not send the request.
      if (!allowed) return c.body(null, 204);
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': [...methods(c.req.path), 'OPTIONS'].join(', '),
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
      });
    }
    if (allowed) {
      c.header('Access-Control-Allow-Origin', origin);
      // A browser app reads the bearer challenge of a 401 (RFC 6750 §3).
      c.header('Access-Control-Expose-Headers', 'WWW-Authenticate');
    }
    return next();
  };
}
