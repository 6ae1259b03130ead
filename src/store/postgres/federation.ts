import type { Store } from '../types.js';
import { notYet } from './not-yet.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/federation.ts`. */
export function providerStore(_cx: PostgresContext): Store['providers'] {
  return notYet('providers');
}

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/federation.ts`. */
export function identityStore(_cx: PostgresContext): Store['identities'] {
  return notYet('identities');
}

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/federation.ts`. */
export function passwordTokenStore(_cx: PostgresContext): Store['passwordTokens'] {
  return notYet('passwordTokens');
}
