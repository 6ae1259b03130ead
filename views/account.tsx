import { DEFAULT_PASSWORD_POLICY } from '../src/config-password.js';
import type { Code } from './copy.js';
import { type Translator, useLang } from './i18n/index.js';
import { CsrfField, ErrorAlert, fieldState, Layout, Notice } from './layout.js';
import { RecoveryCodes, TotpSetup } from './mfa.js';
import { PasswordInput } from './password-input.js';
import { PASSWORD_RULES_ID, PasswordRules } from './password-rules.js';
import { ProviderIcon } from './providers.js';
import { scopeText } from './scopes.js';
import { type AccountEmailActions, EmailSection } from './verify-email.js';

export interface AccountSession {
  /** What the session's "Sign out" posts (the stored hash of its id, never the cookie). */
  handle: string;
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds. */
  lastSeenAt?: number;
  /** Raw `User-Agent`; summarised for display ("Chrome on macOS"). */
  userAgent?: string;
  /** The session this page is being viewed in. */
  current: boolean;
}

export interface ConnectedApp {
  clientId: string;
  name: string;
  /** Descriptions of the granted scopes (see `BUILTIN_SCOPES` in src/oauth/scope.ts). */
  scopes: string[];
  /** Epoch seconds. */
  grantedAt?: number;
}

/** `error`: a code the MFA section's last form failed with (SPEC §5: shown in `role="alert"` beside it). */
export type AccountMfa =
  | { status: 'off'; error?: Code }
  /** Enrolment started: the secret is shown until a first code confirms it. */
  | { status: 'setup'; secret: string; otpauthUri?: string; qrDataUri?: string; error?: Code }
  /**
   * `recoveryCodes` only on the response that made them (enabling, or new codes): they are shown once.
   * `passwordAccepted`: the session passed its second factor minutes ago, so the password confirms too.
   */
  | { status: 'on'; recoveryCodes?: string[]; passwordAccepted?: boolean; error?: Code };

export interface AccountProvider {
  slug: string;
  name: string;
}

export interface AccountActions {
  /** Posts `csrf`. */
  signOutEverywhere: string;
  /** Posts `csrf`, `client_id`. */
  revoke: string;
  /** Posts `csrf`. */
  mfaSetup: string;
  /** Posts `csrf`, `code`. */
  mfaEnable: string;
  /** Posts `csrf`, `credential` (a code, or the password while the second factor is fresh). */
  mfaRecoveryCodes: string;
  /** Posts `csrf`, `credential`, like `mfaRecoveryCodes`. */
  mfaDisable: string;
  /** Posts `csrf`, `password`. */
  link: (slug: string) => string;
  /** Posts `csrf`, `session` (an `AccountSession.handle`). */
  signOutSession: string;
  /** Posts `csrf`, `current_password`, `new_password`. */
  changePassword: string;
}

export interface AccountPageProps {
  csrf: string;
  email: string;
  name?: string;
  sessions: AccountSession[];
  apps: ConnectedApp[];
  mfa: AccountMfa;
  /** The upstream provider the user signs in with, if linked. */
  linkedProvider?: { name: string };
  /** Enabled providers the user could link (ignored once one is linked). */
  providers: AccountProvider[];
  actions: AccountActions;
  /** The user has a password to change (a user linked to a provider has none). */
  hasPassword?: boolean;
  /** A link to RP-initiated logout for this browser, e.g. `/logout`. */
  signOutHref?: string;
  /** A known notice code (e.g. `app_revoked`) or ready-made text. */
  notice?: string;
  error?: Code;
  /** The password form's field `error` is about: marked `aria-invalid` and described by the alert. */
  failedField?: 'current_password' | 'new_password';
  /** The "Email" section (issue 15): whether the address is verified, and where to verify or change it. */
  emailVerified?: boolean;
  emailActions?: AccountEmailActions;
}

export function AccountPage(props: AccountPageProps) {
  const { csrf, email, name, notice, error, signOutHref } = props;
  const { t } = useLang();
  return (
    <Layout title={t('account.title')} wide>
      <div class="card-header card-header-row">
        <div>
          <h1>{t('account.title')}</h1>
          <p class="lead account-identity">
            {name && <span class="identity">{name}</span>}
            <span>{email}</span>
          </p>
        </div>
        {signOutHref && (
          <a class="button button-secondary button-small" href={signOutHref}>
            {t('account.signOut')}
          </a>
        )}
      </div>
      <Notice text={notice} />
      <ErrorAlert code={error} id="account-error" />
      <SessionsSection
        csrf={csrf}
        sessions={props.sessions}
        action={props.actions.signOutEverywhere}
        signOutSession={props.actions.signOutSession}
      />
      <AppsSection csrf={csrf} apps={props.apps} action={props.actions.revoke} />
      <MfaSection csrf={csrf} mfa={props.mfa} actions={props.actions} />
      {props.emailActions && (
        <EmailSection
          csrf={csrf}
          email={email}
          verified={props.emailVerified ?? false}
          canChange={props.hasPassword ?? false}
          provider={props.linkedProvider?.name}
          actions={props.emailActions}
        />
      )}
      {props.hasPassword && (
        <PasswordSection csrf={csrf} action={props.actions.changePassword} failedField={props.failedField} />
      )}
      <ProviderSection
        csrf={csrf}
        linked={props.linkedProvider}
        providers={props.providers}
        link={props.actions.link}
      />
    </Layout>
  );
}

function SessionsSection(props: {
  csrf: string;
  sessions: AccountSession[];
  action: string;
  signOutSession: string;
}) {
  const lang = useLang();
  const { t, rich } = lang;
  return (
    <section class="section" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t('sessions.heading')}</h2>
      <p class="section-intro">{t('sessions.intro')}</p>
      <ul class="item-list">
        {props.sessions.map((s, i) => (
          <li class="item">
            <div class="item-main">
              <span class="item-title" id={`session-${i}`} title={s.userAgent}>
                {describeUserAgent(s.userAgent, lang)}
                {s.current && <span class="badge">{t('sessions.thisDevice')}</span>}
              </span>
              <span class="item-meta">
                {rich('sessions.signedIn', { time: <Time epochSeconds={s.createdAt} /> })}
              </span>
              {s.lastSeenAt !== undefined && (
                <span class="item-meta">
                  {rich('sessions.lastSeen', { time: <Time epochSeconds={s.lastSeenAt} /> })}
                </span>
              )}
            </div>
            <form method="post" action={props.signOutSession} class="item-action">
              <CsrfField token={props.csrf} />
              <input type="hidden" name="session" value={s.handle} />
              <button
                type="submit"
                class="button button-secondary button-small"
                aria-describedby={`session-${i}`}
              >
                {t('sessions.signOut')}
              </button>
            </form>
          </li>
        ))}
      </ul>
      <form method="post" action={props.action} class="section-action">
        <CsrfField token={props.csrf} />
        <button
          type="submit"
          class="button button-danger-outline"
          aria-describedby="sign-out-everywhere-hint"
        >
          {t('sessions.everywhere')}
        </button>
        <p id="sign-out-everywhere-hint" class="hint">
          {t('sessions.everywhereHint')}
        </p>
      </form>
    </section>
  );
}

function PasswordSection(props: {
  csrf: string;
  action: string;
  failedField: AccountPageProps['failedField'];
}) {
  const { t, passwordPolicy } = useLang();
  return (
    <section class="section" aria-labelledby="password-heading">
      <h2 id="password-heading">{t('password.heading')}</h2>
      <p class="section-intro">{t('password.intro')}</p>
      <form method="post" action={props.action} class="stack">
        <CsrfField token={props.csrf} />
        <div class="field">
          <label for="current-password">{t('password.current')}</label>
          <PasswordInput
            id="current-password"
            name="current_password"
            autocomplete="current-password"
            required
            {...fieldState(props.failedField === 'current_password', 'account-error')}
          />
        </div>
        <div class="field">
          <label for="new-password">{t('password.new')}</label>
          <PasswordInput
            id="new-password"
            name="new_password"
            autocomplete="new-password"
            minlength={(passwordPolicy ?? DEFAULT_PASSWORD_POLICY).minLength}
            maxlength={1024}
            required
            {...fieldState(props.failedField === 'new_password', 'account-error', PASSWORD_RULES_ID)}
          />
          <PasswordRules />
        </div>
        <button type="submit" class="button button-primary">
          {t('password.submit')}
        </button>
      </form>
    </section>
  );
}

function AppsSection(props: { csrf: string; apps: ConnectedApp[]; action: string }) {
  const { t, rich } = useLang();
  return (
    <section class="section" aria-labelledby="apps-heading">
      <h2 id="apps-heading">{t('apps.heading')}</h2>
      {props.apps.length === 0 ? (
        <p class="empty">{t('apps.empty')}</p>
      ) : (
        <>
          <p class="section-intro">{t('apps.intro')}</p>
          <ul class="item-list">
            {props.apps.map((app, i) => (
              <li class="item">
                <div class="app-badge app-badge-small" aria-hidden="true">
                  {app.name.trim().charAt(0).toUpperCase() || '?'}
                </div>
                <div class="item-main">
                  <span class="item-title" id={`app-${i}`}>
                    {app.name}
                  </span>
                  {app.scopes.length > 0 && (
                    <span class="item-meta">{app.scopes.map(scopeText).join(' · ')}</span>
                  )}
                  {app.grantedAt !== undefined && (
                    <span class="item-meta">
                      {rich('apps.allowed', { time: <Time epochSeconds={app.grantedAt} /> })}
                    </span>
                  )}
                </div>
                <form method="post" action={props.action} class="item-action">
                  <CsrfField token={props.csrf} />
                  <input type="hidden" name="client_id" value={app.clientId} />
                  <button
                    type="submit"
                    class="button button-danger-outline button-small"
                    aria-describedby={`app-${i}`}
                  >
                    {t('apps.revoke')}
                  </button>
                </form>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function MfaSection(props: { csrf: string; mfa: AccountMfa; actions: AccountActions }) {
  const { csrf, mfa, actions } = props;
  const { t } = useLang();
  return (
    <section class="section" aria-labelledby="mfa-heading">
      {/* The badge sits beside the heading, not in it: the heading's name stays exact. */}
      <div class="section-title">
        <h2 id="mfa-heading">{t('mfaSection.heading')}</h2>
        {mfa.status === 'on' && <span class="badge badge-success">{t('mfaSection.on')}</span>}
      </div>
      {mfa.status === 'off' && (
        <>
          <p class="section-intro">{t('mfaSection.offIntro')}</p>
          <ErrorAlert code={mfa.error} />
          <form method="post" action={actions.mfaSetup} class="section-action">
            <CsrfField token={csrf} />
            <button type="submit" class="button button-secondary">
              {t('mfaSection.setUp')}
            </button>
          </form>
        </>
      )}
      {mfa.status === 'setup' && (
        <TotpSetup
          csrf={csrf}
          action={actions.mfaEnable}
          secret={mfa.secret}
          otpauthUri={mfa.otpauthUri}
          qrDataUri={mfa.qrDataUri}
          error={mfa.error}
        />
      )}
      {mfa.status === 'on' && (
        <>
          <p class="section-intro">{t('mfaSection.onIntro')}</p>
          {mfa.recoveryCodes && mfa.recoveryCodes.length > 0 && <RecoveryCodes codes={mfa.recoveryCodes} />}
          <ManageMfaForm
            csrf={csrf}
            actions={actions}
            passwordAccepted={mfa.passwordAccepted === true}
            error={mfa.error}
          />
        </>
      )}
    </section>
  );
}

/**
 * One field and two buttons, so both actions work without JavaScript and no two inputs share a name. The
 * first button is the harmless one: it is the one Enter presses.
 */
function ManageMfaForm(props: {
  csrf: string;
  actions: AccountActions;
  passwordAccepted: boolean;
  error: Code | undefined;
}) {
  const { csrf, actions, passwordAccepted, error } = props;
  const { t } = useLang();
  return (
    <div class="mfa-manage">
      <ErrorAlert code={error} id="mfa-manage-error" />
      <form method="post" action={actions.mfaRecoveryCodes} class="inline-form">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="mfa-credential">{t('mfaSection.credential')}</label>
          <PasswordInput
            id="mfa-credential"
            name="credential"
            autocomplete={passwordAccepted ? 'current-password' : 'one-time-code'}
            autocapitalize="none"
            spellcheck={false}
            required
            {...fieldState(
              error === 'invalid_code' || error === 'invalid_credentials',
              'mfa-manage-error',
              'mfa-credential-hint',
            )}
          />
        </div>
        <button type="submit" class="button button-secondary">
          {t('mfaSection.newCodes')}
        </button>
        <button type="submit" class="button button-danger-outline" formAction={actions.mfaDisable}>
          {t('mfaSection.turnOff')}
        </button>
      </form>
      <p id="mfa-credential-hint" class="hint">
        {t(passwordAccepted ? 'mfaSection.hintPassword' : 'mfaSection.hintCode')}
      </p>
    </div>
  );
}

function ProviderSection(props: {
  csrf: string;
  linked: { name: string } | undefined;
  providers: AccountProvider[];
  link: (slug: string) => string;
}) {
  const { csrf, linked, providers, link } = props;
  const { t, rich } = useLang();
  return (
    <section class="section" aria-labelledby="provider-heading">
      <h2 id="provider-heading">{t('provider.heading')}</h2>
      {linked ? (
        <p class="linked-provider">
          <ProviderIcon name={linked.name} />
          <span>{rich('provider.linked', { provider: <strong>{linked.name}</strong> })}</span>
        </p>
      ) : (
        <>
          <p class="section-intro">{t('provider.none')}</p>
          {providers.length > 0 && (
            <>
              <p class="hint">{t('provider.linkHint')}</p>
              <ul class="link-list">
                {providers.map((p) => (
                  <li>
                    <form method="post" action={link(p.slug)} class="link-form">
                      <CsrfField token={csrf} />
                      <div class="field">
                        <label for={`link-password-${p.slug}`}>{t('provider.password')}</label>
                        <PasswordInput
                          id={`link-password-${p.slug}`}
                          name="password"
                          autocomplete="current-password"
                          required
                        />
                      </div>
                      <button type="submit" class="button button-provider">
                        <ProviderIcon name={p.name} />
                        <span>{t('provider.link', { provider: p.name })}</span>
                      </button>
                    </form>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}

/** In the page's language and in UTC, saying so (views/i18n/index.ts `dateTime` tells why UTC). */
function Time({ epochSeconds }: { epochSeconds: number }) {
  const date = new Date(epochSeconds * 1000);
  return <time datetime={date.toISOString()}>{useLang().dateTime(epochSeconds)}</time>;
}

const browsers: [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/OPR\//, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const systems: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Windows/, 'Windows'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** "Firefox on Windows" from a User-Agent: enough to tell one's own browsers apart. */
export function describeUserAgent(userAgent: string | undefined, lang: Pick<Translator, 't'>): string {
  const ua = userAgent ?? '';
  const browser = browsers.find(([re]) => re.test(ua))?.[1];
  const os = systems.find(([re]) => re.test(ua))?.[1];
  if (browser && os) return lang.t('ua.browserOn', { browser, os });
  return browser ?? os ?? lang.t('ua.unknown');
}
