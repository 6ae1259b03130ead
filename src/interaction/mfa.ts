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
import type { Deps } from '../deps.js';
import { csrfToken, currentSession, startSession } from '../http/browser.js';
import { rememberDevice } from '../http/device.js';
import { clientIp } from '../http/net.js';
import { readForm } from '../http/params.js';
import { qrDataUri } from '../http/qr.js';
import { htmlPage } from '../http/render.js';
import { allowFormTargets } from '../http/security.js';
import type { User } from '../store/types.js';
import { clientIdOf, type Interaction, type InteractionFlow, redirectTargetOf, resumeUrl } from './flow.js';

export const MFA_PATH = '/login/mfa';

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

  const load = async (c: Context): Promise<{ interaction: Interaction; subject?: Subject }> => {
    const interaction = await flow.load(c, c.req.query('interaction'));
    const { pending } = interaction.state;
    if (pending) {
      const user = await deps.store.users.find(pending.userId);
      if (user) return { interaction, subject: { user, amr: pending.amr } };
      // The user was removed meanwhile: the half-finished sign-in is worthless.
      delete interaction.state.pending;
      await flow.save(interaction);
      return { interaction };
    }
    const active = await currentSession(c, deps);
    return active
      ? { interaction, subject: { user: active.user, amr: active.session.amr } }
      : { interaction };
  };

  const action = (interaction: Interaction) =>
    `${MFA_PATH}?interaction=${encodeURIComponent(interaction.id)}`;

  const renderCode = (c: Context, interaction: Interaction, error?: Code, status = 200) => {
    // A success ends at the client (a redirect after the form's own): form-action must allow it.
    allowFormTargets(c, [redirectTargetOf(interaction.state)]);
    return htmlPage(
      c,
      MfaPage({ action: action(interaction), csrf: csrfToken(c, deps), ...(error ? { error } : {}) }),
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
      MfaEnrolPage({
        step: 'setup',
        action: action(interaction),
        csrf: csrfToken(c, deps),
        secret: enrolment.secret,
        otpauthUri: enrolment.otpauthUri,
        qrDataUri: await qrDataUri(enrolment.otpauthUri),
        error,
      }),
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
    delete interaction.state.pending;
    delete interaction.state.codeFailures;
    await startSession(c, deps, signIn, {
      interaction,
      clientId: clientIdOf(interaction.state),
      ip: clientIp(c),
    });
    rememberDevice(c, deps, subject.user);
  };

  /** A wrong code: counted in the interaction; at `MAX_CODE_ATTEMPTS` the sign-in is dropped. */
  const wrongCode = async (c: Context, interaction: Interaction): Promise<Response | undefined> => {
    const failures = (interaction.state.codeFailures ?? 0) + 1;
    if (failures < MAX_CODE_ATTEMPTS) {
      interaction.state.codeFailures = failures;
      await flow.save(interaction);
      return undefined;
    }
    delete interaction.state.pending;
    delete interaction.state.codeFailures;
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
    const context = { ip: clientIp(c), clientId: clientIdOf(interaction.state) };

    if ((await secondFactorMethods(deps, subject.user)).length === 0) {
      // Enrolment inside the sign-in: the first code confirms it, then the recovery codes are shown once.
      const enrolment = await pendingEnrolment(deps, subject.user);
      if (!enrolment) return c.redirect(action(interaction), 303);
      const result = await confirmTotpEnrolment(deps, subject.user, code, context);
      if (!result.ok) return renderEnrol(c, interaction, enrolment, result.code, 400);
      await complete(c, interaction, subject);
      return htmlPage(
        c,
        MfaEnrolPage({
          step: 'done',
          recoveryCodes: result.recoveryCodes,
          continueHref: resumeUrl(interaction.id),
        }),
      );
    }

    const result = await verifySecondFactor(deps, subject.user, code, context);
    if (!result.ok) {
      if (result.code === 'throttled') {
        c.header('Retry-After', String(result.retryAfterSeconds ?? 1));
        return renderCode(c, interaction, 'throttled', 429);
      }
      const dropped = await wrongCode(c, interaction);
      return dropped ?? renderCode(c, interaction, 'invalid_code', 400);
    }
    await complete(c, interaction, subject);
    return c.redirect(resumeUrl(interaction.id), 303);
  });

  return app;
}
