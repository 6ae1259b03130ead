import {
  checkPassword,
  hashPassword,
  type PasswordContext,
  passwordProblemText,
} from '../../crypto/password.js';
import type { Deps } from '../../deps.js';
import { AdminError, checkDisplayName } from '../validate.js';

export interface UserInput {
  email: string;
  password?: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  username?: string;
  roles?: string[];
  groups?: string[];
  /** Created disabled. */
  disabled?: boolean;
}

/** A change to a user; a member left out is left as it is (null clears an optional one). */
export interface UserPatch {
  email?: string;
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  username?: string | null;
  roles?: string[];
  groups?: string[];
  /** true: disabled (ends the sessions and revokes the grants, in one unit of work); false: enabled again. */
  disabled?: boolean;
}

/** A name part: null or empty clears it. */
export function optionalName(value: unknown, field: 'name' | 'givenName' | 'familyName'): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new AdminError('must be a string', 'invalid_input', field);
  return checkDisplayName(value, field) || null;
}

/** The password checked against the configured policy (`LATCHKEY_PASSWORD_*`), then hashed; the error names the rule. */
export async function hashValidPassword(
  deps: Pick<Deps, 'config'>,
  password: string,
  context: PasswordContext = {},
): Promise<string> {
  const policy = deps.config.passwordPolicy;
  const problem = await checkPassword(password, { serviceName: deps.config.brand.name, ...context }, policy);
  if (problem) throw new AdminError(passwordProblemText(problem, policy), 'weak_password', 'password');
  return hashPassword(password);
}
