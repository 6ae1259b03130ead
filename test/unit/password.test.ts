import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  burnPasswordCheck,
  checkPassword,
  hashPassword,
  PASSWORD_MAX,
  PASSWORD_MIN,
  verifyPassword,
} from '../../src/crypto/password.js';

describe('password hashing', () => {
  it('hashes with argon2id, m=19456 KiB, t=2, p=1 (SPEC §3, OWASP)', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    assert.equal(hash.includes('correct horse'), false);
    assert.notEqual(await hashPassword('correct horse battery staple'), hash, 'salted');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.equal(await verifyPassword(hash, 'correct horse battery staple'), true);
    assert.equal(await verifyPassword(hash, 'correct horse battery stapl'), false);
    assert.equal(await verifyPassword(hash, ''), false);
  });

  it('answers false, never throws, for a stored value that is not a hash', async () => {
    assert.equal(await verifyPassword('not-a-hash', 'whatever'), false);
    assert.equal(await verifyPassword('', 'whatever'), false);
  });

  it('burnPasswordCheck spends a verification and answers false', async () => {
    assert.equal(await burnPasswordCheck('anything at all'), false);
  });
});

describe('checkPassword (NIST SP 800-63B)', () => {
  it(`refuses fewer than ${PASSWORD_MIN} characters, counted as code points`, async () => {
    assert.equal(await checkPassword(''), 'too_short');
    assert.equal(await checkPassword('x7#kQ2!'), 'too_short');
    assert.equal(
      await checkPassword('🔑'.repeat(7)),
      'too_short',
      '7 emoji are 14 UTF-16 units but 7 characters',
    );
    assert.equal(await checkPassword('🔑'.repeat(8)), undefined);
    assert.equal(await checkPassword('x7#kQ2!m'), undefined);
  });

  it(`refuses more than ${PASSWORD_MAX} characters`, async () => {
    assert.equal(await checkPassword('a1B2c3D4'.repeat(32)), undefined, 'exactly 256');
    assert.equal(await checkPassword(`${'a1B2c3D4'.repeat(32)}x`), 'too_long');
    assert.equal(await checkPassword('é'.repeat(256)), undefined, '256 characters of two bytes each');
  });

  it('refuses common passwords whatever their case', async () => {
    assert.equal(await checkPassword('password'), 'common');
    assert.equal(await checkPassword('PassWord'), 'common');
    assert.equal(await checkPassword('12345678'), 'common');
    assert.equal(await checkPassword('qwertyuiop'), 'common');
    assert.equal(await checkPassword('latchkey-is-not-common-9'), undefined);
  });

  it('refuses the service name and the user’s own email, bare or dressed with digits (issue 8 #10)', async () => {
    assert.equal(await checkPassword('latchkey2024!'), 'context');
    assert.equal(await checkPassword('LatchKey!!', {}), 'context');
    const email = 'ada.lovelace@example.test';
    assert.equal(await checkPassword('ada.lovelace@example.test', { email }), 'context');
    assert.equal(await checkPassword('adalovelace1815', { email }), 'context');
    assert.equal(await checkPassword('analytical-engine-1843', { email }), undefined);
  });

  it('normalises with NFKC: one password typed two ways is one password (issue 8 #10)', async () => {
    const hash = await hashPassword('\ufb01nancial-Pa55word');
    assert.equal(await verifyPassword(hash, 'financial-Pa55word'), true);
    assert.equal(await verifyPassword(hash, '\ufb01nancial-Pa55word'), true);
  });

  it('counts code points after NFKC: 130 emoji are 130 characters (issue 8 #10)', async () => {
    assert.equal(await checkPassword('\u{1F511}'.repeat(130)), undefined);
    assert.equal(await checkPassword('\u{1F511}'.repeat(PASSWORD_MAX + 1)), 'too_long');
  });
});
