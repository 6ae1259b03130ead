import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { dirname, extname, resolve } from 'node:path';
import { isLoopbackHost } from './admin/validate.js';
import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from './i18n/locale.js';
import { isPostgresUrl } from './store/dialect.js';

/** Where the SQLite database lives unless `LATCHKEY_DB` says otherwise (SPEC §2). */
export const DEFAULT_DB_PATH = './data/latchkey.db';

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

const emptySeed = (): Seed => ({ clients: [], users: [], scopes: [], providers: [], prune: false });

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly issuer: string;
  readonly dbPath: string;
  readonly secret: string;
  readonly throttle: boolean;
  /** `LATCHKEY_REQUIRE_MFA=on`: every sign-in, to every client, passes a second factor. */
  readonly requireMfa: boolean;
  /** `LATCHKEY_PASSWORD_LOGIN=off`: upstream providers only; the login page is a provider chooser. */
  readonly passwordLogin: boolean;
  /** Addresses and CIDRs whose `X-Forwarded-For` / `Forwarded` headers are believed (`LATCHKEY_TRUSTED_PROXIES`). */
  readonly trustedProxies: readonly string[];
  readonly secureCookies: boolean;
  /** `LATCHKEY_EVENT_RETENTION`: audit events older than this are swept (default 90 days). */
  readonly eventRetentionSeconds: number;
  /** `LATCHKEY_SESSION_IDLE`: a browser session unused this long ends (default 8 h). */
  readonly sessionIdleSeconds: number;
  /** `LATCHKEY_SESSION_MAX`: the longest a browser session lasts, with "Keep me signed in" (default 30 days). */
  readonly sessionMaxSeconds: number;
  /** `LATCHKEY_LOCALE`: the pages' language when nothing else picks one (default `en`). */
  readonly locale: Locale;
  readonly seed: Seed;
  readonly configFile?: string;
  /** `LATCHKEY_BRAND_*`: what the hosted pages show (issue 14); served by src/http/branding.ts. */
  readonly brand: BrandConfig;
}

/** A logo from the web (`https://…`, or `http://` to loopback), or a local file read once at start. */
export type BrandLogo =
  | { readonly url: string }
  | { readonly file: string; readonly type: BrandImageType; readonly body: Uint8Array };
export type BrandImageType = 'image/png' | 'image/svg+xml' | 'image/webp';

export interface BrandConfig {
  /** `LATCHKEY_BRAND_NAME`: the product name on every page (default `latchkey`). */
  readonly name: string;
  readonly logo?: BrandLogo;
  /** `LATCHKEY_BRAND_COLOR`: a `#rrggbb` accent that white text reads on (WCAG AA, 4.5:1). */
  readonly color?: string;
  /** `LATCHKEY_BRAND_CSS`: an extra stylesheet, read once at start. */
  readonly css?: string;
  /**
   * `LATCHKEY_CLIENT_LOGOS=on`: the consent page shows a client's registered `logo_uri`, loaded from the client's
   * server (the admin's opt-in to a third party; off, the page shows the client's initial).
   */
  readonly clientLogos?: boolean;
}

export const DEFAULT_BRAND_NAME = 'latchkey';
/** The most a logo file may weigh: it is held in memory and sent with every first page view. */
export const MAX_BRAND_LOGO_BYTES = 512 * 1024;
export const MAX_BRAND_CSS_BYTES = 256 * 1024;
/** WCAG 2.x AA for normal text: white button labels on the accent. */
export const MIN_BRAND_CONTRAST = 4.5;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function parsePort(value: string | undefined, name: string): number {
  if (value === undefined || value === '') return 3000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${name} must be a port number (0-65535), got "${value}"`);
  return n;
}

function parseIssuer(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`ISSUER must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigError('ISSUER must be http or https');
  if (url.search || url.hash) throw new ConfigError('ISSUER must not have a query or fragment');
  // Served under its path (behind a reverse proxy): plain segments only, nothing to decode or resolve.
  if (
    !/^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*\/*$/.test(url.pathname) ||
    /\/\.\.?(\/|$)/.test(value) ||
    value.includes('%')
  )
    throw new ConfigError(
      `ISSUER's path must be plain segments (letters, digits, "-", "_", ".", "~"), got "${url.pathname}"`,
    );
  return value.replace(/\/+$/, '');
}

/** `LATCHKEY_TRUSTED_PROXIES`: addresses or CIDRs, separated by commas or spaces. */
function parseTrustedProxies(value: string | undefined): string[] {
  const entries = (value ?? '').split(/[\s,]+/).filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    // A zone id (`fe80::1%eth0`) names an interface, not a proxy.
    if (!family || !validBits || extra !== undefined || entry.includes('%'))
      throw new ConfigError(`LATCHKEY_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR`);
  }
  return entries;
}

/** Browser session lifetimes unless `LATCHKEY_SESSION_IDLE` / `LATCHKEY_SESSION_MAX` say otherwise. */
export const SESSION_IDLE_SECONDS = 8 * 3600;
export const SESSION_MAX_SECONDS = 30 * 86400;

/** `LATCHKEY_SESSION_IDLE` and `LATCHKEY_SESSION_MAX`: an idle limit past the absolute one would mean nothing. */
function parseSessionLifetimes(env: Env): { sessionIdleSeconds: number; sessionMaxSeconds: number } {
  const idle = env['LATCHKEY_SESSION_IDLE'];
  const max = env['LATCHKEY_SESSION_MAX'];
  const sessionIdleSeconds = idle ? parseDuration(idle, 'LATCHKEY_SESSION_IDLE') : SESSION_IDLE_SECONDS;
  const sessionMaxSeconds = max ? parseDuration(max, 'LATCHKEY_SESSION_MAX') : SESSION_MAX_SECONDS;
  if (sessionIdleSeconds > sessionMaxSeconds)
    throw new ConfigError(
      `LATCHKEY_SESSION_IDLE (${idle ?? '8h'}) must not be longer than LATCHKEY_SESSION_MAX (${max ?? '30d'})`,
    );
  return { sessionIdleSeconds, sessionMaxSeconds };
}

/** How long audit events are kept unless `LATCHKEY_EVENT_RETENTION` says otherwise. */
export const EVENT_RETENTION_SECONDS = 90 * 24 * 3600;

const DURATION_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** A duration such as `90d`, `12h`, `30m` or `3600` (seconds), at least a second and at most ten years. */
export function parseDuration(value: string, name: string): number {
  const match = /^(\d{1,10})\s*([smhd]?)$/.exec(value.trim().toLowerCase());
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2]!]! : Number.NaN;
  if (!(seconds >= 1 && seconds <= 10 * 365 * 86400))
    throw new ConfigError(
      `${name} must be a duration such as 90d, 12h, 30m or 3600 (seconds), from 1 second to 10 years, got "${value}"`,
    );
  return seconds;
}

/**
 * The least length of a secret an operator configures (`LATCHKEY_SECRET`, a config-file `client_secret`):
 * they are used as given (HKDF, SHA-256), without stretching, so their length is all their strength.
 * Generated secrets are 256-bit.
 */
export const MIN_CONFIGURED_SECRET_LENGTH = 32;

/** The secret that seals private keys and upstream secrets: from the environment, or a file beside the database. */
function loadSecret(env: Env, dbPath: string): string {
  const given = env['LATCHKEY_SECRET'];
  if (given) {
    if (given.length < MIN_CONFIGURED_SECRET_LENGTH)
      throw new ConfigError(`LATCHKEY_SECRET must be at least ${MIN_CONFIGURED_SECRET_LENGTH} characters`);
    return given;
  }
  if (dbPath === ':memory:') return randomBytes(32).toString('base64url');
  if (isPostgresUrl(dbPath))
    throw new ConfigError('LATCHKEY_SECRET is required when LATCHKEY_DB is a URL: every node must share it');
  const file = resolve(dirname(dbPath), 'latchkey.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process (CLI and server starting together) wrote it first.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(file, 'utf8').trim();
  }
  chmodSync(file, 0o600);
  return secret;
}

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

const CLIENT_KEYS = new Set([
  'client_id',
  'client_secret',
  'name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'resources',
  'grants',
  'scopes',
  'public',
  'first_party',
  'implicit',
  'introspect_any',
  'require_pkce',
  'require_mfa',
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
  'roles',
]);

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

/** WCAG 2.x contrast ratio of a `#rrggbb` colour against white. */
export function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05);
}

/** The image types a logo file may be, by extension, and the first bytes that prove it. */
const LOGO_TYPES: Record<string, { type: BrandImageType; looksLike: (b: Buffer) => boolean }> = {
  '.png': {
    type: 'image/png',
    looksLike: (b) => b.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')),
  },
  '.webp': {
    type: 'image/webp',
    looksLike: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  '.svg': { type: 'image/svg+xml', looksLike: (b) => /<svg[\s>]/.test(b.toString('utf8')) },
};

/** A local file the brand names, read once: refused unless it is a readable file of at most `max` bytes. */
function readBrandFile(name: string, value: string, max: number): { file: string; body: Buffer } {
  const file = resolve(value);
  let body: Buffer;
  try {
    const size = statSync(file).size;
    if (size > max)
      throw new ConfigError(`${name}: ${file} is ${Math.ceil(size / 1024)} KB; at most ${max / 1024} KB`);
    body = readFileSync(file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(
      `${name}: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return { file, body };
}

function parseBrandLogo(value: string): BrandLogo {
  const name = 'LATCHKEY_BRAND_LOGO';
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value)) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {}
    const loopbackHttp = url?.protocol === 'http:' && isLoopbackHost(url);
    if (!url || (url.protocol !== 'https:' && !loopbackHttp) || url.username || url.password || url.hash)
      throw new ConfigError(
        `${name} must be an https URL (plain http only to loopback) without credentials or fragment, or a path to a PNG, SVG or WebP file; got "${value.slice(0, 200)}"`,
      );
    // A CSP host source cannot name an IPv6 literal: the pages could not load it.
    if (url.hostname.startsWith('['))
      throw new ConfigError(`${name}: name the logo's host by name, not by an IPv6 address`);
    // Its origin goes into the pages' CSP (img-src): only letters, digits, dots, hyphens and a port, so a host
    // such as `a;script-src` (which URL parsing allows) cannot add a directive.
    if (!/^https?:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?$/.test(url.origin))
      throw new ConfigError(
        `${name}: the logo's host must be a plain host name, got "${url.host.slice(0, 100)}"`,
      );
    return { url: url.href };
  }
  const kind = LOGO_TYPES[extname(value).toLowerCase()];
  if (!kind)
    throw new ConfigError(`${name}: "${value}" must be a .png, .svg or .webp file (or an https URL)`);
  const { file, body } = readBrandFile(name, value, MAX_BRAND_LOGO_BYTES);
  if (!kind.looksLike(body)) throw new ConfigError(`${name}: the content of ${file} is not ${kind.type}`);
  return { file, type: kind.type, body: new Uint8Array(body) };
}

/** An `on`/`off` switch (any case); anything else is refused with one line naming the variable. */
function parseOnOff(value: string | undefined, name: string, fallback: boolean): boolean {
  const raw = (value || (fallback ? 'on' : 'off')).toLowerCase();
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`${name} must be "on" or "off", got "${raw}"`);
  return raw === 'on';
}

/** `LATCHKEY_BRAND_*`: each refused at start with one line that says what to change. */
export function parseBrand(env: Env): BrandConfig {
  const name = env['LATCHKEY_BRAND_NAME'] || DEFAULT_BRAND_NAME;
  if (name.length > 60 || /\p{Cc}/u.test(name) || !name.trim())
    throw new ConfigError('LATCHKEY_BRAND_NAME must be 1-60 characters, no control characters');
  const logo = env['LATCHKEY_BRAND_LOGO'] ? parseBrandLogo(env['LATCHKEY_BRAND_LOGO']) : undefined;
  const color = env['LATCHKEY_BRAND_COLOR'] || undefined;
  if (color !== undefined) {
    if (!/^#[0-9a-f]{6}$/i.test(color))
      throw new ConfigError(`LATCHKEY_BRAND_COLOR must be a colour as #rrggbb, got "${color.slice(0, 40)}"`);
    const ratio = contrastWithWhite(color);
    if (ratio < MIN_BRAND_CONTRAST)
      throw new ConfigError(
        `LATCHKEY_BRAND_COLOR ${color} has a contrast of ${ratio.toFixed(2)}:1 with white text; buttons need at least ${MIN_BRAND_CONTRAST}:1 (WCAG AA): choose a darker colour`,
      );
  }
  const cssPath = env['LATCHKEY_BRAND_CSS'] || undefined;
  let css: string | undefined;
  if (cssPath !== undefined) {
    if (extname(cssPath).toLowerCase() !== '.css')
      throw new ConfigError(`LATCHKEY_BRAND_CSS: "${cssPath}" must be a .css file`);
    const { file, body } = readBrandFile('LATCHKEY_BRAND_CSS', cssPath, MAX_BRAND_CSS_BYTES);
    try {
      css = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw new ConfigError(`LATCHKEY_BRAND_CSS: ${file} is not UTF-8 text`);
    }
  }
  const clientLogos = parseOnOff(env['LATCHKEY_CLIENT_LOGOS'], 'LATCHKEY_CLIENT_LOGOS', false);
  return Object.freeze({
    name: name.trim(),
    ...(clientLogos ? { clientLogos } : {}),
    ...(logo ? { logo } : {}),
    ...(color ? { color: color.toLowerCase() } : {}),
    ...(css !== undefined ? { css } : {}),
  });
}

/** Environment (and the optional seed file) → a frozen, validated Config. Defaults live here only. */
export function loadConfig(env: Env = process.env): Config {
  const port = parsePort(env['PORT'], 'PORT');
  const host = env['HOST'] || '127.0.0.1';
  const issuer = parseIssuer(env['ISSUER'] || `http://localhost:${port}`);
  const rawDb = env['LATCHKEY_DB'] || DEFAULT_DB_PATH;
  // A file path is made absolute and its folder created; a database URL stays as given.
  const isFile = rawDb !== ':memory:' && !isPostgresUrl(rawDb);
  const dbPath = isFile ? resolve(rawDb) : rawDb;
  const throttle = parseOnOff(env['LATCHKEY_THROTTLE'], 'LATCHKEY_THROTTLE', true);
  const requireMfa = parseOnOff(env['LATCHKEY_REQUIRE_MFA'], 'LATCHKEY_REQUIRE_MFA', false);
  const passwordLogin = parseOnOff(env['LATCHKEY_PASSWORD_LOGIN'], 'LATCHKEY_PASSWORD_LOGIN', true);
  const trustedProxies = parseTrustedProxies(env['LATCHKEY_TRUSTED_PROXIES']);
  const eventRetention = env['LATCHKEY_EVENT_RETENTION'];
  const eventRetentionSeconds = eventRetention
    ? parseDuration(eventRetention, 'LATCHKEY_EVENT_RETENTION')
    : EVENT_RETENTION_SECONDS;
  const sessionLifetimes = parseSessionLifetimes(env);
  const locale = (env['LATCHKEY_LOCALE'] || DEFAULT_LOCALE).toLowerCase();
  if (!isLocale(locale))
    throw new ConfigError(`LATCHKEY_LOCALE must be one of ${LOCALES.join(', ')}, got "${locale}"`);
  const configFile = env['LATCHKEY_CONFIG'] || undefined;
  const seed = configFile ? loadSeed(resolve(configFile)) : emptySeed();
  const brand = parseBrand(env);
  if (isFile) mkdirSync(dirname(dbPath), { recursive: true });
  return Object.freeze({
    port,
    host,
    issuer,
    dbPath,
    secret: loadSecret(env, dbPath),
    throttle,
    requireMfa,
    passwordLogin,
    trustedProxies,
    secureCookies: issuer.startsWith('https:'),
    eventRetentionSeconds,
    ...sessionLifetimes,
    locale,
    seed,
    brand,
    ...(configFile ? { configFile: resolve(configFile) } : {}),
  });
}
