import type { Deps } from '../../deps.js';
import { CONSOLE_CLIENT_ID, createClient } from '../clients.js';
import type { AdminContext } from '../context.js';
import { ADMIN_SCOPE } from '../permissions.js';
import { AdminError } from '../validate.js';

export { CONSOLE_CLIENT_ID };

/** Where the console receives its codes. */
export const consoleRedirectUri = (issuer: string): string => `${issuer}/admin/callback`;

/** The server itself, at start: the actor of the console client's `client_created` row. */
const BUILT_IN: AdminContext = { actor: 'system' };

/**
 * Creates the console's client when it is missing: first-party (no consent page), public with PKCE (nothing to
 * keep secret on the server's side either), the code grant only, `openid admin`, and a second factor required
 * until an admin decides otherwise. An existing one is never changed: what the admin edited stays.
 */
export async function ensureConsoleClient(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'log'>,
): Promise<void> {
  if (await deps.store.clients.find(CONSOLE_CLIENT_ID)) return;
  try {
    await createClient(
      deps,
      {
        clientId: CONSOLE_CLIENT_ID,
        name: 'latchkey admin console',
        isPublic: true,
        firstParty: true,
        requirePkce: true,
        requireMfa: true,
        grants: ['authorization_code'],
        scopes: ['openid', ADMIN_SCOPE],
        redirectUris: [consoleRedirectUri(deps.config.issuer)],
      },
      BUILT_IN,
    );
  } catch (err) {
    // Another process created it meanwhile; or the issuer cannot be a redirect URI (plain http off loopback):
    // the server runs without its console rather than not at all.
    if (!(err instanceof AdminError)) throw err;
    if (err.code === 'exists') return;
    deps.log.warn(`the admin console is unavailable: its client cannot be created: ${err.problem}`);
  }
}
