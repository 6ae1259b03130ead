import { type Code, messageFor } from './copy.js';
import { useLang } from './i18n/index.js';
import { Layout } from './layout.js';

export interface ErrorPageProps {
  /** A stable code; shown verbatim so users can quote it. */
  code: Code | string;
  /** Extra detail safe to show (e.g. an OAuth `error_description`). */
  description?: string;
  /** "Back to <app>": the app's registered home page, when the error happened on its behalf. */
  back?: { href: string; app: string };
}

/** Somewhere safe to go from here: back to the app's home page when it registered one, else the account page. */
export function ErrorPage({ code, description, back }: ErrorPageProps) {
  const { locale, t, rich } = useLang();
  const message = messageFor(code, locale) ?? t('server_error');
  return (
    <Layout title={t('error.title')}>
      <div class="card-header">
        <div class="status-icon status-icon-error" aria-hidden="true">
          !
        </div>
        <h1>{t('error.title')}</h1>
        <p class="lead">{message}</p>
      </div>
      {/* The technical detail is the server's own English (an OAuth error_description): marked so. */}
      {description && description !== message && (
        <p class="detail" lang="en">
          {description}
        </p>
      )}
      <p class="error-code">{rich('error.code', { code: <code>{code}</code> })}</p>
      <p class="way-back">
        {back ? (
          <a href={back.href} rel="noopener noreferrer">
            {t('error.backToApp', { app: back.app })}
          </a>
        ) : (
          <a href="/account">{t('error.toAccount')}</a>
        )}
      </p>
    </Layout>
  );
}
