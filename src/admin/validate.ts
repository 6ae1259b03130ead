/** A failed admin action (CLI or config file): the message names the field and what it must be. */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    message: string,
    readonly code = 'invalid_input',
  ) {
    super(message);
  }
}

const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

/** RFC 6749 §3.1.2: absolute, no fragment; RFC 8252 §7.1 private-use schemes for native apps. */
export function checkRedirectUri(uri: string, field = 'redirect URI'): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AdminError(`${field} "${uri}" must be an absolute URI`);
  }
  if (url.hash || uri.includes('#'))
    throw new AdminError(`${field} "${uri}" must not contain a fragment (RFC 6749 §3.1.2)`);
  if (FORBIDDEN_SCHEMES.has(url.protocol)) throw new AdminError(`${field} "${uri}" uses a forbidden scheme`);
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname)
    throw new AdminError(`${field} "${uri}" has no host`);
  return uri;
}

/** RFC 6749 §3.3 scope-token. */
export function checkScopeName(name: string): string {
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(name)) {
    throw new AdminError(
      `scope "${name}" must be 1-128 printable ASCII characters without spaces, quotes or backslashes`,
    );
  }
  return name;
}

export function checkEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (e.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(e))
    throw new AdminError(`email "${email}" is not an email address`);
  return e;
}

export function checkTtl(value: number | undefined, field: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > 10 * 365 * 86400) {
    throw new AdminError(`${field} must be a whole number of seconds from ${min} to ${10 * 365 * 86400}`);
  }
  return value;
}
