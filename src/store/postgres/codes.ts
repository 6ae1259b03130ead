import type { Store } from '../types.js';
import { notYet } from './not-yet.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/codes.ts`. */
export function codeStore(_cx: PostgresContext): Store['codes'] {
  return notYet('codes');
}
