import type { Context } from 'hono';
import { Hono } from 'hono';
import { afterFactor, isDisabled } from '../auth/authenticate.js';
import { randomToken, safeEqual, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { currentSession } from '../http/browser.js';
import { requestMeta } from '../http/net.js';
import type { Interaction, InteractionFlow, InteractionState, UpstreamAttempt } from '../interaction/flow.js';
import { finishFirstFactor, safeReturnTo, secondFactorContext } from '../interaction/login.js';
import { liveSessionHashes, queueBackchannelLogout } from '../oauth/backchannel.js';
import { OAuthError } from '../oauth/errors.js';
import type { Provider, User } from '../store/types.js';
import { callbackUri, LINKED_RETURN_TO, providerDisabled, usableProvider } from './chooser.js';
import { type UpstreamIdentity, Upstreams } from './upstream.js';

/** `<interaction id>.<random>`: the callback finds the browser-bound interaction, the random part proves it. */
const STATE = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{32,128})$/;

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

const stateMismatch = (detail: string) =>
  new OAuthError('invalid_request', 'this sign-in attempt could not be verified; start again', {
    page: 'state_mismatch',
    detail,
  });

/** Issue 12: a disabled user signs in through no provider either (said after the upstream proved who it is). */
const accountDisabled = () =>
  new OAuthError('access_denied', 'this account is disabled', { page: 'account_disabled', status: 403 });

const refused = (page: 'email_used' | 'email_unverified' | 'identity_used', detail: string) =>
  new OAuthError('access_denied', 'this upstream account cannot sign in here', { page, detail });

/**
 * SPEC §3 "Decisions": an upstream email is trusted only when the provider says it is verified. For Entra ID,
 * `email_verified` is not what vouches for it: the `xms_edov` claim does, or a tenant the entry trusts.
 */
function emailVerified(provider: Provider, claims: Record<string, unknown>): boolean {
  if (provider.kind !== 'azure') return claims['email_verified'] === true;
  const tid = claims['tid'];
  return claims['xms_edov'] === true || (typeof tid === 'string' && provider.trustedTenants.includes(tid));
}

const text = (value: unknown, max = 200): string | null =>
  typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : null;

/**
 * The upstream sign-in (SPEC §4): `/federation/:slug/start` sends the browser to the provider with PKCE,
 * `state` and `nonce` kept in the interaction; `/federation/:slug/callback` redeems the code, finds or creates
 * the user (or links the provider), and resumes the interaction. Errors are the hosted page (app.ts).
 */
export function federationRoutes(deps: Deps, flow: InteractionFlow, upstreams = new Upstreams(deps)): Hono {
  const app = new Hono();

  /** An upstream that failed: logged and counted in the audit log; the page says `provider_error` (502). */
  async function upstreamFailed(c: Context, provider: Provider, err: unknown): Promise<OAuthError> {
    const detail = err instanceof Error ? err.message : String(err);
    await deps.store.events.recordFailure(
      {
        at: deps.clock.now(),
        type: 'upstream_failed',
        userId: null,
        clientId: null,
        ...requestMeta(c),
        detail: { provider: provider.slug },
      },
      300,
    );
    return new OAuthError('server_error', 'the sign-in provider failed or answered badly', {
      status: 502,
      page: 'provider_error',
      detail: `${provider.slug}: ${detail}`.slice(0, 1000),
    });
  }

  app.get('/federation/:slug/start', async (c) => {
    const provider = await usableProvider(deps, c.req.param('slug'));
    const id = c.req.query('interaction');
    const interaction: Interaction =
      id !== undefined
        ? await flow.load(c, id)
        : await flow.create<InteractionState>(c, {
            kind: 'signin',
            returnTo: safeReturnTo(c.req.query('return_to')),
          });
    const link = interaction.state.kind === 'signin' ? interaction.state.link : undefined;
    if (link && link.slug !== provider.slug) throw stateMismatch('a link interaction for another provider');
    const state = `${interaction.id}.${randomToken()}`;
    const attempt: UpstreamAttempt = {
      slug: provider.slug,
      stateHash: sha256(state),
      nonce: randomToken(),
      verifier: randomToken(),
      intent: link ? 'link' : 'signin',
      ...(link ? { userId: link.userId } : {}),
    };
    let url: URL;
    try {
      url = await upstreams.authorizationUrl(provider, {
        redirectUri: callbackUri(deps, provider.slug),
        state,
        nonce: attempt.nonce,
        verifier: attempt.verifier,
      });
    } catch (err) {
      throw await upstreamFailed(c, provider, err);
    }
    interaction.state.upstream = attempt;
    await flow.save(interaction);
    return c.redirect(url.href, 303);
  });

  app.get('/federation/:slug/callback', async (c) => {
    const slug = c.req.param('slug');
    const state = c.req.query('state') ?? '';
    const match = STATE.exec(state);
    if (!match?.[1]) throw stateMismatch('no state, or not one latchkey sent');
    let interaction: Interaction;
    try {
      interaction = await flow.load(c, match[1]);
    } catch {
      throw stateMismatch('no interaction of this browser for this state');
    }
    const attempt = interaction.state.upstream;
    if (!attempt) throw stateMismatch('no upstream sign-in waits in this interaction (a replayed callback?)');
    if (attempt.slug !== slug || !safeEqual(attempt.stateHash, sha256(state)))
      throw stateMismatch('the state is not the one sent for this provider');
    // Single use: whatever happens next, this callback cannot be replayed.
    delete interaction.state.upstream;
    await flow.save(interaction);

    const provider = await deps.store.providers.find(slug);
    if (!provider?.enabled) throw providerDisabled();
    const query = new URL(c.req.url).search;
    const upstreamError = c.req.query('error');
    if (upstreamError !== undefined)
      throw await upstreamFailed(c, provider, `the provider answered error=${upstreamError.slice(0, 100)}`);
    let identity: UpstreamIdentity;
    try {
      identity = await upstreams.exchange(provider, new URL(`${callbackUri(deps, slug)}${query}`), {
        state,
        nonce: attempt.nonce,
        verifier: attempt.verifier,
      });
    } catch (err) {
      throw await upstreamFailed(c, provider, err);
    }
    if (attempt.intent === 'link') return linkProvider(c, provider, identity, attempt, interaction);
    const user = await signInUser(c, provider, identity);
    if (isDisabled(user)) throw accountDisabled();
    const now = deps.clock.now();
    const result = await afterFactor(deps, user, ['fed'], now, await secondFactorContext(deps, interaction));
    return finishFirstFactor(c, deps, flow, result, interaction, '/account');
  });

  /** The user linked to this upstream identity, or a new one made from it (never matched by email). */
  async function signInUser(c: Context, provider: Provider, identity: UpstreamIdentity): Promise<User> {
    const linked = await deps.store.identities.find(identity.issuer, identity.subject);
    if (linked) {
      const user = await deps.store.users.find(linked.userId);
      if (!user) throw refused('identity_used', 'the linked user no longer exists');
      return user;
    }
    const { claims } = identity;
    const email = text(claims['email'], 254)?.toLowerCase();
    if (!email || !EMAIL.test(email) || !emailVerified(provider, claims))
      throw refused('email_unverified', `${provider.slug}: no verified email for ${identity.subject}`);
    if (await deps.store.users.findByEmail(email))
      throw refused('email_used', `${provider.slug}: ${email} belongs to an account not linked to it`);
    const now = deps.clock.now();
    const givenName = text(claims['given_name']);
    const familyName = text(claims['family_name']);
    const created = await deps.store.identities.createUser(
      {
        id: crypto.randomUUID(),
        email,
        emailVerified: true,
        name: text(claims['name']) ?? ([givenName, familyName].filter(Boolean).join(' ') || null),
        givenName,
        familyName,
        roles: [],
        passwordHash: null,
        createdAt: now,
      },
      {
        userId: '',
        providerSlug: provider.slug,
        issuer: identity.issuer,
        subject: identity.subject,
        createdAt: now,
      },
      {
        at: now,
        type: 'user_created',
        userId: null,
        clientId: null,
        ...requestMeta(c),
        detail: { source: 'upstream', provider: provider.slug },
      },
    );
    // Taken between the checks and the write (another tab): the same answer as above.
    if (!created)
      throw refused('email_used', `${provider.slug}: ${email} or the identity was taken meanwhile`);
    return created;
  }

  /**
   * The account page's "Link <provider>": still the same user's session, the identity free, then one unit of
   * work links it, removes the password and ends the user's other sessions.
   */
  async function linkProvider(
    c: Context,
    provider: Provider,
    identity: UpstreamIdentity,
    attempt: UpstreamAttempt,
    interaction: Interaction,
  ): Promise<Response> {
    const active = await currentSession(c, deps);
    if (!active || active.user.id !== attempt.userId)
      throw stateMismatch('the link callback came to a browser no longer signed in as its user');
    await deps.store.interactions.remove(interaction.id);
    const now = deps.clock.now();
    // The link ends the user's other sessions: their clients hear of it (read first, queued after the link).
    const others = (await liveSessionHashes(deps, active.user.id)).filter((h) => h !== active.session.idHash);
    const linked = await deps.store.identities.link(
      {
        userId: active.user.id,
        providerSlug: provider.slug,
        issuer: identity.issuer,
        subject: identity.subject,
        createdAt: now,
      },
      active.session.idHash,
      now,
      {
        at: now,
        type: 'provider_linked',
        userId: active.user.id,
        clientId: null,
        ...requestMeta(c),
        detail: { provider: provider.slug },
      },
    );
    if (!linked) throw refused('identity_used', `${provider.slug}: ${identity.subject} is linked already`);
    await queueBackchannelLogout(deps, others);
    return c.redirect(LINKED_RETURN_TO, 303);
  }

  return app;
}
