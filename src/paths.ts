import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where latchkey's own files come from: the page assets, the migrations and the native addons.
 *
 * From the package (`npm start`, `npx latchkey`, tests through tsx) they are files under the package root
 * and `node_modules`. In the single binary (`npm run build:binary`, a Node single-executable application)
 * they are SEA assets: text is read with `node:sea`, and what must be a file on disk (the migrations folder
 * drizzle reads, the `.node` addons, the small better-sqlite3 driver the checkpoint worker requires) is
 * written once per build into a private cache folder and used from there. This module is the only place
 * that knows the difference.
 */

type Sea = typeof import('node:sea');

/**
 * `node:sea`, where this Node has it (20.12 and later; the package supports 20.0). Loaded through `require`
 * (the bundles' own, or one made here under tsx) so that an older Node simply is not the binary.
 */
const sea: Sea | undefined = (() => {
  try {
    const load = typeof require === 'function' ? require : createRequire(import.meta.url);
    return load('node:sea') as Sea;
  } catch {
    return undefined;
  }
})();

/** Whether this process is the single binary. */
export const inBinary: boolean = sea?.isSea() ?? false;

/** A SEA asset (only ever asked for in the binary, where `node:sea` exists). */
function getAsset(key: string): ArrayBuffer;
function getAsset(key: string, encoding: string): string;
function getAsset(key: string, encoding?: string): ArrayBuffer | string {
  if (!sea) throw new Error('not the single binary: no SEA assets');
  return encoding === undefined ? sea.getAsset(key) : sea.getAsset(key, encoding);
}

/** The binary's table of contents, written by `scripts/build-binary.ts` as the asset `latchkey/manifest.json`. */
export interface BinaryManifest {
  /** Hash of everything extracted: the cache folder's name, so two builds never share one. */
  id: string;
  /** Asset keys written to the cache folder under the same relative path. */
  extract: string[];
  /** Package name → the extracted file a worker (or `loadModule`) requires in its place. */
  modules: Record<string, string>;
}

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'db'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the latchkey package root');
    dir = up;
  }
}

/** The package root, whether running from `src/` through tsx or from the bundle `dist/latchkey.mjs`. */
export const packageRoot: string = inBinary ? dirname(process.execPath) : findRoot();

let extracted: { dir: string; manifest: BinaryManifest } | undefined;

/** The cache folder the binary's files are written to: systemd's `CacheDirectory`, else the XDG cache. */
function cacheBase(): string {
  const systemd = process.env['CACHE_DIRECTORY']?.split(':')[0];
  if (systemd) return systemd;
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg?.startsWith('/') ? xdg : join(homedir(), '.cache'), 'latchkey');
}

/**
 * Writes the binary's embedded files once into `<cache>/<id>/` (a folder only this user can open; the
 * `.node` files in it are loaded into the process, so a folder another user can write is refused) and
 * answers its path. A half-written folder never appears: the files go to a temporary folder renamed into
 * place, and a concurrent first start that loses the rename uses the winner's folder.
 */
function binaryFiles(): { dir: string; manifest: BinaryManifest } {
  if (extracted) return extracted;
  const manifest = JSON.parse(getAsset('latchkey/manifest.json', 'utf8')) as BinaryManifest;
  const base = cacheBase();
  const dir = join(base, manifest.id);
  if (!existsSync(join(dir, '.complete'))) {
    try {
      mkdirSync(base, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new Error(
        `cannot create the cache folder ${base} for the binary's native addons (${(err as Error).message}): set XDG_CACHE_HOME to a writable folder`,
      );
    }
    const tmp = mkdtempSync(join(base, `.${manifest.id}-`));
    for (const key of manifest.extract) {
      const file = join(tmp, key);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, new Uint8Array(getAsset(key)), { mode: 0o600 });
    }
    writeFileSync(join(tmp, '.complete'), `${manifest.id}\n`, { mode: 0o600 });
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(join(dir, '.complete'))) throw new Error(`cannot write the cache folder ${dir}`);
    }
  }
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) {
    throw new Error(`the cache folder ${dir} is not a folder only this user can write: remove it`);
  }
  extracted = { dir, manifest };
  return extracted;
}

/** The text of a file shipped with latchkey, by its path in the package (`views/styles.css`). */
export function readAsset(path: string): string {
  return inBinary ? getAsset(path, 'utf8') : readFileSync(join(packageRoot, path), 'utf8');
}

/** The folder drizzle reads the SQLite migrations from. */
export function sqliteMigrations(): string {
  const relative = join('db', 'migrations', 'sqlite');
  return inBinary ? join(binaryFiles().dir, relative) : join(packageRoot, relative);
}

/** The folder drizzle reads the PostgreSQL migrations from. */
export function postgresMigrations(): string {
  const relative = join('db', 'migrations', 'postgres');
  return inBinary ? join(binaryFiles().dir, relative) : join(packageRoot, relative);
}

/** A file that `require()` turns into the package `name` (a native addon's package): for worker threads. */
export function modulePath(name: string): string {
  if (!inBinary) return createRequire(import.meta.url).resolve(name);
  const { dir, manifest } = binaryFiles();
  const file = manifest.modules[name];
  if (!file) throw new Error(`the binary does not embed ${name}`);
  return join(dir, file);
}

/** The package `name` itself. The binary's bundle imports its native packages through this. */
export function loadModule(name: string): unknown {
  const path = modulePath(name);
  return createRequire(path)(path);
}
