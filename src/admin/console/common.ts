import type { Context } from 'hono';
import { en } from '../../../views/i18n/en.js';
import { inDuration } from '../../../views/i18n/index.js';
import { ConsoleConfirmPage, type ConsoleConfirmPageProps } from '../../../views/index.js';
import { authenticatePassword } from '../../auth/authenticate.js';
import { secondFactorMethods, verifySecondFactor } from '../../auth/second-factor.js';
import type { Deps } from '../../deps.js';
import { csrfToken } from '../../http/browser.js';
import { isKnownDevice } from '../../http/device.js';
import { requestMeta } from '../../http/net.js';
import { type Params, readForm } from '../../http/params.js';
import { htmlPage } from '../../http/render.js';
import { OAuthError } from '../../oauth/errors.js';
import { CONSOLE_CLIENT_ID } from '../clients.js';
import type { AdminContext } from '../context.js';
import { AdminError } from '../validate.js';

/** What every console page's layout needs: the signed-in admin's email, the form token, the path (the nav). */
export const consolePage = (c: Context, deps: Deps) => ({
  email: c.get('console').user.email,
  csrf: csrfToken(c, deps),
  path: c.req.path,
});

/**
 * The audit context of a change made in the console, as `adminContextOf` makes the API's: the signed-in admin
 * (`user:<id>`), their permissions now, and the request's address and browser.
 */
export function consoleContext(c: Context): AdminContext {
  const { user, permissions } = c.get('console');
  return { actor: `user:${user.id}`, permissions, ...requestMeta(c) };
}

/** The posted form (csrf() has read it already). */
export const formOf = (c: Context): Promise<Params> => readForm(c);

/**
 * A refused change's message for the form's role="alert"; anything but an `AdminError` goes on to the hosted
 * error page.
 */
export function refusal(err: unknown): string {
  if (err instanceof AdminError) return err.message;
  throw err;
}

const STATUS = { not_found: 404, exists: 409, in_use: 409, forbidden: 403 } as const;

/** A refused change's form, again: its message, and the status the API would answer. */
export function refused(err: unknown): { error: string; status: 400 | 403 | 404 | 409 } {
  const error = refusal(err);
  const code = (err as AdminError).code;
  return { error, status: Object.hasOwn(STATUS, code) ? STATUS[code as keyof typeof STATUS] : 400 };
}

/**
 * What a destructive action's confirmation asks the signed-in admin for (step-up): "Authentication code" (a TOTP
 * code or a recovery code) when they have a second factor, else their "Password" (the console client's
 * `require_mfa` turned off).
 */
export type StepUpField = 'code' | 'password';

/** The form field each step-up answer is posted in (`password` is the set-password page's new password). */
export const STEP_UP_FIELDS: Readonly<Record<StepUpField, string>> = {
  code: 'code',
  password: 'current_password',
};

/** The step-up field the signed-in admin's confirmation page shows. */
export async function stepUpField(c: Context, deps: Deps): Promise<StepUpField> {
  return (await secondFactorMethods(deps, c.get('console').user)).length > 0 ? 'code' : 'password';
}

/** A refused step-up: the message for the confirmation page's role="alert", and its status. */
export interface StepUpRefusal {
  error: string;
  status: 401 | 429;
}

const STEP_UP_MESSAGES = {
  code: en.invalid_code,
  password: 'Incorrect password.',
} as const;

function throttledMessage(retryAfterSeconds: number | undefined): string {
  return retryAfterSeconds
    ? en['throttled.wait'].replace('{wait}', inDuration('en', retryAfterSeconds))
    : en.throttled;
}

/**
 * Every destructive POST (disable a user, delete an app, rotate keys, remove a scope, …) passes here first,
 * after its confirmation page, before anything changes: the second factor again (step-up). A code goes through
 * the sign-in's second-factor check (`verifySecondFactor`: its throttle, single-use TOTP steps, recovery codes
 * used up, `mfa_failed` in the audit trail); a password through the sign-in's password check
 * (`authenticatePassword`: its throttle, equal timing, `login_failed`). `undefined` when it passed; else the
 * refusal (Retry-After set when throttled), and the caller shows its confirmation page again.
 */
export async function confirmDestructive(c: Context, deps: Deps): Promise<StepUpRefusal | undefined> {
  const { user } = c.get('console');
  const form = await readForm(c);
  const field = await stepUpField(c, deps);
  const meta = requestMeta(c);
  const value = form.get(STEP_UP_FIELDS[field]) ?? '';
  let failure: { code: string; retryAfterSeconds?: number | undefined } | undefined;
  if (field === 'code') {
    const check = await verifySecondFactor(deps, user, value, { ...meta, clientId: CONSOLE_CLIENT_ID });
    if (!check.ok) failure = check;
  } else {
    const result = await authenticatePassword(deps, user.email, value, {
      ...meta,
      knownDevice: (u) => isKnownDevice(c, deps, u),
    });
    if (result.status === 'failed') failure = result;
    // The password proves who is at the keyboard; the sign-in it would start is not used.
    else if (result.user.id !== user.id) failure = { code: 'invalid_credentials' };
  }
  if (!failure) return undefined;
  if (failure.code === 'throttled') {
    c.header('Retry-After', String(failure.retryAfterSeconds ?? 1));
    return { error: throttledMessage(failure.retryAfterSeconds), status: 429 };
  }
  c.header('WWW-Authenticate', 'Form realm="latchkey"');
  return { error: STEP_UP_MESSAGES[field], status: 401 };
}

/** What a section gives its confirmation page: the rest (layout, step-up field) is the same for all. */
export type Confirmation = Omit<ConsoleConfirmPageProps, 'email' | 'csrf' | 'stepUp'>;

/** A destructive action's confirmation page (views/console/parts.tsx), with the admin's step-up field. */
export async function confirmationPage(
  c: Context,
  deps: Deps,
  props: Confirmation,
  status: 200 | 400 | 401 | 403 | 404 | 409 | 429 = 200,
): Promise<Response> {
  return htmlPage(
    c,
    ConsoleConfirmPage,
    { ...consolePage(c, deps), ...props, stepUp: await stepUpField(c, deps) },
    status,
  );
}

/** The hosted 404 page for an entry that does not exist. */
export const notFound = (what: string) =>
  new OAuthError('invalid_request', `no ${what}`, { status: 404, page: 'not_found' });

/** After a change: back to the list (303, so a reload does not post again), with a fixed notice code. */
export const backTo = (c: Context, href: string, done: string) =>
  c.redirect(`${href}?done=${encodeURIComponent(done)}`, 303);
