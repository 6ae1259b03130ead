import type { Context } from 'hono';
import { Hono } from 'hono';
import { ConsentPage } from '../../views/index.js';
import type { Deps } from '../deps.js';
import { csrfToken, currentSession } from '../http/browser.js';
import { requestMeta } from '../http/net.js';
import { readForm } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import { allowFormTargets, allowImageSource } from '../http/security.js';
import { OAuthError } from '../oauth/errors.js';
import { consentable, scopeDescriptions } from '../oauth/scope.js';
import { clientIdOf, type InteractionFlow, redirectTargetOf, resumeUrl } from './flow.js';

/** The consent page: every requested scope with its description, the resource if one is named, Allow / Deny (SPEC §5). */
export function consentRoutes(deps: Deps, flow: InteractionFlow): Hono {
  const app = new Hono();

  const load = async (c: Context) => {
    const interaction = await flow.load(c, c.req.query('interaction'));
    const session = await currentSession(c, deps);
    const clientId = clientIdOf(interaction.state);
    const client = clientId ? await deps.store.clients.find(clientId) : undefined;
    if (!client) throw new OAuthError('invalid_client', 'the client no longer exists');
    // SPEC §1: `admin` is never on a consent page, nor remembered by consent (only first-party clients get it).
    const scope = consentable(
      interaction.state.kind === 'authorize'
        ? interaction.state.request.scope
        : interaction.state.kind === 'device'
          ? interaction.state.scope
          : [],
    );
    const resource = interaction.state.kind === 'authorize' ? interaction.state.request.resource : null;
    return { interaction, session, client, scope, resource };
  };

  app.get('/consent', async (c) => {
    const { interaction, session, client, scope, resource } = await load(c);
    if (!session) return c.redirect(resumeUrl(interaction.id), 303);
    const descriptions = await scopeDescriptions(deps, scope);
    // A client's logo is a third party's image: shown only when the admin opted in (LATCHKEY_CLIENT_LOGOS).
    const logoUri =
      deps.config.brand.clientLogos && client.logoUri && allowImageSource(c, client.logoUri)
        ? client.logoUri
        : null;
    // Allow and Deny both end at the client (a redirect after the form's own): form-action must allow it.
    allowFormTargets(c, [redirectTargetOf(interaction.state)]);
    return htmlPage(c, ConsentPage, {
      links: { website: client.clientUri, privacy: client.policyUri, terms: client.tosUri },
      logoUri,
      action: `/consent?interaction=${encodeURIComponent(interaction.id)}`,
      csrf: csrfToken(c, deps),
      clientName: client.name,
      userEmail: session.user.email,
      scopes: scope.map((name) => ({ name, description: descriptions.get(name) ?? name })),
      resource,
    });
  });

  app.post('/consent', async (c) => {
    const { interaction, session, client, scope } = await load(c);
    const form = await readForm(c);
    if (!session) return c.redirect(resumeUrl(interaction.id), 303);
    const decision = form.get('decision');
    if (decision === 'deny') {
      await deps.store.events.add({
        at: deps.clock.now(),
        type: 'consent_denied',
        userId: session.user.id,
        clientId: client.id,
        ...requestMeta(c),
        detail: null,
      });
      return flow.fail(c, interaction, new OAuthError('access_denied', 'the user denied the request'));
    }
    if (decision !== 'allow') throw new OAuthError('invalid_request', '"decision" must be allow or deny');
    const now = deps.clock.now();
    // The consent and its audit row in one unit of work.
    await deps.store.consents.add(session.user.id, client.id, scope, now, {
      at: now,
      type: 'consent_granted',
      userId: session.user.id,
      clientId: client.id,
      ...requestMeta(c),
      detail: { scopes: scope },
    });
    interaction.state.consentGiven = true;
    await flow.save(interaction);
    return c.redirect(resumeUrl(interaction.id), 303);
  });

  return app;
}
