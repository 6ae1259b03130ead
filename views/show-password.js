// Served as /assets/show-password.js (the pages' CSP allows no inline script). Reveals the "Show password"
// buttons of views/password-input.tsx, which are `hidden` so that without JavaScript a form is the plain
// password field it always was, and makes each switch its field between hidden and shown.

for (const button of document.querySelectorAll('button[data-password-toggle]')) {
  const input = document.getElementById(button.getAttribute('aria-controls') || '');
  if (!(input instanceof HTMLInputElement)) continue;
  button.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    button.setAttribute('aria-pressed', String(show));
  });
  // Sent as a password field: the browser offers to save a password, not to remember typed text.
  input.form?.addEventListener('submit', () => {
    input.type = 'password';
    button.setAttribute('aria-pressed', 'false');
  });
  button.hidden = false;
}
