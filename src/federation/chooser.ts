import type { Deps } from '../deps.js';
import { OAuthError } from '../oauth/errors.js';
import type { Provider } from '../store/types.js';

/** Where the account page's "Link <name>" ends. */
export const LINKED_RETURN_TO = '/account?notice=provider_linked';

/** SPEC §3: at the start and at the callback, an unknown provider looks the same as a disabled one. */
export const providerDisabled = () =>
  new OAuthError('invalid_request', 'signing in with this provider is turned off', {
    page: 'provider_disabled',
  });

/** The providers the login page offers and the account page can link, in slug order. */
export async function enabledProviders(deps: Pick<Deps, 'store'>): Promise<Provider[]> {
  return (await deps.store.providers.list()).filter((p) => p.enabled);
}

/** The provider a URL names, if it exists and is enabled; else the `provider_disabled` page. */
export async function usableProvider(deps: Pick<Deps, 'store'>, slug: string | undefined): Promise<Provider> {
  const provider = slug && slug.length <= 64 ? await deps.store.providers.find(slug) : undefined;
  if (!provider?.enabled) throw providerDisabled();
  return provider;
}

/** Where "Continue with <name>" leads: the interaction it belongs to, or a local page to return to. */
export function startPath(slug: string, target: { interaction: string } | { returnTo: string }): string {
  const query =
    'interaction' in target
      ? `interaction=${encodeURIComponent(target.interaction)}`
      : `return_to=${encodeURIComponent(target.returnTo)}`;
  return `/federation/${encodeURIComponent(slug)}/start?${query}`;
}

/** The redirect URI registered at the upstream (README: one per provider). */
export function callbackUri(deps: Pick<Deps, 'config'>, slug: string): string {
  return `${deps.config.issuer}/federation/${encodeURIComponent(slug)}/callback`;
}
