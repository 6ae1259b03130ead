import type { Context } from 'hono';
import { Hono } from 'hono';
import { ACR_VALUES } from '../../auth/factors.js';
import type { Deps } from '../../deps.js';
import { type Params, readForm, readQuery } from '../../http/params.js';
import { offerWayBack, redirectErrors } from '../../http/render.js';
import { fromUiLocales } from '../../i18n/locale.js';
import { OAuthError } from '../errors.js';
import {
  checkClaimsRequest,
  checkIdpHint,
  checkIdTokenHint,
  checkNonce,
  checkNoRequestObject,
  checkPkce,
  checkPrompt,
  checkRedirectUri,
  checkResource,
  checkResponseMode,
  checkResponseType,
  checkScope,
} from './checks.js';
import type { AuthorizationRequest, ResponseMode } from './request.js';
import { type RedirectTarget, respondError } from './respond.js';

/**
 * RFC 6749 §4.1.1, OIDC Core §3.1.2: the authorization endpoint as an ordered list of checks.
 * Until client and redirect URI are verified, errors are a page (RFC 6749 §4.1.2.1); after, a redirect.
 */
async function authorize(c: Context, deps: Deps, begin: BeginInteraction, params: Params): Promise<Response> {
  // OIDC Core §3.1.2.1: the pages' language, the error page above the redirect URI check included.
  const uiLocale = fromUiLocales(params.get('ui_locales'));
  c.set('uiLocale', uiLocale);
  // 1. client
  const clientId = params.get('client_id');
  if (!clientId) throw new OAuthError('invalid_client', '"client_id" is required');
  const client = await deps.store.clients.find(clientId);
  if (!client) throw new OAuthError('invalid_client', 'unknown client');
  offerWayBack(c, client);
  // 2. redirect URI — page errors above this line, redirect errors below it
  const openid = (params.get('scope') ?? '').split(' ').includes('openid');
  const redirect = checkRedirectUri(client, params.get('redirect_uri'), openid);
  const rawType = params.get('response_type');
  // OAuth 2.0 Multiple Response Types §2.1: fragment is the default only when tokens are returned.
  const returnsTokens = (rawType ?? '').split(' ').some((v) => v === 'token' || v === 'id_token');
  const modeGuess: ResponseMode = returnsTokens ? 'fragment' : 'query';
  const rawMode = params.get('response_mode');
  const target: RedirectTarget = {
    redirectUri: redirect.uri,
    responseMode:
      rawMode === 'form_post' || rawMode === 'fragment' || rawMode === 'query' ? rawMode : modeGuess,
    state: params.get('state') ?? null,
    issuer: deps.config.issuer,
  };
  redirectErrors(c, (err) => respondError(c, target, err));
  // 3. the rest of the request
  checkNoRequestObject(params);
  const responseType = checkResponseType(client, rawType);
  const responseMode = checkResponseMode(responseType, rawMode);
  target.responseMode = responseMode;
  const scope = checkScope(client, params.get('scope'), responseType);
  const codeChallenge = checkPkce(client, params, responseType);
  const nonce = checkNonce(params, responseType);
  const { prompt, maxAge } = checkPrompt(params);
  const idTokenHintSub = await checkIdTokenHint(deps, params);
  const resource = checkResource(client, params);
  const loginHint = params.get('login_hint')?.slice(0, 254) ?? null;
  const idpHint = checkIdpHint(params);
  const claims = checkClaimsRequest(client, params, scope);
  // Voluntary acr values (OIDC Core §3.1.2.1): the ones latchkey knows are kept, others ignored.
  const acrValues = (params.get('acr_values') ?? '')
    .split(' ')
    .filter((v): v is (typeof ACR_VALUES)[number] => (ACR_VALUES as readonly string[]).includes(v));

  const request: AuthorizationRequest = {
    clientId: client.id,
    redirectUri: redirect.uri,
    redirectUriSent: redirect.sent,
    responseType,
    responseMode,
    scope,
    state: target.state,
    nonce,
    codeChallenge,
    prompt,
    maxAge,
    loginHint,
    ...(idpHint ? { idpHint } : {}),
    ...(acrValues.length ? { acrValues: [...new Set(acrValues)] } : {}),
    idTokenHintSub,
    resource,
    ...(claims ? { claims } : {}),
    ...(uiLocale ? { uiLocale } : {}),
  };
  // 4. save the interaction and take the next step
  return begin(c, request);
}

/** Saves the validated request as an interaction and takes its first step (the interaction layer, app.ts). */
export type BeginInteraction = (c: Context, request: AuthorizationRequest) => Promise<Response>;

/** Errors are the hosted page until `authorize` verifies the redirect URI (`pageErrors()` in app.ts). */
export function authorizeRoutes(deps: Deps, begin: BeginInteraction): Hono {
  const app = new Hono();
  app.get('/authorize', async (c) => authorize(c, deps, begin, readQuery(c)));
  // OIDC Core §3.1.2.1: POST with a form body is allowed too.
  app.post('/authorize', async (c) => authorize(c, deps, begin, await readForm(c)));
  return app;
}
