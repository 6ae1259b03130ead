import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type Page } from '../context.js';
import { type ObjectSchema, type Schema, s } from './schema.js';

/** The members every paged list accepts. */
export const pageQuery = {
  cursor: s.string({
    minLength: 1,
    maxLength: 1024,
    description: 'The `next_cursor` of the previous page (opaque).',
  }),
  limit: s.integer({
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    description: `Items per page (default ${DEFAULT_PAGE_LIMIT}).`,
  }),
};

/** A page of a list: `next_cursor` fetches the next one, null on the last page. */
export const pageOf = <T>(
  name: string,
  item: Schema<T>,
): ObjectSchema<{ items: T[]; next_cursor: string | null }> =>
  s.object(
    {
      items: s.array(item),
      next_cursor: s.nullable(
        s.string({ description: 'Pass it as `cursor` for the next page; null: the last.' }),
      ),
    },
    ['items', 'next_cursor'],
    { name },
  );

/** A whole (unpaged) list. */
export const listOf = <T>(name: string, item: Schema<T>): ObjectSchema<{ items: T[] }> =>
  s.object({ items: s.array(item) }, ['items'], { name });

export const pageAnswer = <T>(page: Page<T>, describe: (item: T) => unknown) => ({
  items: page.items.map(describe),
  next_cursor: page.nextCursor,
});

/** Epoch seconds. */
export const epoch = (description?: string): Schema<number> =>
  s.integer({ minimum: 0, ...(description ? { description } : {}) });

/** An optional string member as it is answered: a value or null. */
export const text = (description?: string): Schema<string | null> =>
  s.nullable(s.string(description ? { description } : {}));

/** A list of names (roles, groups, scopes): each a short token, at most 100. */
export const names = (description: string): Schema<string[]> =>
  s.array(s.string({ minLength: 1, maxLength: 128 }), { maxItems: 100, description });

/** A list of URIs, checked by the use case (RFC 6749 §3.1.2, RFC 8707 §2). */
export const uris = (description: string): Schema<string[]> =>
  s.array(s.string({ minLength: 1, maxLength: 2048, format: 'uri' }), { maxItems: 100, description });
