import { invalidClient, invalidScope } from '../errors.js';
import { checkAllowedResource, checkAllowedScopes, parseScope } from '../scope.js';
import type { GrantHandler } from './grant.js';
import { buildTokens } from './issue.js';

// Scopes that only make sense with a user.
const USER_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** RFC 6749 §4.4: a confidential client acting on its own behalf. */
export const clientCredentials: GrantHandler = {
  type: 'client_credentials',
  async handle({ deps, params, auth }) {
    const { client } = auth;
    // RFC 6749 §4.4.2: only confidential clients.
    if (client.isPublic) throw invalidClient('a public client cannot use client_credentials');
    const requested = parseScope(params.get('scope'));
    checkAllowedScopes(client, requested);
    // A client acting for itself has no user to identify or keep signed in.
    const userScopes = requested.filter((s) => USER_SCOPES.has(s));
    if (userScopes.length)
      throw invalidScope(
        `${userScopes.map((s) => `"${s}"`).join(', ')} needs a user: not for client_credentials`,
      );
    const scope = (requested.length ? requested : client.scopes.filter((s) => !USER_SCOPES.has(s))).join(' ');
    const resource = checkAllowedResource(client, params.get('resource'));
    const { response, issued } = await buildTokens(deps, {
      client,
      user: null,
      scope,
      aud: resource ?? client.id,
      grant: null,
    });
    if (issued.access) await deps.store.tokens.issue(issued);
    return response;
  },
};
