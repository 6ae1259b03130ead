import { USER_FIELD_KEYS } from '../../admin/fields.js';
import {
  createUser,
  describeSession,
  describeUser,
  endAllUserSessions,
  endUserSession,
  enrollUserMfa,
  INVITE_TTL_SECONDS,
  inviteUser,
  listUserSessions,
  listUsers,
  mailSetPasswordLink,
  removeUser,
  resetUserMfa,
  SET_PASSWORD_TTL_SECONDS,
  setUserPassword,
  type UserInput,
  type UserPatch,
  unlinkUser,
  updateUser,
} from '../../admin/users.js';
import {
  allPages,
  type Command,
  listChange,
  none,
  one,
  orNull,
  READ_ONLY,
  str,
  strs,
  UsageError,
  type Values,
  withDeps,
} from '../command.js';
import { table } from '../output.js';

/** `--disabled` / `--enabled`: the one given, or undefined. */
function disabledChange(v: Values): boolean | undefined {
  if (v['disabled'] === true && v['enabled'] === true)
    throw new UsageError('--disabled and --enabled contradict each other');
  return v['disabled'] === true ? true : v['enabled'] === true ? false : undefined;
}

/** The patch `user update` asks for; every option left out leaves its field as it is. */
function userPatch(v: Values): UserPatch {
  const patch: UserPatch = {};
  if (str(v, 'email') !== undefined) patch.email = str(v, 'email')!;
  const optional = [
    ['name', 'name'],
    ['given-name', 'givenName'],
    ['family-name', 'familyName'],
    ['username', 'username'],
  ] as const;
  for (const [flag, field] of optional) {
    const { present, value } = orNull(v, flag);
    if (present) patch[field] = value;
  }
  const roles = listChange(v, 'role', 'no-roles');
  if (roles) patch.roles = roles;
  const groups = listChange(v, 'group', 'no-groups');
  if (groups) patch.groups = groups;
  const disabled = disabledChange(v);
  if (disabled !== undefined) patch.disabled = disabled;
  return patch;
}

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

export const userCommands: Record<string, Command> = {
  'user add': {
    usage:
      'user add --email E [--password P | --invite] [--name N] [--given-name G] [--family-name F] [--username U] [--role R]... [--group G]... [--disabled]',
    summary: `create a user; --invite creates them without a password and mails a set-password link (works once, for ${INVITE_TTL_SECONDS / 86400} days; printed too when LATCHKEY_SMTP_URL is not set); without either, the user can only sign in through a linked provider`,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      'given-name': { type: 'string' },
      'family-name': { type: 'string' },
      username: { type: 'string' },
      role: { type: 'string', multiple: true },
      group: { type: 'string', multiple: true },
      disabled: { type: 'boolean' },
      invite: { type: 'boolean' },
    },
    async run(v, p, out) {
      none(p);
      const email = str(v, 'email');
      if (!email) throw new UsageError('--email is required');
      const invite = v['invite'] === true;
      if (invite && str(v, 'password') !== undefined)
        throw new UsageError(
          '--invite and --password contradict each other: the invited user chooses the password',
        );
      const input: UserInput = {
        email,
        ...(str(v, 'password') !== undefined ? { password: str(v, 'password')! } : {}),
        ...(str(v, 'name') ? { name: str(v, 'name')! } : {}),
        ...(str(v, 'given-name') ? { givenName: str(v, 'given-name')! } : {}),
        ...(str(v, 'family-name') ? { familyName: str(v, 'family-name')! } : {}),
        ...(str(v, 'username') !== undefined ? { username: str(v, 'username')! } : {}),
        roles: strs(v, 'role'),
        groups: strs(v, 'group'),
        disabled: v['disabled'] === true,
      };
      if (!invite) {
        const user = await withDeps((deps) => createUser(deps, input));
        out.result(describeUser(user), `created user ${user.email} (${user.id})`);
        return;
      }
      const { user, url, expiresAt, mailed } = await withDeps((deps) => inviteUser(deps, input));
      const invitation = mailed ? { expires_at: expiresAt, mailed: true } : { url, expires_at: expiresAt };
      out.result({ ...describeUser(user), invitation }, () =>
        [
          `invited user ${user.email} (${user.id})`,
          ...(mailed
            ? [`the invitation is mailed; its link works once, until ${iso(expiresAt)}`]
            : [
                'LATCHKEY_SMTP_URL is not set: the invitation waits in the outbox and the server writes it to its log;',
                `hand this link to the user to choose a password (it works once, until ${iso(expiresAt)}):`,
                url!,
              ]),
        ].join('\n'),
      );
    },
  },
  'user update': {
    usage:
      'user update <id|email> [--email E] [--name N] [--given-name G] [--family-name F] [--username U] [--role R]... [--no-roles] [--group G]... [--no-groups] [--disabled|--enabled]',
    summary:
      "change a user: repeated --role/--group replace the list, --no-roles/--no-groups empty it, an empty value (--username '') clears a field; --disabled ends the user's sessions and tokens",
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      'given-name': { type: 'string' },
      'family-name': { type: 'string' },
      username: { type: 'string' },
      role: { type: 'string', multiple: true },
      'no-roles': { type: 'boolean' },
      group: { type: 'string', multiple: true },
      'no-groups': { type: 'boolean' },
      disabled: { type: 'boolean' },
      enabled: { type: 'boolean' },
    },
    async run(v, p, out) {
      const ref = one(p, 'user id or email');
      const patch = userPatch(v);
      if (!Object.keys(patch).length) throw new UsageError('nothing to change: give at least one option');
      const { user, changed } = await withDeps((deps) => updateUser(deps, ref, patch));
      out.result({ ...describeUser(user), changed: changed.map((f) => USER_FIELD_KEYS[f]) }, () =>
        changed.length
          ? `updated user ${user.email}: ${changed.map((f) => USER_FIELD_KEYS[f]).join(', ')}`
          : `user ${user.email}: nothing changed`,
      );
    },
  },
  'user list': {
    usage: 'user list [--query Q] [--role R] [--disabled|--enabled]',
    summary: 'list users (--query: a part of the email, name or username)',
    options: {
      query: { type: 'string' },
      role: { type: 'string' },
      disabled: { type: 'boolean' },
      enabled: { type: 'boolean' },
    },
    async run(v, p, out) {
      none(p);
      const disabled = disabledChange(v);
      const filter = {
        ...(str(v, 'query') !== undefined ? { query: str(v, 'query')! } : {}),
        ...(str(v, 'role') !== undefined ? { role: str(v, 'role')! } : {}),
        ...(disabled !== undefined ? { disabled } : {}),
      };
      const users = (
        await withDeps((deps) => allPages((page) => listUsers(deps, { ...filter, ...page })), READ_ONLY)
      ).map(describeUser);
      out.result(users, () =>
        table(users, ['id', 'email', 'name', 'username', 'roles', 'groups', 'disabled', 'has_password']),
      );
    },
  },
  'user sessions': {
    usage: 'user sessions <id|email>',
    summary: "list a user's live sessions, newest first",
    options: {},
    async run(_v, p, out) {
      const ref = one(p, 'user id or email');
      const sessions = (await withDeps((deps) => listUserSessions(deps, ref), READ_ONLY)).map(
        describeSession,
      );
      out.result(sessions, () =>
        table(
          sessions.map((s) => ({ ...s, created_at: iso(s.created_at), last_seen_at: iso(s.last_seen_at) })),
          ['id', 'created_at', 'last_seen_at', 'amr', 'ip', 'user_agent'],
        ),
      );
    },
  },
  'user sign-out': {
    usage: 'user sign-out <id|email> [--session ID]',
    summary:
      "end one session of a user (--session, an id from user sessions), or every session with all the user's tokens",
    options: { session: { type: 'string' } },
    async run(v, p, out) {
      const ref = one(p, 'user id or email');
      const session = str(v, 'session');
      if (session !== undefined) {
        await withDeps((deps) => endUserSession(deps, ref, session));
        out.result({ ended: 1, session }, `ended session ${session}`);
        return;
      }
      const ended = await withDeps((deps) => endAllUserSessions(deps, ref));
      out.result(
        { ended: ended.sessions, revoked_grants: ended.grants },
        `ended ${ended.sessions} session(s) and revoked ${ended.grants} grant(s)`,
      );
    },
  },
  'user remove': {
    usage: 'user remove <id|email>',
    summary: 'delete a user with their sessions and tokens',
    options: {},
    async run(_v, p, out) {
      const ref = one(p, 'user id or email');
      const user = await withDeps((deps) => removeUser(deps, ref));
      out.result({ removed: true, id: user.id, email: user.email }, `removed user ${user.email}`);
    },
  },
  'user set-password': {
    usage: 'user set-password <id|email> --password P',
    summary: "set a user's password",
    options: { password: { type: 'string' } },
    async run(v, p, out) {
      const ref = one(p, 'user id or email');
      const password = str(v, 'password');
      if (password === undefined) throw new UsageError('--password is required');
      const user = await withDeps((deps) => setUserPassword(deps, ref, password));
      out.result(describeUser(user), `password set for ${user.email}`);
    },
  },
  'user mfa-enroll': {
    usage: 'user mfa-enroll <id|email>',
    summary:
      'turn on TOTP for a user at once, replacing any before; prints the secret and recovery codes once',
    options: {},
    async run(_v, p, out) {
      const ref = one(p, 'user id or email');
      const { user, secret, otpauthUri, recoveryCodes } = await withDeps((deps) => enrollUserMfa(deps, ref));
      out.result({ secret, otpauth_uri: otpauthUri, recovery_codes: recoveryCodes }, () =>
        [
          `two-factor authentication is on for ${user.email}`,
          `secret:      ${secret}`,
          `otpauth_uri: ${otpauthUri}`,
          'recovery codes:',
          ...recoveryCodes.map((c) => `  ${c}`),
          '(the secret and the recovery codes are shown only once)',
        ].join('\n'),
      );
    },
  },
  'user mfa-reset': {
    usage: 'user mfa-reset <id|email>',
    summary: "remove a user's second factor and recovery codes (sessions and tokens stay)",
    options: {},
    async run(_v, p, out) {
      const ref = one(p, 'user id or email');
      const user = await withDeps((deps) => resetUserMfa(deps, ref));
      out.result(
        { reset: true, id: user.id, email: user.email },
        `two-factor authentication removed for ${user.email}`,
      );
    },
  },
  'user unlink': {
    usage: 'user unlink <id|email>',
    summary: `remove a user's provider link and end their sessions; mails the user a set-password link that works once, for ${SET_PASSWORD_TTL_SECONDS / 3600} hours (prints it instead when LATCHKEY_SMTP_URL is not set)`,
    options: {},
    async run(_v, p, out) {
      const ref = one(p, 'user id or email');
      const { link, mailed } = await withDeps(async (deps) => {
        const link = await unlinkUser(deps, ref);
        return { link, mailed: await mailSetPasswordLink(deps, link) };
      });
      const { user, url, expiresAt } = link;
      const hours = SET_PASSWORD_TTL_SECONDS / 3600;
      if (mailed) {
        out.result({ id: user.id, email: user.email, mailed: true, expires_at: expiresAt }, () =>
          [
            `unlinked ${user.email}; their sessions are ended`,
            `a set-password link is mailed to them (it works once, for ${hours} hours)`,
          ].join('\n'),
        );
        return;
      }
      out.result({ id: user.id, email: user.email, set_password_url: url, expires_at: expiresAt }, () =>
        [
          `unlinked ${user.email}; their sessions are ended`,
          `hand this link to the user to choose a password (it works once, for ${hours} hours):`,
          url,
        ].join('\n'),
      );
    },
  },
};
