import { pathParamNames, type Route } from './route.js';
import { Components, type Node, toJsonSchema } from './schema.js';

/** `/users/:id` → `/users/{id}` (OpenAPI 3.1 §4.8.8 path templating). */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const ERROR_RESPONSES = {
  BadRequest: 'Invalid input: `field` names the JSON member (or parameter) at fault.',
  Unauthorized: 'No bearer token, or one that is invalid, expired, revoked or for another audience.',
  Forbidden:
    'The token lacks the `admin` scope (`insufficient_scope`), or the caller’s roles do not grant the permission.',
  NotFound: 'No such entry (`not_found`).',
  Conflict: 'An entry with that name exists, or another one still uses this one (`conflict`).',
} as const;

const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'string',
      description: 'invalid_request, invalid_token, insufficient_scope, not_found, conflict',
    },
    error_description: { type: 'string' },
    field: { type: 'string', description: 'The JSON member or parameter at fault, when there is one.' },
  },
  required: ['error', 'error_description'],
  additionalProperties: false,
};

const json = (schema: unknown) => ({ 'application/json': { schema } });
const errorRef = (name: keyof typeof ERROR_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

/**
 * The OpenAPI 3.1 document of `/admin/v1`, generated from the route table the router is built from: one
 * operation per route, its parameters, body and answers from the same schemas that validate requests.
 * @see https://spec.openapis.org/oas/v3.1.0
 */
export function openApiDocument(routes: readonly Route[], issuer: string): Record<string, unknown> {
  const components = new Components();
  const schema = (node: Node) => toJsonSchema(node, components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = [
      ...pathParamNames(route.path).map((name) => {
        const node = route.params?.properties[name];
        if (!node) throw new Error(`${route.operationId}: no schema for the path parameter ${name}`);
        return { name, in: 'path', required: true, schema: schema(node), ...describedBy(node) };
      }),
      ...Object.entries(route.query?.properties ?? {}).map(([name, node]) => ({
        name,
        in: 'query',
        required: route.query!.required.includes(name),
        schema: schema(node),
        ...describedBy(node),
      })),
    ];
    const responses: Record<string, unknown> = {};
    for (const outcome of route.responses) {
      responses[String(outcome.status)] = {
        description: outcome.description,
        ...(outcome.schema ? { content: json(schema(outcome.schema)) } : {}),
      };
    }
    if (route.permission) {
      if (parameters.length || route.body) responses['400'] = errorRef('BadRequest');
      responses['401'] = errorRef('Unauthorized');
      responses['403'] = errorRef('Forbidden');
      if (route.params) responses['404'] = errorRef('NotFound');
      if (route.conflict) responses['409'] = errorRef('Conflict');
    }
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      description: route.permission
        ? `Needs the \`${route.permission}\` permission (a bearer token with the \`admin\` scope, whose ` +
          'user or client has a role granting it).'
        : 'Needs no token.',
      tags: [route.tag],
      security: route.permission ? [{ bearer: [] }] : [],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: json(schema(route.body)) } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'latchkey admin API',
      version: '1',
      description:
        'Manage users, clients, scopes, upstream providers, signing keys and read the audit trail. Every ' +
        'change is an event of the audit trail with the caller as its actor.',
    },
    servers: [{ url: `${issuer}/admin/v1` }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA, ...Object.fromEntries(components.schemas) },
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([name, description]) => [
          name,
          { description, content: json({ $ref: '#/components/schemas/Error' }) },
        ]),
      ),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT (RFC 9068) or opaque',
          description:
            'An access token of this server with the `admin` scope: a user’s (password or code grant of a ' +
            'first-party client) or a client-credentials one of a client with roles.',
        },
      },
    },
  };
}

const describedBy = (node: Node) => (node.description ? { description: node.description } : {});
