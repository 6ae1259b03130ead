import {
  type ClientInput,
  type ClientPatch,
  createClient,
  describeClient,
  listClients,
  removeClient,
  rotateClientSecret,
  updateClient,
} from '../../admin/clients.js';
import { CLIENT_FIELD_KEYS } from '../../admin/fields.js';
import {
  allPages,
  CLI_FLAGS,
  type Command,
  int,
  listChange,
  none,
  type Options,
  one,
  READ_ONLY,
  str,
  strs,
  switchChange,
  UsageError,
  type Values,
  withDeps,
} from '../command.js';
import { table } from '../output.js';

/** The options `client add` and `client update` share. */
const CLIENT_OPTIONS: Options = {
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  resource: { type: 'string', multiple: true },
  grant: { type: 'string', multiple: true },
  scope: { type: 'string', multiple: true },
  role: { type: 'string', multiple: true },
  'first-party': { type: 'boolean' },
  implicit: { type: 'boolean' },
  'introspect-any': { type: 'boolean' },
  'require-pkce': { type: 'boolean' },
  'require-mfa': { type: 'boolean' },
  'require-verified-email': { type: 'boolean' },
  'token-format': { type: 'string' },
  'signing-alg': { type: 'string' },
  'access-token-alg': { type: 'string' },
  'id-token-alg': { type: 'string' },
  'id-token-claims': { type: 'string' },
  'backchannel-logout-uri': { type: 'string' },
  // On by default (Back-Channel Logout 1.0 §2.4): both spellings on `client add` too.
  'backchannel-logout-session-required': { type: 'boolean' },
  'no-backchannel-logout-session-required': { type: 'boolean' },
  'web-origin': { type: 'string', multiple: true },
  'logo-uri': { type: 'string' },
  'client-uri': { type: 'string' },
  'policy-uri': { type: 'string' },
  'tos-uri': { type: 'string' },
  'access-token-ttl': { type: 'string' },
  'refresh-token-ttl': { type: 'string' },
  'refresh-reuse-grace': { type: 'string' },
};

/** The boolean flags of a client, and their `ClientInput` fields. */
const SWITCHES = [
  ['first-party', 'firstParty'],
  ['implicit', 'implicit'],
  ['introspect-any', 'introspectAny'],
  ['require-pkce', 'requirePkce'],
  ['require-mfa', 'requireMfa'],
  ['require-verified-email', 'requireVerifiedEmail'],
] as const;

/** Lists that `client update` may empty (`--no-redirect-uris`); a client always has grants and scopes. */
const CLEARABLE_LISTS = [
  ['redirect-uri', 'no-redirect-uris', 'redirectUris'],
  ['post-logout-redirect-uri', 'no-post-logout-redirect-uris', 'postLogoutRedirectUris'],
  ['resource', 'no-resources', 'resources'],
  ['role', 'no-roles', 'roles'],
  ['web-origin', 'no-web-origins', 'webOrigins'],
] as const;

/** RFC 7591 §2 URIs a client registers about itself; `client update --no-<flag>` removes one. */
const METADATA_URIS = [
  ['logo-uri', 'logoUri'],
  ['client-uri', 'clientUri'],
  ['policy-uri', 'policyUri'],
  ['tos-uri', 'tosUri'],
] as const;

const TTLS = [
  ['access-token-ttl', 'accessTokenTtlSeconds'],
  ['refresh-token-ttl', 'refreshTokenTtlSeconds'],
  ['refresh-reuse-grace', 'refreshReuseGraceSeconds'],
] as const;

/** `--scope "openid profile"` and `--scope openid --scope profile` say the same. */
const scopeList = (v: Values) => strs(v, 'scope').flatMap((s) => s.split(' ').filter(Boolean));

/** What `client add` and `client update` both read: every option given, nothing else. */
function givenSettings(v: Values): ClientPatch {
  const patch: ClientPatch = {};
  if (str(v, 'name') !== undefined) patch.name = str(v, 'name')!;
  if (v['grant'] !== undefined) patch.grants = strs(v, 'grant');
  if (v['scope'] !== undefined) patch.scopes = scopeList(v);
  if (str(v, 'token-format') !== undefined) patch.tokenFormat = str(v, 'token-format')!;
  if (str(v, 'signing-alg') !== undefined) patch.signingAlg = str(v, 'signing-alg')!;
  if (str(v, 'access-token-alg') !== undefined) patch.accessTokenAlg = str(v, 'access-token-alg')!;
  if (str(v, 'id-token-alg') !== undefined) patch.idTokenAlg = str(v, 'id-token-alg')!;
  if (str(v, 'id-token-claims') !== undefined) patch.idTokenClaims = str(v, 'id-token-claims')!;
  if (str(v, 'backchannel-logout-uri') !== undefined)
    patch.backchannelLogoutUri = str(v, 'backchannel-logout-uri')!;
  for (const [flag, field] of METADATA_URIS) {
    const uri = str(v, flag);
    if (uri !== undefined) patch[field] = uri;
  }
  const sessionRequired = switchChange(v, 'backchannel-logout-session-required');
  if (sessionRequired !== undefined) patch.backchannelLogoutSessionRequired = sessionRequired;
  for (const [flag, field] of TTLS) {
    const value = int(v, flag);
    if (value !== undefined) patch[field] = value;
  }
  return patch;
}

/** The text `client update` prints: the changed fields as the flags that set them. */
const FLAG_OF: Partial<Record<keyof ClientInput, string>> = {
  firstParty: '--first-party',
  implicit: '--implicit',
  introspectAny: '--introspect-any',
  requirePkce: '--require-pkce',
  requireMfa: '--require-mfa',
  requireVerifiedEmail: '--require-verified-email',
  backchannelLogoutSessionRequired: '--backchannel-logout-session-required',
  clientSecret: '--secret',
};
const flagOf = (field: keyof ClientInput) =>
  FLAG_OF[field] ?? (CLI_FLAGS as Record<string, string>)[field] ?? field;

export const clientCommands: Record<string, Command> = {
  'client add': {
    usage:
      'client add --name N [--redirect-uri U]... [--post-logout-redirect-uri U]... [--resource URI]... [--grant G]... [--scope S]... [--role R]... [--public] [--first-party] [--implicit] [--introspect-any] [--require-pkce] [--require-mfa] [--require-verified-email] [--token-format jwt|opaque] [--signing-alg ES256|RS256] [--access-token-alg ES256|RS256] [--id-token-alg RS256|ES256] [--id-token-claims full|minimal] [--backchannel-logout-uri U] [--no-backchannel-logout-session-required] [--web-origin O]... [--logo-uri U] [--client-uri U] [--policy-uri U] [--tos-uri U] [--access-token-ttl S] [--refresh-token-ttl S] [--refresh-reuse-grace S]',
    summary: 'register a client; the secret is printed once',
    options: { ...CLIENT_OPTIONS, public: { type: 'boolean' } },
    async run(v, p, out) {
      none(p);
      const name = str(v, 'name');
      if (!name) throw new UsageError('--name is required');
      const input: ClientInput = {
        ...givenSettings(v),
        name,
        redirectUris: strs(v, 'redirect-uri'),
        postLogoutRedirectUris: strs(v, 'post-logout-redirect-uri'),
        resources: strs(v, 'resource'),
        grants: strs(v, 'grant'),
        scopes: scopeList(v),
        roles: strs(v, 'role'),
        webOrigins: strs(v, 'web-origin'),
        isPublic: v['public'] === true,
      };
      for (const [flag, field] of SWITCHES) input[field] = v[flag] === true;
      const { client, secret, warnings } = await withDeps((deps) => createClient(deps, input), {
        scopes: true,
      });
      for (const w of warnings) out.warn(w.wording(CLI_FLAGS));
      const result = { ...describeClient(client), ...(secret ? { client_secret: secret } : {}) };
      out.result(result, () =>
        [
          `client_id:     ${client.id}`,
          ...(secret ? [`client_secret: ${secret}`, '(the secret is shown only once)'] : []),
        ].join('\n'),
      );
    },
  },
  'client update': {
    usage:
      'client update <client_id> [--name N] [--redirect-uri U]... [--no-redirect-uris] [--post-logout-redirect-uri U]... [--no-post-logout-redirect-uris] [--resource URI]... [--no-resources] [--grant G]... [--scope S]... [--role R]... [--no-roles] [--first-party|--no-first-party] [--implicit|--no-implicit] [--introspect-any|--no-introspect-any] [--require-pkce|--no-require-pkce] [--require-mfa|--no-require-mfa] [--require-verified-email|--no-require-verified-email] [--token-format jwt|opaque] [--signing-alg ES256|RS256] [--access-token-alg ES256|RS256] [--id-token-alg RS256|ES256] [--id-token-claims full|minimal] [--backchannel-logout-uri U] [--no-backchannel-logout-uri] [--backchannel-logout-session-required|--no-backchannel-logout-session-required] [--web-origin O]... [--no-web-origins] [--logo-uri U] [--no-logo-uri] [--client-uri U] [--no-client-uri] [--policy-uri U] [--no-policy-uri] [--tos-uri U] [--no-tos-uri] [--access-token-ttl S] [--refresh-token-ttl S] [--refresh-reuse-grace S] [--secret S]',
    summary:
      'change a client: what is given replaces what was (repeated flags replace the list, --no-<list> empties it), the rest stays; --secret sets a secret of your own (at least 32 characters; see rotate-secret for a generated one); public or confidential never changes',
    options: {
      ...CLIENT_OPTIONS,
      ...Object.fromEntries(SWITCHES.map(([flag]) => [`no-${flag}`, { type: 'boolean' as const }])),
      ...Object.fromEntries(CLEARABLE_LISTS.map(([, clear]) => [clear, { type: 'boolean' as const }])),
      secret: { type: 'string' },
      'no-backchannel-logout-uri': { type: 'boolean' },
      ...Object.fromEntries(METADATA_URIS.map(([flag]) => [`no-${flag}`, { type: 'boolean' as const }])),
      public: { type: 'boolean' },
    },
    flags: { clientSecret: '--secret' },
    async run(v, p, out) {
      const id = one(p, 'client_id');
      if (v['public'] === true)
        throw new UsageError('--public cannot be changed: register a new client (client add --public)');
      const patch = givenSettings(v);
      for (const [flag, clear, field] of CLEARABLE_LISTS) {
        const list = listChange(v, flag, clear);
        if (list) patch[field] = list;
      }
      for (const [flag, field] of SWITCHES) {
        const on = switchChange(v, flag);
        if (on !== undefined) patch[field] = on;
      }
      if (str(v, 'secret') !== undefined) patch.clientSecret = str(v, 'secret')!;
      if (v['no-backchannel-logout-uri'] === true) {
        if (patch.backchannelLogoutUri !== undefined)
          throw new UsageError(
            '--backchannel-logout-uri and --no-backchannel-logout-uri contradict each other',
          );
        patch.backchannelLogoutUri = null;
      }
      for (const [flag, field] of METADATA_URIS) {
        if (v[`no-${flag}`] !== true) continue;
        if (patch[field] !== undefined)
          throw new UsageError(`--${flag} and --no-${flag} contradict each other`);
        patch[field] = null;
      }
      if (!Object.keys(patch).length) throw new UsageError('nothing to change: give at least one option');
      const { client, changed, warnings } = await withDeps((deps) => updateClient(deps, id, patch), {
        scopes: true,
      });
      for (const w of warnings) out.warn(w.wording(CLI_FLAGS));
      out.result({ ...describeClient(client), changed: changed.map((f) => CLIENT_FIELD_KEYS[f]) }, () =>
        changed.length
          ? `updated client ${client.id}: ${changed.map(flagOf).join(', ')}`
          : `client ${client.id}: nothing changed`,
      );
    },
  },
  'client list': {
    usage: 'client list [--query Q]',
    summary: 'list clients (--query: a part of the name or client_id)',
    options: { query: { type: 'string' } },
    async run(v, p, out) {
      none(p);
      const query = str(v, 'query');
      const clients = (
        await withDeps(
          (deps) =>
            allPages((page) => listClients(deps, { ...(query !== undefined ? { query } : {}), ...page })),
          READ_ONLY,
        )
      ).map(describeClient);
      out.result(clients, () => table(clients, ['client_id', 'name', 'public', 'grants', 'redirect_uris']));
    },
  },
  'client remove': {
    usage: 'client remove <client_id>',
    summary: 'delete a client and everything issued to it',
    options: {},
    async run(_v, p, out) {
      const id = one(p, 'client_id');
      await withDeps((deps) => removeClient(deps, id));
      out.result({ removed: true, client_id: id }, `removed client ${id}`);
    },
  },
  'client rotate-secret': {
    usage: 'client rotate-secret <client_id>',
    summary: 'replace a confidential client secret; the new one is printed once',
    options: {},
    async run(_v, p, out) {
      const id = one(p, 'client_id');
      const secret = await withDeps((deps) => rotateClientSecret(deps, id));
      out.result(
        { client_id: id, client_secret: secret },
        `client_secret: ${secret}\n(the secret is shown only once)`,
      );
    },
  },
};
