import type { Deps } from '../../deps.js';
import { type AdminContext, adminEvent, CLI } from '../context.js';
import { AdminError } from '../validate.js';
import { findUser, findUserFor } from './find.js';

/** An app the user has connected: what the account page's "Connected apps" lists, for an admin. */
export interface ConnectedApp {
  clientId: string;
  clientName: string;
  /** The scopes of the user's live grants to the app, in the order first granted. */
  scopes: string[];
  /** When the oldest of those grants was made (epoch seconds). */
  grantedAt: number;
}

/**
 * The user's connected apps: their live grants with refresh tokens, one entry per client (as the account
 * page's "Connected apps"), newest grant's client first. A client since removed is left out.
 */
export async function listUserApps(
  deps: Pick<Deps, 'store' | 'clock'>,
  ref: string,
): Promise<ConnectedApp[]> {
  const user = await findUser(deps, ref);
  const grants = await deps.store.grants.listActiveForUser(user.id, deps.clock.now());
  const byClient = new Map<string, { scopes: Set<string>; grantedAt: number }>();
  for (const g of grants) {
    const entry = byClient.get(g.clientId) ?? { scopes: new Set<string>(), grantedAt: g.createdAt };
    for (const s of g.scope.split(' ').filter(Boolean)) entry.scopes.add(s);
    entry.grantedAt = Math.min(entry.grantedAt, g.createdAt);
    byClient.set(g.clientId, entry);
  }
  const apps: ConnectedApp[] = [];
  for (const [clientId, entry] of byClient) {
    const client = await deps.store.clients.find(clientId);
    if (!client) continue;
    apps.push({ clientId, clientName: client.name, scopes: [...entry.scopes], grantedAt: entry.grantedAt });
  }
  return apps;
}

/**
 * "Revoke" on a connected app, by an admin: as the user's own (account page), the user's grants for the client
 * (their refresh tokens with them) are revoked and the consent forgotten, with the `app_revoked` audit row
 * (actor: the admin), in one unit of work. An app the user has not connected is `not_found`.
 */
export async function revokeUserApp(
  deps: Pick<Deps, 'store' | 'clock'>,
  ref: string,
  clientId: string,
  ctx: AdminContext = CLI,
): Promise<{ revokedGrants: number }> {
  const user = await findUserFor(deps, ref, ctx);
  const connected = await listUserApps(deps, user.id);
  const consented = (await deps.store.consents.find(user.id, clientId)).length > 0;
  if (!consented && !connected.some((a) => a.clientId === clientId))
    throw new AdminError(
      `user "${ref}" has not connected the app "${clientId.slice(0, 80)}"`,
      'not_found',
      'clientId',
    );
  const now = deps.clock.now();
  const revokedGrants = await deps.store.grants.revokeApp(
    user.id,
    clientId,
    now,
    adminEvent(ctx, 'app_revoked', now, { userId: user.id, clientId }),
  );
  return { revokedGrants };
}
