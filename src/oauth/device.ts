import { randomInt } from 'node:crypto';
import { Hono } from 'hono';
import { ADMIN_SCOPE } from '../admin/permissions.js';
import { randomToken, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { authenticateClient } from '../http/client-auth.js';
import { requestMeta } from '../http/net.js';
import { readForm } from '../http/params.js';
import type { DeviceAuthorization } from '../store/types.js';
import { invalidScope, OAuthError, unauthorizedClient } from './errors.js';
import { checkUserScopes, defaultUserScopes, parseScope } from './scope.js';
import { clientAllowsGrant, DEVICE_CODE_GRANT } from './token/index.js';

/** RFC 8628 §3.2: how long the codes live, and the polling interval a device starts with. */
export const DEVICE_CODE_TTL_SECONDS = 600;
export const DEVICE_POLL_INTERVAL_SECONDS = 5;

/**
 * RFC 8628 §6.1: consonants only (no words can form) and none of the look-alikes (A E I O U Y, and no
 * digits to confuse with O or I). 20 symbols × 8 characters ≈ 2.6 × 10^10 codes, about 34.6 bits.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** A fresh user code, shown as `XXXX-XXXX` (RFC 8628 §6.1: the dash only helps reading it). */
function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

const USER_CODE = new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`);

/**
 * What the user typed, in the form its hash is taken of: upper case, without spaces or dashes, so a code
 * entered as `bcdf ghjk` or `BCDF-GHJK` finds the same row (RFC 8628 §6.1); `undefined` when it cannot be one.
 */
export function normalizeUserCode(input: string): string | undefined {
  const normalized = input.replace(/[\s-]+/g, '').toUpperCase();
  return USER_CODE.test(normalized) ? normalized : undefined;
}

/** The lookup key of a normalised user code: the code itself is never stored. */
export function userCodeHash(normalized: string): string {
  return sha256(normalized);
}

/** A collision among live user codes is about one in 10^10 per code: a few redraws are plenty. */
const USER_CODE_ATTEMPTS = 5;

/**
 * `POST /device_authorization` (RFC 8628 §3.1–3.2): a device code for the client to poll `/token` with,
 * and a user code for the person to enter on `/device`. Both are stored hashed.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export function deviceAuthorizationRoutes(deps: Deps): Hono {
  const app = new Hono();
  app.post('/device_authorization', async (c) => {
    const params = await readForm(c);
    const { client } = await authenticateClient(c, deps, params);
    if (!clientAllowsGrant(client, DEVICE_CODE_GRANT))
      throw unauthorizedClient(`the client is not allowed the "${DEVICE_CODE_GRANT}" grant`);
    // RFC 8628 §3.1: the same scope rules as the other grants; none asked means the client's defaults.
    const requested = parseScope(params.get('scope'));
    checkUserScopes(client, requested);
    // The device page never shows `admin`, and a code typed on another device is the phishing path: never here.
    if (requested.includes(ADMIN_SCOPE))
      throw invalidScope(`the scope "${ADMIN_SCOPE}" cannot be granted through the device flow`);
    const scope = (requested.length ? requested : defaultUserScopes(client)).join(' ');

    const now = deps.clock.now();
    const deviceCode = randomToken();
    const base: Omit<DeviceAuthorization, 'userCodeHash'> = {
      deviceCodeHash: sha256(deviceCode),
      clientId: client.id,
      scope,
      status: 'pending',
      userId: null,
      sessionHash: null,
      authTime: null,
      amr: [],
      interval: DEVICE_POLL_INTERVAL_SECONDS,
      lastPollMs: 0,
      createdAt: now,
      expiresAt: now + DEVICE_CODE_TTL_SECONDS,
    };
    // The audit row lets an admin see pending authorizations in `latchkey events`.
    const event = {
      at: now,
      type: 'device_authorization_requested',
      userId: null,
      clientId: client.id,
      ...requestMeta(c),
      detail: { scope },
    };
    for (let attempt = 0; attempt < USER_CODE_ATTEMPTS; attempt++) {
      const userCode = newUserCode();
      const authorization = { ...base, userCodeHash: userCodeHash(userCode.replace('-', '')) };
      if (!(await deps.store.devices.create(authorization, event))) continue;
      const verificationUri = `${deps.config.issuer}/device`;
      return c.json({
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${userCode}`,
        expires_in: DEVICE_CODE_TTL_SECONDS,
        interval: DEVICE_POLL_INTERVAL_SECONDS,
      });
    }
    throw new OAuthError('temporarily_unavailable', 'no free user code was found; try again', {
      detail: `${USER_CODE_ATTEMPTS} user code collisions in a row`,
      headers: { 'Retry-After': '1' },
    });
  });
  return app;
}
