import type { Context } from 'hono';
import type { Deps } from '../deps.js';
import { OAuthError } from '../oauth/errors.js';
import type { AccessTokenInfo } from '../tokens/access.js';
import { readForm } from './params.js';

/** RFC 6750 §3: the `WWW-Authenticate` challenge, with the error when there is one. */
export function bearerChallenge(
  error?: string,
  description?: string,
  extra: Record<string, string> = {},
): string {
  const params = [
    'realm="latchkey"',
    ...(error ? [`error="${error}"`] : []),
    ...(description ? [`error_description="${description}"`] : []),
    ...Object.entries(extra).map(([k, v]) => `${k}="${v}"`),
  ];
  return `Bearer ${params.join(', ')}`;
}

/**
 * RFC 6750 §2.1 header, or (`allowBody`, on a form POST) §2.2 form body; exactly one. No token at all: 401
 * with a bare challenge (§3.1); a malformed header: 400 `invalid_request`.
 */
export async function bearerToken(c: Context, allowBody = false): Promise<string> {
  const header = c.req.header('authorization');
  let fromBody: string | undefined;
  if (
    allowBody &&
    c.req.method === 'POST' &&
    (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')
  ) {
    fromBody = (await readForm(c)).get('access_token');
  }
  if (header && fromBody)
    throw new OAuthError('invalid_request', 'send the token in one place only', {
      headers: { 'WWW-Authenticate': bearerChallenge('invalid_request', 'one token only') },
    });
  if (header) {
    const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
    if (m) return m[1]!;
    // RFC 6750 §3.1: a malformed request is invalid_request (400).
    if (/^bearer\b/i.test(header.trim())) {
      throw new OAuthError('invalid_request', 'the Authorization header is not a valid Bearer token', {
        headers: { 'WWW-Authenticate': bearerChallenge('invalid_request', 'malformed bearer token') },
      });
    }
  } else if (fromBody) {
    return fromBody;
  }
  throw new OAuthError('invalid_token', 'a bearer access token is required', {
    status: 401,
    headers: { 'WWW-Authenticate': bearerChallenge() },
  });
}

/** 401 `invalid_token` with its challenge (RFC 6750 §3.1); the description must not carry `"` or `\`. */
export function invalidBearer(description = 'the access token is invalid, expired or revoked'): OAuthError {
  return new OAuthError('invalid_token', description, {
    status: 401,
    headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', description) },
  });
}

/** 403 `insufficient_scope` with its challenge naming the scope needed (RFC 6750 §3.1). */
export function insufficientScope(description: string, scope?: string): OAuthError {
  return new OAuthError('insufficient_scope', description, {
    status: 403,
    headers: {
      'WWW-Authenticate': bearerChallenge('insufficient_scope', description, scope ? { scope } : {}),
    },
  });
}

/**
 * RFC 9068 §4 / RFC 8707: a token is for this server's own APIs when its audience is the client itself (asked
 * without a `resource`), the issuer, or one of `alsoFor` (an API's own URL). A token minted for another
 * resource server must not be replayed here by whoever received it.
 */
export function isForThisServer(
  info: AccessTokenInfo,
  issuer: string,
  alsoFor: readonly string[] = [],
): boolean {
  return info.aud === info.clientId || info.aud === issuer || alsoFor.includes(info.aud);
}

/** The verified access token of the request (looked up server-side: revoked tokens are refused), or 401. */
export async function requireBearer(deps: Deps, c: Context, allowBody = false): Promise<AccessTokenInfo> {
  const info = await deps.accessTokens.verify(await bearerToken(c, allowBody));
  if (!info) throw invalidBearer();
  c.set('clientId', info.clientId);
  if (info.userId) c.set('userId', info.userId);
  return info;
}
