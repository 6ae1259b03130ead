import type { MiddlewareHandler } from 'hono';

export const CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "script-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers every response carries: no framing (clickjacking), no sniffing, no referrer leaks. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * Sets the headers before the handler runs, so that they are part of the response it builds: changing
 * `c.res.headers` afterwards would turn @hono/node-server's light response into a full Web Response and
 * cost more than the rest of a token request. A handler returning its own `Response` includes them itself.
 */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
    await next();
  };
}

/** RFC 6749 §5.1: token responses must not be cached. */
export function noStore(): MiddlewareHandler {
  return async function noStore(c, next) {
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    await next();
  };
}
