import type { Context } from 'hono';
import { randomToken, sha256 } from '../../crypto/hash.js';
import type { Deps } from '../../deps.js';
import { browserId, existingBrowserId } from '../../http/browser.js';
import { OAuthError } from '../errors.js';
import { type AuthorizationRequest, INTERACTION_TTL_SECONDS, type InteractionState } from './request.js';

export interface LoadedInteraction {
  id: string;
  state: InteractionState;
}

/** Saves the validated request, bound to this browser, for 10 minutes. */
export async function createInteraction(
  c: Context,
  deps: Deps,
  request: AuthorizationRequest,
): Promise<LoadedInteraction> {
  const now = deps.clock.now();
  const id = randomToken(24);
  const state: InteractionState = { request };
  await deps.store.interactions.save({
    id,
    browserHash: sha256(browserId(c, deps)),
    data: state as unknown as Record<string, unknown>,
    createdAt: now,
    expiresAt: now + INTERACTION_TTL_SECONDS,
  });
  return { id, state };
}

/** The interaction of this browser, or the `interaction_expired` page. */
export async function loadInteraction(
  c: Context,
  deps: Deps,
  id: string | undefined,
): Promise<LoadedInteraction> {
  const expired = () =>
    new OAuthError(
      'invalid_request',
      'this sign-in request has expired or belongs to another browser; start again from the application',
      { detail: 'interaction_expired' },
    );
  if (!id || id.length > 64) throw expired();
  const found = await deps.store.interactions.find(id);
  const browser = existingBrowserId(c);
  if (!found || !browser || found.expiresAt <= deps.clock.now() || found.browserHash !== sha256(browser))
    throw expired();
  return { id, state: found.data as unknown as InteractionState };
}

export async function saveInteraction(deps: Deps, interaction: LoadedInteraction): Promise<void> {
  await deps.store.interactions.update(
    interaction.id,
    interaction.state as unknown as Record<string, unknown>,
  );
}

export const resumeUrl = (id: string) => `/authorize/resume?interaction=${encodeURIComponent(id)}`;
