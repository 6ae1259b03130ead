import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import {
  copySecretScript,
  ErrorPage,
  formPostScript,
  showPasswordScript,
  stylesheet,
} from '../views/index.js';
import { ACCOUNT_API_PREFIX, accountApiRoutes, SESSION_PATH } from './account/api.js';
import { CONSOLE_PATHS, CONSOLE_SECTIONS, consoleRoutes } from './admin/console/index.js';
import { ADMIN_API_BASE, adminApiRoutes } from './admin/http/index.js';
import type { Deps } from './deps.js';
import { federationRoutes } from './federation/routes.js';
import { basePathOf, underBasePath } from './http/base-path.js';
import { brandingRoutes, brandingStep } from './http/branding.js';
import { csrf, requireSession } from './http/browser.js';
import { clientCors, publicCors, registeredOrigins } from './http/cors.js';
import { frontDoorRoutes } from './http/front-door.js';
import { headerOf, trustedProxies } from './http/net.js';
import { MAX_BODY_BYTES } from './http/params.js';
import { errorJson, errorPage, htmlPage, pageErrors, Redirect, renderError } from './http/render.js';
import { requestLog } from './http/request-log.js';
import { noStore, securityHeadersStep } from './http/security.js';
import { languageRoutes } from './i18n/routes.js';
import { accountRoutes } from './interaction/account.js';
import { consentRoutes } from './interaction/consent.js';
import { deviceEnding, deviceRoutes } from './interaction/device.js';
import { InteractionFlow } from './interaction/flow.js';
import { loginRoutes } from './interaction/login.js';
import { mfaRoutes } from './interaction/mfa.js';
import { FORGOT_PATH, RESET_PATH, resetRoutes } from './interaction/reset.js';
import { resumeRoutes, signInEnding } from './interaction/resume.js';
import { setPasswordRoutes } from './interaction/set-password.js';
import { signupRoutes } from './interaction/signup.js';
import { verifyEmailRoutes } from './interaction/verify-email.js';
import { authorizationEnding } from './oauth/authorize/ending.js';
import { authorizeRoutes } from './oauth/authorize/index.js';
import { deviceAuthorizationRoutes } from './oauth/device.js';
import { type Capabilities, discoveryRoutes } from './oauth/discovery.js';
import { OAuthError } from './oauth/errors.js';
import { introspectRoutes } from './oauth/introspect.js';
import { logoutRoutes } from './oauth/logout.js';
import { revokeRoutes } from './oauth/revoke.js';
import { authorizationCode } from './oauth/token/authorization-code.js';
import { clientCredentials } from './oauth/token/client-credentials.js';
import { deviceCode } from './oauth/token/device-code.js';
import type { GrantHandler } from './oauth/token/grant.js';
import { DEVICE_CODE_GRANT, tokenRoutes } from './oauth/token/index.js';
import { mfaOtp } from './oauth/token/mfa-otp.js';
import { password } from './oauth/token/password.js';
import { refreshToken } from './oauth/token/refresh-token.js';
import { userinfoRoutes } from './oauth/userinfo.js';
import { isBusy, isRefusedValue, isUnwritable, loggedError } from './store/index.js';

/** The grants `/token` serves unless `createApp` is told otherwise. */
export const DEFAULT_GRANTS: readonly GrantHandler[] = [
  clientCredentials,
  authorizationCode,
  refreshToken,
  password,
  mfaOtp,
  deviceCode,
];

export interface AppOptions {
  grants?: readonly GrantHandler[];
}

/** Builds the HTTP app from its parts; runs nothing (start-up is `src/start.ts`). */
export function createApp(deps: Deps, options: AppOptions = {}): Hono {
  const app = new Hono();
  const grants = options.grants ?? DEFAULT_GRANTS;
  const grantTypes = grants.map((g) => g.type);
  const authorization = authorizationEnding(deps);
  const flow = new InteractionFlow(deps, {
    authorize: {
      complete: (c, { state }, active) => authorization.complete(c, state.request, active),
      fail: (c, { state }, err) => authorization.fail(c, state.request, err),
    },
    signin: signInEnding,
    device: deviceEnding(deps),
  });
  const caps: Capabilities = {
    grantTypes,
    authorization: true,
    userinfo: true,
    endSession: true,
    deviceAuthorization: grantTypes.includes(DEVICE_CODE_GRANT),
    implicit: true,
  };

  const pageDefaults = {
    locale: deps.config.locale,
    secureCookies: deps.config.secureCookies,
    passwordPolicy: deps.config.passwordPolicy,
  };
  app.use(
    '*',
    requestLog(deps.log, deps.metrics, [
      securityHeadersStep(deps.config),
      brandingStep(deps.config.brand),
      (c) => c.set('pageDefaults', pageDefaults),
    ]),
  );
  // Only when configured: otherwise no header is read and the peer address is the client.
  if (deps.config.trustedProxies.length) app.use('*', trustedProxies(deps.config.trustedProxies));
  // CORS: public documents for any origin; what a browser app calls, for registered origins only.
  for (const path of ['/.well-known/*', '/jwks']) app.use(path, publicCors());
  let allowed: (path: string) => string[] = () => [];
  const cors = clientCors(registeredOrigins(deps), (path) => allowed(path));
  for (const path of [
    '/token',
    '/userinfo',
    '/revoke',
    ACCOUNT_API_PREFIX,
    `${ACCOUNT_API_PREFIX}/*`,
    SESSION_PATH,
  ])
    app.use(path, cors);
  app.use('*', async function bodyLimit(c, next) {
    const length = Number(headerOf(c, 'content-length') ?? '0');
    if (length > MAX_BODY_BYTES)
      throw new OAuthError('invalid_request', `the body must be at most ${MAX_BODY_BYTES} bytes`);
    await next();
  });
  for (const path of ['/token', '/introspect', '/revoke', '/device_authorization']) app.use(path, noStore());
  for (const path of [
    '/authorize',
    '/authorize/resume',
    '/login',
    '/login/mfa',
    '/consent',
    '/logout',
    '/account',
    '/password/set',
    '/federation/*',
    '/device',
    '/language',
    FORGOT_PATH,
    RESET_PATH,
    '/signup',
    '/verify-email',
    ...Object.values(CONSOLE_PATHS),
    ...CONSOLE_SECTIONS.flatMap((s) => [s.href, `${s.href}/*`]),
  ])
    app.use(path, pageErrors());
  for (const path of [
    '/login',
    '/login/mfa',
    '/consent',
    '/password/set',
    '/device',
    FORGOT_PATH,
    RESET_PATH,
    '/signup',
    '/verify-email',
    CONSOLE_PATHS.logout,
    // Every console form (each section's pages post under its own prefix).
    ...CONSOLE_SECTIONS.flatMap((s) => [s.href, `${s.href}/*`]),
  ])
    app.use(path, csrf(deps));
  app.use('/account', requireSession(deps, '/account'));
  app.use(
    '/account/*',
    pagesOnly(pageErrors()),
    pagesOnly(requireSession(deps, '/account')),
    pagesOnly(csrf(deps)),
  );

  const stylesheetBody = stylesheet;
  app.get('/assets/latchkey.css', (c) =>
    c.body(stylesheetBody, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );

  app.get('/assets/form-post.js', (c) =>
    c.body(formPostScript, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );

  app.get('/assets/show-password.js', (c) =>
    c.body(showPasswordScript, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );

  app.get('/assets/copy-secret.js', (c) =>
    c.body(copySecretScript, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );

  // Issue 16: on the main port only when asked for (`LATCHKEY_METRICS=on`); src/server.ts serves the other case.
  const metrics = deps.config.metrics.mode === 'main' ? deps.metrics : undefined;
  if (metrics)
    app.get('/metrics', async (c) => {
      const { body, contentType } = await metrics.text();
      return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
    });

  app.route('/', brandingRoutes(deps.config.brand));
  app.route('/', frontDoorRoutes(deps));
  app.route('/', discoveryRoutes(deps, caps));
  app.route('/', tokenRoutes(deps, grants));
  // RFC 8628: the endpoint only exists along with the grant that redeems what it hands out.
  if (caps.deviceAuthorization) app.route('/', deviceAuthorizationRoutes(deps));
  app.route('/', introspectRoutes(deps));
  app.route('/', revokeRoutes(deps));
  app.route('/', userinfoRoutes(deps));
  app.route(
    '/',
    authorizeRoutes(deps, async (c, request) =>
      flow.resume(c, await flow.create(c, { kind: 'authorize', request })),
    ),
  );
  app.route('/', resumeRoutes(flow));
  app.route('/', loginRoutes(deps, flow));
  app.route('/', mfaRoutes(deps, flow));
  app.route('/', consentRoutes(deps, flow));
  app.route('/', deviceRoutes(deps, flow));
  app.route('/', logoutRoutes(deps));
  app.route('/', accountApiRoutes(deps));
  app.route('/', accountRoutes(deps, flow));
  app.route('/', setPasswordRoutes(deps));
  app.route('/', resetRoutes(deps));
  app.route('/', signupRoutes(deps));
  app.route('/', verifyEmailRoutes(deps));
  app.route('/', federationRoutes(deps, flow));
  app.route('/', languageRoutes(deps, flow));
  app.route(ADMIN_API_BASE, adminApiRoutes(deps));
  app.route('/', consoleRoutes(deps));

  allowed = allowedMethods(app);
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const methods = allowed(path);
    if (methods.length > 0) {
      // RFC 9110 §15.5.6: the path exists, the method does not; `Allow` names those that do. The route's
      // middleware has run, so a page path answers the hosted error page and an endpoint the JSON error.
      const err = new OAuthError('invalid_request', `${c.req.method.slice(0, 20)} is not allowed here`, {
        status: 405,
        headers: { Allow: methods.join(', ') },
      });
      return renderError(c, err);
    }
    const err = new OAuthError('invalid_request', `no such endpoint: ${c.req.method} ${path.slice(0, 200)}`, {
      status: 404,
    });
    const wantsHtml = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');
    return wantsHtml ? htmlPage(c, ErrorPage, { code: 'not_found' }, 404) : errorJson(c, err);
  });

  app.onError((err, c) => {
    if (err instanceof Redirect) return c.redirect(err.location, 303);
    if (err instanceof OAuthError) {
      if (err.detail)
        deps.log.info('oauth error', {
          request_id: c.get('requestId'),
          error: err.error,
          detail: err.detail,
          path: c.req.path,
        });
      return renderError(c, err);
    }
    if (isBusy(err)) {
      // Another process holds the database's write lock past the busy timeout: a retry may succeed. Not
      // sent to a client's redirect URI: the interaction stays as it was, and reloading the page retries.
      deps.log.warn('database busy', {
        request_id: c.get('requestId'),
        path: c.req.path,
        error: loggedError(err).error,
      });
      const busy = new OAuthError('temporarily_unavailable', 'the server is busy; try again in a moment', {
        headers: { 'Retry-After': '1' },
      });
      return c.get('errorMode')?.kind === 'redirect' ? errorPage(c, busy) : renderError(c, busy);
    }
    if (isUnwritable(err)) {
      deps.log.error('database cannot be written', { path: c.req.path, error: loggedError(err).error });
      const down = new OAuthError('temporarily_unavailable', 'the server cannot write its database');
      return c.get('errorMode')?.kind === 'redirect' ? errorPage(c, down) : renderError(c, down);
    }
    if (isRefusedValue(err)) {
      const refused = new OAuthError('invalid_request', 'a parameter holds a value that cannot be stored');
      return c.get('errorMode')?.kind === 'redirect' ? errorPage(c, refused) : renderError(c, refused);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return renderError(
        c,
        new OAuthError('invalid_request', err.message || 'bad request', { status: err.status }),
      );
    }
    deps.log.error('unexpected error', {
      request_id: c.get('requestId'),
      path: c.req.path,
      ...loggedError(err),
    });
    return renderError(c, new OAuthError('server_error', 'the server failed to answer this request'));
  });

  // An issuer with a path (`https://host/auth`): every route under it (SPEC §2 ISSUER).
  const base = basePathOf(deps.config.issuer);
  return base ? underBasePath(app, deps.config, base) : app;
}

const isAccountApi = (c: Context) =>
  c.req.path === ACCOUNT_API_PREFIX || c.req.path.startsWith(`${ACCOUNT_API_PREFIX}/`);

/**
 * The account pages' middleware, which the self-service API under the same prefix does not take: it answers
 * JSON, and a bearer token is its only credential (no session cookie, so no CSRF to guard against).
 */
function pagesOnly(middleware: MiddlewareHandler): MiddlewareHandler {
  return async function pagesOnly(c, next) {
    return isAccountApi(c) ? next() : middleware(c, next);
  };
}

/**
 * The methods each mounted path answers, read from the app's routes once they are all mounted (`HEAD` comes
 * with `GET`): for the `Allow` header of a 405.
 */
function allowedMethods(app: Hono): (path: string) => string[] {
  let table: { pattern: RegExp; methods: string[] }[] | undefined;
  const build = () => {
    const byPath = new Map<string, Set<string>>();
    for (const { method, path } of app.routes) {
      if (method === 'ALL') continue; // middleware (`app.use`)
      const methods = byPath.get(path) ?? new Set<string>();
      methods.add(method);
      if (method === 'GET') methods.add('HEAD');
      byPath.set(path, methods);
    }
    return [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods: [...methods] }));
  };
  return (path) => {
    table ??= build();
    const methods = new Set<string>();
    for (const route of table) if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    return [...methods];
  };
}

/** A Hono route path as a regular expression: `:name` is one segment, `*` anything. */
function pathPattern(path: string): RegExp {
  const segments = path.split('/').map((segment) => {
    if (segment === '*') return '.*';
    if (segment.startsWith(':')) return '[^/]+';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${segments.join('/')}$`);
}
