import type { MiddlewareHandler } from 'hono';
import { ConsoleFirstRunPage } from '../../../views/index.js';
import type { Deps } from '../../deps.js';
import { htmlPage } from '../../http/render.js';
import { OAuthError } from '../../oauth/errors.js';
import { BUILTIN_ROLES, PERMISSIONS, type Permission } from '../permissions.js';
import { type ActiveConsole, currentConsole } from './session.js';
import { startConsoleSignIn } from './sign-in.js';

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
export function firstRun(deps: Deps): MiddlewareHandler {
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
