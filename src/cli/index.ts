import { type ParseArgsConfig, parseArgs } from 'node:util';
import { bulkSeed } from '../admin/bulk.js';
import { createClient, describeClient, rotateClientSecret } from '../admin/clients.js';
import { rotateKeys } from '../admin/keys.js';
import {
  addProvider,
  describeProvider,
  listProviders,
  removeProvider,
  setProviderEnabled,
} from '../admin/providers.js';
import { addScope, listScopes } from '../admin/scopes.js';
import { seedBuiltinScopes } from '../admin/seed.js';
import {
  createUser,
  describeUser,
  enrollUserMfa,
  removeUser,
  resetUserMfa,
  setUserPassword,
  unlinkUser,
} from '../admin/users.js';
import { AdminError, type AdminField } from '../admin/validate.js';
import { ConfigError, loadConfig } from '../config.js';
import { buildDeps, type Deps } from '../deps.js';
import { jsonLog } from '../log.js';
import { openStore } from '../store/index.js';
import type { Provider } from '../store/types.js';
import { Output, table } from './output.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | string[] | undefined>;

interface Command {
  usage: string;
  summary: string;
  options: Options;
  /** Where this command's flags differ from `CLI_FLAGS` (which names fields as other commands do). */
  flags?: Partial<Record<AdminField, string>>;
  run(values: Values, positionals: string[], out: Output): Promise<void>;
}

class UsageError extends Error {}

const str = (v: Values, k: string) => v[k] as string | undefined;
const strs = (v: Values, k: string) => (v[k] as string[] | undefined) ?? [];
const int = (v: Values, k: string): number | undefined => {
  const raw = str(v, k);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${k} must be a whole number, got "${raw}"`);
  return Number(raw);
};
const one = (positionals: string[], what: string): string => {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return positionals[0]!;
};

/** How the CLI names each field of an admin use case: its flag. */
const CLI_FLAGS: Readonly<Record<AdminField, string>> = {
  name: '--name',
  clientId: 'client_id',
  clientSecret: 'client_secret',
  redirectUris: '--redirect-uri',
  postLogoutRedirectUris: '--post-logout-redirect-uri',
  resources: '--resource',
  grants: '--grant',
  scopes: '--scope',
  isPublic: '--public',
  tokenFormat: '--token-format',
  signingAlg: '--signing-alg',
  accessTokenTtlSeconds: '--access-token-ttl',
  refreshTokenTtlSeconds: '--refresh-token-ttl',
  refreshReuseGraceSeconds: '--refresh-reuse-grace',
  email: '--email',
  password: '--password',
  description: '--description',
  slug: '--slug',
  issuer: '--issuer',
  tenant: '--tenant',
  tokenAuth: '--token-auth',
  trustedTenants: '--trusted-tenant',
  givenName: '--given-name',
  familyName: '--family-name',
  roles: '--role',
  groups: '--group',
  username: '--username',
  cursor: '--cursor',
  limit: '--limit',
  session: 'session',
};

/** One readable line for a provider. */
const providerLine = (p: Provider) =>
  `${p.slug}: ${p.name}, ${p.issuer} (${p.enabled ? 'enabled' : 'disabled'})`;

/**
 * Runs a command on freshly built dependencies. A command writes only what it is about: nothing is
 * seeded and no key is made unless the command needs it (`scopes`: the built-in scopes it may refer to).
 */
async function withDeps<T>(fn: (deps: Deps) => Promise<T>, needs: { scopes?: boolean } = {}): Promise<T> {
  const deps = await buildDeps(loadConfig(), { log: jsonLog('warn') });
  try {
    if (needs.scopes) await seedBuiltinScopes(deps);
    return await fn(deps);
  } finally {
    await deps.store.close();
  }
}

const commands: Record<string, Command> = {
  serve: {
    usage: 'serve',
    summary: 'migrate the database if needed and serve on $HOST:$PORT',
    options: {},
    async run(_v, _p, out) {
      const config = loadConfig();
      // Loaded on demand: the admin commands start faster without the HTTP stack.
      const { DRAIN_MS, startServer } = await import('../server.js');
      const server = await startServer(config);
      server.deps.log.info('latchkey listening', {
        url: server.url,
        issuer: config.issuer,
        db: config.dbPath,
      });
      if (out.json) out.result({ url: server.url, issuer: config.issuer }, '');
      const stop = () => {
        void server.close().then(() => process.exit(0));
        // close() drains for at most DRAIN_MS: past that and a little more, stop anyway.
        setTimeout(() => process.exit(0), DRAIN_MS + 2_000).unref();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise(() => {});
    },
  },
  migrate: {
    usage: 'migrate',
    summary: 'apply pending database migrations',
    options: {},
    async run(_v, _p, out) {
      const config = loadConfig();
      const store = openStore(config);
      await store.close();
      out.result({ migrated: true, db: config.dbPath }, `database ${config.dbPath} is up to date`);
    },
  },
  'user add': {
    usage: 'user add --email E [--password P] [--name N] [--given-name G] [--family-name F] [--role R]...',
    summary: 'create a user (without a password, the user can only sign in through a linked provider)',
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      'given-name': { type: 'string' },
      'family-name': { type: 'string' },
      role: { type: 'string', multiple: true },
    },
    async run(v, p, out) {
      if (p.length) throw new UsageError(`unexpected argument "${p[0]}"`);
      const email = str(v, 'email');
      if (!email) throw new UsageError('--email is required');
      const user = await withDeps((deps) =>
        createUser(deps, {
          email,
          ...(str(v, 'password') !== undefined ? { password: str(v, 'password')! } : {}),
          ...(str(v, 'name') ? { name: str(v, 'name')! } : {}),
          ...(str(v, 'given-name') ? { givenName: str(v, 'given-name')! } : {}),
          ...(str(v, 'family-name') ? { familyName: str(v, 'family-name')! } : {}),
          roles: strs(v, 'role'),
        }),
      );
      out.result(describeUser(user), `created user ${user.email} (${user.id})`);
    },
  },
  'user list': {
    usage: 'user list',
    summary: 'list users',
    options: {},
    async run(_v, _p, out) {
      const users = (await withDeps((deps) => deps.store.users.list())).map(describeUser);
      out.result(users, () => table(users, ['id', 'email', 'name', 'roles', 'has_password']));
    },
  },
  'user remove': {
    usage: 'user remove <id|email>',
    summary: 'delete a user with their sessions and tokens',
    options: {},
    async run(_v, p, out) {
      const ref = one(p, 'user id or email');
      const user = await withDeps((deps) => removeUser(deps, ref));
      out.result({ removed: true, id: user.id, email: user.email }, `removed user ${user.email}`);
    },
  },
  'user set-password': {
    usage: 'user set-password <id|email> --password P',
    summary: "set a user's password",
    options: { password: { type: 'string' } },
    async run(v, p, out) {
      const ref = one(p, 'user id or email');
      const password = str(v, 'password');
      if (password === undefined) throw new UsageError('--password is required');
      const user = await withDeps((deps) => setUserPassword(deps, ref, password));
      out.result(describeUser(user), `password set for ${user.email}`);
    },
  },
  'user mfa-enroll': {
    usage: 'user mfa-enroll <id|email>',
    summary:
      'turn on TOTP for a user at once, replacing any before; prints the secret and recovery codes once',
    options: {},
    async run(_v, p, out) {
      const ref = one(p, 'user id or email');
      const { user, secret, otpauthUri, recoveryCodes } = await withDeps((deps) => enrollUserMfa(deps, ref));
      out.result({ secret, otpauth_uri: otpauthUri, recovery_codes: recoveryCodes }, () =>
        [
          `two-factor authentication is on for ${user.email}`,
          `secret:      ${secret}`,
          `otpauth_uri: ${otpauthUri}`,
          'recovery codes:',
          ...recoveryCodes.map((c) => `  ${c}`),
          '(the secret and the recovery codes are shown only once)',
        ].join('\n'),
      );
    },
  },
  'user mfa-reset': {
    usage: 'user mfa-reset <id|email>',
    summary: "remove a user's second factor and recovery codes (sessions and tokens stay)",
    options: {},
    async run(_v, p, out) {
      const ref = one(p, 'user id or email');
      const user = await withDeps((deps) => resetUserMfa(deps, ref));
      out.result(
        { reset: true, id: user.id, email: user.email },
        `two-factor authentication removed for ${user.email}`,
      );
    },
  },
  'user unlink': {
    usage: 'user unlink <id|email>',
    summary:
      "remove a user's provider link and end their sessions; prints a set-password link that works once, for 24 hours",
    options: {},
    async run(_v, p, out) {
      const ref = one(p, 'user id or email');
      const { user, url, expiresAt } = await withDeps((deps) => unlinkUser(deps, ref));
      out.result({ id: user.id, email: user.email, set_password_url: url, expires_at: expiresAt }, () =>
        [
          `unlinked ${user.email}; their sessions are ended`,
          'hand this link to the user to choose a password (it works once, for 24 hours):',
          url,
        ].join('\n'),
      );
    },
  },
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
      if (p.length) throw new UsageError(`unexpected argument "${p[0]}"`);
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
  'scope add': {
    usage: 'scope add <name> --description "shown on the consent page"',
    summary: 'add a scope (or change its description)',
    options: { description: { type: 'string' } },
    async run(v, p, out) {
      const name = one(p, 'scope name');
      const description = str(v, 'description');
      if (!description) throw new UsageError('--description is required');
      const scope = await withDeps((deps) => addScope(deps, name, description));
      out.result(
        { name: scope.name, description: scope.description },
        `scope ${scope.name}: ${scope.description}`,
      );
    },
  },
  'scope list': {
    usage: 'scope list',
    summary: 'list scopes',
    options: {},
    async run(_v, _p, out) {
      const scopes = await withDeps((deps) => listScopes(deps));
      out.result(scopes, () =>
        table(scopes as unknown as Record<string, unknown>[], ['name', 'description', 'builtin']),
      );
    },
  },
  'provider add': {
    usage:
      'provider add --slug google|azure|<slug> [--issuer URL] [--tenant T] --client-id ID --client-secret S [--name N] [--disabled] [--token-auth client_secret_basic|client_secret_post] [--trusted-tenant T]...',
    summary:
      'register an upstream OpenID provider (google needs no --issuer; azure takes --tenant <id|organizations|common>); the secret is stored sealed',
    options: {
      slug: { type: 'string' },
      issuer: { type: 'string' },
      tenant: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      name: { type: 'string' },
      disabled: { type: 'boolean' },
      'token-auth': { type: 'string' },
      'trusted-tenant': { type: 'string', multiple: true },
    },
    flags: { clientId: '--client-id', clientSecret: '--client-secret' },
    async run(v, p, out) {
      if (p.length) throw new UsageError(`unexpected argument "${p[0]}"`);
      const [slug, clientId, clientSecret] = ['slug', 'client-id', 'client-secret'].map((k) => {
        const value = str(v, k);
        if (value === undefined) throw new UsageError(`--${k} is required`);
        return value;
      }) as [string, string, string];
      const provider = await withDeps((deps) =>
        addProvider(deps, {
          slug,
          clientId,
          clientSecret,
          ...(str(v, 'issuer') !== undefined ? { issuer: str(v, 'issuer')! } : {}),
          ...(str(v, 'tenant') !== undefined ? { tenant: str(v, 'tenant')! } : {}),
          ...(str(v, 'name') !== undefined ? { name: str(v, 'name')! } : {}),
          ...(str(v, 'token-auth') !== undefined ? { tokenAuth: str(v, 'token-auth')! } : {}),
          enabled: v['disabled'] !== true,
          trustedTenants: strs(v, 'trusted-tenant'),
        }),
      );
      out.result(describeProvider(provider), `added provider ${providerLine(provider)}`);
    },
  },
  'provider list': {
    usage: 'provider list',
    summary: 'list upstream providers (never their secrets)',
    options: {},
    async run(_v, _p, out) {
      const providers = await withDeps((deps) => listProviders(deps));
      out.result(providers.map(describeProvider), () => providers.map(providerLine).join('\n') || '(none)');
    },
  },
  'provider enable': {
    usage: 'provider enable <slug>',
    summary: 'offer a provider on the sign-in page again',
    options: {},
    async run(_v, p, out) {
      const slug = one(p, 'provider slug');
      const provider = await withDeps((deps) => setProviderEnabled(deps, slug, true));
      out.result(describeProvider(provider), `enabled provider ${providerLine(provider)}`);
    },
  },
  'provider disable': {
    usage: 'provider disable <slug>',
    summary: 'stop offering a provider; sign-ins through it fail with provider_disabled',
    options: {},
    async run(_v, p, out) {
      const slug = one(p, 'provider slug');
      const provider = await withDeps((deps) => setProviderEnabled(deps, slug, false));
      out.result(describeProvider(provider), `disabled provider ${providerLine(provider)}`);
    },
  },
  'provider remove': {
    usage: 'provider remove <slug>',
    summary: 'delete a provider entry (linked users keep their link; see user unlink)',
    options: {},
    async run(_v, p, out) {
      const slug = one(p, 'provider slug');
      await withDeps((deps) => removeProvider(deps, slug));
      out.result({ removed: true, slug }, `removed provider ${slug}`);
    },
  },
  'keys rotate': {
    usage: 'keys rotate',
    summary: 'make new signing keys active; old keys stay in the JWKS until their tokens expire',
    options: {},
    async run(_v, _p, out) {
      const fresh = await withDeps((deps) => rotateKeys(deps));
      const primary = fresh.find((k) => k.alg === 'ES256') ?? fresh[0]!;
      const keys = fresh.map((k) => ({ kid: k.kid, alg: k.alg }));
      out.result({ kid: primary.kid, alg: primary.alg, keys }, () =>
        keys.map((k) => `${k.alg} ${k.kid}`).join('\n'),
      );
    },
  },
  'keys list': {
    usage: 'keys list',
    summary: 'list signing keys',
    options: {},
    async run(_v, _p, out) {
      const keys = (await withDeps((deps) => deps.store.keys.list())).map((k) => ({
        kid: k.kid,
        alg: k.alg,
        active: k.active,
        created_at: k.createdAt,
        publish_until: k.publishUntil,
      }));
      out.result(keys, () => table(keys, ['kid', 'alg', 'active', 'created_at', 'publish_until']));
    },
  },
  events: {
    usage: 'events [--limit N]',
    summary: 'the audit log, newest first',
    options: { limit: { type: 'string' } },
    async run(v, _p, out) {
      const limit = int(v, 'limit') ?? 50;
      const events = await withDeps((deps) => deps.store.events.list(Math.min(limit, 10_000)));
      out.result(events, () =>
        table(
          events.map((e) => ({
            ...e,
            at: new Date(e.at * 1000).toISOString(),
            detail: e.detail ? JSON.stringify(e.detail) : null,
          })),
          ['at', 'type', 'userId', 'clientId', 'ip', 'detail'],
        ),
      );
    },
  },
  seed: {
    usage: 'seed --users N --tokens N',
    summary: 'bulk test data for benchmarks (N users, N refresh-token rows)',
    options: { users: { type: 'string' }, tokens: { type: 'string' } },
    async run(v, _p, out) {
      const users = int(v, 'users') ?? 0;
      const tokens = int(v, 'tokens') ?? 0;
      const result = await withDeps((deps) => bulkSeed(deps, users, tokens), { scopes: true });
      out.result(result, `seeded ${result.users} users and ${result.tokens} tokens`);
    },
  },
};

function help(): string {
  const lines = Object.values(commands).map((c) => `  latchkey ${c.usage}\n      ${c.summary}`);
  return [
    'latchkey: an embedded OAuth 2.1 / OpenID Connect provider',
    '',
    'Usage:',
    ...lines,
    '',
    'Every command accepts --json (one JSON document on stdout) and --help.',
    'Environment: PORT, HOST, ISSUER, LATCHKEY_DB, LATCHKEY_CONFIG, LATCHKEY_SECRET, LATCHKEY_THROTTLE.',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const out = new Output(json);
  const args = argv.filter((a) => a !== '--json');
  const wantsHelp = args.includes('--help') || args.includes('-h');
  const words = args.filter((a) => !a.startsWith('-'));
  const name = commands[`${words[0]} ${words[1]}`] ? `${words[0]} ${words[1]}` : words[0];
  const command = name ? commands[name] : undefined;
  if (!command) {
    if (wantsHelp || !args.length) {
      process.stdout.write(help() + '\n');
      return args.length ? 0 : 2;
    }
    out.error('usage', `unknown command "${words.slice(0, 2).join(' ')}"; see latchkey --help`);
    return 2;
  }
  if (wantsHelp) {
    process.stdout.write(`latchkey ${command.usage}\n  ${command.summary}\n`);
    return 0;
  }
  const rest = args.slice(args.indexOf(name!.split(' ').at(-1)!) + 1);
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
    await command.run(values as Values, positionals, out);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      out.error('usage', `${(err as Error).message}\nusage: latchkey ${command.usage}`);
      return 2;
    }
    if (err instanceof AdminError) {
      out.error(err.code, err.wording({ ...CLI_FLAGS, ...command.flags }));
      return 1;
    }
    if (err instanceof ConfigError) {
      out.error('config', err.message);
      return 1;
    }
    out.error('internal', (err as Error).stack ?? String(err));
    return 1;
  }
}
