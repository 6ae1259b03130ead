import { useLang } from './i18n/index.js';
import { HiddenFields, Layout } from './layout.js';

export interface FormPostPageProps {
  action: string;
  fields: Record<string, string>;
}

/** OAuth 2.0 Form Post Response Mode: `/assets/form-post.js` submits it; without JavaScript, the button does. */
export function FormPostPage({ action, fields }: FormPostPageProps) {
  const { t } = useLang();
  return (
    <Layout title={t('formPost.title')}>
      <div class="card-header">
        <h1>{t('formPost.heading')}</h1>
        <p class="lead">{t('formPost.lead')}</p>
      </div>
      <form method="post" action={action} id="form-post" class="stack">
        <HiddenFields fields={fields} />
        <button type="submit" class="button button-primary">
          {t('formPost.submit')}
        </button>
      </form>
      <script src="/assets/form-post.js" />
    </Layout>
  );
}

export const formPostScript = "document.getElementById('form-post').submit();\n";
