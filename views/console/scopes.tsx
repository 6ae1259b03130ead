import type { Scope } from '../../src/store/types.js';
import { CsrfField } from '../layout.js';
import { ConsoleLayout } from './layout.js';
import { ConsoleAlert, ConsoleNotice } from './parts.js';

export const scopeHref = (name: string) => `/admin/scopes/${encodeURIComponent(name)}`;

export interface ConsoleScopesPageProps {
  email: string;
  csrf: string;
  /** The request's path: the nav marks its section (aria-current). */
  path?: string | undefined;
  scopes: Scope[];
  canWrite: boolean;
  notice?: string | undefined;
  error?: string | undefined;
  /** The add form as posted, when it was refused. */
  draft?: { name: string; description: string };
}

/** `/admin/scopes`: the registry, and adding a custom scope. */
export function ConsoleScopesPage(p: ConsoleScopesPageProps) {
  return (
    <ConsoleLayout title="Scopes" email={p.email} csrf={p.csrf} path={p.path}>
      <h1>Scopes</h1>
      <ConsoleNotice message={p.notice} />
      <table class="console-table">
        <caption class="visually-hidden">Scopes</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Description (on the consent page)</th>
            <th scope="col">Kind</th>
            {p.canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {p.scopes.map((s) => (
            <tr>
              <td data-label="Name">
                <code>{s.name}</code>
              </td>
              <td data-label="Description">{s.description}</td>
              <td data-label="Kind">{s.builtin ? 'Built-in' : 'Custom'}</td>
              {p.canWrite && (
                <td data-label="Actions">
                  {s.builtin ? (
                    '—'
                  ) : (
                    <>
                      <a href={`${scopeHref(s.name)}/edit`}>
                        Edit<span class="visually-hidden"> {s.name}</span>
                      </a>{' '}
                      <a href={`${scopeHref(s.name)}/remove`}>
                        Remove<span class="visually-hidden"> {s.name}</span>
                      </a>
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {p.canWrite && (
        <section class="section" aria-labelledby="add-scope">
          <h2 id="add-scope">Add a scope</h2>
          <ConsoleAlert message={p.error} />
          <form method="post" action="/admin/scopes" class="stack">
            <CsrfField token={p.csrf} />
            <div class="field">
              <label for="scope-name">Name</label>
              <input id="scope-name" name="name" type="text" required value={p.draft?.name ?? ''} />
            </div>
            <div class="field">
              <label for="scope-description">Description</label>
              <input
                id="scope-description"
                name="description"
                type="text"
                required
                maxlength={500}
                value={p.draft?.description ?? ''}
              />
            </div>
            <button type="submit" class="button button-primary">
              Add scope
            </button>
          </form>
        </section>
      )}
    </ConsoleLayout>
  );
}

export interface ConsoleScopeEditPageProps {
  email: string;
  csrf: string;
  /** The request's path: the nav marks its section (aria-current). */
  path?: string | undefined;
  name: string;
  description: string;
  error?: string | undefined;
}

/** `/admin/scopes/<name>/edit`: a custom scope's description. */
export function ConsoleScopeEditPage(p: ConsoleScopeEditPageProps) {
  return (
    <ConsoleLayout title={`Edit ${p.name}`} email={p.email} csrf={p.csrf} path={p.path}>
      <h1>
        Edit the scope <code>{p.name}</code>
      </h1>
      <ConsoleAlert message={p.error} />
      <form method="post" action={`${scopeHref(p.name)}/edit`} class="stack">
        <CsrfField token={p.csrf} />
        <div class="field">
          <label for="scope-description">Description</label>
          <input
            id="scope-description"
            name="description"
            type="text"
            required
            maxlength={500}
            value={p.description}
          />
        </div>
        <button type="submit" class="button button-primary">
          Save
        </button>{' '}
        <a href="/admin/scopes">Cancel</a>
      </form>
    </ConsoleLayout>
  );
}
