import type { Context } from 'hono';
import { Hono } from 'hono';
import { AccountPage, builtinScopeDescriptions } from '../../views/index.js';
import type { Deps } from '../deps.js';
import {
  type ActiveSession,
  checkCsrf,
  clearSessionCookie,
  csrfToken,
  currentSession,
} from '../http/browser.js';
import { readForm } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import { OAuthError } from '../oauth/errors.js';

const ACTIONS = {
  signOutEverywhere: '/account/sign-out-everywhere',
  revoke: '/account/revoke',
  mfaSetup: '/account/mfa/setup',
  mfaEnable: '/account/mfa/enable',
  link: (slug: string) => `/account/link/${encodeURIComponent(slug)}`,
};

/** The signed-in user's own page: sessions, connected apps (revoke), sign out everywhere (SPEC §5). */
export function accountRoutes(deps: Deps): Hono {
  const app = new Hono();

  const requireSession = async (c: Context): Promise<ActiveSession | Response> => {
    c.set('errorMode', { kind: 'page' });
    const active = await currentSession(c, deps);
    // SPEC §5: an anonymous visit goes to /login and back.
    return active ?? c.redirect(`/login?return_to=${encodeURIComponent('/account')}`, 303);
  };

  const checkForm = async (c: Context) => {
    const form = await readForm(c);
    if (!checkCsrf(c, deps, form.get('csrf'))) {
      throw new OAuthError('invalid_request', 'the form has expired; go back and try again', {
        status: 403,
        detail: 'csrf',
      });
    }
    return form;
  };

  app.get('/account', async (c) => {
    const active = await requireSession(c);
    if (active instanceof Response) return active;
    const { user, session: current } = active;
    const now = deps.clock.now();
    const sessions = await deps.store.sessions.listActiveForUser(user.id, now);
    const grants = await deps.store.grants.listActiveForUser(user.id, now);
    const byClient = new Map<string, { scopes: Set<string>; grantedAt: number }>();
    for (const g of grants) {
      const entry = byClient.get(g.clientId) ?? { scopes: new Set<string>(), grantedAt: g.createdAt };
      for (const s of g.scope.split(' ').filter(Boolean)) entry.scopes.add(s);
      entry.grantedAt = Math.min(entry.grantedAt, g.createdAt);
      byClient.set(g.clientId, entry);
    }
    const names = [...new Set(grants.flatMap((g) => g.scope.split(' ').filter(Boolean)))];
    const descriptions = new Map(
      (await deps.store.scopes.findMany(names)).map((s) => [s.name, s.description]),
    );
    const apps = [];
    for (const [clientId, entry] of byClient) {
      const client = await deps.store.clients.find(clientId);
      if (!client) continue;
      apps.push({
        clientId,
        name: client.name,
        scopes: [...entry.scopes].map((s) => descriptions.get(s) ?? builtinScopeDescriptions[s] ?? s),
        grantedAt: entry.grantedAt,
      });
    }
    const notice = c.req.query('notice');
    return htmlPage(
      c,
      AccountPage({
        csrf: csrfToken(c, deps),
        email: user.email,
        ...(user.name ? { name: user.name } : {}),
        sessions: sessions.map((s) => ({
          createdAt: s.createdAt,
          current: s.idHash === current.idHash,
          ...(s.userAgent ? { userAgent: s.userAgent } : {}),
        })),
        apps,
        mfa: { status: 'unavailable' },
        providers: [],
        actions: ACTIONS,
        signOutHref: '/logout',
        ...(notice === 'app_revoked' ? { notice } : {}),
      }),
    );
  });

  /** Revokes every token the user granted the client, and forgets the consent. */
  app.post(ACTIONS.revoke, async (c) => {
    const active = await requireSession(c);
    if (active instanceof Response) return active;
    const form = await checkForm(c);
    const clientId = form.require('client_id');
    const now = deps.clock.now();
    const revoked = await deps.store.grants.revokeForUserClient(active.user.id, clientId, now);
    await deps.store.consents.remove(active.user.id, clientId);
    await deps.store.events.add({
      at: now,
      type: 'app_revoked',
      userId: active.user.id,
      clientId,
      ip: null,
      detail: { revoked_grants: revoked },
    });
    return c.redirect('/account?notice=app_revoked', 303);
  });

  /** SPEC §3: ends every session of the user and revokes all of the user's refresh tokens. */
  app.post(ACTIONS.signOutEverywhere, async (c) => {
    const active = await requireSession(c);
    if (active instanceof Response) return active;
    await checkForm(c);
    const now = deps.clock.now();
    const sessions = await deps.store.sessions.endAllForUser(active.user.id, now);
    const grants = await deps.store.grants.revokeAllForUser(active.user.id, now);
    await deps.store.events.add({
      at: now,
      type: 'sign_out_everywhere',
      userId: active.user.id,
      clientId: null,
      ip: null,
      detail: { sessions, grants },
    });
    clearSessionCookie(c, deps);
    return c.redirect('/login?return_to=%2Faccount', 303);
  });

  return app;
}
