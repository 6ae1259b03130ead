import type { Store } from '../types.js';
import type { PostgresContext } from './open.js';

/** Not written yet for PostgreSQL (issue 18): the twin of `../sqlite/sweep.ts`. */
export function sweeper(_cx: PostgresContext): Store['sweep'] {
  return () => Promise.reject(new Error('store.sweep is not written for PostgreSQL yet'));
}
