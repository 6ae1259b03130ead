import { asc, eq } from 'drizzle-orm';
import * as s from '../../../db/schema.sqlite.js';
import type { Client, ClientStore } from '../types.js';
import { lazily, type SqliteContext, selectBy } from './shared.js';

type ClientRow = typeof s.clients.$inferSelect;

export function clientStore({ raw, db, generation }: SqliteContext) {
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

  const toClient = (row: ClientRow): Client => {
    const uris = q.clientUris.all({ id: row.id });
    return {
      id: row.id,
      name: row.name,
      secretHash: row.secretHash,
      isPublic: row.isPublic,
      firstParty: row.firstParty,
      allowImplicit: row.allowImplicit,
      grants: row.grants,
      scopes: row.scopes,
      redirectUris: uris.filter((u) => u.kind === 'redirect').map((u) => u.uri),
      postLogoutRedirectUris: uris.filter((u) => u.kind === 'post_logout').map((u) => u.uri),
      resources: uris.filter((u) => u.kind === 'resource').map((u) => u.uri),
      tokenFormat: row.tokenFormat,
      accessTokenTtlSeconds: row.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: row.refreshTokenTtlSeconds,
      refreshReuseGraceSeconds: row.refreshReuseGraceSeconds,
      signingAlg: row.signingAlg,
      requirePkce: row.requirePkce,
      requireMfa: row.requireMfa,
      introspectAny: row.introspectAny,
      roles: row.roles,
      managedBy: row.managedBy ?? null,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  };

  return {
    create: async (client) => {
      const { redirectUris, postLogoutRedirectUris, resources, ...row } = client;
      const kinds = [
        ['redirect', redirectUris],
        ['post_logout', postLogoutRedirectUris],
        ['resource', resources],
      ] as const;
      raw.transaction(() => {
        db.insert(s.clients).values(row).run();
        const uris = kinds.flatMap(([kind, list]) =>
          [...new Set(list)].map((uri) => ({ clientId: client.id, kind, uri })),
        );
        if (uris.length) db.insert(s.clientUris).values(uris).run();
      })();
      clientCache.delete(client.id);
      return client;
    },
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
        .orderBy(asc(s.clients.createdAt), asc(s.clients.name))
        .all()
        .map((r) => toClient(r)),
    remove: async (id) => {
      const removed = raw.transaction(() => {
        db.delete(s.accessTokens).where(eq(s.accessTokens.clientId, id)).run();
        db.delete(s.codes).where(eq(s.codes.clientId, id)).run();
        return db.delete(s.clients).where(eq(s.clients.id, id)).run().changes > 0;
      })();
      clientCache.delete(id);
      return removed;
    },
    setSecretHash: async (id, secretHash) => {
      db.update(s.clients).set({ secretHash }).where(eq(s.clients.id, id)).run();
      clientCache.delete(id);
    },
  } satisfies ClientStore;
}
