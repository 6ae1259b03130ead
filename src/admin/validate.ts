import { isMailAddress } from '../config-mail.js';
/** `in_use`: refused because something else still depends on it (a scope a client lists). */
export type AdminErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'exists'
  | 'weak_password'
  | 'in_use'
  /** The caller's roles do not reach that far (`requireReach`). */
  | 'forbidden';

/** The input fields of the admin use cases, as the use cases name them. */
export type AdminField =
  | 'name'
  | 'clientId'
  | 'clientSecret'
  | 'redirectUris'
  | 'postLogoutRedirectUris'
  | 'resources'
  | 'grants'
  | 'scopes'
  | 'isPublic'
  | 'tokenFormat'
  | 'signingAlg'
  | 'accessTokenAlg'
  | 'idTokenAlg'
  | 'idTokenClaims'
  | 'backchannelLogoutUri'
  | 'backchannelLogoutSessionRequired'
  | 'logoUri'
  | 'clientUri'
  | 'policyUri'
  | 'tosUri'
  | 'webOrigins'
  | 'accessTokenTtlSeconds'
  | 'refreshTokenTtlSeconds'
  | 'refreshReuseGraceSeconds'
  | 'email'
  | 'password'
  | 'description'
  | 'slug'
  | 'issuer'
  | 'tenant'
  | 'tokenAuth'
  | 'trustedTenants'
  | 'givenName'
  | 'familyName'
  | 'roles'
  | 'groups'
  | 'username'
  | 'cursor'
  | 'limit'
  | 'session';

/**
 * Something an admin action accepted but that deserves a second look, worded per audience like an
 * `AdminError` (the CLI prints it on stderr, the config-file seed logs it).
 */
export class AdminWarning {
  constructor(
    readonly problem: string,
    readonly field: AdminField,
  ) {}

  wording(names: Readonly<Record<AdminField, string>>): string {
    return `${names[this.field]} ${this.problem}`;
  }
}

/**
 * A failed admin action, for every caller: a stable `code`, the `field` at fault, and the `problem` said
 * without naming the field. The CLI words the field as its flag, the config file as its key, the admin
 * API as its JSON member (`message` is a neutral wording for logs).
 */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    readonly problem: string,
    readonly code: AdminErrorCode = 'invalid_input',
    readonly field?: AdminField,
  ) {
    super(field ? `${field} ${problem}` : problem);
  }

  /** The message with the field named as this audience names it. */
  wording(names: Readonly<Record<AdminField, string>>): string {
    return this.field ? `${names[this.field]} ${this.problem}` : this.problem;
  }
}

const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** RFC 8252 §7.3: the loopback names plain http is tolerated on (`url.hostname` keeps IPv6 brackets). */
export const isLoopbackHost = (url: URL): boolean => LOOPBACK_HOSTS.has(url.hostname);

/**
 * RFC 6749 §3.1.2: absolute, no fragment; RFC 8252 §7.1 private-use schemes for native apps. No `*`:
 * redirect URIs match exactly (RFC 9700 §2.1), so a wildcard would only mislead whoever reads it.
 * Plain http off loopback is accepted with a warning (RFC 9700 §4.1.1 wants TLS; RFC 8252 §7.3 loopback).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 */
export function checkRedirectUri(
  uri: string,
  field: AdminField = 'redirectUris',
  warn: (w: AdminWarning) => void = () => {},
): string {
  const fail = (problem: string) => new AdminError(`"${uri}" ${problem}`, 'invalid_input', field);
  if (uri.includes('*'))
    throw fail('must not contain "*": redirect URIs are matched exactly, wildcards are not supported');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fail('must be an absolute URI');
  }
  if (url.hash || uri.includes('#')) throw fail('must not contain a fragment (RFC 6749 §3.1.2)');
  if (FORBIDDEN_SCHEMES.has(url.protocol)) throw fail('uses a forbidden scheme');
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname) throw fail('has no host');
  if (url.protocol === 'http:' && !isLoopbackHost(url)) {
    warn(
      new AdminWarning(
        `"${uri}" is plain http off loopback: codes and tokens sent to it can be read on the network (use https)`,
        field,
      ),
    );
  }
  return uri;
}

/** RFC 8707 §2: an absolute URI without a fragment. */
export function checkResourceUri(uri: string, field: AdminField = 'resources'): string {
  const fail = (problem: string) => new AdminError(`"${uri}" ${problem}`, 'invalid_input', field);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fail('must be an absolute URI (RFC 8707 §2)');
  }
  if (url.hash || uri.includes('#')) throw fail('must not contain a fragment (RFC 8707 §2)');
  if (/\s/.test(uri)) throw fail('must not contain white space');
  return uri;
}

/** RFC 6749 §3.3 scope-token. */
export function checkScopeName(name: string, field: AdminField = 'scopes'): string {
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(name)) {
    throw new AdminError(
      `"${name}" must be 1-128 printable ASCII characters without spaces, quotes or backslashes`,
      'invalid_input',
      field,
    );
  }
  return name;
}

/** A UTF-16 string with a lone surrogate cannot be stored as UTF-8 as it is: what is kept would differ. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function checkEmail(email: string): string {
  const e = email.trim().toLowerCase();
  // No control characters (a NUL would make two addresses look alike) and nothing SQLite would store altered.
  if (
    e.length > 254 ||
    !/^[^\s@]+@[^\s@]+$/.test(e) ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    /[\u0000-\u001f\u007f]/.test(e) ||
    LONE_SURROGATE.test(e)
  )
    throw new AdminError(`"${printable(email)}" is not an email address`, 'invalid_input', 'email');
  return e;
}

/**
 * An address the user types for mail to reach (sign-up, an email change, a reset, an invitation): `checkEmail`,
 * and one the outbox takes (`isMailAddress`: a dot in the domain, none of `<>",;:()[]\`), so nothing is
 * written for an address no mail can then go to.
 */
export function checkMailableEmail(email: string): string {
  const e = checkEmail(email);
  if (!isMailAddress(e))
    throw new AdminError(
      `"${printable(email)}" is not an address mail can be sent to`,
      'invalid_input',
      'email',
    );
  return e;
}

/** Input quoted back in a message: control characters and lone surrogates shown as `?`. */
function printable(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return value.replace(/[\u0000-\u001f\u007f]/g, '?').replace(new RegExp(LONE_SURROGATE.source, 'g'), '?');
}

export function checkTtl(value: number | undefined, field: AdminField, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > 10 * 365 * 86400) {
    throw new AdminError(
      `must be a whole number of seconds from ${min} to ${10 * 365 * 86400}`,
      'invalid_input',
      field,
    );
  }
  return value;
}

/** Names shown to people (a user's name, a client's): trimmed, at most 200 characters, no control characters. */
export function checkDisplayName(value: string, field: AdminField): string {
  const v = value.trim();
  if (v.length > 200) throw new AdminError('must be at most 200 characters', 'invalid_input', field);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(v))
    throw new AdminError('must not contain control characters', 'invalid_input', field);
  if (LONE_SURROGATE.test(v)) throw new AdminError('must be well-formed Unicode', 'invalid_input', field);
  return v;
}

/** A username (`preferred_username`): 1-64 of letters, digits and `.`, `_`, `@`, `-`. */
export function checkUsername(username: string): string {
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username))
    throw new AdminError(
      `"${username.slice(0, 80)}" must be 1-64 letters, digits, ".", "_", "@" or "-"`,
      'invalid_input',
      'username',
    );
  return username;
}

/** The most roles or groups one user or client may hold. */
export const MAX_LABELS = 100;

/**
 * Roles and groups: each 1-64 printable ASCII characters without spaces or commas (they travel in
 * space- and comma-separated places: flags, claims), at most `MAX_LABELS`; duplicates are dropped.
 */
export function checkLabels(values: readonly string[], field: 'roles' | 'groups'): string[] {
  if (!Array.isArray(values)) throw new AdminError('must be a list', 'invalid_input', field);
  const out = [...new Set(values)];
  if (out.length > MAX_LABELS) throw new AdminError(`must be at most ${MAX_LABELS}`, 'invalid_input', field);
  for (const v of out)
    if (typeof v !== 'string' || !/^[\x21-\x2b\x2d-\x7e]{1,64}$/.test(v))
      throw new AdminError(
        `"${String(v).slice(0, 80)}" must be 1-64 printable ASCII characters without spaces or commas`,
        'invalid_input',
        field,
      );
  return out;
}

/** The same members, whatever their order. */
export const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
};
