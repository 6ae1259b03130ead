import type { Store } from '../types.js';
import { notYet } from './not-yet.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/grants.ts`. */
export function grantStore(_cx: PostgresContext): Store['grants'] {
  return notYet('grants');
}
