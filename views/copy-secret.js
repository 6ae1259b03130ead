// Served as /assets/copy-secret.js (the pages' CSP allows no inline script). Reveals the "Copy" buttons of the
// admin console's secret pages (views/console/apps.tsx), `hidden` so that without JavaScript the secret is only
// the readonly textbox, which can be selected; each copies the field its `data-copy` names.

for (const button of document.querySelectorAll('button[data-copy]')) {
  const input = document.getElementById(button.getAttribute('data-copy') || '');
  if (!(input instanceof HTMLInputElement)) continue;
  button.addEventListener('click', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = 'Copied';
    } catch {
      // No clipboard (plain http, a refused permission): the text stays selected for the keyboard.
      button.textContent = 'Press Ctrl+C or ⌘C to copy';
    }
  });
  button.hidden = false;
}
