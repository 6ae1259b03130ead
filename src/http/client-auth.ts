import type { Context } from 'hono';
import { clientAuthFailed } from '../auth/throttle.js';
import { safeEqual, sha256 } from '../crypto/hash.js';
import type { Deps } from '../deps.js';
import { invalidClient, invalidRequest, OAuthError } from '../oauth/errors.js';
import type { Client } from '../store/types.js';
import { addressGroup, clientIp, sleep, userAgentOf } from './net.js';
import type { Params } from './params.js';

const MAX_CLIENT_ID_LENGTH = 128;

export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface AuthenticatedClient {
  client: Client;
  method: AuthMethod;
}

// RFC 6749 §5.2: a client that tried the Authorization header gets 401 with a matching challenge.
const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="latchkey", error="invalid_client"' };
const malformedBasic = (description: string) => invalidClient(description, { headers: BASIC_CHALLENGE });

/** RFC 6749 §2.3.1: the id and secret are form-urlencoded before Basic encoding. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function parseBasic(header: string): { id: string; secret: string } {
  const encoded = header.slice(5).trim();
  // RFC 7617 §2: token68, i.e. base64 (Buffer.from would silently skip anything else).
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded))
    throw malformedBasic('the Authorization header is not valid Basic credentials');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw malformedBasic('the Authorization header is not valid Basic credentials');
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw malformedBasic('the Basic credentials are not form-urlencoded (RFC 6749 §2.3.1)');
  }
}

/**
 * Authenticates the client with exactly one method (RFC 6749 §2.3). Failures are delayed more and
 * more per client and per address, counted in the database (every node shares the count); a correct
 * secret is never delayed.
 */
export async function authenticateClient(
  c: Context,
  deps: Deps,
  params: Params,
): Promise<AuthenticatedClient> {
  const header = c.req.header('authorization');
  const basic = header && /^basic(\s|$)/i.test(header) ? parseBasic(header) : undefined;
  if (header && !basic)
    throw invalidRequest('only Basic client authentication is accepted in the Authorization header');
  const postSecret = params.get('client_secret');
  const bodyId = params.get('client_id');
  if (basic && postSecret !== undefined) throw invalidRequest('use exactly one client authentication method');
  if (basic && bodyId !== undefined && bodyId !== basic.id)
    throw invalidRequest('"client_id" does not match the Authorization header');

  const id = basic?.id ?? bodyId;
  if (!id)
    throw invalidClient('client authentication is required', {
      headers: { 'WWW-Authenticate': 'Basic realm="latchkey"' },
    });
  // Client ids are at most 128 characters (admin/clients.ts): a longer one is refused before any lookup,
  // cache or per-client throttle key, so request input cannot grow memory or rows.
  if (id.length > MAX_CLIENT_ID_LENGTH) {
    await clientAuthFailed(deps, clientIp(c));
    throw invalidClient('client authentication failed', {
      detail: 'over-long client_id',
      headers: { 'WWW-Authenticate': 'Basic realm="latchkey"' },
    });
  }
  const secret = basic?.secret ?? postSecret;
  const method: AuthMethod = basic
    ? 'client_secret_basic'
    : postSecret !== undefined
      ? 'client_secret_post'
      : 'none';

  const client = await deps.store.clients.find(id);
  let ok = false;
  if (client) {
    if (client.isPublic) ok = method === 'none';
    else
      ok = secret !== undefined && client.secretHash !== null && safeEqual(sha256(secret), client.secretHash);
  } else if (secret !== undefined) {
    safeEqual(sha256(secret), sha256('')); // same work for an unknown client
  }
  if (ok && client) {
    c.set('clientId', client.id);
    return { client, method };
  }

  // The audit row first: a throttle write that fails (the database out of reach) leaves the failure recorded.
  await deps.store.events.recordFailure(
    {
      at: deps.clock.now(),
      type: 'client_auth_failed',
      userId: null,
      clientId: client ? id : null,
      ip: addressGroup(clientIp(c)),
      userAgent: userAgentOf(c),
      detail: { method },
    },
    300,
  );
  // Counted by the id asked for, known or not: the hold must not tell whether a client exists.
  const wait = await clientAuthFailed(deps, clientIp(c), id);
  if (wait > 0) await sleep(wait);
  const detail = !client
    ? 'unknown client'
    : client.isPublic
      ? 'public client sent a secret'
      : 'wrong or missing secret';
  throw new OAuthError('invalid_client', 'client authentication failed', {
    detail,
    headers: {
      'WWW-Authenticate': basic ? BASIC_CHALLENGE['WWW-Authenticate'] : 'Basic realm="latchkey"',
    },
  });
}
