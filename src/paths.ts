import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, whether running from `src/` through tsx or from the bundle `dist/latchkey.mjs`. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'db'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the latchkey package root');
    dir = up;
  }
}

export const packageRoot = findRoot();
export const sqliteMigrations = join(packageRoot, 'db', 'migrations', 'sqlite');
