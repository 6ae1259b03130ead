import type { Deps } from '../deps.js';
import type { Scope } from '../store/types.js';
import { AdminError, checkScopeName } from './validate.js';

/** OIDC Core §5.4 plus `offline_access` (§11); the descriptions are what the consent page shows. */
export const BUILTIN_SCOPES: readonly Scope[] = [
  { name: 'openid', description: 'Confirm your identity', builtin: true },
  { name: 'profile', description: 'Your name', builtin: true },
  { name: 'email', description: 'Your email address', builtin: true },
  { name: 'offline_access', description: 'Stay signed in', builtin: true },
];
export const BUILTIN_SCOPE_NAMES = BUILTIN_SCOPES.map((s) => s.name);

export async function addScope(
  deps: Pick<Deps, 'store' | 'clock'>,
  name: string,
  description: string,
): Promise<Scope> {
  checkScopeName(name);
  if (BUILTIN_SCOPE_NAMES.includes(name)) throw new AdminError(`scope "${name}" is built in`, 'exists');
  if (!description.trim()) throw new AdminError('--description must not be empty');
  return deps.store.scopes.upsert(
    { name, description: description.trim(), builtin: false },
    deps.clock.now(),
  );
}

/** Fails unless every scope exists in the registry. */
export async function requireScopes(deps: Pick<Deps, 'store'>, names: string[]): Promise<void> {
  const found = new Set((await deps.store.scopes.findMany(names)).map((s) => s.name));
  const missing = names.filter((n) => !found.has(n));
  if (missing.length)
    throw new AdminError(
      `unknown scope ${missing.map((m) => `"${m}"`).join(', ')}: add it first with \`latchkey scope add\``,
    );
}
