import type { Context } from 'hono';
import type { Deps } from '../../deps.js';
import type { AdminContext } from '../context.js';
import type { Permission } from '../permissions.js';
import { type Infer, type ObjectSchema, type Schema, s } from './schema.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A success answer: its status, and its JSON body unless it is 204. */
export interface Answer {
  status: 200 | 201 | 204;
  body?: unknown;
}

/** A success status an operation may answer, with the schema of its body (none for 204). */
export interface Outcome {
  status: 200 | 201 | 204;
  description: string;
  schema?: Schema<unknown>;
}

export interface Request<P, Q, B> {
  deps: Deps;
  c: Context;
  params: P;
  query: Q;
  body: B;
  /** The audit context: the caller as actor, the request's address and user agent. */
  ctx: AdminContext;
}

/**
 * One operation of `/admin/v1`, as data: the router is built from it and so is the OpenAPI document, so the
 * two cannot drift. `path` is Hono's (`/users/:id`), relative to `/admin/v1`.
 */
export interface Route {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** What the caller's roles must grant; null: no token at all (only the OpenAPI document). */
  permission: Permission | null;
  params?: ObjectSchema<unknown>;
  query?: ObjectSchema<unknown>;
  body?: ObjectSchema<unknown>;
  responses: readonly Outcome[];
  /** May answer 409 `conflict` (an entry with that name exists, or another one still uses it). */
  conflict?: boolean;
  handler(req: Request<unknown, unknown, unknown>): Promise<Answer>;
}

type NoMembers = Record<string, never>;

/** A route with its handler typed by its schemas. */
export function defineRoute<
  P extends ObjectSchema<unknown> = ObjectSchema<NoMembers>,
  Q extends ObjectSchema<unknown> = ObjectSchema<NoMembers>,
  B extends ObjectSchema<unknown> = ObjectSchema<NoMembers>,
>(
  route: Omit<Route, 'params' | 'query' | 'body' | 'handler'> & {
    params?: P;
    query?: Q;
    body?: B;
    handler(req: Request<Infer<P>, Infer<Q>, Infer<B>>): Promise<Answer>;
  },
): Route {
  return route as unknown as Route;
}

/** The names in a Hono path (`/users/:id/sessions/:session_id` → id, session_id). */
export const pathParamNames = (path: string): string[] =>
  path
    .split('/')
    .filter((seg) => seg.startsWith(':'))
    .map((seg) => seg.slice(1));

/** Ids in paths: what any use case looks up, bounded so no lookup runs on a megabyte. */
export const id = (description: string): Schema<string> =>
  s.string({ minLength: 1, maxLength: 256, description });
