import type { User } from '../store/types.js';

/** OIDC Core §5.4: the standard claims each scope releases. */
export function userClaims(user: User, scope: string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scope.includes('profile')) {
    if (user.name) claims['name'] = user.name;
    if (user.givenName) claims['given_name'] = user.givenName;
    if (user.familyName) claims['family_name'] = user.familyName;
  }
  if (scope.includes('email')) {
    claims['email'] = user.email;
    claims['email_verified'] = user.emailVerified;
  }
  return claims;
}
