import type { Context } from 'hono';
import { randomToken, sha256 } from '../../crypto/hash.js';
import type { Deps } from '../../deps.js';
import { type ActiveSession, currentSession } from '../../http/browser.js';
import type { Client, Grant } from '../../store/types.js';
import { OAuthError } from '../errors.js';
import { buildTokens } from '../token/issue.js';
import type { LoadedInteraction } from './interaction.js';
import type { AuthorizationRequest, InteractionState } from './request.js';
import { type RedirectTarget, respond } from './respond.js';

export const CODE_TTL_SECONDS = 60;

interface Facts {
  request: AuthorizationRequest;
  state: InteractionState;
  session: ActiveSession | undefined;
  client: Client;
  consented: string[];
  now: number;
}

interface Rule {
  step: 'login' | 'consent';
  reason: string;
  applies(f: Facts): boolean;
}

/** What still stands between the request and a code, in order. The first rule that applies wins. */
const RULES: Rule[] = [
  { step: 'login', reason: 'no session', applies: (f) => !f.session },
  {
    step: 'login',
    reason: 'prompt=login asks for a fresh sign-in (OIDC Core §3.1.2.1)',
    applies: (f) => f.request.prompt.includes('login') && f.state.loginAt === undefined,
  },
  {
    step: 'login',
    reason: 'the sign-in is older than max_age (OIDC Core §3.1.2.1; max_age=0 is prompt=login)',
    applies: (f) =>
      f.request.maxAge !== null &&
      f.state.loginAt === undefined &&
      (f.request.maxAge === 0 || f.now - f.session!.session.authTime > f.request.maxAge),
  },
  {
    step: 'consent',
    reason: 'prompt=consent asks for the consent page',
    applies: (f) => f.request.prompt.includes('consent') && !f.state.consentGiven,
  },
  {
    step: 'consent',
    reason: 'scopes the user has not approved for this client',
    applies: (f) =>
      !f.client.firstParty && !f.state.consentGiven && f.request.scope.some((s) => !f.consented.includes(s)),
  },
];

const PROMPT_NONE_ERROR = { login: 'login_required', consent: 'consent_required' } as const;

export function redirectTarget(deps: Deps, request: AuthorizationRequest): RedirectTarget {
  return {
    redirectUri: request.redirectUri,
    responseMode: request.responseMode,
    state: request.state,
    issuer: deps.config.issuer,
  };
}

/** Runs the rules: show a page, answer `prompt=none` errors, or issue the response. */
export async function nextStep(c: Context, deps: Deps, interaction: LoadedInteraction): Promise<Response> {
  const { request } = interaction.state;
  const client = await deps.store.clients.find(request.clientId);
  if (!client) throw new OAuthError('invalid_client', 'the client no longer exists');
  const session = await currentSession(c, deps);
  const consented =
    session && !client.firstParty ? await deps.store.consents.find(session.user.id, client.id) : [];
  const facts: Facts = {
    request,
    state: interaction.state,
    session,
    client,
    consented,
    now: deps.clock.now(),
  };
  const rule = RULES.find((r) => r.applies(facts));
  if (rule) {
    if (request.prompt.includes('none')) {
      await deps.store.interactions.remove(interaction.id);
      throw new OAuthError(PROMPT_NONE_ERROR[rule.step], `user interaction is required: ${rule.reason}`);
    }
    return c.redirect(`/${rule.step}?interaction=${encodeURIComponent(interaction.id)}`, 303);
  }
  await deps.store.interactions.remove(interaction.id);
  return issueAuthorizationResponse(c, deps, client, request, session!);
}

async function issueAuthorizationResponse(
  c: Context,
  deps: Deps,
  client: Client,
  request: AuthorizationRequest,
  { session, user }: ActiveSession,
): Promise<Response> {
  const now = deps.clock.now();
  const withRefresh = request.responseType === 'code' && client.grants.includes('refresh_token');
  const grant: Grant = {
    id: randomToken(12),
    clientId: client.id,
    userId: user.id,
    sessionHash: session.idHash,
    scope: request.scope.join(' '),
    resource: request.resource,
    authTime: session.authTime,
    amr: session.amr,
    nonce: request.nonce,
    createdAt: now,
    expiresAt: now + (withRefresh ? client.refreshTokenTtl : CODE_TTL_SECONDS + client.accessTokenTtl + 60),
    revokedAt: null,
  };
  await deps.store.events.add({
    at: now,
    type: 'authorized',
    userId: user.id,
    clientId: client.id,
    ip: null,
    detail: { scope: grant.scope, response_type: request.responseType },
  });
  const target = redirectTarget(deps, request);
  if (request.responseType === 'code') {
    const code = randomToken();
    await deps.store.codes.save(grant, {
      hash: sha256(code),
      grantId: grant.id,
      clientId: client.id,
      userId: user.id,
      redirectUri: request.redirectUriSent ? request.redirectUri : null,
      codeChallenge: request.codeChallenge,
      createdAt: now,
      expiresAt: now + CODE_TTL_SECONDS,
      consumedAt: null,
    });
    return respond(c, target, { code });
  }
  // Implicit (OIDC Core §3.2): tokens in the fragment, never a refresh token.
  const { response, issued } = await buildTokens(deps, {
    client,
    user,
    scope: grant.scope,
    aud: request.resource ?? client.id,
    grant,
    ...(request.responseType === 'id_token token' ? { idToken: { nonce: request.nonce } } : {}),
  });
  await deps.store.tokens.issue({ ...issued, grant });
  const params: Record<string, string> = {
    access_token: response.access_token,
    token_type: 'Bearer',
    expires_in: String(response.expires_in),
  };
  if (response.scope) params['scope'] = response.scope;
  if (response.id_token) params['id_token'] = response.id_token;
  return respond(c, target, params);
}
