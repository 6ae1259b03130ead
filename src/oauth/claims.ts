import type { Client, User } from '../store/types.js';

/**
 * The scope that releases each user claim latchkey has: OIDC Core §5.4, plus `preferred_username` with
 * `profile` and the `groups` scope (issue 13: Grafana, Portainer, Gitea and Kubernetes map access from it).
 */
export const CLAIM_SCOPES: Readonly<Record<string, string>> = {
  name: 'profile',
  given_name: 'profile',
  family_name: 'profile',
  preferred_username: 'profile',
  email: 'email',
  email_verified: 'email',
  groups: 'groups',
};

/** `CLAIM_SCOPES` as a list, made once: /userinfo and every ID token walk it. */
const CLAIM_LIST = Object.entries(CLAIM_SCOPES);

/**
 * The claims a client may have by name (the `claims` parameter, OIDC Core §5.5) among `names`: those latchkey
 * has whose scope the client is allowed, and, unless the client is first-party (no consent page), which the
 * token's `scope` holds (the user approved it). Checked when the request is made and again at every use, so a
 * narrower refresh or a scope taken from the client also takes its claims.
 */
export function releasableByName(
  client: Pick<Client, 'scopes' | 'firstParty'>,
  scope: readonly string[],
  names: readonly string[],
): string[] {
  return names.filter((name) => {
    const releasedBy = Object.hasOwn(CLAIM_SCOPES, name) ? CLAIM_SCOPES[name] : undefined;
    return (
      releasedBy !== undefined &&
      client.scopes.includes(releasedBy) &&
      (client.firstParty || scope.includes(releasedBy))
    );
  });
}

/** A claim's value for the user, or undefined when the user has none. */
export function claimValue(user: User, claim: string): unknown {
  switch (claim) {
    case 'name':
      return user.name ?? undefined;
    case 'given_name':
      return user.givenName ?? undefined;
    case 'family_name':
      return user.familyName ?? undefined;
    // The optional username, else the email: what apps show and key accounts by (OIDC Core §5.1).
    case 'preferred_username':
      return user.username ?? user.email;
    case 'email':
      return user.email;
    case 'email_verified':
      return user.emailVerified;
    // Always an array with the scope, empty when the user is in no group: apps test membership, not presence.
    case 'groups':
      return [...user.groups];
    default:
      return undefined;
  }
}

/**
 * The user's claims the granted scopes release, plus those `requested` by name (the `claims` parameter, OIDC
 * Core §5.5) among the ones latchkey has; any other name is ignored.
 */
export function userClaims(
  user: User,
  scope: readonly string[],
  requested: readonly string[] = [],
): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [claim, releasedBy] of CLAIM_LIST) {
    if (!scope.includes(releasedBy) && !requested.includes(claim)) continue;
    const value = claimValue(user, claim);
    if (value !== undefined) claims[claim] = value;
  }
  return claims;
}
