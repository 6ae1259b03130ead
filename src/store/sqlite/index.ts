import Database from 'better-sqlite3';
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as s from '../../../db/schema.sqlite.js';
import { sqliteMigrations } from '../../paths.js';
import type { AuthorizationCode, Client, Grant, Issued, Scope, SigningKey, Store, User } from '../types.js';
import { startCheckpointer } from './checkpointer.js';

type Db = BetterSQLite3Database<typeof s>;
type ClientRow = typeof s.clients.$inferSelect;

export interface SqliteOptions {
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

/** Opens (and creates) the database file: WAL, foreign keys, a busy timeout so the CLI and server can share it. */
export function openSqlite(path: string): Database.Database {
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

export function migrateSqlite(sqlite: Database.Database): void {
  migrate(drizzle(sqlite), { migrationsFolder: sqliteMigrations });
}

export function createSqliteStore(
  path: string,
  options: SqliteOptions = {},
): Store & { raw: Database.Database } {
  const sqlite = openSqlite(path);
  if (options.migrate !== false) migrateSqlite(sqlite);
  const db: Db = drizzle(sqlite, { schema: s });
  return new SqliteStore(sqlite, db);
}

const p = (name: string) => sql.placeholder(name);

/** Each statement is prepared on first use, then reused: start-up does not pay for the ones it never runs. */
function lazily<T extends Record<string, () => unknown>>(
  defs: T,
): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const out = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const key of Object.keys(defs) as (keyof T)[]) {
    Object.defineProperty(out, key, {
      get() {
        const value = defs[key]!();
        Object.defineProperty(out, key, { value });
        return value;
      },
      configurable: true,
    });
  }
  return out;
}

/** `{ column: placeholder(column) }` for every column: an insert prepared once, run with a whole record. */
function allPlaceholders<T extends SQLiteTable>(
  table: T,
): { [K in keyof T['$inferInsert']]-?: ReturnType<typeof p> } {
  return Object.fromEntries(Object.keys(getTableColumns(table)).map((k) => [k, p(k)])) as never;
}

class SqliteStore implements Store {
  private readonly q;
  private clientCache = new Map<string, Client | null>();
  private cacheGeneration = -1;

  constructor(
    readonly raw: Database.Database,
    private readonly db: Db,
  ) {
    // Hot paths: prepared once.
    this.q = lazily({
      client: () =>
        db
          .select()
          .from(s.clients)
          .where(eq(s.clients.id, p('id')))
          .prepare(),
      clientUris: () =>
        db
          .select()
          .from(s.clientUris)
          .where(eq(s.clientUris.clientId, p('id')))
          .prepare(),
      grant: () =>
        db
          .select()
          .from(s.grants)
          .where(eq(s.grants.id, p('id')))
          .prepare(),
      refresh: () =>
        db
          .select()
          .from(s.refreshTokens)
          .where(eq(s.refreshTokens.hash, p('hash')))
          .prepare(),
      opaque: () =>
        db
          .select()
          .from(s.accessTokens)
          .where(eq(s.accessTokens.hash, p('hash')))
          .prepare(),
      jti: () =>
        db
          .select({ jti: s.revokedJtis.jti })
          .from(s.revokedJtis)
          .where(eq(s.revokedJtis.jti, p('jti')))
          .prepare(),
      code: () =>
        db
          .select()
          .from(s.codes)
          .where(eq(s.codes.hash, p('hash')))
          .prepare(),
      session: () =>
        db
          .select()
          .from(s.sessions)
          .where(eq(s.sessions.idHash, p('hash')))
          .prepare(),
      userById: () =>
        db
          .select()
          .from(s.users)
          .where(eq(s.users.id, p('id')))
          .prepare(),
      userByEmail: () =>
        db
          .select()
          .from(s.users)
          .where(eq(s.users.email, p('email')))
          .prepare(),
      insertGrant: () => db.insert(s.grants).values(allPlaceholders(s.grants)).prepare(),
      insertRefresh: () => db.insert(s.refreshTokens).values(allPlaceholders(s.refreshTokens)).prepare(),
      insertAccess: () => db.insert(s.accessTokens).values(allPlaceholders(s.accessTokens)).prepare(),
      insertEvent: () =>
        db
          .insert(s.events)
          .values({
            at: p('at'),
            type: p('type'),
            userId: p('userId'),
            clientId: p('clientId'),
            ip: p('ip'),
            detail: p('detail'),
          })
          .prepare(),
      insertCode: () => db.insert(s.codes).values(allPlaceholders(s.codes)).prepare(),
      insertSession: () => db.insert(s.sessions).values(allPlaceholders(s.sessions)).prepare(),
      insertInteraction: () => db.insert(s.interactions).values(allPlaceholders(s.interactions)).prepare(),
      interaction: () =>
        db
          .select()
          .from(s.interactions)
          .where(eq(s.interactions.id, p('id')))
          .prepare(),
      updateInteraction: () =>
        db
          .update(s.interactions)
          .set({ data: sql`${p('data')}` })
          .where(eq(s.interactions.id, p('id')))
          .prepare(),
      deleteInteraction: () =>
        db
          .delete(s.interactions)
          .where(eq(s.interactions.id, p('id')))
          .prepare(),
      revokeGrant: () =>
        db
          .update(s.grants)
          .set({ revokedAt: sql`${p('now')}` })
          .where(and(eq(s.grants.id, p('id')), isNull(s.grants.revokedAt)))
          .prepare(),
      rotate: () =>
        db
          .update(s.refreshTokens)
          .set({ rotatedAt: sql`${p('now')}`, retrySealed: sql`${p('sealed')}` })
          .where(and(eq(s.refreshTokens.hash, p('hash')), isNull(s.refreshTokens.rotatedAt)))
          .prepare(),
      consume: () =>
        db
          .update(s.codes)
          .set({ consumedAt: sql`${p('now')}` })
          .where(and(eq(s.codes.hash, p('hash')), isNull(s.codes.consumedAt)))
          .prepare(),
      touchSession: () =>
        db
          .update(s.sessions)
          .set({ lastSeenAt: sql`${p('now')}` })
          .where(eq(s.sessions.idHash, p('hash')))
          .prepare(),
    });
  }

  private dataVersion: Database.Statement | undefined;

  private lastGeneration = { atMs: -1, value: -1 };

  /**
   * SQLite's data_version, which changes when another connection (the CLI) commits. Reading it starts a
   * read transaction (file-lock system calls), so it is asked at most once per millisecond: several
   * caches ask on every request, and no CLI command completes within a millisecond of its commit.
   */
  generation(): number {
    const nowMs = Date.now();
    if (nowMs !== this.lastGeneration.atMs) {
      this.dataVersion ??= this.raw.prepare('PRAGMA data_version').pluck();
      this.lastGeneration = { atMs: nowMs, value: this.dataVersion.get() as number };
    }
    return this.lastGeneration.value;
  }

  private cached(): Map<string, Client | null> {
    const gen = this.generation();
    if (gen !== this.cacheGeneration) {
      this.clientCache.clear();
      this.cacheGeneration = gen;
    }
    return this.clientCache;
  }

  async ping(): Promise<boolean> {
    return this.raw.prepare('select 1 as ok').get() !== undefined;
  }

  private checkpointer?: ReturnType<typeof startCheckpointer>;

  startBackground(onError: (message: string) => void): void {
    if (this.checkpointer || this.raw.memory || !this.raw.name) return;
    this.checkpointer = startCheckpointer(this.raw, this.raw.name, { onError });
  }

  close(): void {
    // The worker's connection ends on its own; SQLite's checkpoints are safe to interrupt.
    void this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.raw.open) this.raw.close();
  }

  private toClient(row: ClientRow): Client {
    const uris = this.q.clientUris.all({ id: row.id });
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
      tokenFormat: row.tokenFormat,
      accessTokenTtl: row.accessTokenTtl,
      refreshTokenTtl: row.refreshTokenTtl,
      refreshReuseGrace: row.refreshReuseGrace,
      signingAlg: row.signingAlg,
      requirePkce: row.requirePkce,
      introspectAny: row.introspectAny,
      createdAt: row.createdAt,
    };
  }

  private writeIssued(issued: Issued): void {
    if (issued.grant) this.q.insertGrant.run({ ...issued.grant });
    if (issued.refresh) this.q.insertRefresh.run({ ...issued.refresh });
    if (issued.access) this.q.insertAccess.run({ ...issued.access });
    if (issued.event) this.q.insertEvent.run({ ...issued.event });
  }

  private revokeGrantNow(id: string, now: number): boolean {
    return this.q.revokeGrant.run({ id, now }).changes > 0;
  }

  users: Store['users'] = {
    create: async (user) => {
      const row = { ...user, updatedAt: user.createdAt };
      this.db.insert(s.users).values(row).run();
      return row;
    },
    find: async (id) => this.q.userById.get({ id }) as User | undefined,
    findByEmail: async (email) => this.q.userByEmail.get({ email: email.toLowerCase() }) as User | undefined,
    list: async () =>
      this.db.select().from(s.users).orderBy(asc(s.users.createdAt), asc(s.users.email)).all(),
    remove: async (id) => this.db.delete(s.users).where(eq(s.users.id, id)).run().changes > 0,
    setPassword: async (id, passwordHash, now) => {
      this.db.update(s.users).set({ passwordHash, updatedAt: now }).where(eq(s.users.id, id)).run();
    },
    count: async () => (this.raw.prepare('select count(*) as n from users').get() as { n: number }).n,
  };

  clients: Store['clients'] = {
    create: async (client) => {
      const { redirectUris, postLogoutRedirectUris, ...row } = client;
      this.raw.transaction(() => {
        this.db.insert(s.clients).values(row).run();
        const uris = [
          ...[...new Set(redirectUris)].map((uri) => ({
            clientId: client.id,
            kind: 'redirect' as const,
            uri,
          })),
          ...[...new Set(postLogoutRedirectUris)].map((uri) => ({
            clientId: client.id,
            kind: 'post_logout' as const,
            uri,
          })),
        ];
        if (uris.length) this.db.insert(s.clientUris).values(uris).run();
      })();
      this.clientCache.delete(client.id);
      return client;
    },
    find: async (id) => {
      const cache = this.cached();
      const hit = cache.get(id);
      if (hit !== undefined) return hit ?? undefined;
      const row = this.q.client.get({ id });
      const client = row ? this.toClient(row) : undefined;
      if (cache.size > 10_000) cache.clear();
      cache.set(id, client ?? null);
      return client;
    },
    list: async () =>
      this.db
        .select()
        .from(s.clients)
        .orderBy(asc(s.clients.createdAt), asc(s.clients.name))
        .all()
        .map((r) => this.toClient(r)),
    remove: async (id) => {
      const removed = this.raw.transaction(() => {
        this.db.delete(s.accessTokens).where(eq(s.accessTokens.clientId, id)).run();
        this.db.delete(s.codes).where(eq(s.codes.clientId, id)).run();
        return this.db.delete(s.clients).where(eq(s.clients.id, id)).run().changes > 0;
      })();
      this.clientCache.delete(id);
      return removed;
    },
    setSecretHash: async (id, secretHash) => {
      this.db.update(s.clients).set({ secretHash }).where(eq(s.clients.id, id)).run();
      this.clientCache.delete(id);
    },
  };

  scopes: Store['scopes'] = {
    upsert: async (scope, now) => {
      this.db
        .insert(s.scopes)
        .values({ ...scope, createdAt: now })
        .onConflictDoUpdate({
          target: s.scopes.name,
          set: {
            description: scope.description,
            builtin: sql`max(${s.scopes.builtin}, ${scope.builtin ? 1 : 0})`,
          },
        })
        .run();
      const row = this.db.select().from(s.scopes).where(eq(s.scopes.name, scope.name)).get()!;
      return { name: row.name, description: row.description, builtin: row.builtin };
    },
    list: async () =>
      this.db
        .select({ name: s.scopes.name, description: s.scopes.description, builtin: s.scopes.builtin })
        .from(s.scopes)
        .orderBy(desc(s.scopes.builtin), asc(s.scopes.name))
        .all(),
    findMany: async (names) => {
      if (!names.length) return [];
      return this.db
        .select({ name: s.scopes.name, description: s.scopes.description, builtin: s.scopes.builtin })
        .from(s.scopes)
        .where(inArray(s.scopes.name, names))
        .all() satisfies Scope[];
    },
  };

  keys: Store['keys'] = {
    list: async () =>
      this.db.select().from(s.signingKeys).orderBy(desc(s.signingKeys.createdAt)).all() as SigningKey[],
    add: async (keys, retire) => {
      this.raw.transaction(() => {
        if (retire) {
          const algs = keys.map((k) => k.alg);
          this.db
            .update(s.signingKeys)
            .set({ active: false, retiredAt: retire.at, publishUntil: retire.publishUntil })
            .where(and(eq(s.signingKeys.active, true), inArray(s.signingKeys.alg, algs)))
            .run();
        }
        this.db.insert(s.signingKeys).values(keys).run();
      })();
    },
    prune: async (now) =>
      this.db
        .delete(s.signingKeys)
        .where(and(eq(s.signingKeys.active, false), lte(s.signingKeys.publishUntil, now)))
        .run().changes,
  };

  grants: Store['grants'] = {
    find: async (id) => this.q.grant.get({ id }) as Grant | undefined,
    revoke: async (id, now) => this.revokeGrantNow(id, now),
    revokeForUserClient: async (userId, clientId, now) =>
      this.db
        .update(s.grants)
        .set({ revokedAt: now })
        .where(and(eq(s.grants.userId, userId), eq(s.grants.clientId, clientId), isNull(s.grants.revokedAt)))
        .run().changes,
    revokeForSession: async (sessionHash, now) =>
      this.db
        .update(s.grants)
        .set({ revokedAt: now })
        .where(
          and(
            eq(s.grants.sessionHash, sessionHash),
            isNull(s.grants.revokedAt),
            sql`(' ' || ${s.grants.scope} || ' ') not like '% offline_access %'`,
          ),
        )
        .run().changes,
    revokeAllForUser: async (userId, now) =>
      this.db
        .update(s.grants)
        .set({ revokedAt: now })
        .where(and(eq(s.grants.userId, userId), isNull(s.grants.revokedAt)))
        .run().changes,
    listActiveForUser: async (userId, now) =>
      this.db
        .select()
        .from(s.grants)
        .where(and(eq(s.grants.userId, userId), isNull(s.grants.revokedAt), gt(s.grants.expiresAt, now)))
        .orderBy(desc(s.grants.createdAt))
        .all() as Grant[],
  };

  tokens: Store['tokens'] = {
    issue: async (issued) => {
      this.raw.transaction(() => this.writeIssued(issued))();
    },
    findOpaqueAccess: async (hash) => this.q.opaque.get({ hash }),
    revokeOpaqueAccess: async (hash, now) => {
      this.db
        .update(s.accessTokens)
        .set({ revokedAt: now })
        .where(and(eq(s.accessTokens.hash, hash), isNull(s.accessTokens.revokedAt)))
        .run();
    },
    revokeJti: async (jti, expiresAt) => {
      this.db.insert(s.revokedJtis).values({ jti, expiresAt }).onConflictDoNothing().run();
    },
    isJtiRevoked: async (jti) => this.q.jti.get({ jti }) !== undefined,
    findRefresh: async (hash) => this.q.refresh.get({ hash }),
    rotateRefresh: async (oldHash, now, retrySealed, successor) =>
      this.raw.transaction(() => {
        if (this.q.rotate.run({ hash: oldHash, now, sealed: retrySealed }).changes === 0)
          return 'already_rotated' as const;
        this.writeIssued(successor);
        return 'rotated' as const;
      })(),
    revokeRefreshFamily: async (hash, now) => {
      const row = this.q.refresh.get({ hash });
      if (row) this.revokeGrantNow(row.grantId, now);
    },
  };

  codes: Store['codes'] = {
    save: async (grant, code) => {
      this.raw.transaction(() => {
        this.q.insertGrant.run({ ...grant });
        this.q.insertCode.run({ ...code });
      })();
    },
    find: async (hash) => this.q.code.get({ hash }) as AuthorizationCode | undefined,
    redeem: async (hash, now, issued) =>
      this.raw.transaction(() => {
        if (this.q.consume.run({ hash, now }).changes === 0) {
          const code = this.q.code.get({ hash });
          if (code) this.revokeGrantNow(code.grantId, now);
          return 'replayed' as const;
        }
        this.writeIssued(issued);
        return 'ok' as const;
      })(),
  };

  sessions: Store['sessions'] = {
    create: async (session) => {
      this.q.insertSession.run({ ...session });
    },
    find: async (idHash) => this.q.session.get({ hash: idHash }),
    touch: async (idHash, now) => {
      this.q.touchSession.run({ hash: idHash, now });
    },
    end: async (idHash, now) => {
      this.db
        .update(s.sessions)
        .set({ endedAt: now })
        .where(and(eq(s.sessions.idHash, idHash), isNull(s.sessions.endedAt)))
        .run();
    },
    endAllForUser: async (userId, now) =>
      this.db
        .update(s.sessions)
        .set({ endedAt: now })
        .where(and(eq(s.sessions.userId, userId), isNull(s.sessions.endedAt)))
        .run().changes,
    listActiveForUser: async (userId, now) =>
      this.db
        .select()
        .from(s.sessions)
        .where(and(eq(s.sessions.userId, userId), isNull(s.sessions.endedAt), gt(s.sessions.expiresAt, now)))
        .orderBy(desc(s.sessions.lastSeenAt))
        .all(),
  };

  interactions: Store['interactions'] = {
    save: async (interaction) => {
      this.q.insertInteraction.run({ ...interaction });
    },
    find: async (id) => this.q.interaction.get({ id }),
    update: async (id, data) => {
      this.q.updateInteraction.run({ id, data: JSON.stringify(data) });
    },
    remove: async (id) => {
      this.q.deleteInteraction.run({ id });
    },
  };

  consents: Store['consents'] = {
    find: async (userId, clientId) =>
      this.db
        .select({ scopes: s.consents.scopes })
        .from(s.consents)
        .where(and(eq(s.consents.userId, userId), eq(s.consents.clientId, clientId)))
        .get()?.scopes ?? [],
    add: async (userId, clientId, scopes, now) => {
      this.raw.transaction(() => {
        const existing =
          this.db
            .select({ scopes: s.consents.scopes })
            .from(s.consents)
            .where(and(eq(s.consents.userId, userId), eq(s.consents.clientId, clientId)))
            .get()?.scopes ?? [];
        const merged = [...new Set([...existing, ...scopes])];
        this.db
          .insert(s.consents)
          .values({ userId, clientId, scopes: merged, updatedAt: now })
          .onConflictDoUpdate({
            target: [s.consents.userId, s.consents.clientId],
            set: { scopes: merged, updatedAt: now },
          })
          .run();
      })();
    },
    remove: async (userId, clientId) => {
      this.db
        .delete(s.consents)
        .where(and(eq(s.consents.userId, userId), eq(s.consents.clientId, clientId)))
        .run();
    },
  };

  events: Store['events'] = {
    add: async (event) => {
      this.q.insertEvent.run({ ...event });
    },
    list: async (limit) => this.db.select().from(s.events).orderBy(desc(s.events.id)).limit(limit).all(),
  };

  bulk: Store['bulk'] = {
    checkpoint: async () => {
      this.raw.pragma('wal_checkpoint(TRUNCATE)');
    },
    insert: async (users, issued) => {
      const user = this.db
        .insert(s.users)
        .values({
          ...({} as typeof s.users.$inferInsert),
          id: p('id'),
          email: p('email'),
          emailVerified: p('emailVerified'),
          name: p('name'),
          givenName: p('givenName'),
          familyName: p('familyName'),
          roles: p('roles'),
          passwordHash: p('passwordHash'),
          createdAt: p('createdAt'),
          updatedAt: p('updatedAt'),
        })
        .prepare();
      this.raw.transaction(() => {
        for (const u of users)
          user.run({
            ...u,
            emailVerified: u.emailVerified ? 1 : 0,
            roles: u.roles,
            updatedAt: u.createdAt,
          });
        for (const i of issued) this.writeIssued(i);
      })();
    },
  };

  async sweep(now: number, limit: number): Promise<{ deleted: number; more: boolean }> {
    // Bounded: at most `limit` rows per table per call, so the event loop is never blocked for long.
    const tables: [string, string][] = [
      ['codes', 'expires_at'],
      ['refresh_tokens', 'expires_at'],
      ['access_tokens', 'expires_at'],
      ['revoked_jtis', 'expires_at'],
      ['interactions', 'expires_at'],
      ['sessions', 'expires_at'],
      ['grants', 'expires_at'],
    ];
    let deleted = 0;
    let more = false;
    this.raw.transaction(() => {
      // A rotated refresh token's sealed retry response is useless once its grace window has gone by.
      for (const [table, column] of tables) {
        const n = this.raw
          .prepare(
            `delete from ${table} where rowid in (select rowid from ${table} where ${column} <= ? limit ?)`,
          )
          .run(now, limit).changes;
        deleted += n;
        if (n === limit) more = true;
      }
    })();
    return { deleted, more };
  }
}
