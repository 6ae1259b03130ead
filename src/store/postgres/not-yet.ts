/**
 * An aggregate not yet written for PostgreSQL (issue 18, while it is being ported): every method throws, so a
 * store opened on PostgreSQL fails loudly at the first call instead of answering wrong.
 */
export function notYet<T extends object>(aggregate: string): T {
  return new Proxy({} as T, {
    get(_target, method) {
      if (typeof method !== 'string' || method === 'then') return undefined;
      return () =>
        Promise.reject(new Error(`store.${aggregate}.${method} is not written for PostgreSQL yet`));
    },
  });
}
