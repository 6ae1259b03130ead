import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKS, type Facts, nextCheck, STEP_PAGES } from '../../src/interaction/policy.js';

const NOW = 1_800_000_000;

/** A browser signed in with a password a minute ago, asking a third-party app for scopes it approved. */
function facts(over: Partial<Facts> = {}): Facts {
  return {
    now: NOW,
    prompt: [],
    maxAge: null,
    signIn: { authTime: NOW - 60, amr: ['pwd'], complete: true },
    signedInHere: false,
    hintedSubjectMismatch: false,
    secondFactor: { enrolled: false, clientRequires: false, acrRequested: false },
    consent: { firstParty: false, requested: ['openid'], approved: ['openid'], givenHere: false },
    ...over,
  };
}

const session = (amr: string[], age = 60) => ({ authTime: NOW - age, amr, complete: true });
const pending = { authTime: NOW - 5, amr: ['pwd'], complete: false };
const enrolled = { enrolled: true, clientRequires: false, acrRequested: false };

/** [what, facts, the step it picks (or "end"), the reason's words, the prompt=none error] */
const TABLE: [string, Facts, string, RegExp | null, string | null][] = [
  ['no session', facts({ signIn: undefined }), 'login', /nobody is signed in/, 'login_required'],
  [
    'no session, even for a first-party client',
    facts({ signIn: undefined, consent: { ...facts().consent, firstParty: true } }),
    'login',
    /nobody/,
    'login_required',
  ],
  ['a session, consent on file', facts(), 'end', null, null],
  [
    'id_token_hint names another user than the session’s',
    facts({ hintedSubjectMismatch: true }),
    'login',
    /id_token_hint names another user/,
    'login_required',
  ],
  [
    'id_token_hint names another user, even for a first-party client',
    facts({ hintedSubjectMismatch: true, consent: { ...facts().consent, firstParty: true } }),
    'login',
    /id_token_hint/,
    'login_required',
  ],
  ['prompt=login with a session', facts({ prompt: ['login'] }), 'login', /prompt=login/, 'login_required'],
  ['prompt=login after signing in here', facts({ prompt: ['login'], signedInHere: true }), 'end', null, null],
  ['max_age passed', facts({ maxAge: 30 }), 'login', /max_age/, 'login_required'],
  ['max_age not passed', facts({ maxAge: 3600 }), 'end', null, null],
  ['max_age=0 is prompt=login', facts({ maxAge: 0 }), 'login', /max_age/, 'login_required'],
  ['max_age=0 after signing in here', facts({ maxAge: 0, signedInHere: true }), 'end', null, null],
  [
    'consent missing for a scope',
    facts({ consent: { ...facts().consent, requested: ['openid', 'email'] } }),
    'consent',
    /not approved/,
    'consent_required',
  ],
  [
    'consent missing, first-party client',
    facts({ consent: { ...facts().consent, requested: ['openid', 'email'], firstParty: true } }),
    'end',
    null,
    null,
  ],
  [
    'consent given in this interaction',
    facts({ consent: { ...facts().consent, requested: ['openid', 'email'], givenHere: true } }),
    'end',
    null,
    null,
  ],
  ['prompt=consent', facts({ prompt: ['consent'] }), 'consent', /prompt=consent/, 'consent_required'],
  [
    'prompt=consent, first-party client',
    facts({ prompt: ['consent'], consent: { ...facts().consent, firstParty: true } }),
    'consent',
    /prompt=consent/,
    'consent_required',
  ],
  [
    'MFA enrolled and pending (first factor done here, no session)',
    facts({ signIn: pending, signedInHere: true, secondFactor: enrolled }),
    'mfa',
    /waits for its second factor/,
    'interaction_required',
  ],
  [
    'MFA enrolled, session without the second factor',
    facts({ secondFactor: enrolled }),
    'mfa',
    /requires a second factor/,
    'interaction_required',
  ],
  [
    'MFA enrolled, session passed it',
    facts({ signIn: session(['pwd', 'otp']), secondFactor: enrolled }),
    'end',
    null,
    null,
  ],
  [
    'client requires MFA, session without it',
    facts({ secondFactor: { enrolled: false, clientRequires: true, acrRequested: false } }),
    'mfa',
    /requires a second factor/,
    'interaction_required',
  ],
  [
    'acr_values asks for 2fa, session without it',
    facts({ secondFactor: { enrolled: false, clientRequires: false, acrRequested: true } }),
    'mfa',
    /acr_values/,
    'unmet_authentication_requirements',
  ],
  [
    'MFA pending comes before missing consent',
    facts({
      signIn: pending,
      signedInHere: true,
      secondFactor: enrolled,
      consent: { ...facts().consent, requested: ['openid', 'email'] },
    }),
    'mfa',
    /second factor/,
    'interaction_required',
  ],
  [
    'an old session with prompt=login and MFA enrolled signs in first',
    facts({ prompt: ['login'], secondFactor: enrolled }),
    'login',
    /prompt=login/,
    'login_required',
  ],
];

describe('interaction policy (pure checks over facts)', () => {
  for (const [what, f, step, reason, promptNone] of TABLE) {
    it(`${what} → ${step}`, () => {
      const check = nextCheck(f);
      if (step === 'end') {
        assert.equal(check, undefined, `no step, got ${check?.step}: ${check?.reason}`);
        return;
      }
      assert.ok(check, 'a step is picked');
      assert.equal(check.step, step);
      assert.match(check.reason, reason!);
      // With prompt=none the same check answers this error instead of showing a page.
      assert.equal(check.promptNone, promptNone);
    });
  }

  it('every step maps to its page', () => {
    assert.deepEqual(STEP_PAGES, { login: '/login', mfa: '/login/mfa', consent: '/consent' });
    for (const check of CHECKS) assert.ok(STEP_PAGES[check.step].startsWith('/'));
  });

  it('id_token_hint names another user than the one who signed in here: the interaction ends, no page', () => {
    const check = nextCheck(facts({ hintedSubjectMismatch: true, signedInHere: true }));
    assert.ok(check);
    assert.equal(check.ends, 'login_required');
    assert.match(check.reason, /signed in is not the one id_token_hint names/);
  });

  it('every check has a reason and a prompt=none error', () => {
    for (const check of CHECKS) {
      assert.ok(check.reason.length > 10, check.step);
      assert.match(check.promptNone, /_required$|^unmet_authentication_requirements$/);
    }
  });
});
