/** The database a read-only command was pointed at does not exist (issue 16): it is not created for it. */
export class NoDatabaseError extends Error {
  constructor(readonly path: string) {
    super(`no database at "${path}"`);
  }
}

/**
 * The database holds values sealed with another secret than the one given (issue 16): opening it would
 * leave its signing keys, TOTP secrets and upstream secrets unreadable. Nothing was written.
 */
export class SecretLockedError extends Error {
  constructor() {
    super('the database was sealed with another secret');
  }
}
