import type { Context } from 'hono';
import type { Deps } from '../../deps.js';
import type { AuthenticatedClient } from '../../http/client-auth.js';
import type { Params } from '../../http/params.js';

export interface GrantContext {
  c: Context;
  deps: Deps;
  params: Params;
  auth: AuthenticatedClient;
}

/** The token response (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

/** One handler per grant type (RFC 6749 §4): the token endpoint dispatches on `grant_type`. */
export interface GrantHandler {
  readonly type: string;
  handle(ctx: GrantContext): Promise<TokenResponse>;
}
