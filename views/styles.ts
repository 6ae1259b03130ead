/**
 * The one stylesheet, served as `/assets/latchkey.css`. The CSP forbids inline styles, so every
 * visual rule lives here; pages use classes only.
 */
export const stylesheet = `
:root {
  color-scheme: light dark;
  --bg: #f4f5f8;
  --surface: #ffffff;
  --surface-muted: #f7f8fa;
  --border: #e3e6ec;
  --border-strong: #c9ced8;
  --text: #111827;
  --text-muted: #4b5563;
  --text-subtle: #5f6878;
  --primary: #4f46e5;
  --primary-hover: #4338ca;
  --primary-text: #ffffff;
  --primary-soft: #eef0ff;
  --primary-soft-text: #3f37c9;
  --link: #4338ca;
  --focus: #6366f1;
  --danger: #b42318;
  --danger-hover: #912018;
  --danger-soft: #fef3f2;
  --danger-border: #f5b8b1;
  --success: #067647;
  --success-soft: #ecfdf3;
  --success-border: #a6e9c1;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.04), 0 12px 32px -8px rgba(16, 24, 40, 0.12);
  --radius: 10px;
  --radius-lg: 16px;
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans",
    Arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji";
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}

@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0c0e13;
    --surface: #161a22;
    --surface-muted: #1d222c;
    --border: #2a303c;
    --border-strong: #3b4250;
    --text: #eceef3;
    --text-muted: #b0b7c3;
    --text-subtle: #9ba3b1;
    --primary: #4f46e5;
    --primary-hover: #5b53f0;
    --primary-soft: #25284a;
    --primary-soft-text: #c7cbff;
    --link: #a5b0ff;
    --focus: #8b93ff;
    --danger: #ff8a80;
    --danger-hover: #ffa49c;
    --danger-soft: #2d1717;
    --danger-border: #6b2a25;
    --success: #6ee7a8;
    --success-soft: #10261b;
    --success-border: #1f5a3a;
    --shadow: 0 1px 2px rgba(0, 0, 0, 0.3), 0 12px 32px -8px rgba(0, 0, 0, 0.5);
  }
}

*, *::before, *::after { box-sizing: border-box; }

html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }

body {
  margin: 0;
  min-height: 100vh;
  background: var(--bg);
  color: var(--text);
  font-family: var(--font);
  font-size: 15px;
  line-height: 1.5;
  -webkit-font-smoothing: antialiased;
}

h1, h2, h3, p, ul, ol, dl, dd { margin: 0; }
ul, ol { padding: 0; list-style: none; }

a { color: var(--link); text-underline-offset: 2px; }
a:hover { text-decoration-thickness: 2px; }

code { font-family: var(--mono); font-size: 0.92em; }

:focus-visible {
  outline: 3px solid var(--focus);
  outline-offset: 2px;
}

/* Page frame */
.page {
  display: flex;
  flex-direction: column;
  align-items: center;
  min-height: 100vh;
  padding: 48px 16px 64px;
}

.brand {
  display: flex;
  align-items: center;
  gap: 10px;
  margin-bottom: 24px;
  color: var(--text);
  font-weight: 650;
  font-size: 18px;
  letter-spacing: -0.01em;
}
.brand-mark { color: var(--primary); flex: none; }

.card {
  width: 100%;
  max-width: 420px;
  padding: 40px 40px 36px;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius-lg);
  box-shadow: var(--shadow);
}
.card-wide { max-width: 680px; }

.card-header {
  margin-bottom: 28px;
  text-align: center;
}
.card-header-row {
  display: flex;
  align-items: flex-start;
  justify-content: space-between;
  gap: 16px;
  text-align: left;
}

h1 {
  font-size: 24px;
  line-height: 1.3;
  font-weight: 650;
  letter-spacing: -0.015em;
  overflow-wrap: anywhere;
}
.lead {
  margin-top: 6px;
  color: var(--text-muted);
  overflow-wrap: anywhere;
}
.lead strong { color: var(--text); font-weight: 600; }
.identity { color: var(--text); font-weight: 500; }
.account-identity > span { display: block; }

/* Forms */
.stack { display: flex; flex-direction: column; gap: 18px; }

.field { display: flex; flex-direction: column; gap: 6px; }

label, .label {
  font-size: 14px;
  font-weight: 550;
  color: var(--text);
}

input[type="text"], input[type="email"], input[type="password"] {
  width: 100%;
  height: 44px;
  padding: 0 12px;
  font: inherit;
  font-size: 16px;
  color: var(--text);
  background: var(--surface);
  border: 1px solid var(--border-strong);
  border-radius: var(--radius);
  box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04);
  transition: border-color 120ms, box-shadow 120ms;
}
input:hover { border-color: var(--text-subtle); }
input:focus, input:focus-visible {
  outline: 2px solid transparent;
  border-color: var(--primary);
  box-shadow: 0 0 0 3px color-mix(in srgb, var(--focus) 35%, transparent);
}
input:user-invalid { border-color: var(--danger); }
input::placeholder { color: var(--text-subtle); opacity: 0.7; }

.input-code { font-family: var(--mono); letter-spacing: 0.12em; }

.hint { font-size: 13px; color: var(--text-subtle); }

/* Buttons */
.button {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  gap: 10px;
  min-height: 44px;
  padding: 0 18px;
  font: inherit;
  font-size: 15px;
  font-weight: 600;
  line-height: 1.2;
  text-decoration: none;
  white-space: nowrap;
  border: 1px solid transparent;
  border-radius: var(--radius);
  cursor: pointer;
  transition: background-color 120ms, border-color 120ms, color 120ms;
}
.stack > .button, .providers .button { width: 100%; }
.button:active { transform: translateY(1px); }

.button-primary {
  background: var(--primary);
  color: var(--primary-text);
  box-shadow: 0 1px 2px rgba(16, 24, 40, 0.1), inset 0 1px 0 rgba(255, 255, 255, 0.12);
}
.button-primary:hover { background: var(--primary-hover); }

.button-secondary, .button-provider {
  background: var(--surface);
  color: var(--text);
  border-color: var(--border-strong);
  box-shadow: 0 1px 2px rgba(16, 24, 40, 0.05);
}
.button-secondary:hover, .button-provider:hover {
  background: var(--surface-muted);
  border-color: var(--text-subtle);
}
.button-provider { font-weight: 550; }

.button-danger {
  background: var(--danger);
  color: #ffffff;
}
.button-danger:hover { background: var(--danger-hover); }

.button-danger-outline {
  background: var(--surface);
  color: var(--danger);
  border-color: var(--danger-border);
}
.button-danger-outline:hover { background: var(--danger-soft); border-color: var(--danger); }

.button-small { min-height: 36px; padding: 0 12px; font-size: 14px; }

.provider-logo { flex: none; }
.provider-initial {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  flex: none;
  width: 22px;
  height: 22px;
  border-radius: 6px;
  background: var(--primary-soft);
  color: var(--primary-soft-text);
  font-size: 12px;
  font-weight: 700;
}

.providers { display: flex; flex-direction: column; gap: 10px; }

.divider {
  display: flex;
  align-items: center;
  gap: 12px;
  margin: 24px 0;
  color: var(--text-subtle);
  font-size: 13px;
}
.divider::before, .divider::after {
  content: "";
  flex: 1;
  height: 1px;
  background: var(--border);
}

/* Alerts */
.alert {
  display: flex;
  align-items: flex-start;
  gap: 10px;
  margin-bottom: 20px;
  padding: 12px 14px;
  font-size: 14px;
  border: 1px solid;
  border-radius: var(--radius);
}
.alert-icon { flex: none; margin-top: 1px; }
.alert-error { background: var(--danger-soft); border-color: var(--danger-border); color: var(--danger); }
.alert-success { background: var(--success-soft); border-color: var(--success-border); color: var(--success); }

/* Consent */
.app-badge {
  display: flex;
  align-items: center;
  justify-content: center;
  width: 56px;
  height: 56px;
  margin: 0 auto 18px;
  border-radius: 14px;
  background: var(--primary-soft);
  color: var(--primary-soft-text);
  font-size: 24px;
  font-weight: 700;
}
.app-badge-small {
  flex: none;
  width: 36px;
  height: 36px;
  margin: 0;
  border-radius: 9px;
  font-size: 15px;
}
.client-name { color: var(--text); }
.card-header .app-badge + h1 { font-size: 21px; }

.section-label {
  margin-bottom: 10px;
  font-size: 13px;
  font-weight: 600;
  color: var(--text-muted);
}
.scope-list {
  border: 1px solid var(--border);
  border-radius: 12px;
  background: var(--surface-muted);
}
.scope-list li {
  display: flex;
  align-items: center;
  gap: 12px;
  padding: 12px 14px;
}
.scope-list li + li { border-top: 1px solid var(--border); }
.scope-icon { flex: none; color: var(--success); }

.fine-print {
  margin: 18px 0 24px;
  font-size: 13px;
  color: var(--text-subtle);
}

.actions {
  display: grid;
  grid-template-columns: 1fr 1fr;
  gap: 12px;
}

/* Status pages */
.status-icon {
  display: flex;
  align-items: center;
  justify-content: center;
  width: 52px;
  height: 52px;
  margin: 0 auto 18px;
  border-radius: 50%;
  font-size: 26px;
  font-weight: 700;
  line-height: 1;
}
.status-icon-error { background: var(--danger-soft); color: var(--danger); }
.status-icon-success { background: var(--success-soft); color: var(--success); }
.status-svg { width: 28px; height: 28px; }

.detail {
  margin-bottom: 20px;
  padding: 12px 14px;
  font-size: 14px;
  color: var(--text-muted);
  background: var(--surface-muted);
  border-radius: var(--radius);
  overflow-wrap: anywhere;
}
.error-code {
  text-align: center;
  font-size: 13px;
  color: var(--text-subtle);
}
.error-code code {
  padding: 2px 6px;
  color: var(--text);
  background: var(--surface-muted);
  border: 1px solid var(--border);
  border-radius: 6px;
}

/* Account */
.section {
  margin-top: 28px;
  padding-top: 28px;
  border-top: 1px solid var(--border);
}
.section-title { display: flex; align-items: center; gap: 10px; }
.section h2 {
  font-size: 17px;
  font-weight: 620;
  letter-spacing: -0.01em;
}
.section h3 { font-size: 15px; font-weight: 600; }
.section-intro { margin-top: 4px; color: var(--text-muted); font-size: 14px; }
.section-action {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 8px 16px;
  margin-top: 16px;
}
.empty {
  margin-top: 12px;
  padding: 18px;
  text-align: center;
  font-size: 14px;
  color: var(--text-subtle);
  border: 1px dashed var(--border-strong);
  border-radius: 12px;
}

.item-list {
  margin-top: 14px;
  border: 1px solid var(--border);
  border-radius: 12px;
}
.item {
  display: flex;
  align-items: center;
  gap: 14px;
  padding: 14px 16px;
}
.item + .item { border-top: 1px solid var(--border); }
.item-main {
  display: flex;
  flex-direction: column;
  flex: 1;
  min-width: 0;
}
.item-title {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 4px 8px;
  font-weight: 550;
  overflow-wrap: anywhere;
}
.item-meta { font-size: 13px; color: var(--text-subtle); overflow-wrap: anywhere; }
.item-action { flex: none; }

.badge {
  display: inline-flex;
  align-items: center;
  padding: 1px 8px;
  font-size: 12px;
  font-weight: 600;
  letter-spacing: 0;
  color: var(--primary-soft-text);
  background: var(--primary-soft);
  border-radius: 999px;
}
.badge-success { color: var(--success); background: var(--success-soft); }

.mfa-setup { display: flex; flex-direction: column; gap: 20px; }
.mfa-setup-grid {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 20px 24px;
  padding: 18px;
  background: var(--surface-muted);
  border: 1px solid var(--border);
  border-radius: 12px;
}
.mfa-setup-details { display: flex; flex-direction: column; gap: 12px; min-width: 0; flex: 1 1 220px; }
.qr {
  display: block;
  flex: none;
  padding: 8px;
  background: #ffffff;
  border: 1px solid var(--border);
  border-radius: 12px;
  image-rendering: pixelated;
}
.secret { display: flex; flex-direction: column; align-items: flex-start; gap: 6px; }
.secret label { font-size: 13px; color: var(--text-muted); }
.secret-value {
  font-family: var(--mono);
  display: inline-block;
  max-width: 100%;
  padding: 8px 12px;
  font-size: 15px;
  letter-spacing: 0.08em;
  word-break: break-all;
  color: var(--text);
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: 8px;
  user-select: all;
}
.mfa-setup-details a { font-size: 14px; }

.recovery {
  margin-top: 16px;
  padding: 18px;
  border: 1px solid var(--border);
  border-radius: 12px;
  background: var(--surface-muted);
}
.recovery p { margin-top: 4px; font-size: 14px; color: var(--text-muted); }
.recovery-codes {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(140px, 1fr));
  gap: 8px 16px;
  margin-top: 14px;
  font-size: 15px;
}

.linked-provider {
  display: flex;
  align-items: center;
  gap: 10px;
  margin-top: 12px;
  padding: 14px 16px;
  border: 1px solid var(--border);
  border-radius: 12px;
}

.section > .hint { margin-top: 8px; }
.link-list { display: flex; flex-direction: column; gap: 12px; margin-top: 14px; }
.link-form {
  display: flex;
  flex-wrap: wrap;
  align-items: flex-end;
  gap: 12px;
  padding: 16px;
  border: 1px solid var(--border);
  border-radius: 12px;
}
.link-form .field { flex: 1 1 220px; }


.inline-form {
  display: flex;
  flex-wrap: wrap;
  align-items: flex-end;
  gap: 12px;
}
.inline-form .field { flex: 0 1 240px; }

/* Phones: the card becomes the page. */
@media (max-width: 480px) {
  body { background: var(--surface); }
  .page { padding: 20px 0 40px; }
  .brand { align-self: flex-start; margin: 0 20px 8px; }
  .card {
    max-width: none;
    padding: 20px 20px 28px;
    border: 0;
    border-radius: 0;
    box-shadow: none;
  }
  .card-header { margin-bottom: 24px; }
  h1 { font-size: 22px; }
  .item { flex-wrap: wrap; }
  .link-form .button { width: 100%; }
}

@media (prefers-reduced-motion: reduce) {
  * { transition: none !important; }
  .button:active { transform: none; }
}

@media (forced-colors: active) {
  .button, input { border: 1px solid ButtonText; }
}
`;
