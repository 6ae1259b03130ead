import type { Store } from '../types.js';
import { notYet } from './not-yet.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/console-sessions.ts`. */
export function consoleSessionStore(_cx: PostgresContext): Store['consoleSessions'] {
  return notYet('consoleSessions');
}
