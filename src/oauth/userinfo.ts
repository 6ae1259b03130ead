import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Deps } from '../deps.js';
import { readForm } from '../http/params.js';
import { userClaims } from './claims.js';
import { OAuthError } from './errors.js';

const challenge = (error?: string, description?: string) =>
  error
    ? `Bearer realm="latchkey", error="${error}", error_description="${description}"`
    : 'Bearer realm="latchkey"';

/** RFC 6750 §2.1 header, or §2.2 form body on POST; exactly one. */
async function bearerToken(c: Context): Promise<string> {
  const header = c.req.header('authorization');
  let fromBody: string | undefined;
  if (
    c.req.method === 'POST' &&
    (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')
  ) {
    fromBody = (await readForm(c)).get('access_token');
  }
  if (header && fromBody)
    throw new OAuthError('invalid_request', 'send the token in one place only', {
      headers: { 'WWW-Authenticate': challenge('invalid_request', 'one token only') },
    });
  if (header) {
    const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
    if (m) return m[1]!;
    // RFC 6750 §3.1: a malformed request is invalid_request (400).
    if (/^bearer\b/i.test(header.trim())) {
      throw new OAuthError('invalid_request', 'the Authorization header is not a valid Bearer token', {
        headers: { 'WWW-Authenticate': challenge('invalid_request', 'malformed bearer token') },
      });
    }
  } else if (fromBody) {
    return fromBody;
  }
  throw new OAuthError('invalid_token', 'a bearer access token is required', {
    status: 401,
    headers: { 'WWW-Authenticate': challenge() },
  });
}

/** OIDC Core §5.3: claims about the signed-in user, by scope. */
export function userinfoRoutes(deps: Deps): Hono {
  const app = new Hono();
  const handler = async (c: Context) => {
    c.header('Cache-Control', 'no-store');
    const token = await bearerToken(c);
    const info = await deps.accessTokens.verify(token);
    const invalid = () =>
      new OAuthError('invalid_token', 'the access token is invalid, expired or revoked', {
        headers: {
          'WWW-Authenticate': challenge('invalid_token', 'the access token is invalid, expired or revoked'),
        },
      });
    if (!info?.userId) throw invalid();
    const scope = info.scope.split(' ');
    if (!scope.includes('openid')) {
      throw new OAuthError('insufficient_scope', 'the access token lacks the "openid" scope', {
        headers: { 'WWW-Authenticate': challenge('insufficient_scope', 'openid scope required') },
      });
    }
    const user = await deps.store.users.find(info.userId);
    if (!user) throw invalid();
    return c.json({ sub: user.id, ...userClaims(user, scope) });
  };
  app.get('/userinfo', handler);
  app.post('/userinfo', handler);
  return app;
}
