/** `LATCHKEY_DB=postgres://…` (or `postgresql://…`) selects the PostgreSQL dialect; anything else is a SQLite file. */
export const isPostgresUrl = (dbPath: string): boolean => /^postgres(?:ql)?:\/\//i.test(dbPath);

/**
 * On PostgreSQL, the longest a change made by one node (or the CLI) takes to reach every other node's caches:
 * at once by its NOTIFY, or, when that was missed, by the listener's heartbeat (every 10 s, 5 s to answer:
 * `HEARTBEAT_MS` and `HEARTBEAT_TIMEOUT_MS` in ./postgres/open.ts), plus a margin. A new signing key is only
 * published for this long before it signs (src/tokens/keys.ts), so every node's JWKS has it first.
 */
export const CHANGE_REACHES_EVERY_NODE_SECONDS = 20;

/**
 * `LATCHKEY_DB` as messages and logs show it: a file path as it is, a PostgreSQL URL without its password
 * (`postgres://latchkey:***@db:5432/latchkey`), and without `password=` in its query.
 */
export function shownDatabase(dbPath: string): string {
  if (!isPostgresUrl(dbPath)) return dbPath;
  try {
    const u = new URL(dbPath);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()])
      if (/^(password|sslpassword|sslkey)$/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return 'a PostgreSQL URL';
  }
}
