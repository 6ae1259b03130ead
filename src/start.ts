import { ensureConsoleClient } from './admin/console/client.js';
import { seedBuiltinScopes, seedConfigFile } from './admin/seed.js';
import type { Deps } from './deps.js';

/**
 * The start-up step `serve` runs once the dependencies are built: the built-in scopes and the
 * `LATCHKEY_CONFIG` seed written (idempotently), the admin console's client created if missing, the signing
 * keys created if missing and loaded.
 * The CLI runs the parts a command needs, and nothing for a read-only one.
 */
export async function start(deps: Deps): Promise<void> {
  await seedBuiltinScopes(deps);
  await seedConfigFile(deps);
  await ensureConsoleClient(deps);
  await deps.keys.init();
}
