import type { Store } from '../types.js';
import { notYet } from './not-yet.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/clients.ts`. */
export function clientStore(_cx: PostgresContext): Store['clients'] {
  return notYet('clients');
}
