import { Layout } from '../layout.js';

/** After `POST /admin/logout`: the console session is gone (the browser's sign-in is not). */
export function ConsoleSignedOutPage() {
  return (
    <Layout title="Signed out of the admin console" languages={false}>
      <div class="card-header">
        <h1>Signed out of the admin console</h1>
        <p class="lead">Your console session has ended.</p>
      </div>
      <p>
        <a href="/admin">Sign in to the console again</a>
      </p>
    </Layout>
  );
}
