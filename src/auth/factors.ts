/**
 * Authentication factors and the rule that decides whether a sign-in is complete. A browser session
 * exists only for a complete sign-in: one whose every required factor is done.
 */

/** RFC 8176 authentication method references, as latchkey uses them. */
export type Amr = 'pwd' | 'otp' | 'fed';

export const ACR_1FA = 'urn:latchkey:acr:1fa';
export const ACR_2FA = 'urn:latchkey:acr:2fa';

/** A second factor the user has enrolled (TOTP, later others), as offered to the user or the app. */
export interface SecondFactorMethod {
  id: string;
  type: 'totp';
}

/** Why a second factor is needed for this sign-in. */
export interface SecondFactorRequirement {
  /** The user enrolled one: every sign-in passes it (also through an upstream provider, SPEC §3). */
  enrolled: boolean;
  /** The client was registered with `--require-mfa`. */
  clientRequires: boolean;
  /** The request asked `acr_values=urn:latchkey:acr:2fa`. */
  acrRequested: boolean;
}

export function secondFactorRequired(r: SecondFactorRequirement): boolean {
  return r.enrolled || r.clientRequires || r.acrRequested;
}

export function secondFactorDone(amr: readonly string[]): boolean {
  return amr.includes('otp');
}

/** How recent a second factor must be for a sensitive action (revoking an app, turning TOTP off, linking). */
export const FRESH_SECOND_FACTOR_SECONDS = 300;

/** Whether a sign-in passed its second factor recently enough for a sensitive action. */
export function secondFactorFresh(
  signIn: { amr: readonly string[]; authTime: number },
  now: number,
): boolean {
  return secondFactorDone(signIn.amr) && now - signIn.authTime <= FRESH_SECOND_FACTOR_SECONDS;
}

/** The `acr` values latchkey answers and accepts in `acr_values` (discovery's `acr_values_supported`). */
export const ACR_VALUES = [ACR_1FA, ACR_2FA] as const;

/** The `acr` of a sign-in with these methods. */
export function acrOf(amr: readonly string[]): string {
  return secondFactorDone(amr) ? ACR_2FA : ACR_1FA;
}
