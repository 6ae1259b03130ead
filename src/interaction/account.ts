import type { Context } from 'hono';
import { Hono } from 'hono';
import { AccountEmailPage, type AccountMfa, AccountPage, type Code } from '../../views/index.js';
import {
  requestEmailChange,
  reserveMail,
  sendEmailChangeRequestedNotice,
  sendVerificationMail,
} from '../account/email.js';
import { AdminError, checkMailableEmail } from '../admin/validate.js';
import { authenticatePassword } from '../auth/authenticate.js';
import { type Amr, secondFactorFresh } from '../auth/factors.js';
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  type FactorCheck,
  type FactorContext,
  pendingEnrolment,
  regenerateRecoveryCodes,
  removeSecondFactor,
  secondFactorMethods,
  verifySecondFactor,
} from '../auth/second-factor.js';
import { checkPassword, hashPassword } from '../crypto/password.js';
import type { Deps } from '../deps.js';
import { enabledProviders, LINKED_RETURN_TO, startPath, usableProvider } from '../federation/chooser.js';
import { type ActiveSession, clearSessionCookie, csrfToken, startSession } from '../http/browser.js';
import { isKnownDevice, rememberDevice } from '../http/device.js';
import { clientIp, requestMeta } from '../http/net.js';
import { readForm } from '../http/params.js';
import { qrDataUri } from '../http/qr.js';
import { htmlPage } from '../http/render.js';
import { allowFormTargets } from '../http/security.js';
import { mailLocale } from '../mail/templates.js';
import { liveSessionHashes, queueBackchannelLogout } from '../oauth/backchannel.js';
import { OAuthError } from '../oauth/errors.js';
import { scopeDescriptions } from '../oauth/scope.js';
import { type InteractionFlow, resumeUrl } from './flow.js';

export const ACCOUNT_ACTIONS = {
  signOutEverywhere: '/account/sign-out-everywhere',
  revoke: '/account/revoke',
  mfaSetup: '/account/mfa/setup',
  mfaEnable: '/account/mfa/enable',
  mfaRecoveryCodes: '/account/mfa/recovery-codes',
  mfaDisable: '/account/mfa/disable',
  link: (slug: string) => `/account/link/${encodeURIComponent(slug)}`,
  signOutSession: '/account/sessions/sign-out',
  changePassword: '/account/password',
};

/** The "Email" section's actions (issue 15). */
export const ACCOUNT_EMAIL_ACTIONS = {
  resend: '/account/email/verify',
  change: '/account/email',
};

/** The notices `?notice=` may name: a fixed list, so the query never puts its own words on the page. */
const NOTICES: ReadonlySet<string> = new Set<Code>([
  'app_revoked',
  'mfa_disabled',
  'second_factor_confirmed',
  'provider_linked',
  'session_signed_out',
  'password_changed',
  'verification_sent',
  'email_change_sent',
]);

/**
 * Whether a sensitive action (revoking an app, linking a provider) must first pass a fresh second factor: the
 * user has one, and this session did not pass it within `FRESH_SECOND_FACTOR_SECONDS` (issue 9).
 */
export async function needsFreshSecondFactor(deps: Deps, active: ActiveSession): Promise<boolean> {
  if (secondFactorFresh(active.session, deps.clock.now())) return false;
  return (await secondFactorMethods(deps, active.user)).length > 0;
}

/**
 * Step-up: a `signin` interaction that asks for a fresh second factor sends the browser through the MFA page
 * and back to the account page. The action itself does not ride along (a detour through other pages should
 * not replay a POST): the notice asks the user to repeat it.
 */
export async function stepUp(c: Context, flow: InteractionFlow): Promise<Response> {
  const { id } = await flow.create(c, {
    kind: 'signin',
    returnTo: '/account?notice=second_factor_confirmed',
    freshSecondFactor: true,
  });
  return c.redirect(resumeUrl(id), 303);
}

/**
 * The signed-in user's own page: sessions, connected apps (revoke), sign out everywhere, two-factor
 * authentication (SPEC §5). `requireSession()` and `csrf()` guard every route here (app.ts).
 */
export function accountRoutes(deps: Deps, flow: InteractionFlow): Hono {
  const app = new Hono();

  const factorContext = (c: Context): FactorContext => ({ ...requestMeta(c), clientId: null });

  /** The password confirms a change to the factor only right after the factor itself was passed. */
  const passwordAccepted = ({ user, session }: ActiveSession) =>
    user.passwordHash !== null && secondFactorFresh(session, deps.clock.now());

  const mfaOn = (active: ActiveSession, recoveryCodes?: string[]): AccountMfa => ({
    status: 'on',
    passwordAccepted: passwordAccepted(active),
    ...(recoveryCodes ? { recoveryCodes } : {}),
  });

  async function mfaState(active: ActiveSession): Promise<AccountMfa> {
    if ((await secondFactorMethods(deps, active.user)).length > 0) return mfaOn(active);
    const pending = await pendingEnrolment(deps, active.user);
    if (!pending) return { status: 'off' };
    return {
      status: 'setup',
      secret: pending.secret,
      otpauthUri: pending.otpauthUri,
      qrDataUri: await qrDataUri(pending.otpauthUri),
    };
  }

  async function render(
    c: Context,
    active: ActiveSession,
    mfa: AccountMfa,
    options: {
      notice?: string;
      status?: number;
      error?: Code;
      failedField?: 'current_password' | 'new_password';
    } = {},
  ): Promise<Response> {
    const { user, session: current } = active;
    const now = deps.clock.now();
    const linked = await deps.store.identities.findByUser(user.id);
    const linkedProvider = linked ? await deps.store.providers.find(linked.providerSlug) : undefined;
    // Only a proven address may be linked (a link removes the password, so a squatter's link would leave the
    // address's owner only "sign in with the provider" when they ask for a reset).
    const linkable =
      linked || user.passwordHash === null || !user.emailVerified ? [] : await enabledProviders(deps);
    // "Link <name>" posts here and is sent on to the provider: form-action must let the redirects through.
    allowFormTargets(
      c,
      linkable.map((p) => p.issuer),
    );
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
    return htmlPage(
      c,
      AccountPage,
      {
        csrf: csrfToken(c, deps),
        email: user.email,
        ...(user.name ? { name: user.name } : {}),
        sessions: sessions.map((s) => ({
          handle: s.idHash,
          createdAt: s.createdAt,
          lastSeenAt: s.lastSeenAt,
          current: s.idHash === current.idHash,
          ...(s.userAgent ? { userAgent: s.userAgent } : {}),
        })),
        apps,
        mfa,
        providers: linkable.map((p) => ({ slug: p.slug, name: p.name })),
        ...(linked ? { linkedProvider: { name: linkedProvider?.name ?? linked.providerSlug } } : {}),
        actions: ACCOUNT_ACTIONS,
        hasPassword: user.passwordHash !== null,
        emailVerified: user.emailVerified,
        emailActions: ACCOUNT_EMAIL_ACTIONS,
        signOutHref: '/logout',
        ...(options.notice ? { notice: options.notice } : {}),
        ...(options.error ? { error: options.error } : {}),
        ...(options.failedField ? { failedField: options.failedField } : {}),
      },
      options.status,
    );
  }

  /** A refused code (or password): the section as it stands, with the message beside its form. */
  async function refused(
    c: Context,
    active: ActiveSession,
    failure: { code: 'invalid_code' | 'throttled'; retryAfterSeconds?: number },
  ): Promise<Response> {
    if (failure.retryAfterSeconds) c.header('Retry-After', String(failure.retryAfterSeconds));
    const mfa = { ...(await mfaState(active)), error: failure.code };
    return render(c, active, mfa, { status: failure.code === 'throttled' ? 429 : 400 });
  }

  /**
   * What a change to an enrolled factor takes: a current code (TOTP or recovery code), or the password while
   * the session's second factor is fresh. Either is one attempt on the second factor's throttle, reserved
   * before anything is checked.
   */
  async function confirmFactorChange(
    c: Context,
    active: ActiveSession,
  ): Promise<{ ok: true } | Extract<FactorCheck, { ok: false }>> {
    if ((await secondFactorMethods(deps, active.user)).length === 0)
      return { ok: false, code: 'invalid_code' };
    const credential = (await readForm(c)).get('credential') ?? '';
    return verifySecondFactor(deps, active.user, credential, factorContext(c), {
      orPassword: passwordAccepted(active),
    });
  }

  app.get('/account', async (c) => {
    const active = c.get('session');
    const notice = c.req.query('notice');
    return render(c, active, await mfaState(active), notice && NOTICES.has(notice) ? { notice } : {});
  });

  /** Starts (or restarts) TOTP enrolment; the page then shows the secret until a first code confirms it. */
  app.post(ACCOUNT_ACTIONS.mfaSetup, async (c) => {
    await beginTotpEnrolment(deps, c.get('session').user);
    return c.redirect('/account', 303);
  });

  /** Confirms the enrolment; the recovery codes are on this response only (never stored in the clear). */
  app.post(ACCOUNT_ACTIONS.mfaEnable, async (c) => {
    const active = c.get('session');
    const code = (await readForm(c)).get('code') ?? '';
    const result = await confirmTotpEnrolment(deps, active.user, code, factorContext(c));
    if (!result.ok) return refused(c, active, result);
    return render(c, active, mfaOn(active, result.recoveryCodes), { notice: 'mfa_enabled' });
  });

  /** New recovery codes (the old ones stop working), shown on this response only. */
  app.post(ACCOUNT_ACTIONS.mfaRecoveryCodes, async (c) => {
    const active = c.get('session');
    const confirmed = await confirmFactorChange(c, active);
    if (!confirmed.ok) return refused(c, active, confirmed);
    const codes = await regenerateRecoveryCodes(deps, active.user, factorContext(c));
    return render(c, active, mfaOn(active, codes), { notice: 'recovery_codes_regenerated' });
  });

  app.post(ACCOUNT_ACTIONS.mfaDisable, async (c) => {
    const active = c.get('session');
    const confirmed = await confirmFactorChange(c, active);
    if (!confirmed.ok) return refused(c, active, confirmed);
    await removeSecondFactor(deps, active.user, factorContext(c), 'mfa_disabled');
    return c.redirect('/account?notice=mfa_disabled', 303);
  });

  /** Revokes every token the user granted the client, and forgets the consent: one unit of work. */
  app.post(ACCOUNT_ACTIONS.revoke, async (c) => {
    const active = c.get('session');
    const { user } = active;
    const clientId = (await readForm(c)).require('client_id');
    if (await needsFreshSecondFactor(deps, active)) return stepUp(c, flow);
    const now = deps.clock.now();
    await deps.store.grants.revokeApp(user.id, clientId, now, {
      at: now,
      type: 'app_revoked',
      userId: user.id,
      clientId,
      ...requestMeta(c),
      detail: null,
    });
    return c.redirect('/account?notice=app_revoked', 303);
  });

  /**
   * "Link <provider>" (SPEC §4): the password again (a presence proof, throttled like the login page), and a
   * fresh second factor where one is enrolled; then the upstream sign-in, whose callback links the provider.
   */
  app.post('/account/link/:slug', async (c) => {
    const active = c.get('session');
    const { user } = active;
    const provider = await usableProvider(deps, c.req.param('slug'));
    if (user.passwordHash === null || (await deps.store.identities.findByUser(user.id)))
      throw new OAuthError('invalid_request', 'this account is linked to a provider already', {
        page: 'identity_used',
      });
    if (!user.emailVerified)
      throw new OAuthError('invalid_request', 'verify the email address before linking a provider', {
        page: 'link_needs_verified_email',
      });
    if (await needsFreshSecondFactor(deps, active)) return stepUp(c, flow);
    const password = (await readForm(c)).get('password') ?? '';
    const result = await authenticatePassword(deps, user.email, password, {
      ...requestMeta(c),
      knownDevice: (u) => isKnownDevice(c, deps, u),
    });
    if (result.status === 'failed') {
      if (result.retryAfterSeconds) c.header('Retry-After', String(result.retryAfterSeconds));
      if (result.code !== 'throttled') c.header('WWW-Authenticate', 'Form realm="latchkey"');
      const status = result.code === 'throttled' ? 429 : 401;
      return render(c, active, await mfaState(active), { error: result.code, status });
    }
    // The password proves who is at the keyboard; the sign-in it would start is not used.
    if (result.user.id !== user.id) throw new OAuthError('invalid_request', 'the account changed meanwhile');
    const { id } = await flow.create(c, {
      kind: 'signin',
      returnTo: LINKED_RETURN_TO,
      link: { userId: user.id, slug: provider.slug },
    });
    return c.redirect(startPath(provider.slug, { interaction: id }), 303);
  });

  /**
   * "Sign out" of one session (SPEC §5): it ends like an RP-initiated logout (its tokens but `offline_access`
   * revoked). Only the user's own live sessions can be named; signing out this one goes back to sign-in.
   */
  app.post(ACCOUNT_ACTIONS.signOutSession, async (c) => {
    const { user, session: current } = c.get('session');
    const handle = (await readForm(c)).get('session') ?? '';
    const now = deps.clock.now();
    const mine = (await deps.store.sessions.listActiveForUser(user.id, now)).some((s) => s.idHash === handle);
    if (!mine) return c.redirect('/account', 303);
    await deps.store.sessions.logout(handle, now, {
      at: now,
      type: 'session_signed_out',
      userId: user.id,
      clientId: null,
      ...requestMeta(c),
      detail: null,
    });
    await queueBackchannelLogout(deps, [handle]);
    if (handle !== current.idHash) return c.redirect('/account?notice=session_signed_out', 303);
    clearSessionCookie(c, deps);
    return c.redirect('/login?return_to=%2Faccount', 303);
  });

  /**
   * "Change password" (SPEC §5): the current password (checked, and throttled, as on the login page) and a new
   * one under the same policy as everywhere. SPEC §3: the user's sessions end and refresh tokens are revoked;
   * this browser then gets a fresh session, so the user stays signed in here.
   */
  app.post(ACCOUNT_ACTIONS.changePassword, async (c) => {
    const active = c.get('session');
    const { user, session } = active;
    const form = await readForm(c);
    if (user.passwordHash === null)
      return render(c, active, await mfaState(active), { error: 'invalid_request', status: 400 });
    const result = await authenticatePassword(deps, user.email, form.get('current_password') ?? '', {
      ...requestMeta(c),
      knownDevice: (u) => isKnownDevice(c, deps, u),
    });
    if (result.status === 'failed' || result.user.id !== user.id) {
      const throttled = result.status === 'failed' && result.code === 'throttled';
      if (result.status === 'failed' && result.retryAfterSeconds)
        c.header('Retry-After', String(result.retryAfterSeconds));
      const mfa = await mfaState(active);
      return render(
        c,
        active,
        mfa,
        throttled
          ? { error: 'throttled', status: 429 }
          : { error: 'invalid_credentials', status: 401, failedField: 'current_password' },
      );
    }
    const fresh = form.get('new_password') ?? '';
    if (
      await checkPassword(
        fresh,
        { email: user.email, serviceName: deps.config.brand.name },
        deps.config.passwordPolicy,
      )
    )
      return render(c, active, await mfaState(active), {
        error: 'weak_password',
        status: 400,
        failedField: 'new_password',
      });
    const now = deps.clock.now();
    const ending = await liveSessionHashes(deps, user.id);
    const changed = await deps.store.users.changePassword(user.id, await hashPassword(fresh), now, {
      at: now,
      type: 'password_changed',
      userId: user.id,
      clientId: null,
      ...requestMeta(c),
      detail: { by: 'user' },
    });
    if (!changed) return c.redirect('/login?return_to=%2Faccount', 303);
    await queueBackchannelLogout(deps, ending);
    const updated = (await deps.store.users.find(user.id)) ?? user;
    await startSession(
      c,
      deps,
      { status: 'authenticated', user: updated, amr: session.amr as Amr[], authTime: now },
      // The new session keeps the old one's "Keep me signed in".
      { clientId: null, ip: clientIp(c), remember: session.remember ?? false },
    );
    // The device cookie is bound to the password hash: the new one needs a new cookie.
    rememberDevice(c, deps, updated);
    return c.redirect('/account?notice=password_changed', 303);
  });

  /** "Send verification email": a new link to the current address (throttled per user in the database). */
  app.post(ACCOUNT_EMAIL_ACTIONS.resend, async (c) => {
    const active = c.get('session');
    const { user } = active;
    if (user.emailVerified) return c.redirect('/account', 303);
    const reserved = await reserveMail(deps, [{ key: `verify:${user.id}` }]);
    if (!reserved.allowed) {
      c.header('Retry-After', String(reserved.retryAfterSeconds));
      return render(c, active, await mfaState(active), { error: 'throttled', status: 429 });
    }
    await sendVerificationMail(deps, user, mailLocale(c));
    return c.redirect('/account?notice=verification_sent', 303);
  });

  const emailPage = (c: Context, props: { newEmail?: string; error?: Code } = {}, status = 200) =>
    htmlPage(
      c,
      AccountEmailPage,
      {
        action: ACCOUNT_EMAIL_ACTIONS.change,
        csrf: csrfToken(c, deps),
        email: c.get('session').user.email,
        backHref: '/account',
        ...props,
      },
      status,
    );

  app.get(ACCOUNT_EMAIL_ACTIONS.change, (c) => {
    if (c.get('session').user.passwordHash === null) return emailPage(c, { error: 'email_managed' }, 400);
    return emailPage(c);
  });

  /**
   * "Change email": the current password (throttled as on the login page) and, where enrolled, a fresh second
   * factor. Nothing changes yet: a link goes to the new address (the change takes effect when it is followed,
   * `/verify-email`) and a notice to the current one. An address another account has gets the same answer and
   * no link (nothing said about that account).
   */
  app.post(ACCOUNT_EMAIL_ACTIONS.change, async (c) => {
    const active = c.get('session');
    const { user } = active;
    const form = await readForm(c);
    const raw = (form.get('email') ?? '').slice(0, 1000);
    const echo = { newEmail: raw.slice(0, 254) };
    // A user without a password signs in with a provider, which owns the address.
    if (user.passwordHash === null) return emailPage(c, { ...echo, error: 'email_managed' }, 400);
    let newEmail: string;
    try {
      newEmail = checkMailableEmail(raw);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      return emailPage(c, { ...echo, error: 'invalid_email' }, 400);
    }
    if (newEmail === user.email) return emailPage(c, { ...echo, error: 'email_unchanged' }, 400);
    if (await needsFreshSecondFactor(deps, active)) return stepUp(c, flow);
    const result = await authenticatePassword(deps, user.email, form.get('current_password') ?? '', {
      ...requestMeta(c),
      knownDevice: (u) => isKnownDevice(c, deps, u),
    });
    if (result.status === 'failed' || result.user.id !== user.id) {
      const throttled = result.status === 'failed' && result.code === 'throttled';
      if (result.status === 'failed' && result.retryAfterSeconds)
        c.header('Retry-After', String(result.retryAfterSeconds));
      if (!throttled) c.header('WWW-Authenticate', 'Form realm="latchkey"');
      return throttled
        ? emailPage(c, { ...echo, error: 'throttled' }, 429)
        : emailPage(c, { ...echo, error: 'invalid_credentials' }, 401);
    }
    const reserved = await reserveMail(deps, [{ key: `change:${user.id}` }]);
    if (!reserved.allowed) {
      c.header('Retry-After', String(reserved.retryAfterSeconds));
      return emailPage(c, { ...echo, error: 'throttled' }, 429);
    }
    const locale = mailLocale(c);
    if (await deps.store.users.findByEmail(newEmail))
      await sendEmailChangeRequestedNotice(deps, user.email, newEmail, locale);
    else await requestEmailChange(deps, user, newEmail, locale);
    return c.redirect('/account?notice=email_change_sent', 303);
  });

  /** SPEC §3: ends every session of the user and revokes all of the user's refresh tokens. */
  app.post(ACCOUNT_ACTIONS.signOutEverywhere, async (c) => {
    const { user } = c.get('session');
    const now = deps.clock.now();
    const live = await deps.store.sessions.listActiveForUser(user.id, now);
    await deps.store.sessions.signOutEverywhere(user.id, now, {
      at: now,
      type: 'sign_out_everywhere',
      userId: user.id,
      clientId: null,
      ...requestMeta(c),
      detail: null,
    });
    await queueBackchannelLogout(
      deps,
      live.map((s) => s.idHash),
    );
    clearSessionCookie(c, deps);
    return c.redirect('/login?return_to=%2Faccount', 303);
  });

  return app;
}
