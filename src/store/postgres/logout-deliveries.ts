import type { Store } from '../types.js';
import { notYet } from './not-yet.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/logout-deliveries.ts`. */
export function logoutDeliveryStore(_cx: PostgresContext): Store['logoutDeliveries'] {
  return notYet('logoutDeliveries');
}
