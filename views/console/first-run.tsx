import { Layout } from '../layout.js';

/**
 * What every console path answers until an administrator exists: how to make one from the command line. No
 * sign-in is started from here (issue 17).
 */
export function ConsoleFirstRunPage() {
  return (
    <Layout title="Set up the admin console" wide languages={false}>
      <div class="card-header">
        <h1>Set up the admin console</h1>
        <p class="lead">This server has no administrator yet. Create one on the server’s command line:</p>
      </div>
      <pre>
        <code>latchkey user add --email you@example.com --password … --role admin</code>
      </pre>
      <p>The console asks for a second factor, so enrol one too:</p>
      <pre>
        <code>latchkey user mfa-enroll you@example.com</code>
      </pre>
      <p>Then reload this page and sign in.</p>
    </Layout>
  );
}
