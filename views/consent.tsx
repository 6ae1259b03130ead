import { useLang } from './i18n/index.js';
import { CheckIcon, CsrfField, Layout } from './layout.js';
import { scopeText } from './scopes.js';

export interface ConsentScope {
  name: string;
  /** Shown to the user; see `BUILTIN_SCOPES` in src/oauth/scope.ts. */
  description: string;
}

export interface ConsentPageProps {
  action: string;
  csrf: string;
  clientName: string;
  userEmail: string;
  scopes: ConsentScope[];
  /** The RFC 8707 resource the app asks access to, when it names one. */
  resource?: string | null | undefined;
  /** The client's registered `client_uri`, `policy_uri`, `tos_uri` (RFC 7591 §2), shown as text links. */
  links?: { website?: string | null; privacy?: string | null; terms?: string | null } | undefined;
  /** The client's `logo_uri`, only when the admin opted in to loading client logos (`LATCHKEY_CLIENT_LOGOS`). */
  logoUri?: string | null | undefined;
}

/** Posts `csrf`, `decision` (`allow` or `deny`). */
export function ConsentPage({
  action,
  csrf,
  clientName,
  userEmail,
  scopes,
  resource,
  links,
  logoUri,
}: ConsentPageProps) {
  const { t, rich } = useLang();
  const clientLinks = (
    [
      ['website', links?.website],
      ['privacy', links?.privacy],
      ['terms', links?.terms],
    ] as const
  ).filter((l): l is readonly ['website' | 'privacy' | 'terms', string] => !!l[1]);
  return (
    <Layout title={t('consent.title', { client: clientName })}>
      <div class="card-header">
        {logoUri ? (
          <img class="app-logo" src={logoUri} alt="" width="48" height="48" referrerpolicy="no-referrer" />
        ) : (
          <div class="app-badge" aria-hidden="true">
            {initial(clientName)}
          </div>
        )}
        <h1>{rich('consent.heading', { client: <span class="client-name">{clientName}</span> })}</h1>
        <p class="lead">
          {rich('consent.signedInAs', { email: <strong class="identity">{userEmail}</strong> })}
        </p>
        {clientLinks.length > 0 && (
          // Plain links, not a list: the page's list items are the requested scopes (SPEC §5).
          <nav class="client-links" aria-label={t('consent.about', { client: clientName })}>
            {clientLinks.map(([kind, href]) => (
              <a href={href} rel="noopener noreferrer">
                {t(`consent.${kind}`)}
              </a>
            ))}
          </nav>
        )}
      </div>
      <section class="scopes" aria-labelledby="scopes-heading">
        <h2 id="scopes-heading" class="section-label">
          {t('consent.requested')}
        </h2>
        {resource ? (
          <p class="resource-line">
            {rich('consent.resource', { resource: <strong class="resource">{resource}</strong> })}
          </p>
        ) : null}
        <ul class="scope-list">
          {scopes.map((s) => (
            <li data-scope={s.name}>
              <CheckIcon class="scope-icon" />
              <span>{scopeText(s.description)}</span>
            </li>
          ))}
        </ul>
      </section>
      <p class="fine-print">{t('consent.finePrint')}</p>
      <form method="post" action={action} class="actions">
        <CsrfField token={csrf} />
        <button type="submit" name="decision" value="deny" class="button button-secondary">
          {t('consent.deny')}
        </button>
        <button type="submit" name="decision" value="allow" class="button button-primary">
          {t('consent.allow')}
        </button>
      </form>
    </Layout>
  );
}

function initial(name: string): string {
  return name.trim().charAt(0).toUpperCase() || '?';
}
