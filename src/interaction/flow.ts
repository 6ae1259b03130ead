import type { Context } from 'hono';
import { ACR_2FA } from '../auth/factors.js';
import { secondFactorMethods } from '../auth/second-factor.js';
import { refusesUnverified } from '../auth/verified-email.js';
import { randomToken, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { type ActiveSession, browserId, currentSession, existingBrowserId } from '../http/browser.js';
import { errorPage, redirectErrors } from '../http/render.js';
import type { AuthorizationRequest } from '../oauth/authorize/request.js';
import { OAuthError } from '../oauth/errors.js';
import { consentable } from '../oauth/scope.js';
import type { Client, User } from '../store/types.js';
import { type Check, type Facts, nextCheck, STEP_PAGES } from './policy.js';

export const INTERACTION_TTL_SECONDS = 600;

/**
 * The Interaction: what a browser is in the middle of (an authorization request, a device being
 * connected, a plain sign-in to the account page), saved server-side for 10 minutes, bound to the browser.
 * Pages load it, add what they completed, and return to `/authorize/resume`, which asks the policy for
 * the next page or runs the interaction's ending.
 */
export interface Progress {
  /** When the user signed in during this interaction (satisfies prompt=login and max_age). */
  loginAt?: number;
  /** The user approved the consent page during this interaction. */
  consentGiven?: boolean;
  /**
   * A sign-in made here that still waits for its second factor: it is never a session until done. `attempts`: a
   * random name for this sign-in's count of codes (src/interaction/mfa.ts), new with every password.
   */
  pending?: { userId: string; amr: string[]; authTime: number; remember?: boolean; attempts?: string };
  /**
   * A sign-in at an upstream provider, sent and not yet back (src/federation/routes.ts): removed at the callback
   * before the code is redeemed, so a callback counts once. `stateHash`: SHA-256 of the `state` sent upstream.
   */
  upstream?: UpstreamAttempt;
}

export interface UpstreamAttempt {
  slug: string;
  stateHash: string;
  nonce: string;
  /** The PKCE code verifier (RFC 7636 §4.1). */
  verifier: string;
  /** `link`: a signed-in user links the provider (account page); `signin`: a sign-in through it. */
  intent: 'signin' | 'link';
  /** For `link`: the user whose session asked for it; the callback must still be in that user's session. */
  userId?: string;
}

export interface AuthorizeState extends Progress {
  kind: 'authorize';
  request: AuthorizationRequest;
}

/** RFC 8628 §3.3: the user approves a device, named by the hash of the user code entered on `/device`. */
export interface DeviceState extends Progress {
  kind: 'device';
  clientId: string;
  scope: string[];
  userCodeHash: string;
}

/** A sign-in with no app behind it (the account page): it ends by going back to a local path. */
export interface SignInState extends Progress {
  kind: 'signin';
  returnTo: string;
  /** A sensitive action on the account page: the user confirms with a second factor first (step-up). */
  freshSecondFactor?: boolean;
  /** The account page's "Link <provider>": the upstream sign-in links this provider to this user. */
  link?: { userId: string; slug: string };
}

export type InteractionState = AuthorizeState | DeviceState | SignInState;
export type InteractionKind = InteractionState['kind'];

export interface Interaction<S extends InteractionState = InteractionState> {
  id: string;
  state: S;
}

/** How an interaction of one kind ends: pluggable, so the policy never knows what a code or a device is. */
export interface Ending<S extends InteractionState> {
  /** Every step is done: answer the app (a code, "Device connected", the return path). */
  complete(c: Context, interaction: Interaction<S>, active: ActiveSession): Promise<Response>;
  /** The interaction ends in an error (denied, `prompt=none`): tell the app, where that is safe. */
  fail(c: Context, interaction: Interaction<S>, err: OAuthError): Response | Promise<Response>;
}

export type Endings = { [K in InteractionKind]?: Ending<Extract<InteractionState, { kind: K }>> };

export const resumeUrl = (id: string) => `/authorize/resume?interaction=${encodeURIComponent(id)}`;

const expired = () =>
  new OAuthError(
    'invalid_request',
    'this sign-in request has expired or belongs to another browser; start again from the application',
    { page: 'interaction_expired' },
  );

export function clientIdOf(state: InteractionState): string | null {
  if (state.kind === 'authorize') return state.request.clientId;
  if (state.kind === 'device') return state.clientId;
  return null;
}

/** Where the interaction's answer goes outside the issuer (the client's redirect URI), if anywhere. */
export function redirectTargetOf(state: InteractionState): string | undefined {
  return state.kind === 'authorize' ? state.request.redirectUri : undefined;
}

export function loginHintOf(state: InteractionState): string | undefined {
  return state.kind === 'authorize' ? (state.request.loginHint ?? undefined) : undefined;
}

function requestedScope(state: InteractionState): readonly string[] {
  if (state.kind === 'authorize') return state.request.scope;
  if (state.kind === 'device') return state.scope;
  return [];
}

export class InteractionFlow {
  constructor(
    private readonly deps: Deps,
    private readonly endings: Endings,
  ) {}

  /** Saves a new interaction, bound to this browser. */
  async create<S extends InteractionState>(c: Context, state: S): Promise<Interaction<S>> {
    const now = this.deps.clock.now();
    const id = randomToken(24);
    await this.deps.store.interactions.save({
      id,
      browserHash: sha256(browserId(c, this.deps)),
      data: state as unknown as Record<string, unknown>,
      createdAt: now,
      expiresAt: now + INTERACTION_TTL_SECONDS,
    });
    return { id, state };
  }

  /** The interaction of this browser, or the `interaction_expired` page. */
  async load(c: Context, id: string | undefined): Promise<Interaction> {
    if (!id || id.length > 64) throw expired();
    const found = await this.deps.store.interactions.find(id);
    const browser = existingBrowserId(c, this.deps);
    if (
      !found ||
      !browser ||
      found.expiresAt <= this.deps.clock.now() ||
      found.browserHash !== sha256(browser) ||
      typeof found.data['kind'] !== 'string'
    )
      throw expired();
    const state = found.data as unknown as InteractionState;
    // The pages of this interaction speak the language `ui_locales` asked for (src/http/render.ts pageLang).
    if (state.kind === 'authorize') c.set('uiLocale', state.request.uiLocale);
    return { id, state };
  }

  async save(interaction: Interaction): Promise<void> {
    await this.deps.store.interactions.update(
      interaction.id,
      interaction.state as unknown as Record<string, unknown>,
    );
  }

  /** From here on, errors end the interaction the way its kind says (a redirect to the app, or a page). */
  errorsEnd(c: Context, interaction: Interaction): void {
    redirectErrors(c, (err) => this.fail(c, interaction, err));
  }

  /** Ends the interaction with an error. */
  async fail(c: Context, interaction: Interaction, err: OAuthError): Promise<Response> {
    await this.deps.store.interactions.remove(interaction.id);
    const ending = this.endings[interaction.state.kind] as Ending<InteractionState> | undefined;
    if (!ending) throw err;
    return ending.fail(c, interaction, err);
  }

  /**
   * What the policy wants next for this interaction (`undefined`: nothing, the ending may run), and the
   * browser's session. A page uses it to refuse being used out of turn.
   */
  async next(
    c: Context,
    interaction: Interaction,
  ): Promise<{ check?: Check; session?: ActiveSession; client?: Client }> {
    const { deps } = this;
    const clientId = clientIdOf(interaction.state);
    const client = clientId ? await deps.store.clients.find(clientId) : undefined;
    if (clientId && !client) throw new OAuthError('invalid_client', 'the client no longer exists');
    const session = await currentSession(c, deps);
    const check = nextCheck(await this.facts(interaction.state, session, client));
    return { ...(check ? { check } : {}), ...(session ? { session } : {}), ...(client ? { client } : {}) };
  }

  /** Runs the policy: show the next page, answer `prompt=none` errors, or run the ending. */
  async resume(c: Context, interaction: Interaction): Promise<Response> {
    const { deps } = this;
    const { state } = interaction;
    const { check, session, client } = await this.next(c, interaction);
    // Issue 15: once the sign-in is complete (second factor included) and before consent or the code, a client
    // registered with `--require-verified-email` refuses a user whose address is not verified. Always the hosted
    // page (it leads to the account page), never a redirect to the app: nothing about the user leaves here.
    if (session && (!check || check.step === 'consent') && refusesUnverified(client, session.user)) {
      await deps.store.interactions.remove(interaction.id);
      // The way on is the account page (the verification mail is sent again from there), not the app's home page.
      c.set('wayBack', undefined);
      return errorPage(
        c,
        new OAuthError('access_denied', 'the application requires a verified email address', {
          status: 403,
          page: 'email_not_verified',
        }),
      );
    }
    const prompt = state.kind === 'authorize' ? state.request.prompt : [];
    if (check) {
      if (check.ends) {
        await deps.store.interactions.remove(interaction.id);
        throw new OAuthError(check.ends, check.reason);
      }
      if (prompt.includes('none')) {
        await deps.store.interactions.remove(interaction.id);
        throw new OAuthError(check.promptNone, `user interaction is required: ${check.reason}`);
      }
      return c.redirect(`${STEP_PAGES[check.step]}?interaction=${encodeURIComponent(interaction.id)}`, 303);
    }
    const ending = this.endings[state.kind] as Ending<InteractionState> | undefined;
    if (!ending || !session)
      throw new OAuthError('server_error', `no ending for a ${state.kind} interaction`);
    await deps.store.interactions.remove(interaction.id);
    return ending.complete(c, interaction, session);
  }

  /** Gathers what the policy decides on. */
  private async facts(
    state: InteractionState,
    session: ActiveSession | undefined,
    client: Client | undefined,
  ): Promise<Facts> {
    const { deps } = this;
    const { pending } = state;
    const user: User | undefined = pending ? await deps.store.users.find(pending.userId) : session?.user;
    const enrolled = user ? (await secondFactorMethods(deps, user)).length > 0 : false;
    const consented =
      session && client && !client.firstParty
        ? await deps.store.consents.find(session.user.id, client.id)
        : [];
    const request = state.kind === 'authorize' ? state.request : undefined;
    return {
      now: deps.clock.now(),
      prompt: request?.prompt ?? [],
      maxAge: request?.maxAge ?? null,
      signIn: pending
        ? { authTime: pending.authTime, amr: pending.amr, complete: false }
        : session
          ? { authTime: session.session.authTime, amr: session.session.amr, complete: true }
          : undefined,
      signedInHere: state.loginAt !== undefined,
      hintedSubjectMismatch:
        !!request?.idTokenHintSub && user !== undefined && user.id !== request.idTokenHintSub,
      secondFactor: {
        enrolled,
        clientRequires: deps.config.requireMfa || (client?.requireMfa ?? false),
        acrRequested: (request?.acrValues ?? []).includes(ACR_2FA),
      },
      freshSecondFactor: state.kind === 'signin' && state.freshSecondFactor === true,
      consent: {
        firstParty: client?.firstParty ?? true,
        // What the consent page can ask for: `admin` is never asked (nor ever approved).
        requested: consentable(requestedScope(state)),
        approved: consented,
        givenHere: state.consentGiven === true,
      },
    };
  }
}
