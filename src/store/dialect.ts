/** `LATCHKEY_DB=postgres://…` (or `postgresql://…`) selects the PostgreSQL dialect; anything else is a SQLite file. */
export const isPostgresUrl = (dbPath: string): boolean => /^postgres(?:ql)?:\/\//i.test(dbPath);

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
