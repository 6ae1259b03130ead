import { Hono } from 'hono';
import { CONSOLE_SECTIONS } from '../../../views/console/layout.js';
import { ConsoleHomePage, ConsoleSignedOutPage } from '../../../views/index.js';
import type { Deps } from '../../deps.js';
import { htmlPage } from '../../http/render.js';
import { OAuthError } from '../../oauth/errors.js';
import { AdminError } from '../validate.js';
import { appsSection } from './apps.js';
import { auditSection } from './audit.js';
import { consolePage } from './common.js';
import { CONSOLE_PATHS, firstRun, requireConsole } from './guard.js';
import { keysSection } from './keys.js';
import { providersSection } from './providers.js';
import { scopesSection } from './scopes.js';
import { endConsoleSession } from './session.js';
import { consoleCallback } from './sign-in.js';
import { consoleUsers } from './users.js';

export { CONSOLE_PATHS, CONSOLE_SECTIONS };

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
    htmlPage(c, ConsoleHomePage, consolePage(c, deps)),
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
