import type { Deps } from '../deps.js';
import { BUILTIN_SCOPE_NAMES, BUILTIN_SCOPES } from '../oauth/scope.js';
import type { Scope } from '../store/types.js';
import { type AdminContext, adminEvent, CLI, managedByOf } from './context.js';
import { ADMIN_SCOPE } from './permissions.js';
import { AdminError, checkScopeName } from './validate.js';

/** Scopes that exist without a registry row of their own, and that no admin adds, changes or removes. */
const RESERVED = new Set([...BUILTIN_SCOPE_NAMES, ADMIN_SCOPE]);

/**
 * `scope add`: adds a custom scope or changes its description (`scope_added`, `scope_updated`); the same
 * description again writes nothing. Who created it owns it (`managedBy`).
 */
export async function addScope(
  deps: Pick<Deps, 'store' | 'clock'>,
  name: string,
  description: string,
  ctx: AdminContext = CLI,
): Promise<Scope> {
  checkScopeName(name, 'name');
  if (RESERVED.has(name)) throw new AdminError(`"${name}" is a built-in scope`, 'exists');
  if (typeof description !== 'string' || !description.trim())
    throw new AdminError('must not be empty', 'invalid_input', 'description');
  const text = description.trim();
  if (text.length > 500)
    throw new AdminError('must be at most 500 characters', 'invalid_input', 'description');
  const [existing] = await deps.store.scopes.findMany([name]);
  if (existing?.builtin) throw new AdminError(`"${name}" is a built-in scope`, 'exists');
  if (existing && existing.description === text) return existing;
  const now = deps.clock.now();
  return deps.store.scopes.upsert(
    { name, description: text, builtin: false, managedBy: managedByOf(ctx) },
    now,
    adminEvent(ctx, existing ? 'scope_updated' : 'scope_added', now, {
      detail: { scope: name, description: text },
    }),
  );
}

/** Fails unless every scope exists in the registry (`admin` always does). */
export async function requireScopes(deps: Pick<Deps, 'store'>, names: string[]): Promise<void> {
  const found = new Set((await deps.store.scopes.findMany(names)).map((s) => s.name));
  const missing = names.filter((n) => !found.has(n) && n !== ADMIN_SCOPE);
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
 * Removes a custom scope. A built-in one is refused; so is one a client still lists (`in_use`: change the
 * client first). The check and the delete are one unit of work, with `scope_removed`.
 */
export async function removeScope(
  deps: Pick<Deps, 'store' | 'clock'>,
  name: string,
  ctx: AdminContext = CLI,
): Promise<Scope> {
  const builtin = () =>
    new AdminError(`"${name}" is a built-in scope: it cannot be removed`, 'invalid_input', 'name');
  if (RESERVED.has(name)) throw builtin();
  const [scope] = await deps.store.scopes.findMany([name]);
  if (!scope) throw new AdminError(`no scope "${String(name).slice(0, 128)}"`, 'not_found');
  const now = deps.clock.now();
  const result = await deps.store.scopes.remove(
    name,
    adminEvent(ctx, 'scope_removed', now, { detail: { scope: name } }),
  );
  switch (result) {
    case 'removed':
      return scope;
    case 'not_found':
      throw new AdminError(`no scope "${name}"`, 'not_found');
    case 'builtin':
      throw builtin();
    case 'in_use':
      throw new AdminError(
        `"${name}" is in a client's allowed scopes: take it out of every client first`,
        'in_use',
        'name',
      );
  }
}
