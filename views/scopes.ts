import { BUILTIN_SCOPES } from '../src/oauth/scope.js';
import { type MessageKey, useLang } from './i18n/index.js';

/**
 * A scope's description in the page's language. Built-in scopes are stored with their English words
 * (src/oauth/scope.ts); those words are swapped for the catalogue's. A description an admin wrote is shown as is.
 */
const builtinKeys: ReadonlyMap<string, MessageKey> = new Map(
  BUILTIN_SCOPES.map((s) => [s.description, `scope.${s.name}` as MessageKey]),
);

export function scopeText(description: string): string {
  const key = builtinKeys.get(description);
  return key ? useLang().t(key) : description;
}
