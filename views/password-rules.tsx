import { DEFAULT_PASSWORD_POLICY, PASSWORD_MAX_LENGTH, type PasswordPolicy } from '../src/config-password.js';
import { type Translator, useLang } from './i18n/index.js';

/** The id of the rules beside a password field: the field names it in `aria-describedby`. */
export const PASSWORD_RULES_ID = 'password-rules';

/** The policy of the page being rendered (`LATCHKEY_PASSWORD_*`, set by `pageLang`), else the defaults. */
const policyOf = (lang: Translator): PasswordPolicy => lang.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
const brandOf = (lang: Translator): string => lang.brand?.name ?? 'latchkey';

/**
 * The rules a new password must follow, as configured, in the page's language: shown beside every field where a
 * password is chosen, and linked to it with `aria-describedby={PASSWORD_RULES_ID}` so a screen reader reads them
 * with the field. Plain text: works without JavaScript.
 */
export function PasswordRules({ id = PASSWORD_RULES_ID }: { id?: string }) {
  const lang = useLang();
  const { t } = lang;
  const policy = policyOf(lang);
  return (
    <div class="hint password-rules" id={id}>
      <p>{t('passwordRules.intro')}</p>
      <ul>
        <li>{t('passwordRules.minLength', { min: policy.minLength })}</li>
        {policy.checkCommon && <li>{t('passwordRules.notCommon')}</li>}
        <li>{t('passwordRules.notContext', { brand: brandOf(lang) })}</li>
        {policy.minScore > 0 && <li>{t('passwordRules.hardToGuess')}</li>}
      </ul>
    </div>
  );
}

/** The `weak_password` message: what the policy is, with the configured numbers (see `ErrorAlert`). */
export function weakPasswordText(lang: Translator): string {
  const { t } = lang;
  const policy = policyOf(lang);
  const brand = brandOf(lang);
  return [
    t('passwordRules.weakLength', { min: policy.minLength, max: PASSWORD_MAX_LENGTH }),
    t(policy.checkCommon ? 'passwordRules.weakCommon' : 'passwordRules.weakContext', { brand }),
    ...(policy.minScore > 0 ? [t('passwordRules.weakScore')] : []),
  ].join(' ');
}
