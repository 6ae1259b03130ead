import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { CLIENT_FIELD_KEYS } from './admin/fields.js';
import { ConfigError } from './config-values.js';

/** `LATCHKEY_CONFIG`: the declarative file of clients, users, scopes and providers (JSON or YAML), read and checked. */

/**
 * The YAML parser is loaded only when a YAML config file is read (it is kept out of the bundle): most
 * deployments have none, and every start and every CLI command would otherwise parse it.
 */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  // Not `yaml.parse`: it prints its warnings, and they quote the line (which may hold a secret).
  const doc = yaml.parseDocument(text);
  if (doc.errors.length) throw doc.errors[0];
  return doc.toJS();
}

/**
 * Where a file fails to parse, and nothing else: the parsers' messages quote the offending line or a piece
 * of it, and a config file holds secrets (it ends up in logs). YAML errors carry `linePos`; V8's JSON errors
 * only an offset in their message (Node 20), or nothing at all.
 */
function parseErrorPosition(err: unknown, text: string): string {
  const linePos = (err as { linePos?: { line: number; col: number }[] } | null)?.linePos?.[0];
  if (linePos) return ` (line ${linePos.line}, column ${linePos.col})`;
  const message = err instanceof Error ? err.message : '';
  const offset = /\bat position (\d+)/.exec(message)?.[1];
  const at = offset !== undefined ? Number(offset) : /end of JSON input/.test(message) ? text.length : -1;
  if (at < 0 || at > text.length) return '';
  const lines = text.slice(0, at).split('\n');
  return ` (line ${lines.length}, column ${lines.at(-1)!.length + 1})`;
}

/**
 * The `LATCHKEY_CONFIG` file: declarative for what it names. What it creates it manages (updates on the next
 * start, prunes with `prune: true`); what the CLI or the API created it never touches (src/admin/seed.ts).
 */
export interface SeedClient {
  client_id?: string | undefined;
  client_secret?: string | undefined;
  name: string;
  redirect_uris?: string[] | undefined;
  post_logout_redirect_uris?: string[] | undefined;
  resources?: string[] | undefined;
  grants?: string[] | undefined;
  scopes?: string[] | undefined;
  public?: boolean | undefined;
  first_party?: boolean | undefined;
  implicit?: boolean | undefined;
  introspect_any?: boolean | undefined;
  require_pkce?: boolean | undefined;
  require_mfa?: boolean | undefined;
  require_verified_email?: boolean | undefined;
  token_format?: 'jwt' | 'opaque' | undefined;
  signing_alg?: 'ES256' | 'RS256' | undefined;
  access_token_alg?: 'ES256' | 'RS256' | undefined;
  id_token_alg?: 'ES256' | 'RS256' | undefined;
  id_token_claims?: 'full' | 'minimal' | undefined;
  backchannel_logout_uri?: string | undefined;
  backchannel_logout_session_required?: boolean | undefined;
  logo_uri?: string | undefined;
  client_uri?: string | undefined;
  policy_uri?: string | undefined;
  tos_uri?: string | undefined;
  web_origins?: string[] | undefined;
  access_token_ttl?: number | undefined;
  refresh_token_ttl?: number | undefined;
  refresh_reuse_grace?: number | undefined;
  roles?: string[] | undefined;
}
export interface SeedUser {
  email: string;
  password?: string | undefined;
  name?: string | undefined;
  given_name?: string | undefined;
  family_name?: string | undefined;
  username?: string | undefined;
  roles?: string[] | undefined;
  groups?: string[] | undefined;
  disabled?: boolean | undefined;
}
export interface SeedScope {
  name: string;
  description: string;
}
export interface SeedProvider {
  slug: string;
  /** Not for `google`; for `azure`, it replaces the public cloud's issuer. */
  issuer?: string | undefined;
  tenant?: string | undefined;
  client_id: string;
  client_secret: string;
  name?: string | undefined;
  enabled?: boolean | undefined;
  token_auth?: 'client_secret_basic' | 'client_secret_post' | undefined;
  trusted_tenants?: string[] | undefined;
}
export interface Seed {
  clients: SeedClient[];
  users: SeedUser[];
  scopes: SeedScope[];
  providers: SeedProvider[];
  /** Remove the clients and scopes the file created and no longer lists. */
  prune: boolean;
}

/** The id of a file client: `client_id`, else its name as a slug (`Partner App` → `partner-app`). */
export const seedClientId = (c: Pick<SeedClient, 'client_id' | 'name'>): string =>
  c.client_id ?? c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

export const emptySeed = (): Seed => ({ clients: [], users: [], scopes: [], providers: [], prune: false });

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

class SeedReader {
  constructor(private readonly file: string) {}
  fail(path: string, problem: string): never {
    throw new ConfigError(`${this.file}: "${path}" ${problem}`);
  }
  list(doc: Record<string, unknown>, key: string): Record<string, unknown>[] {
    const v = doc[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(key, 'must be a list');
    return v.map((item, i) => {
      if (!isRecord(item)) this.fail(`${key}[${i}]`, 'must be an object');
      return item;
    });
  }
  str(o: Record<string, unknown>, path: string, key: string, required: true): string;
  str(o: Record<string, unknown>, path: string, key: string, required?: false): string | undefined;
  str(o: Record<string, unknown>, path: string, key: string, required = false): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.fail(`${path}.${key}`, 'is required');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') this.fail(`${path}.${key}`, 'must be a non-empty string');
    return v;
  }
  strs(o: Record<string, unknown>, path: string, key: string): string[] | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
      this.fail(`${path}.${key}`, 'must be a list of strings');
    return v as string[];
  }
  bool(o: Record<string, unknown>, path: string, key: string): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(`${path}.${key}`, 'must be true or false');
    return v;
  }
  int(o: Record<string, unknown>, path: string, key: string): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      this.fail(`${path}.${key}`, 'must be a whole number of seconds, 0 or more');
    return v;
  }
  /**
   * Refuses an entry that repeats an earlier one's key: `"clients[3].client_id" repeats "shop" (clients[1])`.
   * `what` names a key the entry does not give itself (a client id made from the name).
   */
  unique<T>(
    section: string,
    items: readonly T[],
    keyOf: (item: T) => { field: string; key: string; what?: string },
  ): void {
    const seen = new Map<string, number>();
    for (const [i, item] of items.entries()) {
      const { field, key, what } = keyOf(item);
      const first = seen.get(key);
      if (first !== undefined)
        this.fail(
          `${section}[${i}].${field}`,
          `repeats ${what ? `${what} ` : ''}"${key}" (${section}[${first}])`,
        );
      seen.set(key, i);
    }
  }
  oneOf<T extends string>(
    o: Record<string, unknown>,
    path: string,
    key: string,
    allowed: readonly T[],
  ): T | undefined {
    const v = this.str(o, path, key);
    if (v !== undefined && !allowed.includes(v as T))
      this.fail(`${path}.${key}`, `must be one of ${allowed.join(', ')}`);
    return v as T | undefined;
  }
}

/** The config file's client keys: the snake_case names of the client use case's fields (admin/fields.ts). */
const CLIENT_KEYS = new Set(Object.values(CLIENT_FIELD_KEYS));

const USER_KEYS = new Set([
  'email',
  'password',
  'name',
  'given_name',
  'family_name',
  'username',
  'roles',
  'groups',
  'disabled',
]);

const SCOPE_KEYS = new Set(['name', 'description']);

const SECTIONS = ['clients', 'users', 'scopes', 'providers', 'prune'];

const PROVIDER_KEYS = new Set([
  'slug',
  'issuer',
  'tenant',
  'client_id',
  'client_secret',
  'name',
  'enabled',
  'token_auth',
  'trusted_tenants',
]);

/** Reads and validates the `LATCHKEY_CONFIG` file; every problem names the file and the field. */
export function loadSeed(file: string): Seed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot be read (${(err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const format = extname(file) === '.json' ? 'JSON' : 'YAML';
    throw new ConfigError(`${file}: is not valid ${format}${parseErrorPosition(err, text)}`);
  }
  const r: SeedReader = new SeedReader(file);
  if (doc === null || doc === undefined) return emptySeed();
  if (!isRecord(doc))
    r.fail('(top level)', 'must be an object with clients, users, scopes, providers and prune');
  for (const key of Object.keys(doc)) {
    if (!SECTIONS.includes(key)) r.fail(key, `is not a known section (${SECTIONS.join(', ')})`);
  }
  const prune = doc['prune'] ?? false;
  if (typeof prune !== 'boolean') r.fail('prune', 'must be true or false');
  const scopes = r.list(doc, 'scopes').map((s, i) => {
    const p = `scopes[${i}]`;
    for (const key of Object.keys(s))
      if (!SCOPE_KEYS.has(key)) r.fail(`${p}.${key}`, 'is not a known scope field');
    const name = r.str(s, p, 'name', true);
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(name))
      r.fail(`${p}.name`, 'must be a scope token (RFC 6749 §3.3)');
    return { name, description: r.str(s, p, 'description', true) };
  });
  const clients = r.list(doc, 'clients').map((c, i): SeedClient => {
    const p = `clients[${i}]`;
    for (const key of Object.keys(c))
      if (!CLIENT_KEYS.has(key)) r.fail(`${p}.${key}`, 'is not a known client field');
    return {
      client_id: r.str(c, p, 'client_id'),
      client_secret: r.str(c, p, 'client_secret'),
      name: r.str(c, p, 'name', true),
      redirect_uris: r.strs(c, p, 'redirect_uris'),
      post_logout_redirect_uris: r.strs(c, p, 'post_logout_redirect_uris'),
      resources: r.strs(c, p, 'resources'),
      grants: r.strs(c, p, 'grants'),
      scopes: r.strs(c, p, 'scopes'),
      public: r.bool(c, p, 'public'),
      first_party: r.bool(c, p, 'first_party'),
      implicit: r.bool(c, p, 'implicit'),
      introspect_any: r.bool(c, p, 'introspect_any'),
      require_pkce: r.bool(c, p, 'require_pkce'),
      require_mfa: r.bool(c, p, 'require_mfa'),
      require_verified_email: r.bool(c, p, 'require_verified_email'),
      token_format: r.oneOf(c, p, 'token_format', ['jwt', 'opaque'] as const),
      signing_alg: r.oneOf(c, p, 'signing_alg', ['ES256', 'RS256'] as const),
      access_token_alg: r.oneOf(c, p, 'access_token_alg', ['ES256', 'RS256'] as const),
      id_token_alg: r.oneOf(c, p, 'id_token_alg', ['ES256', 'RS256'] as const),
      id_token_claims: r.oneOf(c, p, 'id_token_claims', ['full', 'minimal'] as const),
      backchannel_logout_uri: r.str(c, p, 'backchannel_logout_uri'),
      backchannel_logout_session_required: r.bool(c, p, 'backchannel_logout_session_required'),
      logo_uri: r.str(c, p, 'logo_uri'),
      client_uri: r.str(c, p, 'client_uri'),
      policy_uri: r.str(c, p, 'policy_uri'),
      tos_uri: r.str(c, p, 'tos_uri'),
      web_origins: r.strs(c, p, 'web_origins'),
      access_token_ttl: r.int(c, p, 'access_token_ttl'),
      refresh_token_ttl: r.int(c, p, 'refresh_token_ttl'),
      refresh_reuse_grace: r.int(c, p, 'refresh_reuse_grace'),
      roles: r.strs(c, p, 'roles'),
    };
  });
  const users = r.list(doc, 'users').map((u, i): SeedUser => {
    const p = `users[${i}]`;
    for (const key of Object.keys(u))
      if (!USER_KEYS.has(key)) r.fail(`${p}.${key}`, 'is not a known user field');
    return {
      email: r.str(u, p, 'email', true),
      password: r.str(u, p, 'password'),
      name: r.str(u, p, 'name'),
      given_name: r.str(u, p, 'given_name'),
      family_name: r.str(u, p, 'family_name'),
      username: r.str(u, p, 'username'),
      roles: r.strs(u, p, 'roles'),
      groups: r.strs(u, p, 'groups'),
      disabled: r.bool(u, p, 'disabled'),
    };
  });
  const providers = r.list(doc, 'providers').map((v, i): SeedProvider => {
    const p = `providers[${i}]`;
    for (const key of Object.keys(v))
      if (!PROVIDER_KEYS.has(key)) r.fail(`${p}.${key}`, 'is not a known provider field');
    return {
      slug: r.str(v, p, 'slug', true),
      issuer: r.str(v, p, 'issuer'),
      tenant: r.str(v, p, 'tenant'),
      client_id: r.str(v, p, 'client_id', true),
      client_secret: r.str(v, p, 'client_secret', true),
      name: r.str(v, p, 'name'),
      enabled: r.bool(v, p, 'enabled'),
      token_auth: r.oneOf(v, p, 'token_auth', ['client_secret_basic', 'client_secret_post'] as const),
      trusted_tenants: r.strs(v, p, 'trusted_tenants'),
    };
  });
  if (prune)
    for (const [i, c] of clients.entries())
      if (c.client_id === undefined)
        r.fail(
          `clients[${i}].client_id`,
          'is required with prune: true (renamed without one, the client would be created anew and the old one pruned with its tokens)',
        );
  // Two entries for one thing would each undo the other on every start: the file is refused instead.
  r.unique('clients', clients, (c) =>
    c.client_id !== undefined
      ? { field: 'client_id', key: c.client_id }
      : { field: 'name', key: seedClientId(c), what: 'the client id' },
  );
  r.unique('users', users, (u) => ({ field: 'email', key: u.email.trim().toLowerCase() }));
  r.unique('scopes', scopes, (s) => ({ field: 'name', key: s.name }));
  r.unique('providers', providers, (p) => ({ field: 'slug', key: p.slug }));
  return { clients, users, scopes, providers, prune };
}
