import type { Context } from 'hono';
import { Hono } from 'hono';
import { builtinScopeDescriptions, ConsentPage } from '../../views/index.js';
import type { Deps } from '../deps.js';
import { checkCsrf, csrfToken, currentSession } from '../http/browser.js';
import { readForm } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import { loadInteraction, resumeUrl, saveInteraction } from '../oauth/authorize/interaction.js';
import { redirectTarget } from '../oauth/authorize/next-step.js';
import { respondError } from '../oauth/authorize/respond.js';
import { OAuthError } from '../oauth/errors.js';

/** The consent page: every requested scope with its description, Allow / Deny (SPEC §5). */
export function consentRoutes(deps: Deps): Hono {
  const app = new Hono();

  const load = async (c: Context) => {
    c.set('errorMode', { kind: 'page' });
    const interaction = await loadInteraction(c, deps, c.req.query('interaction'));
    const session = await currentSession(c, deps);
    const client = await deps.store.clients.find(interaction.state.request.clientId);
    if (!client) throw new OAuthError('invalid_client', 'the client no longer exists');
    return { interaction, session, client };
  };

  app.get('/consent', async (c) => {
    const { interaction, session, client } = await load(c);
    if (!session) return c.redirect(resumeUrl(interaction.id), 303);
    const names = interaction.state.request.scope;
    const known = new Map((await deps.store.scopes.findMany(names)).map((s) => [s.name, s.description]));
    return htmlPage(
      c,
      ConsentPage({
        action: `/consent?interaction=${encodeURIComponent(interaction.id)}`,
        csrf: csrfToken(c, deps),
        clientName: client.name,
        userEmail: session.user.email,
        scopes: names.map((name) => ({
          name,
          description: known.get(name) ?? builtinScopeDescriptions[name] ?? name,
        })),
      }),
    );
  });

  app.post('/consent', async (c) => {
    const { interaction, session, client } = await load(c);
    const form = await readForm(c);
    if (!checkCsrf(c, deps, form.get('csrf')))
      throw new OAuthError('invalid_request', 'the form has expired; go back and try again', {
        status: 403,
        detail: 'csrf',
      });
    if (!session) return c.redirect(resumeUrl(interaction.id), 303);
    const decision = form.get('decision');
    if (decision === 'deny') {
      await deps.store.interactions.remove(interaction.id);
      await deps.store.events.add({
        at: deps.clock.now(),
        type: 'consent_denied',
        userId: session.user.id,
        clientId: client.id,
        ip: null,
        detail: null,
      });
      return respondError(
        c,
        redirectTarget(deps, interaction.state.request),
        new OAuthError('access_denied', 'the user denied the request'),
      );
    }
    if (decision !== 'allow') throw new OAuthError('invalid_request', '"decision" must be allow or deny');
    await deps.store.consents.add(
      session.user.id,
      client.id,
      interaction.state.request.scope,
      deps.clock.now(),
    );
    interaction.state.consentGiven = true;
    await saveInteraction(deps, interaction);
    return c.redirect(resumeUrl(interaction.id), 303);
  });

  return app;
}
