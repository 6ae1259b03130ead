import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigError,
  DEFAULT_PASSWORD_POLICY,
  type PasswordPolicy,
  parsePasswordPolicy,
} from '../../src/config.js';
import {
  burnPasswordCheck,
  checkPassword,
  hashPassword,
  PASSWORD_MAX,
  PASSWORD_MIN,
  type PasswordContext,
  passwordProblemText,
  verifyPassword,
} from '../../src/crypto/password.js';

/** The default policy unless a test says otherwise. */
const check = (
  password: string,
  context: PasswordContext = {},
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
) => checkPassword(password, context, policy);
const policy = (over: Partial<PasswordPolicy>): PasswordPolicy => ({ ...DEFAULT_PASSWORD_POLICY, ...over });

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
    assert.equal(await check(''), 'too_short');
    assert.equal(await check('x7#kQ2!'), 'too_short');
    assert.equal(await check('🔑'.repeat(7)), 'too_short', '7 emoji are 14 UTF-16 units but 7 characters');
    assert.equal(await check('🔑'.repeat(8)), undefined);
    assert.equal(await check('x7#kQ2!m'), undefined);
  });

  it(`refuses more than ${PASSWORD_MAX} characters`, async () => {
    assert.equal(await check('a1B2c3D4'.repeat(32)), undefined, 'exactly 256');
    assert.equal(await check(`${'a1B2c3D4'.repeat(32)}x`), 'too_long');
    assert.equal(await check('é'.repeat(256)), undefined, '256 characters of two bytes each');
  });

  it('refuses common passwords whatever their case', async () => {
    assert.equal(await check('password'), 'common');
    assert.equal(await check('PassWord'), 'common');
    assert.equal(await check('12345678'), 'common');
    assert.equal(await check('qwertyuiop'), 'common');
    assert.equal(await check('latchkey-is-not-common-9'), undefined);
  });

  it('refuses the service name and the user’s own email, bare or dressed with digits (issue 8 #10)', async () => {
    assert.equal(await check('latchkey2024!'), 'context');
    assert.equal(await check('LatchKey!!', {}), 'context');
    const email = 'ada.lovelace@example.test';
    assert.equal(await check('ada.lovelace@example.test', { email }), 'context');
    assert.equal(await check('adalovelace1815', { email }), 'context');
    assert.equal(await check('analytical-engine-1843', { email }), undefined);
  });

  it('normalises with NFKC: one password typed two ways is one password (issue 8 #10)', async () => {
    const hash = await hashPassword('\ufb01nancial-Pa55word');
    assert.equal(await verifyPassword(hash, 'financial-Pa55word'), true);
    assert.equal(await verifyPassword(hash, '\ufb01nancial-Pa55word'), true);
  });

  it('counts code points after NFKC: 130 emoji are 130 characters (issue 8 #10)', async () => {
    assert.equal(await check('\u{1F511}'.repeat(130)), undefined);
    assert.equal(await check('\u{1F511}'.repeat(PASSWORD_MAX + 1)), 'too_long');
  });
});

describe('the password policy (LATCHKEY_PASSWORD_*)', () => {
  it('defaults: at least 8 characters, the common-password check on, no score check', () => {
    assert.deepEqual(parsePasswordPolicy({}), { minLength: 8, checkCommon: true, minScore: 0 });
    assert.deepEqual(
      parsePasswordPolicy({
        LATCHKEY_PASSWORD_MIN_LENGTH: '',
        LATCHKEY_PASSWORD_CHECK_COMMON: '',
        LATCHKEY_PASSWORD_MIN_SCORE: '',
      }),
      DEFAULT_PASSWORD_POLICY,
    );
  });

  it('reads each variable', () => {
    assert.deepEqual(
      parsePasswordPolicy({
        LATCHKEY_PASSWORD_MIN_LENGTH: '12',
        LATCHKEY_PASSWORD_CHECK_COMMON: 'OFF',
        LATCHKEY_PASSWORD_MIN_SCORE: '3',
      }),
      { minLength: 12, checkCommon: false, minScore: 3 },
    );
    assert.equal(parsePasswordPolicy({ LATCHKEY_PASSWORD_MIN_LENGTH: '128' }).minLength, 128);
    assert.equal(parsePasswordPolicy({ LATCHKEY_PASSWORD_MIN_SCORE: '0' }).minScore, 0);
  });

  it('refuses bad values with one line naming the variable', () => {
    const bad: [string, string, RegExp][] = [
      [
        'LATCHKEY_PASSWORD_MIN_LENGTH',
        '7',
        /^LATCHKEY_PASSWORD_MIN_LENGTH must be a whole number from 8 to 128, got "7"$/,
      ],
      ['LATCHKEY_PASSWORD_MIN_LENGTH', '129', /LATCHKEY_PASSWORD_MIN_LENGTH .* got "129"/],
      ['LATCHKEY_PASSWORD_MIN_LENGTH', '12.5', /LATCHKEY_PASSWORD_MIN_LENGTH/],
      ['LATCHKEY_PASSWORD_MIN_LENGTH', 'twelve', /LATCHKEY_PASSWORD_MIN_LENGTH/],
      [
        'LATCHKEY_PASSWORD_CHECK_COMMON',
        'yes',
        /^LATCHKEY_PASSWORD_CHECK_COMMON must be "on" or "off", got "yes"$/,
      ],
      [
        'LATCHKEY_PASSWORD_MIN_SCORE',
        '5',
        /^LATCHKEY_PASSWORD_MIN_SCORE must be a zxcvbn score from 0 \(no check\) to 4, got "5"$/,
      ],
      ['LATCHKEY_PASSWORD_MIN_SCORE', '-1', /LATCHKEY_PASSWORD_MIN_SCORE/],
    ];
    for (const [name, value, message] of bad) {
      assert.throws(
        () => parsePasswordPolicy({ [name]: value }),
        (err: unknown) =>
          err instanceof ConfigError && message.test(err.message) && !err.message.includes('\n'),
        `${name}=${value}`,
      );
    }
  });

  it('the minimum length is the configured one', async () => {
    const twelve = policy({ minLength: 12 });
    assert.equal(await check('x7#kQ2!mZ4$', {}, twelve), 'too_short', '11 characters');
    assert.equal(await check('x7#kQ2!mZ4$p', {}, twelve), undefined, '12 characters');
    assert.equal(await check('🔑'.repeat(11), {}, twelve), 'too_short', 'counted as code points');
    assert.match(passwordProblemText('too_short', twelve), /at least 12 characters/);
  });

  it('the common-password check can be turned off (the length and context checks stay)', async () => {
    const off = policy({ checkCommon: false });
    assert.equal(await check('password', {}, off), undefined);
    assert.equal(await check('password'), 'common');
    assert.equal(await check('latchkey2024', {}, off), 'context');
    assert.equal(await check('short', {}, off), 'too_short');
  });

  it('a least zxcvbn score refuses guessable passwords, with the address and the brand as user inputs', async () => {
    const three = policy({ minScore: 3, checkCommon: false });
    assert.equal(await check('qwertyuiop12', {}, three), 'weak', 'a keyboard walk');
    assert.equal(await check('password1', {}, three), 'weak', 'a dictionary word and a digit');
    const email = 'ada.zorblaxian@example.test';
    assert.equal(
      await check('zorblaxian77', { email }, three),
      'weak',
      'the user’s own name, from the address',
    );
    assert.equal(await check('zorblaxian77', { email: 'bob@example.test' }, three), undefined);
    assert.equal(
      await check('Quillfeather1977', { serviceName: 'Quillfeather Cloud' }, three),
      'weak',
      'the brand',
    );
    assert.equal(await check('Quillfeather1977', {}, three), undefined);
    assert.equal(await check('correct horse battery staple', { email }, three), undefined);
    // Score 0 (the default) checks no score.
    assert.equal(await check('zorblaxian77', { email }), undefined);
    assert.match(passwordProblemText('weak', three), /under 3 of 4/);
  });
});
