import type { SigningKey } from '../../src/store/types.js';
import { ConsoleLayout } from './layout.js';
import { ConsoleNotice, Time } from './parts.js';

export interface ConsoleKeysPageProps {
  email: string;
  csrf: string;
  /** The request's path: the nav marks its section (aria-current). */
  path?: string | undefined;
  keys: SigningKey[];
  /** Epoch seconds now: which retired keys are still published. */
  now: number;
  canRotate: boolean;
  notice?: string | undefined;
}

function status(k: SigningKey, now: number): string {
  if (k.active) return 'Active (signs new tokens)';
  if (k.publishUntil !== null && k.publishUntil > now) return 'Retired (still in the JWKS)';
  return 'Retired';
}

/** `/admin/keys`: the signing keys, newest first, and "Rotate keys". */
export function ConsoleKeysPage({ email, csrf, path, keys, now, canRotate, notice }: ConsoleKeysPageProps) {
  return (
    <ConsoleLayout title="Keys" email={email} csrf={csrf} path={path}>
      <h1>Signing keys</h1>
      <ConsoleNotice message={notice} />
      <p>
        Active keys sign new tokens. A rotated key stays in the JWKS until every token it signed has expired,
        then retires.
      </p>
      <table class="console-table">
        <caption class="visually-hidden">Signing keys, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Key id</th>
            <th scope="col">Algorithm</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Rotated out</th>
            <th scope="col">In the JWKS until</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr>
              <td data-label="Key id">
                <code>{k.kid}</code>
              </td>
              <td data-label="Algorithm">{k.alg}</td>
              <td data-label="Status">{status(k, now)}</td>
              <td data-label="Created">
                <Time at={k.createdAt} />
              </td>
              <td data-label="Rotated out">
                <Time at={k.retiredAt} />
              </td>
              <td data-label="In the JWKS until">
                {k.active ? 'The next rotation, then its tokens’ lifetime' : <Time at={k.publishUntil} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canRotate && (
        <p>
          <a class="button button-secondary" href="/admin/keys/rotate">
            Rotate keys
          </a>
        </p>
      )}
    </ConsoleLayout>
  );
}
