import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Code } from '../../views/index.js';
import { MfaEnrolPage, MfaPage } from '../../views/index.js';
import type { Authenticated } from '../auth/authenticate.js';
import type { Amr } from '../auth/factors.js';
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  type Enrolment,
  MAX_CODE_ATTEMPTS,
  pendingEnrolment,
  secondFactorMethods,
  verifySecondFactor,
} from '../auth/second-factor.js';
import { sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { csrfToken, startSession } from '../http/browser.js';
import { rememberDevice } from '../http/device.js';
import { clientIp, requestMeta } from '../http/net.js';
import { readForm } from '../http/params.js';
import { qrDataUri } from '../http/qr.js';
import { htmlPage } from '../http/render.js';
import { allowFormTargets } from '../http/security.js';
import type { ThrottleRule, User } from '../store/types.js';
import {
  clientIdOf,
  INTERACTION_TTL_SECONDS,
  type Interaction,
  type InteractionFlow,
  redirectTargetOf,
  resumeUrl,
} from './flow.js';

export const MFA_PATH = '/login/mfa';

/** Only the count matters (`MAX_CODE_ATTEMPTS`, no waits); the key is forgotten with the interaction. */
const ATTEMPTS_RULE: ThrottleRule = {
  free: Number.MAX_SAFE_INTEGER,
  baseMs: 0,
  maxMs: 0,
  forgetMs: INTERACTION_TTL_SECONDS * 1000,
};

/** Who passes the second factor: the sign-in waiting in the interaction, or the signed-in user (step-up). */
interface Subject {
  user: User;
  /** The methods passed so far (`pwd`, `fed`, and `otp` when an older second factor is being renewed). */
  amr: readonly string[];
}

/**
 * The MFA step of hosted sign-in (SPEC §5 "MFA"): textbox "Authentication code" (a TOTP or a recovery code),
 * button "Verify". For a user with no second factor whom the app requires one (`--require-mfa`,
 * `acr_values`), enrolment happens here, inside the sign-in (Keycloak's "Configure OTP" required action).
 * Until it passes there is no session. CSRF and page errors come from the middleware in app.ts.
 */
export function mfaRoutes(deps: Deps, flow: InteractionFlow): Hono {
  const app = new Hono();

  /**
   * The interaction and who passes the factor, only when the policy's next step is this page: a code must not
   * stand in for the password that `prompt=login` or `max_age` asks for, nor start an enrolment out of turn.
   */
  const load = async (c: Context): Promise<{ interaction: Interaction; subject?: Subject }> => {
    const interaction = await flow.load(c, c.req.query('interaction'));
    const { pending } = interaction.state;
    const user = pending ? await deps.store.users.find(pending.userId) : undefined;
    if (pending && !user) {
      // The user was removed meanwhile: the half-finished sign-in is worthless.
      delete interaction.state.pending;
      await flow.save(interaction);
    }
    const { check, session } = await flow.next(c, interaction);
    if (check?.step !== 'mfa') return { interaction };
    if (pending && user) return { interaction, subject: { user, amr: pending.amr } };
    return session
      ? { interaction, subject: { user: session.user, amr: session.session.amr } }
      : { interaction };
  };

  /**
   * Wrong codes are counted per sign-in in the store, atomically: parallel guesses cannot pass the limit. The key
   * names the pending sign-in, not only the interaction: a guess that loaded the sign-in before another one dropped
   * it still counts against the dropped sign-in (over the limit), never against a fresh count (PostgreSQL
   * interleaves requests between the load and the count; issue 18). A step-up (no pending sign-in) counts per
   * interaction; after its drop the password makes a pending sign-in, so a new key.
   */
  const attemptsKey = (interaction: Interaction) =>
    `2fa-pending:${sha256(`${interaction.id}:${interaction.state.pending?.attempts ?? ''}`)}`;

  const action = (interaction: Interaction) =>
    `${MFA_PATH}?interaction=${encodeURIComponent(interaction.id)}`;

  const renderCode = (c: Context, interaction: Interaction, error?: Code, status = 200) => {
    // A success ends at the client (a redirect after the form's own): form-action must allow it.
    allowFormTargets(c, [redirectTargetOf(interaction.state)]);
    return htmlPage(
      c,
      MfaPage,
      { action: action(interaction), csrf: csrfToken(c, deps), ...(error ? { error } : {}) },
      status,
    );
  };

  const renderEnrol = async (
    c: Context,
    interaction: Interaction,
    enrolment: Enrolment,
    error?: Code,
    status = 200,
  ) =>
    htmlPage(
      c,
      MfaEnrolPage,
      {
        step: 'setup',
        action: action(interaction),
        csrf: csrfToken(c, deps),
        secret: enrolment.secret,
        otpauthUri: enrolment.otpauthUri,
        qrDataUri: await qrDataUri(enrolment.otpauthUri),
        error,
      },
      status,
    );

  /** The second factor passed: the sign-in becomes a session (a new one, also for a step-up). */
  const complete = async (c: Context, interaction: Interaction, subject: Subject) => {
    const signIn: Authenticated = {
      status: 'authenticated',
      user: subject.user,
      amr: [...new Set<Amr>([...(subject.amr as Amr[]), 'otp'])],
      // When the sign-in completed: what `max_age` and the account page's "fresh second factor" measure.
      authTime: deps.clock.now(),
    };
    const remember = interaction.state.pending?.remember ?? false;
    delete interaction.state.pending;
    await startSession(c, deps, signIn, {
      interaction,
      clientId: clientIdOf(interaction.state),
      ip: clientIp(c),
      remember,
    });
    rememberDevice(c, deps, subject.user);
  };

  /**
   * After `MAX_CODE_ATTEMPTS` codes the sign-in is dropped: the user starts again from the password (after a
   * step-up too), and the new sign-in gets a new key, so new attempts. The old key is not reset (guesses still
   * under way count on it, over the limit): the sweep prunes it after `forgetMs`.
   */
  const drop = async (c: Context, interaction: Interaction): Promise<Response> => {
    delete interaction.state.pending;
    delete interaction.state.loginAt;
    await flow.save(interaction);
    return c.redirect(`/login?interaction=${encodeURIComponent(interaction.id)}&error=too_many_codes`, 303);
  };

  app.get(MFA_PATH, async (c) => {
    const { interaction, subject } = await load(c);
    if (!subject) return c.redirect(resumeUrl(interaction.id), 303);
    if ((await secondFactorMethods(deps, subject.user)).length > 0) return renderCode(c, interaction);
    const enrolment =
      (await pendingEnrolment(deps, subject.user)) ?? (await beginTotpEnrolment(deps, subject.user));
    return enrolment ? renderEnrol(c, interaction, enrolment) : renderCode(c, interaction);
  });

  app.post(MFA_PATH, async (c) => {
    const { interaction, subject } = await load(c);
    if (!subject) return c.redirect(resumeUrl(interaction.id), 303);
    const code = (await readForm(c)).get('code') ?? '';
    const context = { ...requestMeta(c), clientId: clientIdOf(interaction.state) };

    if ((await secondFactorMethods(deps, subject.user)).length === 0) {
      // Enrolment inside the sign-in: the first code confirms it, then the recovery codes are shown once.
      const enrolment = await pendingEnrolment(deps, subject.user);
      if (!enrolment) return c.redirect(action(interaction), 303);
      const result = await confirmTotpEnrolment(deps, subject.user, code, context);
      if (!result.ok) return renderEnrol(c, interaction, enrolment, result.code, 400);
      await complete(c, interaction, subject);
      return htmlPage(c, MfaEnrolPage, {
        step: 'done',
        recoveryCodes: result.recoveryCodes,
        continueHref: resumeUrl(interaction.id),
      });
    }

    // Counted before the code is checked, in one atomic step.
    const attempt = await deps.store.throttle.fail(
      attemptsKey(interaction),
      deps.clock.nowMs(),
      ATTEMPTS_RULE,
    );
    if (attempt > MAX_CODE_ATTEMPTS) return drop(c, interaction);
    const result = await verifySecondFactor(deps, subject.user, code, context);
    if (!result.ok) {
      if (result.code === 'throttled') {
        c.header('Retry-After', String(result.retryAfterSeconds ?? 1));
        return renderCode(c, interaction, 'throttled', 429);
      }
      if (attempt === MAX_CODE_ATTEMPTS) return drop(c, interaction);
      return renderCode(c, interaction, 'invalid_code', 400);
    }
    await deps.store.throttle.reset(attemptsKey(interaction));
    await complete(c, interaction, subject);
    return c.redirect(resumeUrl(interaction.id), 303);
  });

  return app;
}
