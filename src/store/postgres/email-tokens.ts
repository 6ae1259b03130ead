import type { Store } from '../types.js';
import { notYet } from './not-yet.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/email-tokens.ts`. */
export function emailTokenStore(_cx: PostgresContext): Store['emailTokens'] {
  return notYet('emailTokens');
}
