import type { Child } from 'hono/jsx';
import { CsrfField, Layout } from '../layout.js';

/** The console's sections, in the order the nav lists them (issue 17: each gets its pages later). */
export const CONSOLE_SECTIONS = [
  { name: 'Users', href: '/admin/users', about: 'People who sign in: roles, second factors, sessions.' },
  { name: 'Apps', href: '/admin/apps', about: 'The clients that send users here: redirect URIs, secrets.' },
  {
    name: 'Providers',
    href: '/admin/providers',
    about: 'Upstream identity providers users may sign in with.',
  },
  { name: 'Scopes', href: '/admin/scopes', about: 'What apps may ask for, as the consent page words it.' },
  { name: 'Keys', href: '/admin/keys', about: 'The keys that sign tokens, and their rotation.' },
  { name: 'Audit', href: '/admin/audit', about: 'Who did what, and when.' },
] as const;

export interface ConsoleLayoutProps {
  title: string;
  /** The signed-in admin's email, shown beside "Sign out". */
  email: string;
  csrf: string;
  /** The request's path (`/admin/users/…`): the nav marks the section it is in with aria-current. */
  path?: string | undefined;
  children?: Child;
}

/** The section `path` is in, if any. */
function currentSection(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return CONSOLE_SECTIONS.find((s) => path === s.href || path.startsWith(`${s.href}/`))?.href;
}

/** Every console page: the hosted pages' look, a skip link, the sections' nav and the sign-out form. */
export function ConsoleLayout({ title, email, csrf, path, children }: ConsoleLayoutProps) {
  const current = currentSection(path);
  return (
    <Layout title={`${title} · Admin`} wide languages={false}>
      {/* `.console` widens the card (styles.css: `.card:has(> .console)`): tables take a wide screen's width. */}
      <div class="console">
        <a class="visually-hidden" href="#console-main">
          Skip to content
        </a>
        <div class="card-header card-header-row">
          <div>
            <p class="section-label">Admin console</p>
            <p class="lead account-identity">
              <span>{email}</span>
            </p>
          </div>
          <form method="post" action="/admin/logout">
            <CsrfField token={csrf} />
            <button type="submit" class="button button-secondary button-small">
              Sign out
            </button>
          </form>
        </div>
        <nav aria-label="Console sections">
          <ul class="console-nav">
            {CONSOLE_SECTIONS.map((s) => (
              <li>
                <a href={s.href} aria-current={s.href === current ? 'page' : undefined}>
                  {s.name}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div id="console-main" class="console-main">
          {children}
        </div>
      </div>
    </Layout>
  );
}
