import type { Context } from 'hono';
import { Hono } from 'hono';
import { ConsoleScopeEditPage, ConsoleScopesPage, scopeHref } from '../../../views/index.js';
import type { Deps } from '../../deps.js';
import { htmlPage } from '../../http/render.js';
import type { Scope } from '../../store/types.js';
import { addScope, listScopes, removeScope } from '../scopes.js';
import {
  backTo,
  type Confirmation,
  confirmationPage,
  confirmDestructive,
  consoleContext,
  consolePage,
  formOf,
  notFound,
  refused,
} from './common.js';
import { requireConsole } from './guard.js';

const HREF = '/admin/scopes';
const NOTICES: Record<string, string> = {
  added: 'Scope added.',
  updated: 'Scope updated.',
  removed: 'Scope removed.',
};

async function findScope(deps: Deps, name: string): Promise<Scope> {
  const scope = (await listScopes(deps)).find((s) => s.name === name);
  if (!scope) throw notFound('such scope');
  return scope;
}

/** `/admin/scopes`: the registry through `listScopes`, `addScope` and `removeScope`, as `latchkey scope` does. */
export function scopesSection(deps: Deps): Hono {
  const app = new Hono();
  const list = async (
    c: Context,
    extra: { error?: string; draft?: { name: string; description: string } } = {},
  ) => ({
    ...consolePage(c, deps),
    scopes: await listScopes(deps),
    canWrite: c.get('console').permissions.has('scopes:write'),
    notice: NOTICES[c.req.query('done') ?? ''],
    ...extra,
  });
  app.get('/', requireConsole(deps, 'scopes:read'), async (c) =>
    htmlPage(c, ConsoleScopesPage, await list(c)),
  );
  app.post('/', requireConsole(deps, 'scopes:write'), async (c) => {
    const form = await formOf(c);
    const draft = { name: form.get('name')?.trim() ?? '', description: form.get('description') ?? '' };
    try {
      // `addScope` also changes an existing scope's description: adding is only for a new name.
      if ((await listScopes(deps)).some((s) => s.name === draft.name))
        return htmlPage(
          c,
          ConsoleScopesPage,
          await list(c, { draft, error: `"${draft.name}" exists already: edit it instead` }),
          409,
        );
      await addScope(deps, draft.name, draft.description, consoleContext(c));
    } catch (err) {
      const { error, status } = refused(err);
      return htmlPage(c, ConsoleScopesPage, await list(c, { draft, error }), status);
    }
    return backTo(c, HREF, 'added');
  });
  app.get('/:name/edit', requireConsole(deps, 'scopes:write'), async (c) => {
    const scope = await findScope(deps, c.req.param('name'));
    return htmlPage(c, ConsoleScopeEditPage, {
      ...consolePage(c, deps),
      name: scope.name,
      description: scope.description,
    });
  });
  app.post('/:name/edit', requireConsole(deps, 'scopes:write'), async (c) => {
    const scope = await findScope(deps, c.req.param('name'));
    const description = (await formOf(c)).get('description') ?? '';
    try {
      await addScope(deps, scope.name, description, consoleContext(c));
    } catch (err) {
      const { error, status } = refused(err);
      return htmlPage(
        c,
        ConsoleScopeEditPage,
        { ...consolePage(c, deps), name: scope.name, description, error },
        status,
      );
    }
    return backTo(c, HREF, 'updated');
  });
  const confirmation = (scope: Scope, error?: string): Confirmation => ({
    title: `Remove the scope ${scope.name}`,
    consequences: [
      `Apps can no longer ask for "${scope.name}".`,
      'A scope that an app still lists is refused: take it out of every app first.',
    ],
    action: `${scopeHref(scope.name)}/remove`,
    button: 'Remove scope',
    cancel: HREF,
    error,
  });
  app.get('/:name/remove', requireConsole(deps, 'scopes:write'), async (c) =>
    confirmationPage(c, deps, confirmation(await findScope(deps, c.req.param('name')))),
  );
  app.post('/:name/remove', requireConsole(deps, 'scopes:write'), async (c) => {
    const scope = await findScope(deps, c.req.param('name'));
    const refusal = await confirmDestructive(c, deps);
    if (refusal) return confirmationPage(c, deps, confirmation(scope, refusal.error), refusal.status);
    try {
      await removeScope(deps, scope.name, consoleContext(c));
    } catch (err) {
      const { error, status } = refused(err);
      return confirmationPage(c, deps, confirmation(scope, error), status);
    }
    return backTo(c, HREF, 'removed');
  });
  return app;
}
