import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { ErrorPage, renderPage } from '../../views/index.js';
import { OAuthError } from '../oauth/errors.js';
import { SECURITY_HEADERS } from './security.js';

/** How an error reaches the user: set by a route; JSON unless it says otherwise. */
export type ErrorMode =
  | { kind: 'json' }
  | { kind: 'page' }
  | { kind: 'redirect'; respond: (err: OAuthError) => Response };

declare module 'hono' {
  interface ContextVariableMap {
    errorMode: ErrorMode;
  }
}

export function htmlPage(c: Context, node: JSX.Element, status = 200): Response {
  c.header('Cache-Control', 'no-store');
  return c.html(renderPage(node), status as 200);
}

/** The hosted error page: the stable code is the OAuth error, or the `detail` when it names a page code. */
export function errorPage(c: Context, err: OAuthError): Response {
  const status = err.status >= 500 || [403, 404, 429].includes(err.status) ? err.status : 400;
  const code = err.detail === 'interaction_expired' || err.detail === 'csrf' ? err.detail : err.error;
  return htmlPage(c, ErrorPage({ code, description: err.description }), status);
}

export function errorJson(err: OAuthError): Response {
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...err.headers,
  };
  return new Response(JSON.stringify(err.toJSON()), { status: err.status, headers });
}

/** The three renderers, chosen in one place. */
export function renderError(c: Context, err: OAuthError): Response {
  const mode = c.get('errorMode') ?? { kind: 'json' };
  if (mode.kind === 'redirect') return mode.respond(err);
  if (mode.kind === 'page') return errorPage(c, err);
  return errorJson(err);
}

export { OAuthError };
