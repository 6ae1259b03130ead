import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Code } from '../../views/index.js';
import { LoginPage } from '../../views/index.js';
import { type Authentication, authenticatePassword, type FirstFactorPassed } from '../auth/authenticate.js';
import { ACR_2FA } from '../auth/factors.js';
import { randomToken } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { enabledProviders, startPath, usableProvider } from '../federation/chooser.js';
import { csrfToken, startSession } from '../http/browser.js';
import { isKnownDevice, rememberDevice } from '../http/device.js';
import { clientIp, requestMeta } from '../http/net.js';
import { readForm } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import { allowFormTargets } from '../http/security.js';
import { OAuthError } from '../oauth/errors.js';
import {
  clientIdOf,
  type Interaction,
  type InteractionFlow,
  type InteractionState,
  loginHintOf,
  redirectTargetOf,
  resumeUrl,
} from './flow.js';
import { FORGOT_PATH } from './reset.js';
import { signupEnabled, signupHref } from './signup.js';

/**
 * Only a local path may be a return target (no open redirect). Browsers drop tabs and newlines from
 * URLs (WHATWG URL parsing), so `/\t/evil.example` would become `//evil.example`: control characters are refused.
 * Only a path already in its canonical form is taken: no dot segment (plain or `%2e`), so under an issuer path
 * (`/auth`) a return target cannot climb out to another app on the same host.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11
 */
export function safeReturnTo(raw: string | undefined): string {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.includes('\\') || raw.length > 512)
    return '/account';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\x00-\x1f\x7f]/.test(raw)) return '/account';
  const url = new URL(raw, 'http://x');
  if (
    url.origin !== 'http://x' ||
    `${url.pathname}${url.search}${url.hash}` !== raw ||
    /%2e/i.test(url.pathname)
  )
    return '/account';
  return raw;
}

/** What the interaction asks of the second factor: `--require-mfa` (or `LATCHKEY_REQUIRE_MFA`) and `acr_values`. */
export async function secondFactorContext(
  deps: Deps,
  interaction: Interaction | undefined,
): Promise<{ clientRequiresSecondFactor: boolean; acrRequested: boolean }> {
  const clientId = interaction ? clientIdOf(interaction.state) : null;
  const client = clientId ? await deps.store.clients.find(clientId) : undefined;
  const state = interaction?.state;
  return {
    clientRequiresSecondFactor: deps.config.requireMfa || (client?.requireMfa ?? false),
    acrRequested: state?.kind === 'authorize' && (state.request.acrValues ?? []).includes(ACR_2FA),
  };
}

/** `LATCHKEY_PASSWORD_LOGIN=off`: the login page is a provider chooser, and no password is taken. */
export const passwordLoginOff = () =>
  new OAuthError('invalid_request', 'password sign-in is turned off', {
    status: 403,
    page: 'password_login_off',
  });

/**
 * After a first factor (a password, an upstream provider): a sign-in that needs its second factor waits in the
 * interaction (a plain `signin` one is made when there is none); a complete one becomes the session. Either way
 * the browser goes on to the next step, or straight back to `returnTo` when no interaction is behind it.
 * `remember` ("Keep me signed in") waits with the sign-in for its second factor.
 */
export async function finishFirstFactor(
  c: Context,
  deps: Deps,
  flow: InteractionFlow,
  result: FirstFactorPassed,
  interaction: Interaction | undefined,
  returnTo: string,
  remember = false,
): Promise<Response> {
  const { user, amr, authTime } = result;
  if (result.status === 'second_factor_required') {
    // Not a session yet: the sign-in waits in the interaction for its second factor.
    const target: Interaction =
      interaction ?? (await flow.create<InteractionState>(c, { kind: 'signin', returnTo }));
    target.state.pending = {
      userId: user.id,
      amr,
      authTime,
      ...(remember ? { remember } : {}),
      attempts: randomToken(16),
    };
    target.state.loginAt = authTime;
    await flow.save(target);
    return c.redirect(resumeUrl(target.id), 303);
  }
  if (interaction) {
    interaction.state.loginAt = authTime;
    delete interaction.state.pending;
  }
  // The session, the interaction's progress and the audit row in one unit of work.
  await startSession(c, deps, result, {
    interaction,
    clientId: interaction ? clientIdOf(interaction.state) : null,
    ip: clientIp(c),
    remember,
  });
  rememberDevice(c, deps, user);
  return c.redirect(interaction ? resumeUrl(interaction.id) : returnTo, 303);
}

/** The hosted sign-in page (SPEC §5); CSRF and page errors come from the middleware in app.ts. */
export function loginRoutes(deps: Deps, flow: InteractionFlow): Hono {
  const app = new Hono();

  const interactionOf = async (c: Context): Promise<Interaction | undefined> => {
    const id = c.req.query('interaction');
    return id === undefined ? undefined : flow.load(c, id);
  };

  const render = async (
    c: Context,
    interaction: Interaction | undefined,
    props: { email?: string; error?: Code },
    status = 200,
  ) => {
    const clientId = interaction ? clientIdOf(interaction.state) : null;
    const client = clientId ? await deps.store.clients.find(clientId) : undefined;
    // The sign-in may end at the client (a redirect after the form's own): form-action must allow it.
    if (interaction) allowFormTargets(c, [redirectTargetOf(interaction.state)]);
    const returnTo = safeReturnTo(c.req.query('return_to'));
    const action = interaction
      ? `/login?interaction=${encodeURIComponent(interaction.id)}`
      : `/login?return_to=${encodeURIComponent(returnTo)}`;
    return htmlPage(
      c,
      LoginPage,
      {
        action,
        csrf: csrfToken(c, deps),
        providers: (await enabledProviders(deps)).map((p) => ({
          name: p.name,
          href: startPath(p.slug, interaction ? { interaction: interaction.id } : { returnTo }),
        })),
        passwordLogin: deps.config.passwordLogin,
        forgotHref: interaction
          ? `${FORGOT_PATH}?interaction=${encodeURIComponent(interaction.id)}`
          : `${FORGOT_PATH}?return_to=${encodeURIComponent(returnTo)}`,
        ...(signupEnabled(deps)
          ? { signupHref: signupHref(interaction ? { interaction: interaction.id } : { returnTo }) }
          : {}),
        ...(client ? { clientName: client.name } : {}),
        ...(props.email ? { email: props.email } : {}),
        ...(props.error ? { error: props.error } : {}),
      },
      status,
    );
  };

  app.get('/login', async (c) => {
    const interaction = await interactionOf(c);
    // `idp=<slug>` on /authorize: the login step is that provider's sign-in.
    const idpHint = interaction?.state.kind === 'authorize' ? interaction.state.request.idpHint : undefined;
    if (interaction && idpHint !== undefined) {
      const provider = await usableProvider(deps, idpHint);
      return c.redirect(startPath(provider.slug, { interaction: interaction.id }), 303);
    }
    const hint = interaction ? loginHintOf(interaction.state) : undefined;
    // The MFA page sends the user back here after too many wrong codes: the one message it may carry.
    const error = c.req.query('error') === 'too_many_codes' ? ('too_many_codes' as const) : undefined;
    return render(c, interaction, { ...(hint ? { email: hint } : {}), ...(error ? { error } : {}) });
  });

  app.post('/login', async (c) => {
    if (!deps.config.passwordLogin) throw passwordLoginOff();
    const interaction = await interactionOf(c);
    const form = await readForm(c);
    const email = form.get('email') ?? '';
    const result: Authentication = await authenticatePassword(deps, email, form.get('password') ?? '', {
      ...requestMeta(c),
      knownDevice: (user) => isKnownDevice(c, deps, user),
      ...(await secondFactorContext(deps, interaction)),
    });
    if (result.status === 'failed') {
      if (result.retryAfterSeconds) c.header('Retry-After', String(result.retryAfterSeconds));
      if (result.code === 'throttled') return render(c, interaction, { email, error: result.code }, 429);
      // 401, as openauth answers a failed login. RFC 9110 §15.5.2 wants a challenge on every 401: the scheme
      // names the form, which no browser mistakes for Basic or Digest (it shows the page, not a prompt).
      c.header('WWW-Authenticate', 'Form realm="latchkey"');
      return render(c, interaction, { email, error: result.code }, 401);
    }
    // The login page's "Keep me signed in" checkbox (`remember=on`): the longer session lifetime.
    const remember = form.get('remember') === 'on';
    const returnTo = safeReturnTo(c.req.query('return_to'));
    return finishFirstFactor(c, deps, flow, result, interaction, returnTo, remember);
  });

  return app;
}
