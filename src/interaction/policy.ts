import {
  type SecondFactorRequirement,
  secondFactorDone,
  secondFactorFresh,
  secondFactorRequired,
} from '../auth/factors.js';
import type { OAuthErrorCode } from '../oauth/errors.js';

/**
 * What still stands between an interaction and its ending: a pure function over named checks, after
 * node-oidc-provider's interaction policy. The first check that applies picks the next page; with
 * `prompt=none` it picks the error instead (OIDC Core §3.1.2.6).
 */

export type Step = 'login' | 'mfa' | 'consent';

/** The page of each step; every page returns to `/authorize/resume` when done. */
export const STEP_PAGES: Readonly<Record<Step, string>> = {
  login: '/login',
  mfa: '/login/mfa',
  consent: '/consent',
};

export interface Facts {
  /** Epoch seconds. */
  now: number;
  prompt: readonly string[];
  maxAge: number | null;
  /**
   * The sign-in this interaction would end with: the browser's session (`complete`), or a sign-in made
   * during this interaction that still waits for its second factor (not a session).
   */
  signIn: { authTime: number; amr: readonly string[]; complete: boolean } | undefined;
  /** The user signed in during this interaction (satisfies `prompt=login` and `max_age`). */
  signedInHere: boolean;
  /** The request's `id_token_hint` names another user than the one of `signIn`. */
  hintedSubjectMismatch: boolean;
  secondFactor: SecondFactorRequirement;
  /**
   * The interaction guards a sensitive action of a user with a second factor (the account page): it needs one
   * passed within the last minutes (`secondFactorFresh`), not only once at sign-in.
   */
  freshSecondFactor?: boolean;
  consent: {
    /** First-party clients are not asked (`--first-party`). */
    firstParty: boolean;
    requested: readonly string[];
    /** What the user approved for this client before. */
    approved: readonly string[];
    /** The user approved the consent page during this interaction. */
    givenHere: boolean;
  };
}

export interface Check {
  step: Step;
  /** Why the step is needed: logged, and the `error_description` of a `prompt=none` failure. */
  reason: string;
  /** The error for `prompt=none` when this check applies. */
  promptNone: OAuthErrorCode;
  /** No page can settle it: the interaction ends with this error, whatever the prompt. */
  ends?: OAuthErrorCode;
  test(f: Facts): boolean;
}

export const CHECKS: readonly Check[] = [
  {
    step: 'login',
    reason: 'nobody is signed in',
    promptNone: 'login_required',
    test: (f) => f.signIn === undefined,
  },
  {
    step: 'login',
    reason: 'id_token_hint names another user than the one signed in (OIDC Core 3.1.2.1)',
    promptNone: 'login_required',
    // A session of another user counts as nobody signed in: the login page asks for the hinted one.
    test: (f) => f.hintedSubjectMismatch && !f.signedInHere,
  },
  {
    step: 'login',
    reason: 'the user who signed in is not the one id_token_hint names (OIDC Core 3.1.2.1)',
    promptNone: 'login_required',
    // Asking again would loop: the app asked for one user and got another, so it is told so.
    ends: 'login_required',
    test: (f) => f.hintedSubjectMismatch && f.signedInHere,
  },
  {
    step: 'login',
    reason: 'prompt=login asks for a fresh sign-in (OIDC Core 3.1.2.1)',
    promptNone: 'login_required',
    test: (f) => f.prompt.includes('login') && !f.signedInHere,
  },
  {
    step: 'login',
    reason: 'the sign-in is older than max_age (OIDC Core 3.1.2.1; max_age=0 is prompt=login)',
    promptNone: 'login_required',
    test: (f) =>
      f.maxAge !== null &&
      !f.signedInHere &&
      f.signIn !== undefined &&
      (f.maxAge === 0 || f.now - f.signIn.authTime > f.maxAge),
  },
  {
    step: 'mfa',
    reason: 'the sign-in waits for its second factor',
    promptNone: 'interaction_required',
    test: (f) => f.signIn !== undefined && !f.signIn.complete,
  },
  {
    step: 'mfa',
    reason: 'acr_values asks for a second factor the sign-in did not pass',
    promptNone: 'unmet_authentication_requirements',
    test: (f) => f.secondFactor.acrRequested && !secondFactorDone(f.signIn?.amr ?? []),
  },
  {
    step: 'mfa',
    reason: 'the user or the client requires a second factor the sign-in did not pass',
    promptNone: 'interaction_required',
    test: (f) => secondFactorRequired(f.secondFactor) && !secondFactorDone(f.signIn?.amr ?? []),
  },
  {
    step: 'mfa',
    reason: 'the action needs a second factor passed within the last minutes',
    promptNone: 'interaction_required',
    test: (f) => f.freshSecondFactor === true && (!f.signIn || !secondFactorFresh(f.signIn, f.now)),
  },
  {
    step: 'consent',
    reason: 'prompt=consent asks for the consent page',
    promptNone: 'consent_required',
    test: (f) => f.prompt.includes('consent') && !f.consent.givenHere,
  },
  {
    step: 'consent',
    reason: 'scopes the user has not approved for this client',
    promptNone: 'consent_required',
    test: (f) =>
      !f.consent.firstParty &&
      !f.consent.givenHere &&
      f.consent.requested.some((s) => !f.consent.approved.includes(s)),
  },
];

/** The first check that applies, or `undefined` when the interaction may end. */
export function nextCheck(facts: Facts, checks: readonly Check[] = CHECKS): Check | undefined {
  return checks.find((check) => check.test(facts));
}
