import type { Locale } from '../../i18n/locale.js';
import type { RequestedClaims } from '../../store/types.js';

/** The validated authorization request, saved in the Interaction: pages read this, never the raw query. */
export interface AuthorizationRequest {
  clientId: string;
  /** The redirect URI the response goes to (the one sent, or the single registered one). */
  redirectUri: string;
  /** Whether `/authorize` received `redirect_uri` (then `/token` must repeat it, RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  responseType: ResponseType;
  responseMode: ResponseMode;
  scope: string[];
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  prompt: string[];
  maxAge: number | null;
  loginHint: string | null;
  /** `idp=<slug>`: the upstream provider the login step goes straight to (optional: older interactions lack it). */
  idpHint?: string;
  /**
   * OIDC Core §3.1.2.1 `acr_values`, the ones latchkey knows (`urn:latchkey:acr:2fa` asks for a second factor).
   * Optional: interactions saved before it existed have none.
   */
  acrValues?: string[];
  /** The `sub` of a verified `id_token_hint`: a session of another user counts as nobody signed in. */
  idTokenHintSub: string | null;
  resource: string | null;
  /** OIDC Core §3.1.2.1 `ui_locales`: the first supported language (optional: older interactions lack it). */
  uiLocale?: Locale;
  /** OIDC Core §5.5 `claims`, the names latchkey releases (optional: older interactions lack it). */
  claims?: RequestedClaims;
}

export type ResponseType = 'code' | 'token' | 'id_token token';
export type ResponseMode = 'query' | 'fragment' | 'form_post';
