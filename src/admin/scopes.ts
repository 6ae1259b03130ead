import type { Deps } from '../deps.js';
import { BUILTIN_SCOPE_NAMES, BUILTIN_SCOPES } from '../oauth/scope.js';
import type { Scope } from '../store/types.js';
import { type AdminContext, CLI } from './context.js';
import { AdminError, checkScopeName } from './validate.js';

export async function addScope(
  deps: Pick<Deps, 'store' | 'clock'>,
  name: string,
  description: string,
): Promise<Scope> {
  checkScopeName(name, 'name');
  if (BUILTIN_SCOPE_NAMES.includes(name)) throw new AdminError(`"${name}" is a built-in scope`, 'exists');
  if (!description.trim()) throw new AdminError('must not be empty', 'invalid_input', 'description');
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
      `names unknown scope ${missing.map((m) => `"${m}"`).join(', ')}: add it first (\`latchkey scope add\`)`,
      'invalid_input',
      'scopes',
    );
}

/** The registry, with the built-in scopes even before the first start has written them. */
export async function listScopes(deps: Pick<Deps, 'store'>): Promise<Scope[]> {
  const stored = await deps.store.scopes.list();
  const missing = BUILTIN_SCOPES.filter((b) => !stored.some((s) => s.name === b.name));
  return [...missing, ...stored];
}

/**
 * Removes a custom scope (H1 implements). A built-in one is refused; so is one a client still lists
 * (`in_use`: change the client first).
 */
export async function removeScope(
  _deps: Pick<Deps, 'store' | 'clock'>,
  _name: string,
  _ctx: AdminContext = CLI,
): Promise<Scope> {
  throw new Error('not implemented yet');
}
