import { and, asc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import * as s from '../../../db/schema.postgres.js';
import { clientColumns, clientOf } from '../client-rows.js';
import type { Client, ClientStore, NewAuditEvent } from '../types.js';
import type { PgTx, PostgresContext } from './open.js';
import { afterKey, changed, containing, type Exec, writeEvent } from './shared.js';

type ClientRow = typeof s.clients.$inferSelect;
type UriRow = typeof s.clientUris.$inferSelect;

/** The PostgreSQL clients (issue 18), the twin of `../sqlite/clients.ts`. */
export function clientStore(cx: PostgresContext) {
  const { db } = cx;

  // Only clients that exist are cached: an unknown id (request input) never takes memory here. Every write to a
  // client calls `notifyChange` in its transaction, so `generation()` moves on every node and the cache is
  // dropped there too.
  const clientCache = new Map<string, Client>();
  let cacheGeneration = -1;

  const cached = (): Map<string, Client> => {
    const gen = cx.generation();
    if (gen !== cacheGeneration) {
      clientCache.clear();
      cacheGeneration = gen;
    }
    return clientCache;
  };

  /**
   * The clients of `rows` with their URIs, read in one query. Each list comes in byte order of the URI, as SQLite
   * reads them through the (client_id, kind, uri) primary key: `collate "C"`, whatever the database's locale.
   */
  const withUris = async (ex: Exec, rows: ClientRow[]): Promise<Client[]> => {
    if (!rows.length) return [];
    const uris = await ex
      .select()
      .from(s.clientUris)
      .where(
        inArray(
          s.clientUris.clientId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(s.clientUris.clientId, s.clientUris.kind, sql`${s.clientUris.uri} collate "C"`);
    const byClient = new Map<string, UriRow[]>();
    for (const u of uris) {
      const list = byClient.get(u.clientId);
      if (list) list.push(u);
      else byClient.set(u.clientId, [u]);
    }
    return rows.map((r) => clientOf(r, byClient.get(r.id) ?? []));
  };

  /** The URI rows of a client, each list deduplicated. */
  const writeUris = async (tx: PgTx, client: Client): Promise<void> => {
    const kinds = [
      ['redirect', client.redirectUris],
      ['post_logout', client.postLogoutRedirectUris],
      ['resource', client.resources],
      ['web_origin', client.webOrigins],
    ] as const;
    const uris = kinds.flatMap(([kind, list]) =>
      [...new Set(list)].map((uri) => ({ clientId: client.id, kind, uri })),
    );
    if (uris.length) await tx.insert(s.clientUris).values(uris);
  };

  /**
   * Runs a write in one transaction that also bumps the change counter (every node's cache reloads), then
   * forgets the cached client here.
   */
  const writing = async <T>(id: string, write: (tx: PgTx) => Promise<T>): Promise<T> => {
    try {
      return await cx.tx(async (tx) => {
        const result = await write(tx);
        await cx.notifyChange(tx);
        return result;
      });
    } finally {
      clientCache.delete(id);
    }
  };

  return {
    create: async (client, event) =>
      writing(client.id, async (tx) => {
        await tx.insert(s.clients).values(clientColumns(client));
        await writeUris(tx, client);
        if (event) await writeEvent(tx, event);
        return client;
      }),
    find: async (id) => {
      const cache = cached();
      const hit = cache.get(id);
      if (hit) return hit;
      const before = cx.generation();
      const rows = await db.select().from(s.clients).where(eq(s.clients.id, id));
      const [client] = await withUris(db, rows);
      if (!client) return undefined;
      // Kept only if no change was announced while the rows were read (another node's NOTIFY, or a write here):
      // else an old row would be cached under the new generation, until the next change.
      if (cx.generation() !== before) return client;
      if (cache.size >= 10_000) cache.clear();
      cache.set(id, client);
      return client;
    },
    list: async () =>
      // Byte order of the name, as SQLite sorts it; the id breaks ties (two clients of one name and one second).
      withUris(
        db,
        await db
          .select()
          .from(s.clients)
          .orderBy(asc(s.clients.createdAt), asc(sql`${s.clients.name} collate "C"`), asc(s.clients.id)),
      ),
    page: async ({ after, limit, query }) => {
      const where: (SQL | undefined)[] = [];
      if (after) where.push(afterKey(s.clients.createdAt, s.clients.id, after));
      if (query) where.push(or(containing(s.clients.name, query), containing(s.clients.id, query)));
      const rows = await db
        .select()
        .from(s.clients)
        .where(and(...where))
        .orderBy(asc(s.clients.createdAt), asc(s.clients.id))
        .limit(limit);
      return withUris(db, rows);
    },
    update: async (client, event) =>
      writing(client.id, async (tx) => {
        const { id: _id, createdAt: _createdAt, ...fields } = clientColumns(client);
        if (changed(await tx.update(s.clients).set(fields).where(eq(s.clients.id, client.id))) === 0)
          return false;
        await tx.delete(s.clientUris).where(eq(s.clientUris.clientId, client.id));
        await writeUris(tx, client);
        await writeEvent(tx, event);
        return true;
      }),
    // Grants (and their refresh tokens), consents, device codes and mfa tokens cascade with the row; opaque
    // access tokens and codes name the client without a foreign key, so they go here. JWT access tokens are
    // not stored: their client is gone, so `/userinfo` and `/introspect` refuse them.
    remove: async (id, event?: NewAuditEvent) =>
      writing(id, async (tx) => {
        // `for update`: a concurrent update of the same client waits, then finds it gone.
        const [row] = await tx
          .select({ id: s.clients.id })
          .from(s.clients)
          .where(eq(s.clients.id, id))
          .for('update');
        if (!row) return false;
        await tx.delete(s.accessTokens).where(eq(s.accessTokens.clientId, id));
        await tx.delete(s.codes).where(eq(s.codes.clientId, id));
        await tx.delete(s.clients).where(eq(s.clients.id, id));
        if (event) await writeEvent(tx, event);
        return true;
      }),
    setSecretHash: async (id, secretHash, event) =>
      writing(id, async (tx) => {
        const set = event ? { secretHash, updatedAt: event.at } : { secretHash };
        if (changed(await tx.update(s.clients).set(set).where(eq(s.clients.id, id))) === 0) return false;
        if (event) await writeEvent(tx, event);
        return true;
      }),
  } satisfies ClientStore;
}
