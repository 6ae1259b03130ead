import {
  type ClientInput,
  type ClientPatch,
  createClient,
  describeClient,
  findClient,
  GRANT_TYPES,
  listClients,
  putClient,
  removeClient,
  rotateClientSecret,
  updateClient,
} from '../clients.js';
import { byName, CLIENT_FIELD_KEYS, renamedFields } from '../fields.js';
import { ApiError, warningTexts } from './errors.js';
import { defineRoute, id, type Route } from './route.js';
import { s } from './schema.js';
import { epoch, names, pageAnswer, pageOf, pageQuery, uris } from './shapes.js';

const TTL_MAX = 10 * 365 * 86400;
const ttl = (description: string, minimum = 1) => s.integer({ minimum, maximum: TTL_MAX, description });

/** An RFC 7591 §2 URI a client registers about itself: https, or http to loopback. */
const metadataUri = (description: string) =>
  s.nullable(s.string({ minLength: 1, maxLength: 2048, format: 'uri', description }));

/** What a client is made of, as `describeClient` prints it and as POST, PUT and PATCH take it. */
const clientMembers = {
  name: s.string({ minLength: 1, maxLength: 200, description: 'Shown on the consent page.' }),
  redirect_uris: uris('Exact redirect URIs (RFC 6749 §3.1.2; no wildcards).'),
  post_logout_redirect_uris: uris('Where RP-initiated logout may return.'),
  resources: uris('RFC 8707 resources the client may ask tokens for.'),
  grants: s.array(s.enum(GRANT_TYPES), {
    maxItems: GRANT_TYPES.length,
    description: 'Default: authorization_code, refresh_token.',
  }),
  scopes: names('The allow-list. Default: openid profile email offline_access.'),
  public: s.boolean({ description: 'No secret; PKCE required. Fixed once created.' }),
  first_party: s.boolean({ description: 'No consent page; may be allowed the admin scope.' }),
  implicit: s.boolean(),
  token_format: s.enum(['jwt', 'opaque'] as const),
  signing_alg: s.enum(['ES256', 'RS256'] as const, {
    description: 'Both algorithms at once; access_token_alg and id_token_alg win over it.',
  }),
  access_token_alg: s.enum(['ES256', 'RS256'] as const, {
    description: 'JWT access tokens (default ES256).',
  }),
  id_token_alg: s.enum(['ES256', 'RS256'] as const, { description: 'ID tokens (default RS256).' }),
  id_token_claims: s.enum(['full', 'minimal'] as const, {
    description:
      'minimal: the ID token carries only the protocol claims, the rest is at userinfo (default full).',
  }),
  backchannel_logout_uri: s.nullable(
    s.string({
      minLength: 1,
      maxLength: 2000,
      format: 'uri',
      description: 'Back-Channel Logout 1.0: https, or http to loopback; null: none.',
    }),
  ),
  backchannel_logout_session_required: s.boolean({
    description:
      'Whether the client needs sid in logout tokens (default true); recorded, as latchkey always sends sid.',
  }),
  logo_uri: metadataUri("RFC 7591: the client's logo, shown on the consent page; null: none."),
  client_uri: metadataUri("RFC 7591: the client's home page, linked on the consent page; null: none."),
  policy_uri: metadataUri("RFC 7591: the client's privacy policy, linked on the consent page; null: none."),
  tos_uri: metadataUri("RFC 7591: the client's terms of service, linked on the consent page; null: none."),
  web_origins: s.array(s.string({ minLength: 1, maxLength: 2048 }), {
    maxItems: 100,
    description: 'Origins (scheme://host[:port]) allowed CORS besides those of the redirect URIs.',
  }),
  access_token_ttl: ttl('Seconds (default 600).'),
  refresh_token_ttl: ttl('Seconds (default 30 days).'),
  refresh_reuse_grace: ttl(
    'Seconds a rotated refresh token answers the same successor (default 10; 0: off).',
    0,
  ),
  require_pkce: s.boolean(),
  require_mfa: s.boolean({ description: 'Every sign-in to the client passes a second factor.' }),
  require_verified_email: s.boolean({
    description: 'A user whose email is not verified gets no code or token for the client.',
  }),
  introspect_any: s.boolean({ description: 'A resource server: may introspect any token.' }),
  roles: names('Admin roles of its client-credentials tokens with the admin scope.'),
};

const clientId = s.string({
  minLength: 1,
  maxLength: 128,
  description: 'Printable ASCII; generated when left out.',
});
const clientSecret = s.string({
  minLength: 1,
  maxLength: 512,
  description: 'Generated when left out; stored only as its SHA-256.',
});

const CLIENT_REQUIRED = [
  'client_id',
  'name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'resources',
  'grants',
  'scopes',
  'public',
  'first_party',
  'implicit',
  'token_format',
  'signing_alg',
  'access_token_alg',
  'id_token_alg',
  'id_token_claims',
  'backchannel_logout_uri',
  'backchannel_logout_session_required',
  'logo_uri',
  'client_uri',
  'policy_uri',
  'tos_uri',
  'web_origins',
  'access_token_ttl',
  'refresh_token_ttl',
  'refresh_reuse_grace',
  'require_pkce',
  'require_mfa',
  'require_verified_email',
  'introspect_any',
  'roles',
  'created_at',
  'updated_at',
] as const;

/** What a client is, as answered: never its secret nor the secret's hash. */
const clientAnswered = {
  client_id: s.string(),
  ...clientMembers,
  name: s.string(),
  require_pkce: s.boolean({ description: 'Always true for a public client.' }),
  created_at: epoch(),
  updated_at: epoch(),
};

const Client = s.object(clientAnswered, CLIENT_REQUIRED, { name: 'Client' });

/** A client as answered after a change: the secret when one was made (shown once), and any warnings. */
const ClientAnswer = s.object(
  {
    ...clientAnswered,
    client_secret: s.string({ description: 'Only in the answer that created it: store it now.' }),
    warnings: s.array(s.string(), { description: 'Accepted, but deserves a second look (plain http…).' }),
  },
  CLIENT_REQUIRED,
  { name: 'ClientWithSecret' },
);

const NewClient = s.object({ client_id: clientId, client_secret: clientSecret, ...clientMembers }, ['name'], {
  name: 'NewClient',
  description: 'What it leaves out takes its default.',
});

const ClientDocument = s.object(
  { client_id: clientId, client_secret: clientSecret, ...clientMembers },
  ['name'],
  {
    name: 'ClientDocument',
    description:
      'The whole client: what it leaves out takes its default, so the same document twice changes nothing. ' +
      '`client_id`, when given, must be the one in the path; `client_secret` changes the secret only when given.',
  },
);

const { public: _fixed, ...patchable } = clientMembers;
const ClientPatchBody = s.object({ client_secret: clientSecret, ...patchable }, [], {
  name: 'ClientPatch',
  description: 'A member left out is left as it is; `public` never changes.',
});

/** The JSON members as `ClientInput` names them (only those present). */
const clientInput = <T extends Partial<ClientInput>>(body: Record<string, unknown>): T =>
  renamedFields<T>(body, CLIENT_FIELDS);
const CLIENT_FIELDS = byName(CLIENT_FIELD_KEYS);

const clientPath = s.object({ client_id: id('The client’s id.') }, ['client_id']);

export const clientRoutes: readonly Route[] = [
  defineRoute({
    method: 'post',
    path: '/clients',
    operationId: 'registerClient',
    summary: 'Register a client; the answer holds its secret, once',
    tag: 'clients',
    permission: 'clients:write',
    body: NewClient,
    conflict: true,
    responses: [
      { status: 201, description: 'The client, with `client_secret` unless public.', schema: ClientAnswer },
    ],
    async handler({ deps, body, ctx }) {
      const { client, secret, warnings } = await createClient(deps, clientInput<ClientInput>(body), ctx);
      return {
        status: 201,
        body: {
          ...describeClient(client),
          ...(secret !== undefined ? { client_secret: secret } : {}),
          ...(warnings.length ? { warnings: warningTexts(warnings) } : {}),
        },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/clients',
    operationId: 'listClients',
    summary: 'List clients, oldest first',
    tag: 'clients',
    permission: 'clients:read',
    query: s.object({
      query: s.string({ minLength: 1, maxLength: 256, description: 'A part of the name or client id.' }),
      ...pageQuery,
    }),
    responses: [{ status: 200, description: 'A page of clients.', schema: pageOf('ClientPage', Client) }],
    async handler({ deps, query }) {
      return {
        status: 200,
        body: pageAnswer(await listClients(deps, query), describeClient),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/clients/:client_id',
    operationId: 'getClient',
    summary: 'Get a client',
    tag: 'clients',
    permission: 'clients:read',
    params: clientPath,
    responses: [{ status: 200, description: 'The client.', schema: Client }],
    async handler({ deps, params }) {
      return { status: 200, body: describeClient(await findClient(deps, params.client_id)) };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/clients/:client_id',
    operationId: 'putClient',
    summary: 'Create or replace a client from a whole document (idempotent)',
    tag: 'clients',
    permission: 'clients:write',
    params: clientPath,
    body: ClientDocument,
    conflict: true,
    responses: [
      {
        status: 200,
        description: 'It existed: the client as it is now (unchanged if equal).',
        schema: ClientAnswer,
      },
      { status: 201, description: 'Created: the client, with its secret once.', schema: ClientAnswer },
    ],
    async handler({ deps, params, body, ctx }) {
      if (body.client_id !== undefined && body.client_id !== params.client_id)
        throw new ApiError(400, 'invalid_request', '"client_id" must be the one in the path', 'client_id');
      const { client_id: _same, ...document } = body;
      const put = await putClient(deps, params.client_id, clientInput<ClientInput>(document), ctx);
      return {
        status: put.created ? 201 : 200,
        body: {
          ...describeClient(put.client),
          ...(put.secret !== undefined ? { client_secret: put.secret } : {}),
          ...(put.warnings.length ? { warnings: warningTexts(put.warnings) } : {}),
        },
      };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/clients/:client_id',
    operationId: 'updateClient',
    summary: 'Change some of a client’s settings (a secret only when given)',
    tag: 'clients',
    permission: 'clients:write',
    params: clientPath,
    body: ClientPatchBody,
    responses: [{ status: 200, description: 'The client as it is now.', schema: ClientAnswer }],
    async handler({ deps, params, body, ctx }) {
      const { client, warnings } = await updateClient(
        deps,
        params.client_id,
        clientInput<ClientPatch>(body),
        ctx,
      );
      return {
        status: 200,
        body: { ...describeClient(client), ...(warnings.length ? { warnings: warningTexts(warnings) } : {}) },
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/clients/:client_id/rotate-secret',
    operationId: 'rotateClientSecret',
    summary: 'Give a confidential client a new secret; the old one stops working',
    tag: 'clients',
    permission: 'clients:write',
    params: clientPath,
    responses: [
      {
        status: 200,
        description: 'The new secret, shown once.',
        schema: s.object(
          { client_id: s.string(), client_secret: s.string() },
          ['client_id', 'client_secret'],
          {
            name: 'ClientSecret',
          },
        ),
      },
    ],
    async handler({ deps, params, ctx }) {
      const secret = await rotateClientSecret(deps, params.client_id, ctx);
      return { status: 200, body: { client_id: params.client_id, client_secret: secret } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/clients/:client_id',
    operationId: 'deleteClient',
    summary: 'Delete a client, revoking every token issued to it',
    tag: 'clients',
    permission: 'clients:write',
    params: clientPath,
    responses: [{ status: 204, description: 'Deleted.' }],
    async handler({ deps, params, ctx }) {
      await removeClient(deps, params.client_id, ctx);
      return { status: 204 };
    },
  }),
];
