import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Log, RequestLine } from '../log.js';
import { type Metrics, UNMATCHED_ROUTE } from '../metrics.js';
import { headerOf, presetHeader } from './net.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** This request's id: a sane incoming `X-Request-Id`, or one made here; echoed in the response. */
    requestId: string;
    /** The client the request acted for, once known (client authentication, a bearer token): logged. */
    clientId: string;
    /** The user the request acted for, once known (a session, a bearer token, a grant): logged. */
    userId: string;
  }
}

/** An incoming request id is kept when it is short and plain (no spaces, quotes or control characters). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/** Methods beyond these share one label, so the metrics' label set stays bounded. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The pattern the request was routed by (`/admin/v1/users/:id`), never the path asked for (nor its query):
 * the handler's, else the most specific middleware's (a 405), else `unmatched`. Bounded by the routes mounted.
 */
export function routeOf(c: Context): string {
  const routes = matchedRoutes(c);
  let fallback: string | undefined;
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (route.method !== 'ALL') return route.path;
    if (fallback === undefined && route.path !== '*' && route.path !== '/*') fallback = route.path;
  }
  return fallback ?? UNMATCHED_ROUTE;
}

/**
 * One JSON line per request, and its count and latency in the metrics when they are on. The line holds only
 * fixed fields: method, route pattern, status, duration, request id, and the client and user once known. No
 * path, query string, header or body is ever logged (they carry codes, tokens and cookies).
 *
 * `steps`: what every request needs set before its handler (headers, context variables), run here rather
 * than as middlewares of their own: each middleware layer costs an awaited promise on every request.
 * A step must not throw (the request would go unlogged).
 */
export function requestLog(
  log: Log,
  metrics: Metrics | undefined,
  steps: ReadonlyArray<(c: Context) => void> = [],
): MiddlewareHandler {
  const logged = log.enabled?.('info') ?? true;
  return async function requestLog(c, next) {
    const started = performance.now();
    const incoming = headerOf(c, 'x-request-id');
    const id = incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    // Before the handler, so the header is part of the response it builds (see securityHeaders()).
    presetHeader(c, 'X-Request-Id', id);
    for (const step of steps) step(c);
    await next();
    if (!logged && !metrics) return;
    const ms = performance.now() - started;
    const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER';
    const route = routeOf(c);
    const status = c.res.status;
    metrics?.request(method, route, status, ms / 1000);
    if (!logged) return;
    const line: RequestLine = {
      request_id: id,
      method,
      route,
      status,
      duration_ms: Math.round(ms * 100) / 100,
    };
    const clientId = c.get('clientId');
    const userId = c.get('userId');
    if (clientId !== undefined) line.client_id = clientId;
    if (userId !== undefined) line.user_id = userId;
    if (log.request) log.request(line);
    else log.info('request', { ...line });
  };
}
