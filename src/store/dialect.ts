/** `LATCHKEY_DB=postgres://…` (or `postgresql://…`) selects the PostgreSQL dialect; anything else is a SQLite file. */
export const isPostgresUrl = (dbPath: string): boolean => /^postgres(?:ql)?:\/\//i.test(dbPath);
