/**
 * The admin use cases on users (the CLI, the admin API, the console and the config file call them), one module
 * per concern under users/; this file only re-exports them.
 */
export { type ConnectedApp, listUserApps, revokeUserApp } from './users/apps.js';
export { createUser, INVITE_TTL_SECONDS, type Invitation, inviteUser } from './users/create.js';
export { enrollUserMfa, resetUserMfa, setUserPassword } from './users/credentials.js';
export { removeUser, updateUser } from './users/edit.js';
export { describeUser, findUser, listUsers, type UserFilter } from './users/find.js';
export { hashValidPassword, type UserInput, type UserPatch } from './users/input.js';
export { describeSession, endAllUserSessions, endUserSession, listUserSessions } from './users/sessions.js';
export {
  mailSetPasswordLink,
  SET_PASSWORD_PATH,
  SET_PASSWORD_TTL_SECONDS,
  type SetPasswordLink,
  unlinkUser,
} from './users/unlink.js';
