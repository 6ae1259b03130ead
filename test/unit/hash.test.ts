import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomToken, safeEqual, sha256 } from '../../src/crypto/hash.js';
import { Sealer } from '../../src/crypto/seal.js';

describe('sha256 lookup keys', () => {
  it('is the base64url SHA-256 of the value (FIPS 180-2 test vector)', () => {
    assert.equal(sha256('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('is deterministic, differs for different inputs and never contains the input', () => {
    const token = randomToken();
    assert.equal(sha256(token), sha256(token));
    assert.notEqual(sha256(token), sha256(`${token}x`));
    assert.equal(sha256(token).includes(token), false);
    assert.match(sha256(''), /^[A-Za-z0-9_-]{43}$/);
  });
});

describe('randomToken', () => {
  it('is 256 bits of base64url by default, and never repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = randomToken();
      assert.match(t, /^[A-Za-z0-9_-]{43}$/);
      seen.add(t);
    }
    assert.equal(seen.size, 200);
    assert.equal(Buffer.from(randomToken(12), 'base64url').length, 12);
  });
});

describe('safeEqual', () => {
  it('compares strings of any length', () => {
    assert.equal(safeEqual('secret', 'secret'), true);
    assert.equal(safeEqual('secret', 'Secret'), false);
    assert.equal(safeEqual('secret', 'secret '), false);
    assert.equal(safeEqual('secret', 'secre'), false);
    assert.equal(safeEqual('', ''), true);
    assert.equal(safeEqual('', 'x'), false);
    assert.equal(safeEqual('é', 'é'), true);
    assert.equal(safeEqual('é', 'e\u0301'), false);
  });
});

describe('Sealer', () => {
  const sealer = new Sealer('a-secret-of-at-least-16-chars');

  it('round-trips text, with a fresh IV every time', () => {
    const plain = JSON.stringify({ kty: 'EC', d: 'private', note: 'é ✓' });
    const a = sealer.seal(plain);
    const b = sealer.seal(plain);
    assert.notEqual(a, b);
    assert.match(a, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal(a.includes('private'), false);
    assert.equal(sealer.open(a), plain);
    assert.equal(sealer.open(b), plain);
    assert.equal(sealer.open(sealer.seal('')), '');
  });

  it('is the same key for the same secret (CLI and server agree)', () => {
    const again = new Sealer('a-secret-of-at-least-16-chars');
    assert.equal(again.open(sealer.seal('shared')), 'shared');
  });

  it('refuses a value sealed with another secret or for another purpose', () => {
    const sealed = sealer.seal('private key');
    assert.throws(() => new Sealer('another-secret-of-16-chars').open(sealed));
    assert.throws(() => new Sealer('a-secret-of-at-least-16-chars', 'totp').open(sealed));
  });

  it('refuses any tampering with the IV, the ciphertext or the tag', () => {
    const sealed = sealer.seal('private key material');
    const parts = sealed.split('.');
    for (const i of [1, 2, 3]) {
      const bytes = Buffer.from(parts[i]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      const tampered = parts.map((p, j) => (j === i ? bytes.toString('base64url') : p)).join('.');
      assert.throws(() => sealer.open(tampered), Error, `part ${i} altered`);
    }
    assert.throws(() => sealer.open(`${parts[0]}.${parts[1]}.${parts[2]}.`), Error, 'no tag');
  });

  it('refuses values that are not sealed', () => {
    for (const bad of ['', 'plain text', 'v2.a.b.c', 'v1.a.b', 'v1..']) assert.throws(() => sealer.open(bad));
  });
});
