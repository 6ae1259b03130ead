import { byName, renamedFields, USER_FIELD_KEYS } from '../fields.js';
import {
  createUser,
  describeSession,
  describeUser,
  endAllUserSessions,
  endUserSession,
  findUser,
  inviteUser,
  listUserSessions,
  listUsers,
  removeUser,
  resetUserMfa,
  setUserPassword,
  type UserInput,
  type UserPatch,
  unlinkUser,
  updateUser,
} from '../users.js';
import { defineRoute, id, type Route } from './route.js';
import { s } from './schema.js';
import { epoch, listOf, names, pageAnswer, pageOf, pageQuery, text } from './shapes.js';

const userProps = {
  id: s.string(),
  email: s.string({ format: 'email' }),
  email_verified: s.boolean(),
  name: text(),
  given_name: text(),
  family_name: text(),
  username: text('Unique when set (`preferred_username`).'),
  roles: s.array(s.string(), { description: 'Admin roles: `admin`, `auditor` or a permission name.' }),
  groups: s.array(s.string(), { description: 'The `groups` claim.' }),
  disabled: s.boolean({ description: 'A disabled user cannot sign in; disabling ended their sessions.' }),
  has_password: s.boolean(),
  created_at: epoch(),
  updated_at: epoch(),
};
const userRequired = [
  'id',
  'email',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'username',
  'roles',
  'groups',
  'disabled',
  'has_password',
  'created_at',
  'updated_at',
] as const;

const User = s.object(userProps, userRequired, { name: 'User' });

const Invitation = s.object(
  {
    expires_at: epoch(),
    mailed: s.boolean({
      description: 'true: mailed through SMTP (`LATCHKEY_SMTP_URL`); the link is not answered.',
    }),
    url: s.string({
      format: 'uri',
      description:
        'Only when mail is not configured: the single-use set-password link, for the admin to hand on (shown once).',
    }),
  },
  ['expires_at', 'mailed'],
  { name: 'Invitation' },
);

const CreatedUser = s.object({ ...userProps, invitation: Invitation }, userRequired, {
  name: 'CreatedUser',
  description: 'The user; `invitation` when created with `"invite": true`.',
});

const email = s.string({ minLength: 1, maxLength: 254, format: 'email' });
const password = s.string({
  minLength: 1,
  maxLength: 1024,
  description:
    'Checked against the password policy (`LATCHKEY_PASSWORD_*`; by default 8-256 characters, not a common one).',
});
const personName = s.string({ minLength: 1, maxLength: 200 });
const username = s.string({ minLength: 1, maxLength: 64 });
const roles = names('Admin roles: `admin`, `auditor` or permission names such as `events:read`.');
const groups = names('Groups, for the `groups` claim.');

const NewUser = s.object(
  {
    email,
    password,
    name: personName,
    given_name: personName,
    family_name: personName,
    username,
    roles,
    groups,
    disabled: s.boolean({ description: 'Created disabled.' }),
    invite: s.boolean({
      description:
        'Created without a password, the address unverified, and mailed a single-use link (7 days) to choose a password; not with `password`.',
    }),
  },
  ['email'],
  {
    name: 'NewUser',
    description: 'Without a password (and without `invite`), the user signs in through a linked provider.',
  },
);

const UserPatchBody = s.object(
  {
    email,
    name: s.nullable(personName),
    given_name: s.nullable(personName),
    family_name: s.nullable(personName),
    username: s.nullable(username),
    roles,
    groups,
    disabled: s.boolean({ description: 'true ends the sessions and revokes the grants of the user.' }),
  },
  [],
  { name: 'UserPatch', description: 'A member left out is left as it is; null clears an optional one.' },
);

const Session = s.object(
  {
    id: s.string({ description: 'The session’s public id.' }),
    created_at: epoch(),
    last_seen_at: epoch(),
    expires_at: epoch(),
    auth_time: epoch(),
    amr: s.array(s.string()),
    ip: text(),
    user_agent: text(),
  },
  ['id', 'created_at', 'last_seen_at', 'expires_at', 'auth_time', 'amr', 'ip', 'user_agent'],
  { name: 'Session' },
);

const userId = s.object({ id: id('The user’s id (or email address).') }, ['id']);
const sessionId = s.object(
  { id: id('The user’s id (or email address).'), session_id: id('The session’s id.') },
  ['id', 'session_id'],
);

const USER_MEMBERS = byName(USER_FIELD_KEYS);

export const userRoutes: readonly Route[] = [
  defineRoute({
    method: 'post',
    path: '/users',
    operationId: 'createUser',
    summary: 'Create a user',
    tag: 'users',
    permission: 'users:write',
    body: NewUser,
    conflict: true,
    responses: [{ status: 201, description: 'The user (and the invitation).', schema: CreatedUser }],
    async handler({ deps, body, ctx }) {
      const { invite, ...fields } = body;
      const input = renamedFields<UserInput>(fields, USER_MEMBERS);
      if (!invite) return { status: 201, body: describeUser(await createUser(deps, input, ctx)) };
      const { user, expiresAt, mailed, url } = await inviteUser(deps, input, ctx);
      const invitation = { expires_at: expiresAt, mailed, ...(url ? { url } : {}) };
      return { status: 201, body: { ...describeUser(user), invitation } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users',
    operationId: 'listUsers',
    summary: 'List users, oldest first',
    tag: 'users',
    permission: 'users:read',
    query: s.object({
      query: s.string({
        minLength: 1,
        maxLength: 256,
        description: 'A part of the email, name or username.',
      }),
      role: s.string({ minLength: 1, maxLength: 128 }),
      disabled: s.boolean(),
      ...pageQuery,
    }),
    responses: [{ status: 200, description: 'A page of users.', schema: pageOf('UserPage', User) }],
    async handler({ deps, query }) {
      return { status: 200, body: pageAnswer(await listUsers(deps, query), describeUser) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/:id',
    operationId: 'getUser',
    summary: 'Get a user',
    tag: 'users',
    permission: 'users:read',
    params: userId,
    responses: [{ status: 200, description: 'The user.', schema: User }],
    async handler({ deps, params }) {
      return { status: 200, body: describeUser(await findUser(deps, params.id)) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/users/:id',
    operationId: 'updateUser',
    summary: 'Change a user’s profile, roles, groups or state',
    tag: 'users',
    permission: 'users:write',
    params: userId,
    body: UserPatchBody,
    conflict: true,
    responses: [{ status: 200, description: 'The user as it is now.', schema: User }],
    async handler({ deps, params, body, ctx }) {
      const { user } = await updateUser(deps, params.id, renamedFields<UserPatch>(body, USER_MEMBERS), ctx);
      return { status: 200, body: describeUser(user) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/users/:id',
    operationId: 'deleteUser',
    summary: 'Delete a user with their sessions, tokens and consents',
    tag: 'users',
    permission: 'users:write',
    params: userId,
    responses: [{ status: 204, description: 'Deleted.' }],
    async handler({ deps, params, ctx }) {
      await removeUser(deps, params.id, ctx);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/users/:id/password',
    operationId: 'setUserPassword',
    summary: 'Set a user’s password (ends their sessions, revokes their refresh tokens)',
    tag: 'users',
    permission: 'users:write',
    params: userId,
    body: s.object({ password }, ['password']),
    responses: [{ status: 204, description: 'Set.' }],
    async handler({ deps, params, body, ctx }) {
      await setUserPassword(deps, params.id, body.password, ctx);
      return { status: 204 };
    },
  }),
  ...(['disable', 'enable'] as const).map((action) =>
    defineRoute({
      method: 'post',
      path: `/users/:id/${action}`,
      operationId: `${action}User`,
      summary:
        action === 'disable'
          ? 'Disable a user: no sign-in; their sessions end and their grants are revoked'
          : 'Enable a disabled user again',
      tag: 'users',
      permission: 'users:write',
      params: userId,
      responses: [{ status: 200, description: 'The user as it is now.', schema: User }],
      async handler({ deps, params, ctx }) {
        const { user } = await updateUser(deps, params.id, { disabled: action === 'disable' }, ctx);
        return { status: 200, body: describeUser(user) };
      },
    }),
  ),
  defineRoute({
    method: 'get',
    path: '/users/:id/sessions',
    operationId: 'listUserSessions',
    summary: 'List a user’s live sessions, newest first',
    tag: 'users',
    permission: 'users:read',
    params: userId,
    responses: [{ status: 200, description: 'The sessions.', schema: listOf('SessionList', Session) }],
    async handler({ deps, params }) {
      return { status: 200, body: { items: (await listUserSessions(deps, params.id)).map(describeSession) } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/users/:id/sessions',
    operationId: 'endAllUserSessions',
    summary: 'End every session of a user and revoke all their grants',
    tag: 'users',
    permission: 'users:write',
    params: userId,
    responses: [
      {
        status: 200,
        description: 'How many sessions ended and grants were revoked.',
        schema: s.object({ sessions: s.integer({ minimum: 0 }), grants: s.integer({ minimum: 0 }) }, [
          'sessions',
          'grants',
        ]),
      },
    ],
    async handler({ deps, params, ctx }) {
      const { sessions, grants } = await endAllUserSessions(deps, params.id, ctx);
      return { status: 200, body: { sessions, grants } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/users/:id/sessions/:session_id',
    operationId: 'endUserSession',
    summary: 'End one session of a user (its grants but offline_access ones are revoked)',
    tag: 'users',
    permission: 'users:write',
    params: sessionId,
    responses: [{ status: 204, description: 'Ended.' }],
    async handler({ deps, params, ctx }) {
      await endUserSession(deps, params.id, params.session_id, ctx);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/users/:id/provider',
    operationId: 'unlinkUser',
    summary: 'Unlink a user’s upstream provider; they set a new password through the link answered',
    tag: 'users',
    permission: 'users:unlink',
    params: userId,
    responses: [
      {
        status: 200,
        description: 'A single-use set-password link for the user, shown once.',
        schema: s.object(
          { set_password_url: s.string({ format: 'uri' }), expires_at: epoch() },
          ['set_password_url', 'expires_at'],
          { name: 'SetPasswordLink' },
        ),
      },
    ],
    async handler({ deps, params, ctx }) {
      const link = await unlinkUser(deps, params.id, ctx);
      return { status: 200, body: { set_password_url: link.url, expires_at: link.expiresAt } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/users/:id/mfa',
    operationId: 'resetUserMfa',
    summary: 'Remove a user’s second factor and recovery codes',
    tag: 'users',
    permission: 'users:mfa',
    params: userId,
    responses: [{ status: 204, description: 'Removed.' }],
    async handler({ deps, params, ctx }) {
      await resetUserMfa(deps, params.id, ctx);
      return { status: 204 };
    },
  }),
];
