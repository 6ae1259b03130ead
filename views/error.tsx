import { type Code, messageFor, messages } from './copy.js';
import { Layout } from './layout.js';

export interface ErrorPageProps {
  /** A stable code; shown verbatim so users can quote it. */
  code: Code | string;
  /** Extra detail safe to show (e.g. an OAuth `error_description`). */
  description?: string;
}

export function ErrorPage({ code, description }: ErrorPageProps) {
  const message = messageFor(code) ?? messages.server_error;
  return (
    <Layout title="Something went wrong">
      <div class="card-header">
        <div class="status-icon status-icon-error" aria-hidden="true">
          !
        </div>
        <h1>Something went wrong</h1>
        <p class="lead">{message}</p>
      </div>
      {description && description !== message && <p class="detail">{description}</p>}
      <p class="error-code">
        Error code: <code>{code}</code>
      </p>
    </Layout>
  );
}
