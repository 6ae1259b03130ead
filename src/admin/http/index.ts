import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Deps } from '../../deps.js';
import { MAX_BODY_BYTES, readAtMost } from '../../http/params.js';
import { noStore } from '../../http/security.js';
import type { AdminContext } from '../context.js';
import { adminCaller, adminContextOf, requirePermission } from './caller.js';
import { clientRoutes } from './clients.js';
import { apiErrorResponse, invalidMember, toApiError } from './errors.js';
import { openApiDocument } from './openapi.js';
import { registryRoutes } from './registry.js';
import { defineRoute, type Route } from './route.js';
import { check, checkParams, type ObjectSchema, s } from './schema.js';
import { userRoutes } from './users.js';

/** Where the API is mounted (SPEC §3). */
export const ADMIN_API_BASE = '/admin/v1';

const documents = new Map<string, Record<string, unknown>>();

const openApiRoute = defineRoute({
  method: 'get',
  path: '/openapi.json',
  operationId: 'getOpenApiDocument',
  summary: 'This API’s OpenAPI 3.1 document',
  tag: 'meta',
  permission: null,
  responses: [{ status: 200, description: 'The document.', schema: s.map() }],
  async handler({ deps }) {
    const issuer = deps.config.issuer;
    let document = documents.get(issuer);
    if (!document) {
      document = openApiDocument(ADMIN_ROUTES, issuer);
      // One issuer per process in practice; tests build a few apps.
      if (documents.size >= 16) documents.clear();
      documents.set(issuer, document);
    }
    return { status: 200, body: document };
  },
});

/** Every operation of `/admin/v1`: the router below and the OpenAPI document are both built from it. */
export const ADMIN_ROUTES: readonly Route[] = [
  ...userRoutes,
  ...clientRoutes,
  ...registryRoutes,
  openApiRoute,
];

const NO_MEMBERS: ObjectSchema<Record<string, never>> = s.object({});

/** The admin JSON API, to be mounted at `ADMIN_API_BASE`. */
export function adminApiRoutes(deps: Deps): Hono {
  const app = new Hono();
  app.use('*', noStore());
  for (const route of ADMIN_ROUTES) app.on(route.method.toUpperCase(), route.path, operation(deps, route));
  return app;
}

/**
 * One route's pipeline: the caller (401) → its permission (403) → path, query and body against their schemas
 * (400 naming the member) → the use case, whose refusals are worded here too.
 */
function operation(deps: Deps, route: Route) {
  return async function adminOperation(c: Context): Promise<Response> {
    try {
      let ctx: AdminContext = { actor: 'anonymous' };
      if (route.permission) {
        const caller = await adminCaller(deps, c);
        requirePermission(caller, route.permission);
        ctx = adminContextOf(c, caller);
      }
      const params = checkParams(
        route.params ?? NO_MEMBERS,
        Object.entries(c.req.param() as Record<string, string>),
      );
      const query = checkParams(route.query ?? NO_MEMBERS, queryEntries(c));
      const body = route.body ? check(route.body, await readJsonObject(c)) : {};
      const answer = await route.handler({ deps, c, params, query, body, ctx });
      if (answer.status === 204) return c.body(null, 204);
      return c.json(answer.body, answer.status as ContentfulStatusCode);
    } catch (err) {
      const refusal = toApiError(err);
      if (refusal) return apiErrorResponse(c, refusal);
      throw err;
    }
  };
}

/** The query string's members, strictly decoded (RFC 3986 §2.1): a bad %-escape is refused, not guessed. */
function queryEntries(c: Context): [string, string][] {
  const url = c.req.url;
  const at = url.indexOf('?');
  if (at === -1) return [];
  const entries: [string, string][] = [];
  for (const part of url.slice(at + 1).split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const [rawName, rawValue] = eq === -1 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    const name = decode(rawName);
    if (name === undefined)
      throw invalidMember(undefined, 'a query parameter is not valid percent-encoded UTF-8');
    const value = decode(rawValue);
    if (value === undefined) throw invalidMember(name, `"${name}" is not valid percent-encoded UTF-8`);
    entries.push([name, value]);
  }
  return entries;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The JSON object a write sends: `application/json`, at most `MAX_BODY_BYTES`, UTF-8, an object. */
async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw invalidMember(undefined, 'the body must be application/json');
  const bytes = await readAtMost(c.req.raw.body, MAX_BODY_BYTES);
  if (!bytes) throw invalidMember(undefined, `the body must be at most ${MAX_BODY_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalidMember(undefined, 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidMember(undefined, 'the body must be a JSON object');
  return value as Record<string, unknown>;
}
