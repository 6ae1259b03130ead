import {
  createUser,
  describeUser,
  enrollUserMfa,
  removeUser,
  resetUserMfa,
  setUserPassword,
  unlinkUser,
} from '../../admin/users.js';
import { type Command, none, one, str, strs, UsageError, withDeps } from '../command.js';
import { table } from '../output.js';

export const userCommands: Record<string, Command> = {
  'user add': {
    usage: 'user add --email E [--password P] [--name N] [--given-name G] [--family-name F] [--role R]...',
    summary: 'create a user (without a password, the user can only sign in through a linked provider)',
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      'given-name': { type: 'string' },
      'family-name': { type: 'string' },
      role: { type: 'string', multiple: true },
    },
    async run(v, p, out) {
      none(p);
      const email = str(v, 'email');
      if (!email) throw new UsageError('--email is required');
      const user = await withDeps((deps) =>
        createUser(deps, {
          email,
          ...(str(v, 'password') !== undefined ? { password: str(v, 'password')! } : {}),
          ...(str(v, 'name') ? { name: str(v, 'name')! } : {}),
          ...(str(v, 'given-name') ? { givenName: str(v, 'given-name')! } : {}),
          ...(str(v, 'family-name') ? { familyName: str(v, 'family-name')! } : {}),
          roles: strs(v, 'role'),
        }),
      );
      out.result(describeUser(user), `created user ${user.email} (${user.id})`);
    },
  },
  'user list': {
    usage: 'user list',
    summary: 'list users',
    options: {},
    async run(_v, _p, out) {
      const users = (await withDeps((deps) => deps.store.users.list())).map(describeUser);
      out.result(users, () => table(users, ['id', 'email', 'name', 'roles', 'has_password']));
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
    summary:
      "remove a user's provider link and end their sessions; prints a set-password link that works once, for 24 hours",
    options: {},
    async run(_v, p, out) {
      const ref = one(p, 'user id or email');
      const { user, url, expiresAt } = await withDeps((deps) => unlinkUser(deps, ref));
      out.result({ id: user.id, email: user.email, set_password_url: url, expires_at: expiresAt }, () =>
        [
          `unlinked ${user.email}; their sessions are ended`,
          'hand this link to the user to choose a password (it works once, for 24 hours):',
          url,
        ].join('\n'),
      );
    },
  },
};
