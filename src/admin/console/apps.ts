import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  AppPage,
  AppRegisterPage,
  type AppRow,
  AppSecretPage,
  AppsListPage,
  type AppValues,
  appHref,
  type NewAppValues,
} from '../../../views/index.js';
import type { Deps } from '../../deps.js';
import type { Params } from '../../http/params.js';
import { readForm } from '../../http/params.js';
import { htmlPage, OAuthError, Redirect } from '../../http/render.js';
import type { Client } from '../../store/types.js';
import {
  type ClientPatch,
  CONSOLE_CLIENT_ID,
  createClient,
  DEFAULTS,
  findClient,
  GRANT_TYPES,
  listClients,
  removeClient,
  rotateClientSecret,
  updateClient,
} from '../clients.js';
import type { AdminContext } from '../context.js';
import { FIELD_NAMES } from '../fields.js';
import { AdminError, type AdminField } from '../validate.js';
import {
  type Confirmation,
  confirmationPage,
  confirmDestructive,
  consoleContext,
  consolePage,
  stepUpField,
} from './common.js';
import { requireConsole } from './guard.js';

/**
 * The console's Apps section (issue 17), mounted at /admin/apps: the list, register, the app page (edit), and
 * the destructive actions (rotate the secret, delete), each behind a confirmation page. Every change goes
 * through the admin use cases (src/admin/clients.ts) with the signed-in admin as the actor.
 */

/** The fields as the console's forms label them (the API's names for the rest). */
const LABELS: Readonly<Record<AdminField, string>> = {
  ...FIELD_NAMES,
  name: 'Name',
  redirectUris: 'Redirect URIs',
  postLogoutRedirectUris: 'Post-logout redirect URIs',
  grants: 'Grants',
  scopes: 'Scopes',
  isPublic: 'Type',
  tokenFormat: 'Access token format',
  accessTokenTtlSeconds: 'Access token lifetime',
  refreshTokenTtlSeconds: 'Refresh token lifetime',
};

/**
 * A use case's refusal as the page words it; a missing app is the 404 page and a reach the roles do not grant
 * the 403 page (never a form to try again).
 */
function refusal(err: unknown): string {
  if (!(err instanceof AdminError)) throw err;
  if (err.code === 'not_found')
    throw new OAuthError('invalid_request', err.message, { status: 404, page: 'not_found' });
  if (err.code === 'forbidden')
    throw new OAuthError('access_denied', err.message, { status: 403, page: 'admin_forbidden' });
  return err.wording(LABELS);
}

/** The field a refusal is about, for the form to mark it. */
const fieldOf = (err: unknown): { failedField?: string } =>
  err instanceof AdminError && err.field ? { failedField: err.field } : {};

const refusedStatus = (err: unknown) =>
  err instanceof AdminError && (err.code === 'exists' || err.code === 'in_use') ? 409 : 400;

const canWrite = (c: Context) => c.get('console').permissions.has('clients:write');

const rowOf = (client: Client): AppRow => ({
  id: client.id,
  name: client.name,
  isPublic: client.isPublic,
  firstParty: client.firstParty,
  grants: client.grants,
  builtIn: client.id === CONSOLE_CLIENT_ID,
});

/** A textarea's lines, trimmed, empty ones dropped. */
const lines = (value: string | undefined): string[] =>
  (value ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

const checked = (form: Params, name: string) => form.get(name) !== undefined;
const grantsOf = (form: Params) => GRANT_TYPES.filter((g) => checked(form, `grant:${g}`));

/** A whole number of seconds, or left to the use case to refuse as it words it. */
const seconds = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;

const valuesOf = (client: Client): AppValues => ({
  redirectUris: client.redirectUris.join('\n'),
  postLogoutRedirectUris: client.postLogoutRedirectUris.join('\n'),
  grants: client.grants,
  scopes: client.scopes.join(' '),
  accessTokenTtl: String(client.accessTokenTtlSeconds),
  refreshTokenTtl: String(client.refreshTokenTtlSeconds),
  tokenFormat: client.tokenFormat,
  firstParty: client.firstParty,
  requirePkce: client.requirePkce,
  requireMfa: client.requireMfa,
});

const submittedValues = (form: Params, client: Client): AppValues => ({
  redirectUris: form.get('redirect_uris') ?? '',
  postLogoutRedirectUris: form.get('post_logout_redirect_uris') ?? '',
  grants: grantsOf(form),
  scopes: form.get('scopes') ?? '',
  accessTokenTtl: form.get('access_token_ttl') ?? '',
  refreshTokenTtl: form.get('refresh_token_ttl') ?? '',
  tokenFormat: form.get('token_format') ?? client.tokenFormat,
  firstParty: checked(form, 'first_party'),
  requirePkce: checked(form, 'require_pkce'),
  requireMfa: checked(form, 'require_mfa'),
});

/** The app page's form as a patch: every field it shows (an unticked box is false). */
function patchOf(form: Params, client: Client): ClientPatch {
  return {
    redirectUris: lines(form.get('redirect_uris')),
    postLogoutRedirectUris: lines(form.get('post_logout_redirect_uris')),
    grants: grantsOf(form),
    scopes: (form.get('scopes') ?? '').split(/\s+/).filter(Boolean),
    accessTokenTtlSeconds: seconds(form.get('access_token_ttl')) ?? client.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: seconds(form.get('refresh_token_ttl')) ?? client.refreshTokenTtlSeconds,
    tokenFormat: form.get('token_format') ?? client.tokenFormat,
    firstParty: checked(form, 'first_party'),
    // A public app always requires PKCE: its box is disabled, so not sent.
    ...(client.isPublic ? {} : { requirePkce: checked(form, 'require_pkce') }),
    requireMfa: checked(form, 'require_mfa'),
  };
}

const EMPTY_NEW_APP: NewAppValues = {
  name: '',
  redirectUris: '',
  grants: DEFAULTS.grants,
  isPublic: false,
  firstParty: false,
};

/** The app of `:id`, or the 404 page. */
async function appOf(c: Context, deps: Deps): Promise<Client> {
  try {
    return await findClient(deps, c.req.param('id') ?? '');
  } catch (err) {
    refusal(err);
    throw err;
  }
}

/**
 * A destructive action: GET its confirmation page (what will happen), POST does it. Each is defined here and
 * only here; `destructive()` asks for the second factor again first (`confirmDestructive`, common.ts).
 */
interface Destructive {
  path: string;
  heading: (app: Client) => string;
  consequences: (app: Client) => string[];
  button: string;
  /** Does it through the use case; answers the page after it. */
  perform: (c: Context, deps: Deps, app: Client, ctx: AdminContext) => Promise<Response>;
}

const ROTATE: Destructive = {
  path: 'rotate',
  heading: (app) => `Rotate the secret of ${app.name}`,
  consequences: () => [
    'A new secret is made and shown once. The current secret stops working at once: the app cannot get tokens until it is given the new one.',
    'Tokens already issued to the app keep working until they expire.',
  ],
  button: 'Rotate secret',
  async perform(c, deps, app, ctx) {
    const secret = await rotateClientSecret(deps, app.id, ctx);
    return htmlPage(c, AppSecretPage, {
      ...consolePage(c, deps),
      clientId: app.id,
      name: app.name,
      secret,
      heading: 'New secret',
    });
  },
};

const DELETE: Destructive = {
  path: 'delete',
  heading: (app) => `Delete ${app.name}`,
  consequences: (app) => [
    `The app "${app.name}" (${app.id}) is removed. Everything issued to it is revoked: its access and refresh tokens, and its grants (users stay signed in elsewhere).`,
    "Users' consents to it are deleted: if it is registered again, they are asked again.",
    'This cannot be undone.',
  ],
  button: 'Delete app',
  async perform(c, deps, app, ctx) {
    await removeClient(deps, app.id, ctx);
    const { items, nextCursor } = await listClients(deps);
    return htmlPage(c, AppsListPage, {
      ...consolePage(c, deps),
      apps: items.map(rowOf),
      next: nextCursor,
      notice: `Deleted ${app.name}.`,
      canWrite: true,
    });
  },
};

function destructive(app: Hono, deps: Deps, action: Destructive): void {
  const confirmation = (client: Client, error?: string): Confirmation => ({
    title: action.heading(client),
    consequences: action.consequences(client),
    action: `${appHref(client.id)}/${action.path}`,
    button: action.button,
    cancel: appHref(client.id),
    ...(error ? { error } : {}),
  });
  app.get(`/:id/${action.path}`, requireConsole(deps, 'clients:write'), async (c) =>
    confirmationPage(c, deps, confirmation(await appOf(c, deps))),
  );
  app.post(`/:id/${action.path}`, requireConsole(deps, 'clients:write'), async (c) => {
    const client = await appOf(c, deps);
    const stepUp = await confirmDestructive(c, deps);
    if (stepUp) return confirmationPage(c, deps, confirmation(client, stepUp.error), stepUp.status);
    try {
      return await action.perform(c, deps, client, consoleContext(c));
    } catch (err) {
      return confirmationPage(c, deps, confirmation(client, refusal(err)), refusedStatus(err));
    }
  });
}

/** The Apps section's routes, relative to /admin/apps. */
export function appsSection(deps: Deps): Hono {
  const app = new Hono();
  const grants = GRANT_TYPES;

  app.get('/', requireConsole(deps, 'clients:read'), async (c) => {
    const cursor = c.req.query('cursor');
    let listed: Awaited<ReturnType<typeof listClients>>;
    try {
      listed = await listClients(deps, cursor ? { cursor } : {});
    } catch (err) {
      refusal(err);
      throw err;
    }
    return htmlPage(c, AppsListPage, {
      ...consolePage(c, deps),
      apps: listed.items.map(rowOf),
      next: listed.nextCursor,
      canWrite: canWrite(c),
    });
  });

  const registerPage = async (
    c: Context,
    values: NewAppValues,
    refused: { error?: string; failedField?: string } = {},
    status = 200,
  ) =>
    htmlPage(
      c,
      AppRegisterPage,
      { ...consolePage(c, deps), stepUp: await stepUpField(c, deps), grants, values, ...refused },
      status,
    );

  app.get('/new', requireConsole(deps, 'clients:write'), (c) => registerPage(c, EMPTY_NEW_APP));
  app.post('/new', requireConsole(deps, 'clients:write'), async (c) => {
    const form = await readForm(c);
    const values: NewAppValues = {
      name: form.get('name') ?? '',
      redirectUris: form.get('redirect_uris') ?? '',
      grants: grantsOf(form),
      isPublic: form.get('type') === 'public',
      firstParty: checked(form, 'first_party'),
    };
    // Redirect URIs and first-party are access granted: the admin's second factor again first.
    const stepUp = await confirmDestructive(c, deps);
    if (stepUp) return registerPage(c, values, { error: stepUp.error }, stepUp.status);
    try {
      const { client, secret } = await createClient(
        deps,
        {
          name: values.name,
          redirectUris: lines(values.redirectUris),
          grants: [...values.grants],
          isPublic: values.isPublic,
          firstParty: values.firstParty,
        },
        consoleContext(c),
      );
      return htmlPage(
        c,
        AppSecretPage,
        {
          ...consolePage(c, deps),
          clientId: client.id,
          name: client.name,
          secret,
          heading: 'App registered',
        },
        201,
      );
    } catch (err) {
      return registerPage(c, values, { error: refusal(err), ...fieldOf(err) }, refusedStatus(err));
    }
  });

  const appPage = async (
    c: Context,
    client: Client,
    values: AppValues,
    extra: { error?: string; failedField?: string; notice?: string } = {},
    status = 200,
  ) =>
    htmlPage(
      c,
      AppPage,
      {
        ...consolePage(c, deps),
        stepUp: await stepUpField(c, deps),
        app: rowOf(client),
        grants,
        values,
        canWrite: canWrite(c),
        ...extra,
      },
      status,
    );

  app.get('/:id', requireConsole(deps, 'clients:read'), async (c) => {
    const client = await appOf(c, deps);
    return appPage(
      c,
      client,
      valuesOf(client),
      c.req.query('saved') !== undefined ? { notice: 'Saved.' } : {},
    );
  });
  app.post('/:id', requireConsole(deps, 'clients:write'), async (c) => {
    const client = await appOf(c, deps);
    const form = await readForm(c);
    // Redirect URIs, scopes, first-party and require_mfa (the console's own too) are access: step-up first.
    const stepUp = await confirmDestructive(c, deps);
    if (stepUp)
      return appPage(c, client, submittedValues(form, client), { error: stepUp.error }, stepUp.status);
    try {
      await updateClient(deps, client.id, patchOf(form, client), consoleContext(c));
    } catch (err) {
      return appPage(
        c,
        client,
        submittedValues(form, client),
        { error: refusal(err), ...fieldOf(err) },
        refusedStatus(err),
      );
    }
    throw new Redirect(`${appHref(client.id)}?saved`);
  });

  destructive(app, deps, ROTATE);
  destructive(app, deps, DELETE);
  return app;
}
