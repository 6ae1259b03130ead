import { and, asc, eq, or, type SQL } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import { clientColumns, clientOf } from '../client-rows.js';
import type { Client, ClientStore, NewAuditEvent } from '../types.js';
import { afterKey, containing, lazily, type SqliteContext, selectBy, writeEvent } from './shared.js';

type ClientRow = typeof s.clients.$inferSelect;

export function clientStore(cx: SqliteContext) {
  const { raw, db, generation } = cx;
  const q = lazily({
    client: () => selectBy(db, s.clients, s.clients.id, 'id'),
    clientUris: () => selectBy(db, s.clientUris, s.clientUris.clientId, 'id'),
  });

  // Only clients that exist are cached: an unknown id (request input) never takes memory here.
  const clientCache = new Map<string, Client>();
  let cacheGeneration = -1;

  const cached = (): Map<string, Client> => {
    const gen = generation();
    if (gen !== cacheGeneration) {
      clientCache.clear();
      cacheGeneration = gen;
    }
    return clientCache;
  };

  const toClient = (row: ClientRow): Client => clientOf(row, q.clientUris.all({ id: row.id }));

  /** The URI rows of a client, each list deduplicated. */
  const writeUris = (client: Client): void => {
    const kinds = [
      ['redirect', client.redirectUris],
      ['post_logout', client.postLogoutRedirectUris],
      ['resource', client.resources],
      ['web_origin', client.webOrigins],
    ] as const;
    const uris = kinds.flatMap(([kind, list]) =>
      [...new Set(list)].map((uri) => ({ clientId: client.id, kind, uri })),
    );
    if (uris.length) db.insert(s.clientUris).values(uris).run();
  };

  /** Runs a write, then forgets the cached client (this process; `generation` tells the others). */
  const writing = <T>(id: string, write: () => T): T => {
    try {
      return raw.transaction(write)();
    } finally {
      clientCache.delete(id);
    }
  };

  return {
    create: async (client, event) =>
      writing(client.id, () => {
        db.insert(s.clients).values(clientColumns(client)).run();
        writeUris(client);
        if (event) writeEvent(cx, event);
        return client;
      }),
    find: async (id) => {
      const cache = cached();
      const hit = cache.get(id);
      if (hit) return hit;
      const row = q.client.get({ id });
      if (!row) return undefined;
      const client = toClient(row);
      if (cache.size >= 10_000) cache.clear();
      cache.set(id, client);
      return client;
    },
    list: async () =>
      db
        .select()
        .from(s.clients)
        // The id breaks ties (two clients of one name and one second).
        .orderBy(asc(s.clients.createdAt), asc(s.clients.name), asc(s.clients.id))
        .all()
        .map((r) => toClient(r)),
    page: async ({ after, limit, query }) => {
      const where: (SQL | undefined)[] = [];
      if (after) where.push(afterKey(s.clients.createdAt, s.clients.id, after));
      if (query) where.push(or(containing(s.clients.name, query), containing(s.clients.id, query)));
      return db
        .select()
        .from(s.clients)
        .where(and(...where))
        .orderBy(asc(s.clients.createdAt), asc(s.clients.id))
        .limit(limit)
        .all()
        .map((r) => toClient(r));
    },
    update: async (client, event) =>
      writing(client.id, () => {
        const { id: _id, createdAt: _createdAt, ...fields } = clientColumns(client);
        if (db.update(s.clients).set(fields).where(eq(s.clients.id, client.id)).run().changes === 0)
          return false;
        db.delete(s.clientUris).where(eq(s.clientUris.clientId, client.id)).run();
        writeUris(client);
        writeEvent(cx, event);
        return true;
      }),
    // Grants (and their refresh tokens), consents, device codes and mfa tokens cascade with the row; opaque
    // access tokens and codes name the client without a foreign key, so they go here. JWT access tokens are
    // not stored: their client is gone, so `/userinfo` and `/introspect` refuse them.
    remove: async (id, event?: NewAuditEvent) =>
      writing(id, () => {
        if (!q.client.get({ id })) return false;
        db.delete(s.accessTokens).where(eq(s.accessTokens.clientId, id)).run();
        db.delete(s.codes).where(eq(s.codes.clientId, id)).run();
        db.delete(s.clients).where(eq(s.clients.id, id)).run();
        if (event) writeEvent(cx, event);
        return true;
      }),
    setSecretHash: async (id, secretHash, event) =>
      writing(id, () => {
        const set = event ? { secretHash, updatedAt: event.at } : { secretHash };
        if (db.update(s.clients).set(set).where(eq(s.clients.id, id)).run().changes === 0) return false;
        if (event) writeEvent(cx, event);
        return true;
      }),
  } satisfies ClientStore;
}
