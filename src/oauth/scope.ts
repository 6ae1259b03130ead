import { ADMIN_SCOPE } from '../admin/permissions.js';
import type { Deps } from '../deps.js';
import type { Client, Scope } from '../store/types.js';
import { invalidScope, invalidTarget } from './errors.js';

/**
 * OIDC Core §5.4 plus `offline_access` (§11): the scopes that always exist. The descriptions are what the
 * consent and account pages show; this is their one home (the registry is seeded from it).
 */
export const BUILTIN_SCOPES: readonly Scope[] = [
  { name: 'openid', description: 'Confirm your identity', builtin: true },
  { name: 'profile', description: 'Your name', builtin: true },
  { name: 'email', description: 'Your email address', builtin: true },
  { name: 'offline_access', description: 'Stay signed in', builtin: true },
  // Issue 13: the `groups` claim, which apps map roles from.
  { name: 'groups', description: 'Your groups', builtin: true },
  // SPEC §1: the admin API's scope. Never on a consent page, nor in discovery's `scopes_supported`.
  { name: ADMIN_SCOPE, description: 'Manage this latchkey server', builtin: true },
];
export const BUILTIN_SCOPE_NAMES: readonly string[] = BUILTIN_SCOPES.map((s) => s.name);

/** What each scope means to a user: the registry's description, else the built-in one, else its name. */
export async function scopeDescriptions(
  deps: Pick<Deps, 'store'>,
  names: readonly string[],
): Promise<Map<string, string>> {
  const known = new Map((await deps.store.scopes.findMany([...names])).map((s) => [s.name, s.description]));
  return new Map(
    names.map((name) => [
      name,
      known.get(name) ?? BUILTIN_SCOPES.find((s) => s.name === name)?.description ?? name,
    ]),
  );
}

/** RFC 6749 §3.3: space-delimited, case-sensitive scope tokens. */
export function parseScope(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const tokens = raw.split(' ').filter(Boolean);
  for (const t of tokens)
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(t)) throw invalidScope(`"scope" has an invalid token`);
  return [...new Set(tokens)];
}

/** Every requested scope must be on the client's allow-list. */
export function checkAllowedScopes(client: Client, requested: string[]): void {
  const denied = requested.filter((s) => !client.scopes.includes(s));
  if (denied.length)
    throw invalidScope(`the client is not allowed the scope ${denied.map((d) => `"${d}"`).join(', ')}`);
}

/**
 * Scopes no user is ever asked to approve (SPEC §1: `admin` never appears on a consent page): only first-party
 * clients may ask a user for them, and they are neither listed on the consent page nor remembered by consent.
 */
const NEVER_CONSENTED: ReadonlySet<string> = new Set([ADMIN_SCOPE]);

/** What the consent page lists and consent remembers: the requested scopes but those no user approves. */
export const consentable = (scopes: readonly string[]): string[] =>
  scopes.filter((s) => !NEVER_CONSENTED.has(s));

/** What discovery's `scopes_supported` lists: all but `admin` (RFC 8414 §2: a server MAY leave some out). */
export const advertised = (scopes: readonly string[]): string[] => consentable(scopes);

/**
 * The allow-list check of a grant a user takes part in (`/authorize`, the password grant, the device flow):
 * `admin` is for first-party clients only, whatever the allow-list says (belt and braces over the rule at
 * client creation). Client credentials, with no user, use `checkAllowedScopes` alone.
 */
export function checkUserScopes(client: Client, requested: readonly string[]): void {
  checkAllowedScopes(client, [...requested]);
  if (!client.firstParty && requested.some((s) => NEVER_CONSENTED.has(s)))
    throw invalidScope(`the scope "${ADMIN_SCOPE}" is only for first-party clients`);
}

/**
 * The scope a user grant gets when none is asked: the client's allow-list but `admin`, which a grant only
 * gets when it is asked for by name (never by default, so no flow hands it out unseen).
 */
export function defaultUserScopes(client: Client): string[] {
  return consentable(client.scopes);
}

/**
 * What a family may still carry at a refresh: its scopes that the client is allowed now (an admin may have
 * narrowed the allow-list, or made the client third-party, since the grant was made), `admin` only for a
 * first-party client.
 */
export function stillAllowedScopes(client: Client, granted: readonly string[]): string[] {
  return granted.filter((s) => client.scopes.includes(s) && (client.firstParty || !NEVER_CONSENTED.has(s)));
}

/** RFC 8707 §2: an absolute URI without a fragment; one resource per request here. */
function parseResource(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidTarget('"resource" must be an absolute URI');
  }
  if (raw.includes('#') || url.hash) throw invalidTarget('"resource" must not contain a fragment');
  return raw;
}

/**
 * The requested `resource`, which must be on the client's allow-list (SPEC §1 `--resource`): without one,
 * no `resource` is accepted. Compared as sent, like redirect URIs. Every grant and /authorize use this.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function checkAllowedResource(client: Client, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const resource = parseResource(raw);
  if (!client.resources.includes(resource))
    throw invalidTarget('"resource" is not one of the resources this client may ask tokens for');
  return resource;
}

export const hasScope = (scope: string, name: string) => scope.split(' ').includes(name);
