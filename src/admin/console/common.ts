import type { Context } from 'hono';
import type { Deps } from '../../deps.js';
import { csrfToken } from '../../http/browser.js';
import { requestMeta } from '../../http/net.js';
import { type Params, readForm } from '../../http/params.js';
import { OAuthError } from '../../oauth/errors.js';
import type { AdminContext } from '../context.js';
import { AdminError } from '../validate.js';

/** What every console page's layout needs: the signed-in admin's email and the form token. */
export const consolePage = (c: Context, deps: Deps) => ({
  email: c.get('console').user.email,
  csrf: csrfToken(c, deps),
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
 * Every destructive POST (rotate keys, remove a scope, remove a provider) passes here first, after its
 * confirmation page: the one place the second-factor re-check (step-up, docs/design/console.md) goes.
 */
export async function confirmDestructive(_c: Context, _deps: Deps): Promise<void> {}

/** The hosted 404 page for an entry that does not exist. */
export const notFound = (what: string) =>
  new OAuthError('invalid_request', `no ${what}`, { status: 404, page: 'not_found' });

/** After a change: back to the list (303, so a reload does not post again), with a fixed notice code. */
export const backTo = (c: Context, href: string, done: string) =>
  c.redirect(`${href}?done=${encodeURIComponent(done)}`, 303);
