import { createClient, describeClient, rotateClientSecret } from '../../admin/clients.js';
import { AdminError } from '../../admin/validate.js';
import { CLI_FLAGS, type Command, int, none, one, str, strs, UsageError, withDeps } from '../command.js';
import { table } from '../output.js';

export const clientCommands: Record<string, Command> = {
  'client add': {
    usage:
      'client add --name N [--redirect-uri U]... [--post-logout-redirect-uri U]... [--resource URI]... [--grant G]... [--scope S]... [--public] [--first-party] [--implicit] [--introspect-any] [--require-pkce] [--require-mfa] [--token-format jwt|opaque] [--signing-alg ES256|RS256] [--access-token-ttl S] [--refresh-token-ttl S] [--refresh-reuse-grace S]',
    summary: 'register a client; the secret is printed once',
    options: {
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      resource: { type: 'string', multiple: true },
      grant: { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      public: { type: 'boolean' },
      'first-party': { type: 'boolean' },
      implicit: { type: 'boolean' },
      'introspect-any': { type: 'boolean' },
      'require-pkce': { type: 'boolean' },
      'require-mfa': { type: 'boolean' },
      'token-format': { type: 'string' },
      'signing-alg': { type: 'string' },
      'access-token-ttl': { type: 'string' },
      'refresh-token-ttl': { type: 'string' },
      'refresh-reuse-grace': { type: 'string' },
    },
    async run(v, p, out) {
      none(p);
      const name = str(v, 'name');
      if (!name) throw new UsageError('--name is required');
      const ttl = (k: string) => (int(v, k) !== undefined ? int(v, k) : undefined);
      const { client, secret, warnings } = await withDeps(
        (deps) =>
          createClient(deps, {
            name,
            redirectUris: strs(v, 'redirect-uri'),
            postLogoutRedirectUris: strs(v, 'post-logout-redirect-uri'),
            resources: strs(v, 'resource'),
            grants: strs(v, 'grant'),
            scopes: strs(v, 'scope').flatMap((s) => s.split(' ').filter(Boolean)),
            isPublic: v['public'] === true,
            firstParty: v['first-party'] === true,
            implicit: v['implicit'] === true,
            introspectAny: v['introspect-any'] === true,
            requirePkce: v['require-pkce'] === true,
            requireMfa: v['require-mfa'] === true,
            ...(str(v, 'token-format') ? { tokenFormat: str(v, 'token-format')! } : {}),
            ...(str(v, 'signing-alg') ? { signingAlg: str(v, 'signing-alg')! } : {}),
            ...(ttl('access-token-ttl') !== undefined
              ? { accessTokenTtlSeconds: ttl('access-token-ttl')! }
              : {}),
            ...(ttl('refresh-token-ttl') !== undefined
              ? { refreshTokenTtlSeconds: ttl('refresh-token-ttl')! }
              : {}),
            ...(ttl('refresh-reuse-grace') !== undefined
              ? { refreshReuseGraceSeconds: ttl('refresh-reuse-grace')! }
              : {}),
          }),
        { scopes: true },
      );
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
  'client list': {
    usage: 'client list',
    summary: 'list clients',
    options: {},
    async run(_v, _p, out) {
      const clients = (await withDeps((deps) => deps.store.clients.list())).map(describeClient);
      out.result(clients, () => table(clients, ['client_id', 'name', 'public', 'grants', 'redirect_uris']));
    },
  },
  'client remove': {
    usage: 'client remove <client_id>',
    summary: 'delete a client and everything issued to it',
    options: {},
    async run(_v, p, out) {
      const id = one(p, 'client_id');
      const removed = await withDeps((deps) => deps.store.clients.remove(id));
      if (!removed) throw new AdminError(`no client "${id}"`, 'not_found');
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
