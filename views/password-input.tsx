import { raw } from 'hono/html';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { readAsset } from '../src/paths.js';
import { useLang } from './i18n/index.js';

/** `views/show-password.js`, read once: served as `/assets/show-password.js`. */
export const showPasswordScript: string = readAsset('views/show-password.js');

/** `views/copy-secret.js`, read once: served as `/assets/copy-secret.js` (the console's secret pages). */
export const copySecretScript: string = readAsset('views/copy-secret.js');

export type PasswordInputProps = Omit<JSX.IntrinsicElements['input'], 'type'> & { id: string };

/**
 * Every password field: the input, and a "Show password" button that is `hidden` until
 * /assets/show-password.js reveals it, so without JavaScript the form is exactly the plain field.
 * The button's name is its (visually hidden) text, never an `aria-label`, so the field's `<label>` stays the
 * only label on the page saying "Password"; and it doesn't change when pressed: `aria-pressed` says whether
 * the password is shown (a toggle whose name changed too would announce "Hide password, pressed").
 */
export function PasswordInput(props: PasswordInputProps) {
  const { t } = useLang();
  return (
    <div class="password-input">
      {/* Shown as text, it is still a secret: no spell checker sees it, no capital is added to it. */}
      <input spellcheck={false} autocapitalize="none" {...props} type="password" />
      <button
        type="button"
        class="password-toggle"
        hidden
        aria-controls={props.id}
        aria-pressed="false"
        data-password-toggle=""
      >
        {EYE_ICONS}
        <span class="visually-hidden">{t('password.show')}</span>
      </button>
    </div>
  );
}

/**
 * The two icons, serialised once: static markup, so each page render copies a string instead of building and
 * escaping the same SVG elements again (rendering is most of a page view's cost).
 */
const EYE_ICONS = raw(
  [
    '<svg class="password-toggle-show" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">',
    '<path fill="none" stroke="currentColor" stroke-width="1.75" stroke-linecap="round" stroke-linejoin="round" d="M2.5 12S6 5 12 5s9.5 7 9.5 7-3.5 7-9.5 7-9.5-7-9.5-7Z"></path>',
    '<circle cx="12" cy="12" r="3" fill="none" stroke="currentColor" stroke-width="1.75"></circle></svg>',
    '<svg class="password-toggle-hide" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">',
    '<path fill="none" stroke="currentColor" stroke-width="1.75" stroke-linecap="round" stroke-linejoin="round" d="M9.9 5.2A9.8 9.8 0 0 1 12 5c6 0 9.5 7 9.5 7a17 17 0 0 1-2.6 3.5M6.1 6.7C3.8 8.4 2.5 12 2.5 12S6 19 12 19a9.4 9.4 0 0 0 5.2-1.6M9.9 9.9a3 3 0 0 0 4.2 4.2M3 3l18 18"></path></svg>',
  ].join(''),
);
