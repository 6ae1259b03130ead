import type { Code } from './copy.js';
import { CsrfField, ErrorAlert, Layout } from './layout.js';
import { ProviderIcon } from './providers.js';

export interface LoginProvider {
  /** Display name, e.g. "Google"; the link reads "Continue with <name>". */
  name: string;
  /** Where the upstream sign-in starts, e.g. `/federation/google/start?interaction=…`. */
  href: string;
}

export interface LoginPageProps {
  action: string;
  csrf: string;
  /** Echoed back after a failed attempt so the user only retypes the password. */
  email?: string;
  error?: Code;
  clientName?: string;
  providers: LoginProvider[];
  /** `false` (`LATCHKEY_PASSWORD_LOGIN=off`): the page is a provider chooser only, without the form. */
  passwordLogin?: boolean;
}

/** Posts `csrf`, `email`, `password`. */
export function LoginPage({
  action,
  csrf,
  email,
  error,
  clientName,
  providers,
  passwordLogin = true,
}: LoginPageProps) {
  return (
    <Layout title="Sign in">
      <div class="card-header">
        <h1>Sign in</h1>
        {clientName ? (
          <p class="lead">
            to continue to <strong>{clientName}</strong>
          </p>
        ) : (
          <p class="lead">Welcome back. Sign in to your account.</p>
        )}
      </div>
      <ErrorAlert code={error} />
      {providers.length > 0 && (
        <>
          <ul class="providers">
            {providers.map((p) => (
              <li>
                <a class="button button-provider" href={p.href}>
                  <ProviderIcon name={p.name} />
                  <span>Continue with {p.name}</span>
                </a>
              </li>
            ))}
          </ul>
          {passwordLogin && (
            <div class="divider">
              <span>or</span>
            </div>
          )}
        </>
      )}
      {passwordLogin && (
        <form method="post" action={action} class="stack">
          <CsrfField token={csrf} />
          <div class="field">
            <label for="email">Email</label>
            <input
              id="email"
              name="email"
              type="email"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              autofocus={!email}
              value={email ?? ''}
            />
          </div>
          <div class="field">
            <label for="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autocomplete="current-password"
              required
              autofocus={!!email}
            />
          </div>
          <button type="submit" class="button button-primary">
            Sign in
          </button>
        </form>
      )}
    </Layout>
  );
}
