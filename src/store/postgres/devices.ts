import type { Store } from '../types.js';
import { notYet } from './not-yet.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/devices.ts`. */
export function deviceStore(_cx: PostgresContext): Store['devices'] {
  return notYet('devices');
}
