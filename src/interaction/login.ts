import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Code } from '../../views/index.js';
import { LoginPage } from '../../views/index.js';
import { burnPasswordCheck, verifyPassword } from '../crypto/password.js';
import type { Deps } from '../deps.js';
import { checkCsrf, csrfToken, startSession } from '../http/browser.js';
import { clientIp } from '../http/net.js';
import { readForm } from '../http/params.js';
import { htmlPage } from '../http/render.js';
import {
  type LoadedInteraction,
  loadInteraction,
  resumeUrl,
  saveInteraction,
} from '../oauth/authorize/interaction.js';
import type { User } from '../store/types.js';

/**
 * Only a local path may be a return target (no open redirect). Browsers drop tabs and newlines from
 * URLs (WHATWG URL parsing), so `/\t/evil.example` would become `//evil.example`: control characters are refused.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11
 */
export function safeReturnTo(raw: string | undefined): string {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.includes('\\') || raw.length > 512)
    return '/account';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\x00-\x1f\x7f]/.test(raw)) return '/account';
  return raw;
}

export type PasswordCheck =
  | { ok: true; user: User }
  | { ok: false; code: Extract<Code, 'invalid_credentials' | 'throttled'>; retryAfterSeconds?: number };

/**
 * The one password check of sign-in pages and the password grant: throttled per account and per IP
 * before the password is looked at; unknown email and wrong password take the same time and answer.
 */
export async function checkUserPassword(
  deps: Deps,
  ip: string,
  emailRaw: string,
  password: string,
): Promise<PasswordCheck> {
  const email = emailRaw.trim().toLowerCase().slice(0, 254);
  const accountKey = `acct:${email}`;
  const ipKey = `ip:${ip}`;
  const wait = Math.max(deps.throttle.retryAfterMs(accountKey), deps.ipThrottle.retryAfterMs(ipKey));
  if (wait > 0) return { ok: false, code: 'throttled', retryAfterSeconds: Math.ceil(wait / 1000) };
  const user = email ? await deps.store.users.findByEmail(email) : undefined;
  const pass = password.slice(0, 256);
  const ok = user?.passwordHash
    ? await verifyPassword(user.passwordHash, pass)
    : await burnPasswordCheck(pass);
  const now = deps.clock.now();
  if (!ok || !user) {
    deps.throttle.fail(accountKey);
    deps.ipThrottle.fail(ipKey);
    await deps.store.events.add({
      at: now,
      type: 'login_failed',
      userId: user?.id ?? null,
      clientId: null,
      ip,
      detail: null,
    });
    return { ok: false, code: 'invalid_credentials' };
  }
  deps.throttle.succeed(accountKey);
  return { ok: true, user };
}

async function interactionOf(c: Context, deps: Deps): Promise<LoadedInteraction | undefined> {
  const id = c.req.query('interaction');
  if (id === undefined) return undefined;
  c.set('errorMode', { kind: 'page' });
  return loadInteraction(c, deps, id);
}

/** The hosted sign-in page (SPEC §5). */
export function loginRoutes(deps: Deps): Hono {
  const app = new Hono();

  const render = async (
    c: Context,
    interaction: LoadedInteraction | undefined,
    props: { email?: string; error?: Code },
    status = 200,
  ) => {
    const client = interaction
      ? await deps.store.clients.find(interaction.state.request.clientId)
      : undefined;
    const action = interaction
      ? `/login?interaction=${encodeURIComponent(interaction.id)}`
      : `/login?return_to=${encodeURIComponent(safeReturnTo(c.req.query('return_to')))}`;
    return htmlPage(
      c,
      LoginPage({
        action,
        csrf: csrfToken(c, deps),
        providers: [],
        ...(client ? { clientName: client.name } : {}),
        ...(props.email ? { email: props.email } : {}),
        ...(props.error ? { error: props.error } : {}),
      }),
      status,
    );
  };

  app.get('/login', async (c) => {
    c.set('errorMode', { kind: 'page' });
    const interaction = await interactionOf(c, deps);
    const hint = interaction?.state.request.loginHint ?? undefined;
    return render(c, interaction, hint ? { email: hint } : {});
  });

  app.post('/login', async (c) => {
    c.set('errorMode', { kind: 'page' });
    const interaction = await interactionOf(c, deps);
    const form = await readForm(c);
    const email = form.get('email') ?? '';
    if (!checkCsrf(c, deps, form.get('csrf'))) return render(c, interaction, { email, error: 'csrf' }, 403);
    const result = await checkUserPassword(deps, clientIp(c), email, form.get('password') ?? '');
    if (!result.ok) {
      if (result.retryAfterSeconds) c.header('Retry-After', String(result.retryAfterSeconds));
      if (result.code === 'throttled') return render(c, interaction, { email, error: result.code }, 429);
      // 401, as openauth answers a failed login. RFC 9110 §15.5.2 wants a challenge on every 401: the scheme
      // names the form, which no browser mistakes for Basic or Digest (it shows the page, not a prompt).
      c.header('WWW-Authenticate', 'Form realm="latchkey"');
      return render(c, interaction, { email, error: result.code }, 401);
    }
    const session = await startSession(c, deps, result.user, ['pwd']);
    await deps.store.events.add({
      at: session.authTime,
      type: 'login',
      userId: result.user.id,
      clientId: interaction?.state.request.clientId ?? null,
      ip: clientIp(c),
      detail: { amr: ['pwd'] },
    });
    if (!interaction) return c.redirect(safeReturnTo(c.req.query('return_to')), 303);
    interaction.state.loginAt = session.authTime;
    await saveInteraction(deps, interaction);
    return c.redirect(resumeUrl(interaction.id), 303);
  });

  return app;
}
