import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { type BrandConfig, parseBrand } from './config-brand.js';
import { emptySeed, loadSeed, type Seed } from './config-file.js';
import { type MailConfig, parseMail } from './config-mail.js';
import { type OpsConfig, parseOps } from './config-ops.js';
import { type PasswordPolicy, parsePasswordPolicy } from './config-password.js';
import { ConfigError, type Env, parseOnOff } from './config-values.js';
import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from './i18n/locale.js';
import { isPostgresUrl } from './store/dialect.js';

export * from './config-brand.js';
export * from './config-file.js';
export * from './config-mail.js';
export * from './config-ops.js';
export * from './config-password.js';
export * from './config-values.js';

/** Where the SQLite database lives unless `LATCHKEY_DB` says otherwise (SPEC §2). */
export const DEFAULT_DB_PATH = './data/latchkey.db';

export interface Config extends OpsConfig {
  readonly port: number;
  readonly host: string;
  readonly issuer: string;
  readonly dbPath: string;
  readonly secret: string;
  readonly secretSource: SecretSource;
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
  /** `LATCHKEY_SMTP_URL`, `LATCHKEY_MAIL_FROM`: outgoing mail (issue 15); src/mail/. */
  readonly mail: MailConfig;
  /** `LATCHKEY_SIGNUP=on`: self-registration with email verification (issue 15); default off. */
  readonly signup: boolean;
  /** `LATCHKEY_SIGNUP_DOMAINS`: when not empty, sign-up takes only addresses at these domains (lower case). */
  readonly signupDomains: readonly string[];
  /** `LATCHKEY_PASSWORD_MIN_LENGTH`, `_CHECK_COMMON`, `_MIN_SCORE`: the password policy (issue 15). */
  readonly passwordPolicy: PasswordPolicy;
}

/** `LATCHKEY_SIGNUP_DOMAINS`: comma-separated domain names (`example.com, example.org`), lower-cased. */
export function parseSignupDomains(value: string | undefined): string[] {
  if (!value?.trim()) return [];
  const domains = value.split(',').map((d) => d.trim().toLowerCase());
  for (const d of domains) {
    if (
      d.length > 253 ||
      !/^(?=[a-z0-9-]{1,63}\.)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(
        d,
      )
    )
      throw new ConfigError(
        `LATCHKEY_SIGNUP_DOMAINS must be comma-separated domain names (example.com), got "${d.slice(0, 100)}"`,
      );
  }
  return [...new Set(domains)];
}

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

/**
 * Where the secret comes from: `LATCHKEY_SECRET`, the file beside the database (`created`: not there yet,
 * generated now and written only once the database is known to hold nothing sealed with another secret,
 * src/secret.ts), or nowhere (`:memory:`).
 */
export type SecretSource =
  | { readonly kind: 'env' }
  | { readonly kind: 'file'; readonly path: string; readonly created: boolean }
  | { readonly kind: 'memory' };

/** The secret that seals private keys and upstream secrets: from the environment, or a file beside the database. */
function loadSecret(env: Env, dbPath: string): { secret: string; secretSource: SecretSource } {
  const given = env['LATCHKEY_SECRET'];
  if (given) {
    if (given.length < MIN_CONFIGURED_SECRET_LENGTH)
      throw new ConfigError(`LATCHKEY_SECRET must be at least ${MIN_CONFIGURED_SECRET_LENGTH} characters`);
    return { secret: given, secretSource: { kind: 'env' } };
  }
  if (dbPath === ':memory:')
    return { secret: randomBytes(32).toString('base64url'), secretSource: { kind: 'memory' } };
  if (isPostgresUrl(dbPath))
    throw new ConfigError('LATCHKEY_SECRET is required when LATCHKEY_DB is a URL: every node must share it');
  const path = resolve(dirname(dbPath), 'latchkey.secret');
  if (existsSync(path)) {
    const secret = readFileSync(path, 'utf8').trim();
    // The same rule as LATCHKEY_SECRET: a truncated or emptied file is not a secret to seal with.
    if (secret.length < MIN_CONFIGURED_SECRET_LENGTH)
      throw new ConfigError(
        `${path} ${secret ? 'is too short' : 'is empty'}: the secret must be at least ${MIN_CONFIGURED_SECRET_LENGTH} characters; restore the original file (it seals the database's signing keys, TOTP secrets and upstream secrets), or delete it beside a new database`,
      );
    return { secret, secretSource: { kind: 'file', path, created: false } };
  }
  return {
    secret: randomBytes(32).toString('base64url'),
    secretSource: { kind: 'file', path, created: true },
  };
}

/**
 * Writes a secret generated by `loadConfig` to its file (mode 0600), once nothing sealed with another secret is
 * in the way. Another process starting at the same moment may have written its own first: then this one's is
 * not the secret, and the command must run again.
 */
export function writeSecretFile(path: string, secret: string): void {
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (readFileSync(path, 'utf8').trim() !== secret)
      throw new ConfigError(
        `${path} was created by another latchkey process just now: run the command again`,
      );
    return;
  }
  chmodSync(path, 0o600);
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
  const mail = parseMail(env);
  const signup = parseOnOff(env['LATCHKEY_SIGNUP'], 'LATCHKEY_SIGNUP', false);
  const signupDomains = parseSignupDomains(env['LATCHKEY_SIGNUP_DOMAINS']);
  const passwordPolicy = parsePasswordPolicy(env);
  // Nothing is written here: the database's folder and the secret file are made when the store opens.
  const ops = parseOps(env);
  return Object.freeze({
    port,
    host,
    issuer,
    dbPath,
    ...loadSecret(env, dbPath),
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
    mail,
    signup,
    signupDomains,
    passwordPolicy,
    ...ops,
    ...(configFile ? { configFile: resolve(configFile) } : {}),
  });
}
