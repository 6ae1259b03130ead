import type { Context } from 'hono';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  ConsoleNewUserPage,
  ConsoleUserPage,
  type ConsoleUserPageProps,
  type ConsoleUserRow,
  ConsoleUsersPage,
} from '../../../views/index.js';
import { secondFactorMethods, usersWithSecondFactor } from '../../auth/second-factor.js';
import type { Deps } from '../../deps.js';
import { readForm } from '../../http/params.js';
import { htmlPage } from '../../http/render.js';
import { OAuthError } from '../../oauth/errors.js';
import type { User } from '../../store/types.js';
import type { AdminContext } from '../context.js';
import { queryEvents } from '../events.js';
import type { Permission } from '../permissions.js';
import {
  createUser,
  endAllUserSessions,
  endUserSession,
  findUser,
  inviteUser,
  listUserApps,
  listUserSessions,
  listUsers,
  mailSetPasswordLink,
  resetUserMfa,
  revokeUserApp,
  setUserPassword,
  unlinkUser,
  updateUser,
} from '../users.js';
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

const BASE = '/admin/users';
const PAGE_SIZE = 50;
const RECENT_EVENTS = 20;

const userHref = (id: string) => `${BASE}/${encodeURIComponent(id)}`;

/** How the console names the fields an AdminError is about. */
const FIELD_NAMES: Partial<Record<AdminField, string>> = {
  email: 'Email',
  name: 'Name',
  password: 'Password',
  roles: 'Roles',
  groups: 'Groups',
  username: 'Username',
  cursor: 'The page link',
  session: 'The session',
  clientId: 'The app',
};

const messageOf = (err: AdminError) =>
  err.field ? `${FIELD_NAMES[err.field] ?? err.field}: ${err.problem}` : err.problem;

const STATUS_OF: Record<AdminError['code'], ContentfulStatusCode> = {
  invalid_input: 400,
  weak_password: 400,
  not_found: 404,
  exists: 409,
  in_use: 409,
  forbidden: 403,
};

/** A use case's refusal, for the pages that have no form to show it in. */
function asPageError(err: unknown): unknown {
  if (!(err instanceof AdminError)) return err;
  if (err.code === 'not_found')
    return new OAuthError('invalid_request', err.problem, { status: 404, page: 'not_found' });
  if (err.code === 'forbidden')
    return new OAuthError('access_denied', err.problem, { status: 403, page: 'admin_forbidden' });
  return new OAuthError('invalid_request', err.problem, { status: 400 });
}

/** `a, b c` → ['a', 'b', 'c']. */
const labels = (text: string | undefined) =>
  (text ?? '')
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter(Boolean);

/** A user's row; `mfa` from `secondFactorMethods` (one user) or `usersWithSecondFactor` (a page). */
function rowOf(u: User, mfa: boolean): ConsoleUserRow {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    roles: u.roles,
    groups: u.groups,
    disabled: u.disabledAt !== null,
    mfa,
  };
}

/** Everything the user page shows; `extra` carries a failed form's values, its message or a notice. */
async function userPage(
  c: Context,
  deps: Deps,
  id: string,
  extra: Partial<Pick<ConsoleUserPageProps, 'values' | 'error' | 'notice' | 'link'>> = {},
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  let user: User;
  try {
    user = await findUser(deps, id);
  } catch (err) {
    throw asPageError(err);
  }
  const held = c.get('console').permissions;
  const identity = await deps.store.identities.findByUser(user.id);
  const sessions = await listUserSessions(deps, user.id);
  const apps = await listUserApps(deps, user.id);
  const events = await queryEvents(deps, { userId: user.id, limit: RECENT_EVENTS });
  const notice = extra.notice ?? NOTICES[c.req.query('done') ?? ''];
  return htmlPage(
    c,
    ConsoleUserPage,
    {
      ...consolePage(c, deps),
      stepUp: await stepUpField(c, deps),
      user: rowOf(user, (await secondFactorMethods(deps, user)).length > 0),
      provider: identity?.providerSlug ?? null,
      sessions: sessions.map((s) => ({
        id: s.idHash,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        ip: s.ip,
        userAgent: s.userAgent,
      })),
      apps: apps.map((a) => ({
        clientId: a.clientId,
        name: a.clientName,
        scopes: a.scopes,
        grantedAt: a.grantedAt,
      })),
      events: events.items.map((e) => ({ at: e.at, type: e.type, actor: e.actor, ip: e.ip })),
      can: { write: held.has('users:write'), mfa: held.has('users:mfa'), unlink: held.has('users:unlink') },
      ...extra,
      ...(notice ? { notice } : {}),
    },
    status,
  );
}

/** What `?done=` after a change says on the user page (Post/Redirect/Get). */
const NOTICES: Record<string, string> = {
  created: 'User added.',
  invited: 'User invited: an invitation was mailed.',
  saved: 'Changes saved.',
  enabled: 'User enabled.',
  disabled: 'User disabled: their sessions have ended.',
  password: 'Password set: their sessions have ended.',
  'reset-mfa': 'Two-factor authentication reset.',
  unlinked: 'Provider unlinked: the user was mailed a link to choose a password.',
  'session-ended': 'Session ended.',
  'sessions-ended': 'All sessions ended.',
  'app-revoked': 'The app’s access has been revoked.',
};

const done = (c: Context, id: string, what: keyof typeof NOTICES) =>
  c.redirect(`${userHref(id)}?done=${what}`, 303);

interface Destructive {
  permission: Permission;
  title: string;
  button: string;
  effects: (user: User) => string[];
  password?: boolean;
  /** Does it; answers the notice (and a link shown once) when it is not the redirect's. */
  run(
    deps: Deps,
    user: User,
    form: { password?: string | undefined },
    ctx: AdminContext,
  ): Promise<{ done: string } | { notice: string; link: string }>;
}

/**
 * The destructive actions: each a confirmation page (GET) and one POST handler (`confirmed()`), which asks for
 * the admin's second factor again first (step-up, `confirmDestructive` in common.ts).
 */
const DESTRUCTIVE: Record<string, Destructive> = {
  enable: {
    permission: 'users:write',
    title: 'Enable user',
    button: 'Enable user',
    effects: () => ['The user can sign in again, with the roles they have.'],
    async run(deps, user, _form, ctx) {
      await updateUser(deps, user.id, { disabled: false }, ctx);
      return { done: 'enabled' };
    },
  },
  disable: {
    permission: 'users:write',
    title: 'Disable user',
    button: 'Disable user',
    effects: () => [
      'The user can no longer sign in.',
      'Every session of the user ends now, and the apps they signed in to are told.',
      'Their tokens are revoked.',
    ],
    async run(deps, user, _form, ctx) {
      await updateUser(deps, user.id, { disabled: true }, ctx);
      return { done: 'disabled' };
    },
  },
  password: {
    permission: 'users:write',
    title: 'Set password',
    button: 'Set password',
    password: true,
    effects: () => [
      'The user’s password is replaced by the one you type.',
      'Every session of the user ends, and their refresh tokens are revoked.',
    ],
    async run(deps, user, form, ctx) {
      await setUserPassword(deps, user.id, form.password ?? '', ctx);
      return { done: 'password' };
    },
  },
  'reset-mfa': {
    permission: 'users:mfa',
    title: 'Reset two-factor authentication',
    button: 'Reset two-factor authentication',
    effects: () => [
      'The user’s authenticator app and recovery codes stop working.',
      'The user signs in with their password alone, and may enrol a new second factor.',
      'Their sessions stay.',
    ],
    async run(deps, user, _form, ctx) {
      await resetUserMfa(deps, user.id, ctx);
      return { done: 'reset-mfa' };
    },
  },
  unlink: {
    permission: 'users:unlink',
    title: 'Unlink provider',
    button: 'Unlink provider',
    effects: () => [
      'The user can no longer sign in through the linked provider.',
      'Every session of the user ends, and their refresh tokens are revoked.',
      'The user gets a single-use link (24 hours) to choose a password.',
    ],
    async run(deps, user, _form, ctx) {
      const link = await unlinkUser(deps, user.id, ctx);
      if (await mailSetPasswordLink(deps, link)) return { done: 'unlinked' };
      return {
        notice: 'Provider unlinked. Mail is not configured: hand this link to the user.',
        link: link.url,
      };
    },
  },
};

function confirmation(user: User, name: string, action: Destructive, error?: string): Confirmation {
  return {
    title: action.title,
    subject: `${action.title}: ${user.email}`,
    consequences: action.effects(user),
    action: `${userHref(user.id)}/${name}`,
    button: action.button,
    cancel: userHref(user.id),
    ...(action.password ? { newPassword: true } : {}),
    ...(error ? { error } : {}),
  };
}

async function userOrPage(deps: Deps, id: string): Promise<User> {
  try {
    return await findUser(deps, id);
  } catch (err) {
    throw asPageError(err);
  }
}

/**
 * The one place a destructive action is done, after its confirmation page's POST (the CSRF check already ran
 * in app.ts) and the admin's second factor again (`confirmDestructive`). A refusal shows the confirmation page
 * again with the message.
 */
async function confirmed(c: Context, deps: Deps, name: string, action: Destructive): Promise<Response> {
  const user = await userOrPage(deps, c.req.param('id') ?? '');
  const stepUp = await confirmDestructive(c, deps);
  if (stepUp) return confirmationPage(c, deps, confirmation(user, name, action, stepUp.error), stepUp.status);
  const form = await readForm(c);
  try {
    const result = await action.run(deps, user, { password: form.get('password') }, consoleContext(c));
    if ('done' in result) return done(c, user.id, result.done);
    return userPage(c, deps, user.id, { notice: result.notice, link: result.link });
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    const status = STATUS_OF[err.code] as 400 | 403 | 404 | 409;
    return confirmationPage(c, deps, confirmation(user, name, action, messageOf(err)), status);
  }
}

/** "Revoke" on a connected app: its confirmation page (the POST there asks for the step-up first). */
function revokeConfirmation(user: User, clientId: string, appName: string, error?: string): Confirmation {
  return {
    title: 'Revoke app access',
    subject: `Revoke ${appName}’s access: ${user.email}`,
    consequences: [
      `${appName} loses the access the user granted it: its refresh tokens for the user are revoked.`,
      'The user’s consent is forgotten: the app asks again at the next sign-in.',
      'The user’s sessions stay.',
    ],
    action: `${userHref(user.id)}/apps/${encodeURIComponent(clientId)}/revoke`,
    button: 'Revoke access',
    cancel: userHref(user.id),
    ...(error ? { error } : {}),
  };
}

/** The name the console shows for a client (its id when it is gone). */
async function appName(deps: Deps, clientId: string): Promise<string> {
  return (await deps.store.clients.find(clientId))?.name ?? clientId;
}

/** `/admin/users`: the Users section of the admin console (issue 17). */
export function consoleUsers(deps: Deps): Hono {
  const app = new Hono();

  app.get('/', requireConsole(deps, 'users:read'), async (c) => {
    const q = (c.req.query('q') ?? '').slice(0, 200);
    const cursor = c.req.query('cursor') || undefined;
    const props = {
      ...consolePage(c, deps),
      q,
      canWrite: c.get('console').permissions.has('users:write'),
    };
    try {
      const found = await listUsers(deps, {
        limit: PAGE_SIZE,
        ...(q.trim() ? { query: q } : {}),
        ...(cursor ? { cursor } : {}),
      });
      const next = found.nextCursor
        ? `${BASE}?${new URLSearchParams({ ...(q ? { q } : {}), cursor: found.nextCursor })}`
        : null;
      const mfa = await usersWithSecondFactor(
        deps,
        found.items.map((u) => u.id),
      );
      const users = found.items.map((u) => rowOf(u, mfa.has(u.id)));
      return htmlPage(c, ConsoleUsersPage, { ...props, users, next });
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      return htmlPage(c, ConsoleUsersPage, { ...props, users: [], next: null, error: messageOf(err) }, 400);
    }
  });

  const emptyNew = { email: '', name: '', roles: '', groups: '', invite: false };
  app.get('/new', requireConsole(deps, 'users:write'), async (c) =>
    htmlPage(c, ConsoleNewUserPage, {
      ...consolePage(c, deps),
      stepUp: await stepUpField(c, deps),
      values: emptyNew,
    }),
  );

  app.post('/new', requireConsole(deps, 'users:write'), async (c) => {
    const form = await readForm(c);
    const values = {
      email: form.get('email') ?? '',
      name: form.get('name') ?? '',
      roles: form.get('roles') ?? '',
      groups: form.get('groups') ?? '',
      invite: form.get('invite') === 'on',
    };
    const newUserPage = async (error: string, status: ContentfulStatusCode) =>
      htmlPage(
        c,
        ConsoleNewUserPage,
        { ...consolePage(c, deps), stepUp: await stepUpField(c, deps), values, error },
        status,
      );
    // A user with a password and roles is access granted: the admin's second factor again first.
    const stepUp = await confirmDestructive(c, deps);
    if (stepUp) return newUserPage(stepUp.error, stepUp.status);
    const password = form.get('password');
    const input = {
      email: values.email,
      ...(values.name.trim() ? { name: values.name } : {}),
      ...(password !== undefined ? { password } : {}),
      roles: labels(values.roles),
      groups: labels(values.groups),
    };
    const ctx = consoleContext(c);
    try {
      if (!values.invite) {
        const user = await createUser(deps, input, ctx);
        return done(c, user.id, 'created');
      }
      const invitation = await inviteUser(deps, input, ctx);
      if (invitation.mailed) return c.redirect(`${userHref(invitation.user.id)}?done=invited`, 303);
      return userPage(c, deps, invitation.user.id, {
        notice: 'User invited. Mail is not configured: hand this link to the user.',
        ...(invitation.url ? { link: invitation.url } : {}),
      });
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      return newUserPage(messageOf(err), STATUS_OF[err.code]);
    }
  });

  app.get('/:id', requireConsole(deps, 'users:read'), (c) => userPage(c, deps, c.req.param('id')));

  app.post('/:id', requireConsole(deps, 'users:write'), async (c) => {
    const user = await userOrPage(deps, c.req.param('id'));
    const form = await readForm(c);
    const values = {
      email: form.get('email') ?? '',
      name: form.get('name') ?? '',
      roles: form.get('roles') ?? '',
      groups: form.get('groups') ?? '',
    };
    // Roles and the email (where resets are mailed) are access: the admin's second factor again first.
    const stepUp = await confirmDestructive(c, deps);
    if (stepUp) return userPage(c, deps, user.id, { values, error: stepUp.error }, stepUp.status);
    try {
      await updateUser(
        deps,
        user.id,
        {
          email: values.email,
          name: values.name.trim() ? values.name : null,
          roles: labels(values.roles),
          groups: labels(values.groups),
        },
        consoleContext(c),
      );
      return done(c, user.id, 'saved');
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      return userPage(c, deps, user.id, { values, error: messageOf(err) }, STATUS_OF[err.code]);
    }
  });

  app.post('/:id/sessions/end', requireConsole(deps, 'users:write'), async (c) => {
    const user = await userOrPage(deps, c.req.param('id'));
    try {
      await endAllUserSessions(deps, user.id, consoleContext(c));
    } catch (err) {
      throw asPageError(err);
    }
    return done(c, user.id, 'sessions-ended');
  });

  app.post('/:id/sessions/:session/end', requireConsole(deps, 'users:write'), async (c) => {
    const user = await userOrPage(deps, c.req.param('id'));
    try {
      await endUserSession(deps, user.id, c.req.param('session'), consoleContext(c));
    } catch (err) {
      throw asPageError(err);
    }
    return done(c, user.id, 'session-ended');
  });

  app.get('/:id/apps/:client/revoke', requireConsole(deps, 'users:write'), async (c) => {
    const user = await userOrPage(deps, c.req.param('id'));
    const clientId = c.req.param('client');
    return confirmationPage(c, deps, revokeConfirmation(user, clientId, await appName(deps, clientId)));
  });

  app.post('/:id/apps/:client/revoke', requireConsole(deps, 'users:write'), async (c) => {
    const user = await userOrPage(deps, c.req.param('id'));
    const clientId = c.req.param('client');
    const name = await appName(deps, clientId);
    const stepUp = await confirmDestructive(c, deps);
    if (stepUp)
      return confirmationPage(c, deps, revokeConfirmation(user, clientId, name, stepUp.error), stepUp.status);
    try {
      await revokeUserApp(deps, user.id, clientId, consoleContext(c));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      const status = STATUS_OF[err.code] as 400 | 403 | 404 | 409;
      return confirmationPage(c, deps, revokeConfirmation(user, clientId, name, messageOf(err)), status);
    }
    return done(c, user.id, 'app-revoked');
  });

  for (const [name, action] of Object.entries(DESTRUCTIVE)) {
    app.get(`/:id/${name}`, requireConsole(deps, action.permission), async (c) => {
      const user = await userOrPage(deps, c.req.param('id'));
      return confirmationPage(c, deps, confirmation(user, name, action));
    });
    app.post(`/:id/${name}`, requireConsole(deps, action.permission), (c) =>
      confirmed(c, deps, name, action),
    );
  }

  return app;
}
