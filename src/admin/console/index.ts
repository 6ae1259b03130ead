import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { CONSOLE_SECTIONS } from '../../../views/console/layout.js';
import { ConsoleFirstRunPage, ConsoleHomePage, ConsoleSignedOutPage } from '../../../views/index.js';
import type { Deps } from '../../deps.js';
import { csrfToken } from '../../http/browser.js';
import { requestMeta } from '../../http/net.js';
import { htmlPage } from '../../http/render.js';
import { OAuthError } from '../../oauth/errors.js';
import type { AdminContext } from '../context.js';
import { BUILTIN_ROLES, PERMISSIONS, type Permission } from '../permissions.js';
import { AdminError } from '../validate.js';
import { appsSection } from './apps.js';
import { auditSection } from './audit.js';
import { keysSection } from './keys.js';
import { providersSection } from './providers.js';
import { scopesSection } from './scopes.js';
import { type ActiveConsole, currentConsole, endConsoleSession } from './session.js';
import { consoleCallback, startConsoleSignIn } from './sign-in.js';
import { consoleUsers } from './users.js';

export { CONSOLE_SECTIONS };

/** The console's paths (app.ts gives them the hosted error page, and `csrf()` to the forms'). */
export const CONSOLE_PATHS = { home: '/admin', callback: '/admin/callback', logout: '/admin/logout' };

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by `requireConsole()`. */
    console: ActiveConsole;
  }
}

/** Every role that grants an admin permission: the built-in ones and the permissions' own names. */
const ADMIN_ROLES: readonly string[] = [...Object.keys(BUILTIN_ROLES), ...PERMISSIONS];

/** Whether the server has an administrator: an enabled user whose roles grant some permission. */
export const hasAdmin = (deps: Deps): Promise<boolean> => deps.store.users.anyEnabledWithRole(ADMIN_ROLES);

/** Until an administrator exists, every console path answers how to make one: 200 on the home, 403 elsewhere. */
function firstRun(deps: Deps): MiddlewareHandler {
  return async function firstRun(c, next) {
    if (await hasAdmin(deps)) return next();
    return htmlPage(c, ConsoleFirstRunPage, {}, c.req.path === CONSOLE_PATHS.home ? 200 : 403);
  };
}

const forbidden = () =>
  new OAuthError('access_denied', 'your roles grant no access to this part of the admin console', {
    status: 403,
    page: 'admin_forbidden',
  });

/**
 * A console page: a console session (else the sign-in, coming back here), and the page's permission (any admin
 * permission for the home) from the user's roles now; without it the hosted 403 page, never a redirect loop.
 */
export function requireConsole(deps: Deps, permission?: Permission): MiddlewareHandler {
  return async function requireConsole(c, next) {
    const active = await currentConsole(c, deps);
    if (!active) startConsoleSignIn(c, deps, c.req.method === 'GET' ? c.req.path : CONSOLE_PATHS.home);
    if (permission ? !active.permissions.has(permission) : active.permissions.size === 0) throw forbidden();
    c.set('console', active);
    await next();
  };
}

/**
 * Who makes a console change, for the admin use cases (src/admin/*): the signed-in admin (`user:<id>`), the
 * permissions their roles grant now (so `requireReach` applies as for the API) and the request's address and
 * browser. Only after `requireConsole()`.
 */
export function consoleContext(c: Context): AdminContext {
  const active = c.get('console');
  return { actor: `user:${active.user.id}`, permissions: active.permissions, ...requestMeta(c) };
}

const pageProps = (c: Context, deps: Deps) => ({
  email: c.get('console').user.email,
  csrf: csrfToken(c, deps),
});

/**
 * The console's sections, by the href the nav links (views/console/layout.tsx): each a Hono app whose paths are
 * relative to it (`/` is the section's list, `/:id` an entry, …). One import and one line here per section.
 */
const SECTIONS: Readonly<Record<string, (deps: Deps) => Hono>> = {
  '/admin/providers': providersSection,
  '/admin/scopes': scopesSection,
  '/admin/keys': keysSection,
  '/admin/audit': auditSection,
  '/admin/users': consoleUsers,
  '/admin/apps': appsSection,
};

/** An `AdminError` as the hosted error page: 404, 403, 409 or 400, with the use case's message. */
function pageErrorOf(err: AdminError): OAuthError {
  if (err.code === 'not_found')
    return new OAuthError('invalid_request', err.message, { status: 404, page: 'not_found' });
  if (err.code === 'forbidden')
    return new OAuthError('access_denied', err.message, { status: 403, page: 'admin_forbidden' });
  const status = err.code === 'exists' || err.code === 'in_use' ? 409 : 400;
  return new OAuthError('invalid_request', err.message, { status });
}

/** The admin console's hosted pages (issue 17), beside the JSON API at /admin/v1. */
export function consoleRoutes(deps: Deps): Hono {
  const app = new Hono();
  // A use case's refusal that no page turned into its form's message (a bad `?cursor=`, an app gone meanwhile):
  // the hosted error page with the status the API would answer, never a 500.
  app.onError((err) => {
    throw err instanceof AdminError ? pageErrorOf(err) : err;
  });
  const guard = firstRun(deps);
  app.get(CONSOLE_PATHS.home, guard, requireConsole(deps), (c) =>
    htmlPage(c, ConsoleHomePage, pageProps(c, deps)),
  );
  app.get(CONSOLE_PATHS.callback, guard, (c) => consoleCallback(c, deps));
  // csrf() runs before this (app.ts): only the console's own form signs out.
  app.post(CONSOLE_PATHS.logout, async (c) => {
    await endConsoleSession(c, deps);
    return htmlPage(c, ConsoleSignedOutPage, {});
  });
  // Each section mounts its own routes under its href (each route naming its permission through
  // requireConsole()); the first-run guard comes first for all of them.
  for (const { href } of CONSOLE_SECTIONS) {
    const section = SECTIONS[href];
    if (!section) throw new Error(`console section ${href} has no routes`);
    app.use(href, guard);
    app.use(`${href}/*`, guard);
    app.route(href, section(deps));
  }
  return app;
}
