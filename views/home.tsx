import { useLang } from './i18n/index.js';
import { Layout } from './layout.js';

export interface HomePageProps {
  /** The deployment's name (`LATCHKEY_BRAND_NAME`). */
  name: string;
}

/** The front door (`GET /` in a browser): who this is, and the one place a user can go from here. */
export function HomePage({ name }: HomePageProps) {
  const { t } = useLang();
  return (
    <Layout title={name}>
      <div class="card-header">
        <h1>{name}</h1>
      </div>
      <a class="button button-primary" href="/account">
        {t('home.signIn')}
      </a>
    </Layout>
  );
}
