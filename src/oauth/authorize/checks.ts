import type { Deps } from '../../deps.js';
import type { Params } from '../../http/params.js';
import type { Client, RequestedClaims } from '../../store/types.js';
import { verifyIdTokenHint } from '../../tokens/id-token.js';
import { releasableByName } from '../claims.js';
import { invalidRequest, invalidScope, OAuthError, unauthorizedClient } from '../errors.js';
import { checkAllowedResource, checkUserScopes, parseScope } from '../scope.js';
import type { ResponseMode, ResponseType } from './request.js';

const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]']);

/**
 * RFC 6749 §3.1.2.3 exact match; RFC 8252 §7.3: a loopback IP redirect URI matches on any port.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 */
export function redirectUriMatches(registered: string, sent: string): boolean {
  if (registered === sent) return true;
  let r: URL;
  let s: URL;
  try {
    r = new URL(registered);
    s = new URL(sent);
  } catch {
    return false;
  }
  if (
    r.protocol !== 'http:' ||
    s.protocol !== 'http:' ||
    !LOOPBACK_IPS.has(r.hostname) ||
    r.hostname !== s.hostname
  )
    return false;
  const strip = (u: URL) => `${u.protocol}//${u.hostname}${u.pathname}${u.search}`;
  return (
    !sent.includes('#') && strip(r) === strip(s) && r.username === s.username && r.password === s.password
  );
}

/** Page error until this passes: no redirect to an unverified URI. */
export function checkRedirectUri(
  client: Client,
  sent: string | undefined,
  openid: boolean,
): { uri: string; sent: boolean } {
  if (sent !== undefined) {
    if (!client.redirectUris.some((r) => redirectUriMatches(r, sent))) {
      throw new OAuthError('invalid_redirect_uri', '"redirect_uri" is not registered for this client');
    }
    return { uri: sent, sent: true };
  }
  // SPEC §3: required with openid or several registered URIs; else the single registered one (RFC 6749 §3.1.2.3).
  if (openid || client.redirectUris.length !== 1) {
    throw new OAuthError('invalid_redirect_uri', '"redirect_uri" is required');
  }
  return { uri: client.redirectUris[0]!, sent: false };
}

/** RFC 6749 §3.1.1; implicit only for clients created with `--implicit`. */
export function checkResponseType(client: Client, raw: string | undefined): ResponseType {
  if (raw === undefined) throw invalidRequest('"response_type" is required');
  const normalized = raw.split(' ').filter(Boolean).sort().join(' ');
  if (normalized === 'code') {
    if (!client.grants.includes('authorization_code'))
      throw unauthorizedClient('the client is not allowed the authorization code flow');
    return 'code';
  }
  if (normalized === 'token' || normalized === 'id_token token') {
    if (!client.allowImplicit) throw unauthorizedClient('the implicit flow is not enabled for this client');
    return normalized;
  }
  throw new OAuthError('unsupported_response_type', `response_type "${raw.slice(0, 50)}" is not supported`);
}

/** OAuth 2.0 Multiple Response Types §5; fragment is the default for implicit. */
export function checkResponseMode(responseType: ResponseType, raw: string | undefined): ResponseMode {
  const fallback: ResponseMode = responseType === 'code' ? 'query' : 'fragment';
  if (raw === undefined) return fallback;
  if (raw !== 'query' && raw !== 'fragment' && raw !== 'form_post')
    throw invalidRequest(`response_mode "${raw.slice(0, 50)}" is not supported`);
  // Tokens never travel in a query string (OAuth 2.0 Multiple Response Types §2.1).
  if (raw === 'query' && responseType !== 'code')
    throw invalidRequest('response_mode "query" cannot carry tokens');
  return raw;
}

/** Only the scopes of the client's allow-list (`admin`: first-party only); openid required for ID tokens. */
export function checkScope(client: Client, raw: string | undefined, responseType: ResponseType): string[] {
  const scope = parseScope(raw);
  checkUserScopes(client, scope);
  if (responseType === 'id_token token' && !scope.includes('openid'))
    throw invalidScope('"id_token" needs the "openid" scope');
  return scope;
}

const VERIFIER_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** RFC 7636 §4.3 with S256 only; required for public clients and `--require-pkce` (OAuth 2.1 §7.5.1). */
export function checkPkce(client: Client, params: Params, responseType: ResponseType): string | null {
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (responseType !== 'code') return null;
  if (challenge === undefined) {
    if (method !== undefined) throw invalidRequest('"code_challenge_method" without "code_challenge"');
    if (client.isPublic || client.requirePkce)
      throw invalidRequest('PKCE is required: send "code_challenge" with method S256');
    return null;
  }
  if (method !== 'S256') throw invalidRequest('"code_challenge_method" must be S256 (plain is not accepted)');
  if (!VERIFIER_CHALLENGE.test(challenge))
    throw invalidRequest('"code_challenge" must be a base64url SHA-256 (43 characters)');
  return challenge;
}

/** OIDC Core §3.1.2.1 prompt; §3.2.2.1 nonce is required for ID tokens from the authorization endpoint. */
export function checkPrompt(params: Params): { prompt: string[]; maxAge: number | null } {
  const prompt = (params.get('prompt') ?? '').split(' ').filter(Boolean);
  for (const p of prompt) {
    if (!['none', 'login', 'consent', 'select_account'].includes(p))
      throw invalidRequest(`prompt "${p.slice(0, 30)}" is not supported`);
  }
  if (prompt.includes('none') && prompt.length > 1)
    throw invalidRequest('prompt "none" cannot be combined with other values');
  const raw = params.get('max_age');
  let maxAge: number | null = null;
  if (raw !== undefined) {
    if (!/^\d{1,10}$/.test(raw)) throw invalidRequest('"max_age" must be a whole number of seconds');
    maxAge = Number(raw);
  }
  return { prompt, maxAge };
}

export function checkNonce(params: Params, responseType: ResponseType): string | null {
  const nonce = params.get('nonce') ?? null;
  if (nonce !== null && nonce.length > 512) throw invalidRequest('"nonce" must be at most 512 characters');
  if (responseType === 'id_token token' && nonce === null)
    throw invalidRequest('"nonce" is required for the implicit flow');
  return nonce;
}

/**
 * `idp=<slug>` (as Keycloak's `kc_idp_hint`): the login step goes straight to that upstream provider. Whether
 * it exists and is enabled is decided when the login step is reached (the `provider_disabled` page).
 */
export function checkIdpHint(params: Params): string | null {
  const idp = params.get('idp') ?? null;
  if (idp !== null && (idp.length === 0 || idp.length > 32))
    throw invalidRequest('"idp" must be a provider slug of 1 to 32 characters');
  return idp;
}

/** RFC 8707 §2: only a resource on the client's allow-list; a redirect error (`invalid_target`). */
export function checkResource(client: Client, params: Params): string | null {
  return checkAllowedResource(client, params.get('resource')) ?? null;
}

/** OIDC Core §6.1, §6.2: request objects are not supported, and say so with their own codes. */
export function checkNoRequestObject(params: Params): void {
  if (params.has('request'))
    throw new OAuthError('request_not_supported', 'request objects are not supported');
  if (params.has('request_uri'))
    throw new OAuthError('request_uri_not_supported', '"request_uri" is not supported');
}

/**
 * OIDC Core §3.1.2.1: `id_token_hint` must be an ID token we issued (expired is fine). Its subject is kept
 * for the policy, which treats a session of another user as nobody signed in (OIDC Core §3.1.2.2).
 */
export async function checkIdTokenHint(
  deps: Pick<Deps, 'config' | 'keys' | 'store'>,
  params: Params,
): Promise<string | null> {
  const hint = params.get('id_token_hint');
  if (!hint) return null;
  const verified = await verifyIdTokenHint(deps, hint);
  if ('problem' in verified)
    throw invalidRequest('"id_token_hint" is not an ID token issued here', { detail: verified.problem });
  return verified.sub;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * OIDC Core §5.5 `claims`: a JSON object whose `id_token` and `userinfo` members name the claims wanted there.
 * The names latchkey has are kept, any other ignored (as are `essential`, `value`, `values`: §5.5.1 lets an OP
 * leave a claim out). Consent is given per scope, so a claim is released by name only when the client is
 * allowed its scope and either is first-party (no consent page) or asked for that scope (the user approves
 * it): a third-party client cannot reach data its user never approved by naming a claim.
 * @returns null when `claims` is absent or names nothing latchkey releases.
 */
export function checkClaimsRequest(
  client: Client,
  params: Params,
  scope: readonly string[],
): RequestedClaims | null {
  const raw = params.get('claims');
  if (raw === undefined) return null;
  if (raw.length > 4096) throw invalidRequest('"claims" must be at most 4096 characters');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidRequest('"claims" must be a JSON object (OIDC Core §5.5): it is not valid JSON');
  }
  if (!isObject(parsed)) throw invalidRequest('"claims" must be a JSON object (OIDC Core §5.5)');
  const names = (member: 'id_token' | 'userinfo'): string[] => {
    const wanted = parsed[member];
    if (wanted === undefined || wanted === null) return [];
    if (!isObject(wanted)) throw invalidRequest(`"claims" member "${member}" must be a JSON object`);
    return releasableByName(client, scope, Object.keys(wanted));
  };
  const idToken = names('id_token');
  const userinfo = names('userinfo');
  return idToken.length || userinfo.length ? { idToken, userinfo } : null;
}
