import { Hono } from 'hono';
import { AccountPage } from '../../views/index.js';
import type { Deps } from '../deps.js';
import { clearSessionCookie, csrfToken } from '../http/browser.js';
import { clientIp } from '../http/net.js';
import { readForm } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import { scopeDescriptions } from '../oauth/scope.js';

export const ACCOUNT_ACTIONS = {
  signOutEverywhere: '/account/sign-out-everywhere',
  revoke: '/account/revoke',
  mfaSetup: '/account/mfa/setup',
  mfaEnable: '/account/mfa/enable',
  link: (slug: string) => `/account/link/${encodeURIComponent(slug)}`,
};

/**
 * The signed-in user's own page: sessions, connected apps (revoke), sign out everywhere (SPEC §5).
 * `requireSession()` and `csrf()` guard every route here (app.ts).
 */
export function accountRoutes(deps: Deps): Hono {
  const app = new Hono();

  app.get('/account', async (c) => {
    const { user, session: current } = c.get('session');
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
    const descriptions = await scopeDescriptions(deps, names);
    const apps = [];
    for (const [clientId, entry] of byClient) {
      const client = await deps.store.clients.find(clientId);
      if (!client) continue;
      apps.push({
        clientId,
        name: client.name,
        scopes: [...entry.scopes].map((s) => descriptions.get(s) ?? s),
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
        actions: ACCOUNT_ACTIONS,
        signOutHref: '/logout',
        ...(notice === 'app_revoked' ? { notice } : {}),
      }),
    );
  });

  /** Revokes every token the user granted the client, and forgets the consent: one unit of work. */
  app.post(ACCOUNT_ACTIONS.revoke, async (c) => {
    const { user } = c.get('session');
    const clientId = (await readForm(c)).require('client_id');
    const now = deps.clock.now();
    await deps.store.grants.revokeApp(user.id, clientId, now, {
      at: now,
      type: 'app_revoked',
      userId: user.id,
      clientId,
      ip: clientIp(c),
      detail: null,
    });
    return c.redirect('/account?notice=app_revoked', 303);
  });

  /** SPEC §3: ends every session of the user and revokes all of the user's refresh tokens. */
  app.post(ACCOUNT_ACTIONS.signOutEverywhere, async (c) => {
    const { user } = c.get('session');
    const now = deps.clock.now();
    await deps.store.sessions.signOutEverywhere(user.id, now, {
      at: now,
      type: 'sign_out_everywhere',
      userId: user.id,
      clientId: null,
      ip: clientIp(c),
      detail: null,
    });
    clearSessionCookie(c, deps);
    return c.redirect('/login?return_to=%2Faccount', 303);
  });

  return app;
}
