import type { Context } from 'hono';
import { Hono } from 'hono';
import { LogoutConfirmPage, SignedOutPage } from '../../views/index.js';
import type { Deps } from '../deps.js';
import {
  type ActiveSession,
  clearSessionCookie,
  csrfToken,
  currentSession,
  verifyCsrf,
} from '../http/browser.js';
import { requestMeta } from '../http/net.js';
import { type Params, readForm, readQuery } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import { allowFormTargets } from '../http/security.js';
import type { Client } from '../store/types.js';
import { verifyIdTokenHint } from '../tokens/id-token.js';
import { queueBackchannelLogout } from './backchannel.js';
import { invalidRequest, OAuthError } from './errors.js';

interface LogoutRequest {
  client: Client | undefined;
  hintSub: string | undefined;
  redirectUri: string | undefined;
  state: string | undefined;
  hidden: Record<string, string>;
}

async function parseLogout(deps: Deps, params: Params): Promise<LogoutRequest> {
  const hint = params.get('id_token_hint');
  const verified = hint ? await verifyIdTokenHint(deps, hint) : undefined;
  if (verified && 'problem' in verified)
    throw invalidRequest('"id_token_hint" is not an ID token issued here', { detail: verified.problem });
  const clientId = params.get('client_id');
  if (verified && clientId && verified.client.id !== clientId)
    throw invalidRequest('"client_id" does not match "id_token_hint"');
  const client = verified?.client ?? (clientId ? await deps.store.clients.find(clientId) : undefined);
  if (clientId && !client) throw new OAuthError('invalid_client', 'unknown client');
  const redirectUri = params.get('post_logout_redirect_uri');
  // RP-Initiated Logout §3: only a registered URI, and only when the client is known; else no redirect.
  if (redirectUri !== undefined) {
    if (!client) throw invalidRequest('"post_logout_redirect_uri" needs "id_token_hint" or "client_id"');
    if (!client.postLogoutRedirectUris.includes(redirectUri))
      throw invalidRequest('"post_logout_redirect_uri" is not registered for this client');
  }
  const hidden: Record<string, string> = {};
  for (const key of ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state']) {
    const v = params.get(key);
    if (v !== undefined) hidden[key] = v;
  }
  return { client, hintSub: verified?.sub, redirectUri, state: params.get('state'), hidden };
}

async function endSession(
  c: Context,
  deps: Deps,
  active: ActiveSession | undefined,
  clientId: string | undefined,
): Promise<void> {
  clearSessionCookie(c, deps);
  if (!active) return;
  const now = deps.clock.now();
  // SPEC §3: refresh tokens issued through this session go, except offline_access ones; one unit of work.
  await deps.store.sessions.logout(active.session.idHash, now, {
    at: now,
    type: 'logout',
    userId: active.user.id,
    clientId: clientId ?? null,
    ...requestMeta(c),
    detail: null,
  });
  await queueBackchannelLogout(deps, [active.session.idHash]);
}

function finish(c: Context, req: LogoutRequest): Response {
  if (req.redirectUri) {
    const url = new URL(req.redirectUri);
    if (req.state !== undefined) url.searchParams.append('state', req.state);
    return c.redirect(url.toString(), 303);
  }
  return htmlPage(c, SignedOutPage, {});
}

/**
 * "Cancel" on the confirmation: the session stays. Back to the app only at a URI registered for it (the
 * request was checked again by `parseLogout`), with its `state`; else to the account page.
 */
function cancel(c: Context, req: LogoutRequest): Response {
  if (!req.redirectUri) return c.redirect('/account', 303);
  const url = new URL(req.redirectUri);
  if (req.state !== undefined) url.searchParams.append('state', req.state);
  return c.redirect(url.toString(), 303);
}

/** OpenID Connect RP-Initiated Logout 1.0. */
export function logoutRoutes(deps: Deps): Hono {
  const app = new Hono();

  const start = async (c: Context, params: Params) => {
    const req = await parseLogout(deps, params);
    const active = await currentSession(c, deps);
    if (!active) {
      clearSessionCookie(c, deps);
      return finish(c, req);
    }
    // Without a hint naming this user, ask first (RP-Initiated Logout §2: the OP SHOULD ask).
    if (req.hintSub !== active.user.id) {
      allowFormTargets(c, [req.redirectUri]); // the answer to the form redirects there (CSP form-action)
      return htmlPage(c, LogoutConfirmPage, {
        action: '/logout',
        csrf: csrfToken(c, deps),
        hidden: req.hidden,
        ...(req.client ? { clientName: req.client.name } : {}),
      });
    }
    await endSession(c, deps, active, req.client?.id);
    return finish(c, req);
  };

  app.get('/logout', async (c) => start(c, readQuery(c)));
  app.post('/logout', async (c) => {
    const params = await readForm(c);
    // An RP may POST the logout request itself (RP-Initiated Logout §2); the confirmation form has a token.
    if (params.get('csrf') === undefined) return start(c, params);
    verifyCsrf(c, deps, params.get('csrf'));
    const req = await parseLogout(deps, params);
    if (params.get('cancel') !== undefined) return cancel(c, req);
    await endSession(c, deps, await currentSession(c, deps), req.client?.id);
    return finish(c, req);
  });
  return app;
}
