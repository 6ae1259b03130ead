import type { Store } from '../types.js';
import { notYet } from './not-yet.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/events.ts`. */
export function eventStore(_cx: PostgresContext): Store['events'] {
  return notYet('events');
}
