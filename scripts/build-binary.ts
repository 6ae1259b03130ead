/**
 * `npm run build:binary`: dist/latchkey-<platform>-<arch>, a Node single-executable application.
 *
 * 1. One CommonJS bundle of the server and CLI (a SEA runs a single CommonJS script whose `require` knows
 *    only Node's built-ins), with every pure-JS dependency inside; the native packages (better-sqlite3,
 *    @node-rs/argon2) are imported through `loadModule` in src/paths.ts.
 * 2. The files that must exist on disk at run time: the `.node` addons (found by loading them here), a
 *    CommonJS better-sqlite3 driver beside its addon (the checkpoint worker requires it), the migrations.
 *    The binary writes them to its cache folder on first start (src/paths.ts).
 * 3. The page assets, read with `node:sea`'s getAsset.
 * 4. dist/sea/sea-config.json (generated: the asset list follows the migrations and the platform's addon
 *    file names) → `node --experimental-sea-config` → blob → a copy of this `node` → postject.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { BinaryManifest } from '../src/paths.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'sea');
const requireHere = createRequire(join(root, 'package.json'));

/** Text files the server reads at run time through `readAsset`. */
const PAGE_ASSETS = ['views/styles.css', 'views/show-password.js', 'views/copy-secret.js'];
/** Packages with a native addon: bundled apart, loaded from the cache folder. */
const NATIVE = ['better-sqlite3', '@node-rs/argon2'];

const binaryName = `latchkey-${process.platform}-${process.arch}`;

function walk(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    return entry.isDirectory() ? walk(path) : [path];
  });
}

/** The `.node` file each native package loads, found by loading it the way the server does. */
function nativeAddons(): Record<string, string> {
  const Database = requireHere('better-sqlite3') as new (path: string) => { close(): void };
  new Database(':memory:').close();
  requireHere('@node-rs/argon2');
  const loaded = Object.keys(requireHere.cache).filter((file) => file.endsWith('.node'));
  const find = (part: string) => {
    const file = loaded.find((f) => f.includes(part));
    if (!file) throw new Error(`no native addon of ${part} was loaded`);
    return file;
  };
  return { 'better_sqlite3.node': find('better-sqlite3'), 'argon2.node': find('argon2') };
}

/** `createRequire(import.meta.url)('pkg')` (the lazy loads of the ESM build) → `require('pkg')`, bundled. */
const lazyRequires: Plugin = {
  name: 'lazy-requires',
  setup(b) {
    b.onLoad({ filter: /[\\/](src|views)[\\/].*\.tsx?$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const contents = text.replaceAll('createRequire(import.meta.url)(', 'require(');
      return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

/** `import … from 'better-sqlite3'` → the extracted driver, through src/paths.ts. */
const nativeImports: Plugin = {
  name: 'native-imports',
  setup(b) {
    const filter = new RegExp(`^(${NATIVE.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'native' }));
    b.onLoad({ filter: /.*/, namespace: 'native' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(join(root, 'src', 'paths.ts'))}).loadModule(${JSON.stringify(args.path)});`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};

/** better-sqlite3's `bindings` lookup → the addon beside the driver file. */
const siblingBindings: Plugin = {
  name: 'sibling-bindings',
  setup(b) {
    b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'bindings' }));
    b.onLoad({ filter: /.*/, namespace: 'bindings' }, () => ({
      contents: `module.exports = (name) => require(require('node:path').join(__dirname, name));`,
      loader: 'js',
    }));
  },
};

async function main(): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'files'), { recursive: true });

  await build({
    entryPoints: [join(root, 'src', 'main.ts')],
    outfile: join(out, 'latchkey.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    // Libraries that look at `import.meta.url` get the binary's own path.
    define: { 'import.meta.url': '__latchkey_url' },
    banner: { js: `var __latchkey_url = require('node:url').pathToFileURL(__filename).href;` },
    plugins: [lazyRequires, nativeImports],
  });

  await build({
    entryPoints: [requireHere.resolve('better-sqlite3')],
    outfile: join(out, 'files', 'better-sqlite3.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    plugins: [siblingBindings],
  });

  const files: Record<string, string> = { 'better-sqlite3.cjs': join(out, 'files', 'better-sqlite3.cjs') };
  for (const [name, path] of Object.entries(nativeAddons())) files[name] = path;
  // drizzle's migrator reads the journal and the SQL files; the snapshots are drizzle-kit's.
  for (const path of [...walk('db/migrations/sqlite'), ...walk('db/migrations/postgres')]) {
    if (!path.endsWith('_snapshot.json')) files[path] = join(root, path);
  }

  const hash = createHash('sha256').update(process.version);
  for (const [key, path] of Object.entries(files).sort()) hash.update(key).update(readFileSync(path));
  const manifest: BinaryManifest = {
    id: hash.digest('hex').slice(0, 16),
    extract: Object.keys(files),
    modules: { 'better-sqlite3': 'better-sqlite3.cjs', '@node-rs/argon2': 'argon2.node' },
  };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2));

  const assets: Record<string, string> = { 'latchkey/manifest.json': join(out, 'manifest.json'), ...files };
  for (const path of PAGE_ASSETS) assets[path] = join(root, path);
  const config = {
    main: join(out, 'latchkey.cjs'),
    output: join(out, 'latchkey.blob'),
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets,
  };
  writeFileSync(join(out, 'sea-config.json'), JSON.stringify(config, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', join(out, 'sea-config.json')], {
    stdio: 'pipe',
  });

  const binary = join(root, 'dist', binaryName);
  rmSync(binary, { force: true });
  copyFileSync(process.execPath, binary);
  chmodSync(binary, 0o755);
  execFileSync(
    process.execPath,
    [
      requireHere.resolve('postject/dist/cli.js'),
      binary,
      'NODE_SEA_BLOB',
      join(out, 'latchkey.blob'),
      '--sentinel-fuse',
      'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
    ],
    // postject warns about every ELF note section it cannot name: shown only when it fails.
    { stdio: 'pipe' },
  );
  process.stdout.write(`${relative(root, binary)}\n`);
}

await main();
