import type { Store } from '../types.js';
import { notYet } from './not-yet.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/mail-outbox.ts`. */
export function mailOutboxStore(_cx: PostgresContext): Store['mailOutbox'] {
  return notYet('mailOutbox');
}
