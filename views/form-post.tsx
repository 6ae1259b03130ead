import { HiddenFields, Layout } from './layout.js';

export interface FormPostPageProps {
  action: string;
  fields: Record<string, string>;
}

/** OAuth 2.0 Form Post Response Mode: `/assets/form-post.js` submits it; without JavaScript, the button does. */
export function FormPostPage({ action, fields }: FormPostPageProps) {
  return (
    <Layout title="Continue">
      <div class="card-header">
        <h1>Continue to the application</h1>
        <p class="lead">You are being signed in.</p>
      </div>
      <form method="post" action={action} id="form-post" class="stack">
        <HiddenFields fields={fields} />
        <button type="submit" class="button button-primary">
          Continue
        </button>
      </form>
      <script src="/assets/form-post.js" />
    </Layout>
  );
}

export const formPostScript = "document.getElementById('form-post').submit();\n";
