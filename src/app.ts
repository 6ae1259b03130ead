import type { Context } from 'hono';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ErrorPage, renderPage, stylesheet } from '../views/index.js';
import type { Deps } from './deps.js';
import { MAX_BODY_BYTES } from './http/params.js';
import { noStore, securityHeaders } from './http/security.js';
import { type Capabilities, discoveryRoutes } from './oauth/discovery.js';
import { OAuthError } from './oauth/errors.js';
import { introspectRoutes } from './oauth/introspect.js';
import { revokeRoutes } from './oauth/revoke.js';
import { tokenRoutes } from './oauth/token/index.js';

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

export function htmlPage(c: Context, node: Parameters<typeof renderPage>[0], status = 200): Response {
  return c.html(renderPage(node), status as 200);
}

function errorPage(c: Context, err: OAuthError): Response {
  const status = err.status >= 500 ? err.status : 400;
  return htmlPage(c, ErrorPage({ code: err.error, description: err.description }), status);
}

function errorJson(err: OAuthError): Response {
  const headers: Record<string, string> = {
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

export function createApp(deps: Deps): Hono {
  const app = new Hono();
  const caps: Capabilities = {
    authorization: false,
    userinfo: false,
    endSession: false,
    deviceAuthorization: false,
    implicit: false,
  };

  app.use('*', securityHeaders());
  app.use('*', async function bodyLimit(c, next) {
    const length = Number(c.req.header('content-length') ?? '0');
    if (length > MAX_BODY_BYTES)
      throw new OAuthError('invalid_request', `the body must be at most ${MAX_BODY_BYTES} bytes`, {
        status: 413,
      });
    await next();
  });
  app.use('/token', noStore());
  app.use('/introspect', noStore());
  app.use('/revoke', noStore());

  const stylesheetBody = stylesheet;
  app.get('/assets/latchkey.css', (c) =>
    c.body(stylesheetBody, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );

  app.route('/', discoveryRoutes(deps, caps));
  app.route('/', tokenRoutes(deps));
  app.route('/', introspectRoutes(deps));
  app.route('/', revokeRoutes(deps));

  app.notFound((c) => {
    const err = new OAuthError(
      'invalid_request',
      `no such endpoint: ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 200)}`,
      { status: 404 },
    );
    const wantsHtml = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');
    return wantsHtml ? htmlPage(c, ErrorPage({ code: 'not_found' }), 404) : errorJson(err);
  });

  app.onError((err, c) => {
    if (err instanceof OAuthError) {
      if (err.detail)
        deps.log.info('oauth error', { error: err.error, detail: err.detail, path: c.req.path });
      return renderError(c, err);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return renderError(
        c,
        new OAuthError('invalid_request', err.message || 'bad request', { status: err.status }),
      );
    }
    deps.log.error('unexpected error', { path: c.req.path, error: String(err), stack: (err as Error).stack });
    return renderError(c, new OAuthError('server_error', 'the server failed to answer this request'));
  });

  return app;
}
