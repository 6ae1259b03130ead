import { Hono } from 'hono';
import { OAuthError } from '../oauth/errors.js';
import { errorJson } from './render.js';
import { isHttps, securityHeadersFor } from './security.js';

/** The issuer's path (`/auth` for `https://host/auth`), empty for an issuer at the root. */
export function basePathOf(issuer: string): string {
  return new URL(issuer).pathname.replace(/\/+$/, '');
}

/** RFC 8414 §3.1: the metadata of an issuer with a path, at the root with the path appended. */
const RFC8414_ROOT = '/.well-known/oauth-authorization-server';

/** A root-relative URL in an HTML attribute the pages write (`href="/…"`, not `href="//host"`). */
const ROOT_RELATIVE_ATTRIBUTE = /\b(href|action|src|formaction)="\/(?!\/)/g;

/**
 * Serves `app`, whose routes and pages are written for the root, under the issuer's path (a reverse proxy
 * forwarding `https://host/auth/…` as is): the request reaches `app` with the path taken off, and its
 * answer gets the path put back on root-relative redirects (`Location`), the pages' links, form actions and
 * assets, and the cookies' `Path`. A `__Host-` cookie (https) keeps `Path=/`, which that prefix requires:
 * the browser would drop it otherwise, and it is what keeps a sibling subdomain from planting one.
 * Anything outside the path is a 404, but the RFC 8414 metadata at `/.well-known/oauth-authorization-server/<path>`.
 */
export function underBasePath(app: Hono, config: { issuer: string }, base: string): Hono {
  const outer = new Hono();
  // Only on this 404: the app's answers carry their own (a page's CSP names the forms' targets).
  const security = Object.entries(securityHeadersFor(isHttps(config)));
  outer.all('*', async (c) => {
    const url = new URL(c.req.url);
    let inner: string;
    if (url.pathname === base || url.pathname.startsWith(`${base}/`)) {
      inner = url.pathname.slice(base.length) || '/';
    } else if (
      url.pathname === `${RFC8414_ROOT}${base}` &&
      ['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)
    ) {
      inner = RFC8414_ROOT;
    } else {
      const err = new OAuthError('invalid_request', `no such endpoint (the issuer is under ${base})`, {
        status: 404,
      });
      for (const [k, v] of security) c.header(k, v);
      return errorJson(c, err);
    }
    url.pathname = inner;
    const res = await app.fetch(new Request(url, c.req.raw), c.env);
    return withBasePath(res, base);
  });
  return outer;
}

/** Whether `base` + `location` still resolves under `base` (no dot segment climbs out of it). */
function underBase(base: string, location: string): boolean {
  const path = new URL(`${base}${location}`, 'http://x').pathname;
  return path === base || path.startsWith(`${base}/`);
}

/** Puts `base` back on the root-relative URLs of an answer written for the root. */
async function withBasePath(res: Response, base: string): Promise<Response> {
  const location = res.headers.get('location');
  const cookies = res.headers.getSetCookie();
  const html = (res.headers.get('content-type') ?? '').startsWith('text/html');
  const relocate = location?.startsWith('/') && !location.startsWith('//');
  if (!relocate && cookies.length === 0 && !html) return res;
  const headers = new Headers(res.headers);
  // A second guard behind safeReturnTo: a Location that would resolve outside the base goes to its root.
  if (relocate && location)
    headers.set('location', underBase(base, location) ? `${base}${location}` : `${base}/`);
  if (cookies.length) {
    headers.delete('set-cookie');
    for (const cookie of cookies)
      headers.append(
        'set-cookie',
        cookie.startsWith('__Host-')
          ? cookie
          : cookie.replace(
              /;\s*Path=(\/[^;]*)/i,
              (_, path: string) => `; Path=${base}${path === '/' ? '' : path}`,
            ),
      );
  }
  let body: ReadableStream<Uint8Array> | string | null = res.body;
  if (html && res.body) {
    body = (await res.text()).replace(ROOT_RELATIVE_ATTRIBUTE, `$1="${base}/`);
    headers.delete('content-length');
  }
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
}
