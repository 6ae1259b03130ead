import type { Scope } from '../../store/types.js';
import { describeEvent, type EventFilter, queryEvents } from '../events.js';
import { describeKey, listKeys, rotateKeys } from '../keys.js';
import {
  addProvider,
  describeProvider,
  listProviders,
  type ProviderInput,
  removeProvider,
  setProviderEnabled,
  TOKEN_AUTH_METHODS,
} from '../providers.js';
import { addScope, listScopes, removeScope } from '../scopes.js';
import { ApiError } from './errors.js';
import { defineRoute, id, type Route } from './route.js';
import { s } from './schema.js';
import { epoch, listOf, pageAnswer, pageOf, pageQuery, text } from './shapes.js';

// ---- scopes ----

const ScopeSchema = s.object(
  {
    name: s.string(),
    description: s.string({ description: 'What the consent page shows.' }),
    builtin: s.boolean(),
  },
  ['name', 'description', 'builtin'],
  { name: 'Scope' },
);

const describeScope = (x: Scope) => ({ name: x.name, description: x.description, builtin: x.builtin });

const scopeRoutes: readonly Route[] = [
  defineRoute({
    method: 'get',
    path: '/scopes',
    operationId: 'listScopes',
    summary: 'List the scopes, built-in ones included',
    tag: 'scopes',
    permission: 'scopes:read',
    responses: [{ status: 200, description: 'The scopes.', schema: listOf('ScopeList', ScopeSchema) }],
    async handler({ deps }) {
      return { status: 200, body: { items: (await listScopes(deps)).map(describeScope) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/scopes',
    operationId: 'addScope',
    summary: 'Add a scope, or change the description of one',
    tag: 'scopes',
    permission: 'scopes:write',
    body: s.object(
      {
        name: s.string({ minLength: 1, maxLength: 128, description: 'An RFC 6749 §3.3 scope-token.' }),
        description: s.string({ minLength: 1, maxLength: 500, description: 'What the consent page shows.' }),
      },
      ['name', 'description'],
      { name: 'NewScope' },
    ),
    conflict: true,
    responses: [
      { status: 201, description: 'Added.', schema: ScopeSchema },
      { status: 200, description: 'It existed: its description as it is now.', schema: ScopeSchema },
    ],
    async handler({ deps, body, ctx }) {
      const existed = (await deps.store.scopes.findMany([body.name])).length > 0;
      const scope = await addScope(deps, body.name, body.description, ctx);
      return { status: existed ? 200 : 201, body: describeScope(scope) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/scopes/:name',
    operationId: 'deleteScope',
    summary: 'Remove a custom scope that no client lists',
    tag: 'scopes',
    permission: 'scopes:write',
    params: s.object({ name: id('The scope.') }, ['name']),
    conflict: true,
    responses: [{ status: 204, description: 'Removed.' }],
    async handler({ deps, params, ctx }) {
      await removeScope(deps, params.name, ctx);
      return { status: 204 };
    },
  }),
];

// ---- upstream providers ----

const Provider = s.object(
  {
    slug: s.string({ description: 'Part of the callback URL: /federation/<slug>/callback.' }),
    issuer: s.string({ format: 'uri' }),
    name: s.string({ description: 'On the login page: "Continue with <name>".' }),
    enabled: s.boolean(),
    kind: s.enum(['google', 'azure', 'oidc'] as const),
    tenant: s.string({ description: 'Entra ID only.' }),
    client_id: s.string({ description: 'The client id registered upstream (the secret is never answered).' }),
    token_auth: s.enum(TOKEN_AUTH_METHODS),
    trusted_tenants: s.array(s.string()),
  },
  ['slug', 'issuer', 'name', 'enabled', 'kind', 'client_id', 'token_auth', 'trusted_tenants'],
  { name: 'Provider' },
);

const NewProvider = s.object(
  {
    slug: s.string({ minLength: 1, maxLength: 32, description: '`google`, `azure` (presets) or any other.' }),
    issuer: s.string({ minLength: 1, maxLength: 2048, format: 'uri', description: 'Not for google.' }),
    tenant: s.string({
      minLength: 1,
      maxLength: 64,
      description: 'azure only: a tenant id, organizations or common.',
    }),
    client_id: s.string({ minLength: 1, maxLength: 512 }),
    client_secret: s.string({
      minLength: 1,
      maxLength: 2048,
      description: 'Sealed at rest; never answered.',
    }),
    name: s.string({ minLength: 1, maxLength: 100 }),
    enabled: s.boolean({ description: 'Default true.' }),
    token_auth: s.enum(TOKEN_AUTH_METHODS),
    trusted_tenants: s.array(s.string({ minLength: 1, maxLength: 64 }), {
      maxItems: 100,
      description: 'azure only: tenants whose email addresses are taken as verified.',
    }),
  },
  ['slug', 'client_id', 'client_secret'],
  { name: 'NewProvider' },
);

const slugPath = s.object({ slug: id('The provider’s slug.') }, ['slug']);

const providerRoutes: readonly Route[] = [
  defineRoute({
    method: 'get',
    path: '/providers',
    operationId: 'listProviders',
    summary: 'List the upstream providers',
    tag: 'providers',
    permission: 'providers:read',
    responses: [{ status: 200, description: 'The providers.', schema: listOf('ProviderList', Provider) }],
    async handler({ deps }) {
      return { status: 200, body: { items: (await listProviders(deps)).map(describeProvider) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/providers/:slug',
    operationId: 'getProvider',
    summary: 'Get an upstream provider',
    tag: 'providers',
    permission: 'providers:read',
    params: slugPath,
    responses: [{ status: 200, description: 'The provider.', schema: Provider }],
    async handler({ deps, params }) {
      const provider = await deps.store.providers.find(params.slug);
      if (!provider) throw new ApiError(404, 'not_found', `no provider "${params.slug}"`);
      return { status: 200, body: describeProvider(provider) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/providers',
    operationId: 'addProvider',
    summary: 'Add an upstream OpenID provider',
    tag: 'providers',
    permission: 'providers:write',
    body: NewProvider,
    conflict: true,
    responses: [{ status: 201, description: 'The provider (never its secret).', schema: Provider }],
    async handler({ deps, body, ctx }) {
      const input: ProviderInput = {
        slug: body.slug,
        clientId: body.client_id,
        clientSecret: body.client_secret,
        ...(body.issuer !== undefined ? { issuer: body.issuer } : {}),
        ...(body.tenant !== undefined ? { tenant: body.tenant } : {}),
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        ...(body.token_auth !== undefined ? { tokenAuth: body.token_auth } : {}),
        ...(body.trusted_tenants !== undefined ? { trustedTenants: body.trusted_tenants } : {}),
      };
      return { status: 201, body: describeProvider(await addProvider(deps, input, ctx)) };
    },
  }),
  ...(['enable', 'disable'] as const).map((action) =>
    defineRoute({
      method: 'post',
      path: `/providers/:slug/${action}`,
      operationId: `${action}Provider`,
      summary:
        action === 'enable'
          ? 'Enable a provider (listed on the login page)'
          : 'Disable a provider (sign-ins through it stop)',
      tag: 'providers',
      permission: 'providers:write',
      params: slugPath,
      responses: [{ status: 200, description: 'The provider as it is now.', schema: Provider }],
      async handler({ deps, params, ctx }) {
        const provider = await setProviderEnabled(deps, params.slug, action === 'enable', ctx);
        return { status: 200, body: describeProvider(provider) };
      },
    }),
  ),
  defineRoute({
    method: 'delete',
    path: '/providers/:slug',
    operationId: 'deleteProvider',
    summary: 'Remove an upstream provider (linked users keep their link)',
    tag: 'providers',
    permission: 'providers:write',
    params: slugPath,
    responses: [{ status: 204, description: 'Removed.' }],
    async handler({ deps, params, ctx }) {
      await removeProvider(deps, params.slug, ctx);
      return { status: 204 };
    },
  }),
];

// ---- signing keys ----

const Key = s.object(
  {
    kid: s.string(),
    alg: s.enum(['ES256', 'RS256'] as const),
    active: s.boolean({ description: 'Signs new tokens.' }),
    created_at: epoch(),
    retired_at: s.nullable(epoch()),
    publish_until: s.nullable(epoch('A retired key stays in the JWKS until then.')),
  },
  ['kid', 'alg', 'active', 'created_at', 'retired_at', 'publish_until'],
  { name: 'SigningKey', description: 'Never its private part.' },
);

const keyRoutes: readonly Route[] = [
  defineRoute({
    method: 'get',
    path: '/keys',
    operationId: 'listKeys',
    summary: 'List the signing keys, newest first',
    tag: 'keys',
    permission: 'keys:read',
    responses: [{ status: 200, description: 'The keys.', schema: listOf('SigningKeyList', Key) }],
    async handler({ deps }) {
      return { status: 200, body: { items: (await listKeys(deps)).map(describeKey) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/keys/rotate',
    operationId: 'rotateKeys',
    summary: 'Make new signing keys active; old ones stay in the JWKS until their tokens expire',
    tag: 'keys',
    permission: 'keys:rotate',
    responses: [{ status: 200, description: 'The new keys.', schema: listOf('SigningKeyList', Key) }],
    async handler({ deps, ctx }) {
      return { status: 200, body: { items: (await rotateKeys(deps, ctx)).map(describeKey) } };
    },
  }),
];

// ---- the audit trail ----

const Event = s.object(
  {
    id: s.integer(),
    at: epoch(),
    type: s.string({ description: 'user_created, login_failed, client_updated, …' }),
    user_id: text(),
    client_id: text(),
    actor: text('Who did it, when not the subject: user:<id>, client:<id>, cli, config, system.'),
    ip: text(),
    user_agent: text(),
    detail: s.nullable(s.map()),
  },
  ['id', 'at', 'type', 'user_id', 'client_id', 'actor', 'ip', 'user_agent', 'detail'],
  { name: 'Event' },
);

const eventRoutes: readonly Route[] = [
  defineRoute({
    method: 'get',
    path: '/events',
    operationId: 'listEvents',
    summary: 'Read the audit trail, newest first',
    tag: 'events',
    permission: 'events:read',
    query: s.object({
      user_id: s.string({ minLength: 1, maxLength: 256 }),
      client_id: s.string({ minLength: 1, maxLength: 256 }),
      type: s.string({ minLength: 1, maxLength: 64 }),
      since: epoch('Epoch seconds, inclusive.'),
      until: epoch('Epoch seconds, exclusive.'),
      ...pageQuery,
    }),
    responses: [{ status: 200, description: 'A page of events.', schema: pageOf('EventPage', Event) }],
    async handler({ deps, query }) {
      const filter: EventFilter = {
        ...(query.user_id !== undefined ? { userId: query.user_id } : {}),
        ...(query.client_id !== undefined ? { clientId: query.client_id } : {}),
        ...(query.type !== undefined ? { type: query.type } : {}),
        ...(query.since !== undefined ? { since: query.since } : {}),
        ...(query.until !== undefined ? { until: query.until } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      };
      return { status: 200, body: pageAnswer(await queryEvents(deps, filter), describeEvent) };
    },
  }),
];

export const registryRoutes: readonly Route[] = [
  ...scopeRoutes,
  ...providerRoutes,
  ...keyRoutes,
  ...eventRoutes,
];
