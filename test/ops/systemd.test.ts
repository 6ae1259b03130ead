import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/server.js';

/** docs/latchkey.service, the example unit: its hardening, and systemd's own reading of it. */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const unitFile = join(root, 'docs', 'latchkey.service');
const text = readFileSync(unitFile, 'utf8');

/** Every `Key=value` of the [Service] section, in order (a key may repeat). */
function service(): [string, string][] {
  const section = text.split(/^\[Service\]$/m)[1]!.split(/^\[/m)[0]!;
  return section
    .split('\n')
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    });
}

const values = (key: string) => service().flatMap(([k, v]) => (k === key ? [v] : []));
const value = (key: string) => values(key).at(-1);

test('the unit runs unprivileged with its state in a StateDirectory holding LATCHKEY_DB', () => {
  assert.equal(value('DynamicUser'), 'yes');
  assert.equal(value('StateDirectory'), 'latchkey');
  const db = values('Environment').find((e) => e.startsWith('LATCHKEY_DB='));
  assert.equal(db, 'LATCHKEY_DB=/var/lib/latchkey/latchkey.db');
  assert.equal(value('CacheDirectory'), 'latchkey', "the binary's native addons");
  assert.ok(values('Environment').includes('HOST=127.0.0.1'));
});

test('the unit has the hardening Authelia and Dex document, and leaves W^X off for V8', () => {
  for (const [key, expected] of Object.entries({
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    NoNewPrivileges: 'yes',
    CapabilityBoundingSet: '',
    RestrictNamespaces: 'yes',
    LockPersonality: 'yes',
    SystemCallArchitectures: 'native',
  })) {
    assert.equal(value(key), expected, key);
  }
  assert.deepEqual(value('RestrictAddressFamilies')?.split(' ').sort(), ['AF_INET', 'AF_INET6', 'AF_UNIX']);
  assert.ok(values('SystemCallFilter').includes('@system-service'));
  assert.notEqual(value('MemoryDenyWriteExecute'), 'yes', "V8's JIT needs writable-then-executable memory");
});

test('the unit restarts on failure and waits for the 10 s drain and a 35 s mail delivery before killing', () => {
  assert.equal(value('Restart'), 'on-failure');
  const stop = value('TimeoutStopSec') ?? '';
  const seconds = Number(/^(\d+)s?$/.exec(stop)?.[1]);
  assert.ok(seconds > 35 && seconds <= 60, `TimeoutStopSec=${stop}`);
});

test('systemd-analyze verify accepts the unit without a warning', (t) => {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    t.skip('systemd-analyze is not installed here: the unit was not checked by systemd');
    return;
  }
  // verify also checks that ExecStart's program exists: point it at this node instead of the binary.
  const { dir, cleanup } = tempDir('latchkey-unit-');
  try {
    const copy = join(dir, 'latchkey.service');
    writeFileSync(copy, text.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
    const res = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(res.status, 0, res.stderr);
    // Unknown keys and unparsable values are only warnings ("…, ignoring"), with exit code 0.
    assert.equal(res.stderr.trim(), '');
  } finally {
    cleanup();
  }
});
