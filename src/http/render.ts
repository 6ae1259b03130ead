import type { Context, MiddlewareHandler } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorPage, renderPage } from '../../views/index.js';
import { OAuthError } from '../oauth/errors.js';

/** How an error reaches the user: set by a route; JSON unless it says otherwise. */
export type ErrorMode =
  | { kind: 'json' }
  | { kind: 'page' }
  | { kind: 'redirect'; respond: (err: OAuthError) => Response | Promise<Response> };

declare module 'hono' {
  interface ContextVariableMap {
    errorMode: ErrorMode;
  }
}

/** Errors on these routes are the hosted error page (until a handler verifies a redirect URI). */
export function pageErrors(): MiddlewareHandler {
  return async function pageErrors(c, next) {
    c.set('errorMode', { kind: 'page' });
    await next();
  };
}

/** Errors from here on go to `respond` (a verified redirect URI, RFC 6749 §4.1.2.1). */
export function redirectErrors(c: Context, respond: (err: OAuthError) => Response | Promise<Response>): void {
  c.set('errorMode', { kind: 'redirect', respond });
}

/** Thrown by a guard to send the browser elsewhere (see `requireSession`); `app.onError` answers 303. */
export class Redirect extends Error {
  override name = 'Redirect';
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
  }
}

export function htmlPage(c: Context, node: JSX.Element, status = 200): Response {
  c.header('Cache-Control', 'no-store');
  return c.html(renderPage(node), status as 200);
}

/** The hosted error page: its stable code is the error's page code, else the OAuth error; `detail` never shows. */
export function errorPage(c: Context, err: OAuthError): Response {
  const status = err.status >= 500 || [403, 404, 405, 429].includes(err.status) ? err.status : 400;
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  return htmlPage(c, ErrorPage({ code: err.page ?? err.error, description: err.description }), status);
}

/** RFC 6749 §5.2: the JSON error, with the headers the middleware set (security headers, `no-store`). */
export function errorJson(c: Context, err: OAuthError): Response {
  return c.body(JSON.stringify(err.toJSON()), err.status as ContentfulStatusCode, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...err.headers,
  });
}

/** The three renderers, chosen in one place. */
export function renderError(c: Context, err: OAuthError): Response | Promise<Response> {
  const mode = c.get('errorMode') ?? { kind: 'json' };
  if (mode.kind === 'redirect') return mode.respond(err);
  if (mode.kind === 'page') return errorPage(c, err);
  return errorJson(c, err);
}

export { OAuthError };
