import { Hono } from 'hono';
import { ACR_VALUES } from '../auth/factors.js';
import type { Deps } from '../deps.js';
import { LOCALES } from '../i18n/locale.js';
import { advertised } from './scope.js';

/** What the mounted routes implement: `createApp` derives it from what it mounts. */
export interface Capabilities {
  /** The `grant_type`s `/token` dispatches to. */
  grantTypes: readonly string[];
  authorization: boolean;
  userinfo: boolean;
  endSession: boolean;
  deviceAuthorization: boolean;
  implicit: boolean;
}

function metadata(deps: Deps, caps: Capabilities, scopes: string[]): Record<string, unknown> {
  const base = deps.config.issuer;
  const responseTypes = caps.authorization
    ? ['code', ...(caps.implicit ? ['token', 'id_token token'] : [])]
    : [];
  return {
    issuer: base,
    ...(caps.authorization ? { authorization_endpoint: `${base}/authorize` } : {}),
    token_endpoint: `${base}/token`,
    jwks_uri: `${base}/jwks`,
    ...(caps.userinfo ? { userinfo_endpoint: `${base}/userinfo` } : {}),
    introspection_endpoint: `${base}/introspect`,
    revocation_endpoint: `${base}/revoke`,
    ...(caps.endSession ? { end_session_endpoint: `${base}/logout` } : {}),
    ...(caps.deviceAuthorization ? { device_authorization_endpoint: `${base}/device_authorization` } : {}),
    scopes_supported: scopes,
    response_types_supported: responseTypes,
    ...(caps.authorization
      ? { response_modes_supported: ['query', 'form_post', ...(caps.implicit ? ['fragment'] : [])] }
      : {}),
    grant_types_supported: caps.grantTypes,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    ...(caps.authorization
      ? {
          code_challenge_methods_supported: ['S256'],
          authorization_response_iss_parameter_supported: true,
          prompt_values_supported: ['none', 'login', 'consent'],
        }
      : {}),
    ...(caps.authorization ? { acr_values_supported: [...ACR_VALUES] } : {}),
    subject_types_supported: ['public'],
    // OIDC Discovery §3: the languages of the hosted pages (`ui_locales` picks one, src/i18n/locale.ts).
    ui_locales_supported: [...LOCALES],
    // RS256 first: the default of new clients and the one algorithm every relying party verifies (Core §15.1).
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'amr',
      'acr',
      'at_hash',
      'sid',
      'email',
      'email_verified',
      'name',
      'given_name',
      'family_name',
      'preferred_username',
      'groups',
    ],
    claims_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // OpenID Connect Back-Channel Logout 1.0 §2.1: logout tokens carry `sid`, and ID tokens do too.
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
}

/** Discovery (OIDC Discovery 1.0, RFC 8414) and the JWKS: precomputed bytes, rebuilt when the database changes. */
export function discoveryRoutes(deps: Deps, caps: Capabilities): Hono {
  const app = new Hono();
  let cached: { generation: number; body: string } | undefined;
  const document = async () => {
    const generation = deps.store.generation();
    if (!cached || cached.generation !== generation) {
      // `admin` is not advertised: no third-party app should think it may ask for it.
      const scopes = advertised((await deps.store.scopes.list()).map((s) => s.name));
      cached = { generation, body: JSON.stringify(metadata(deps, caps, scopes)) };
    }
    return cached.body;
  };
  const json = { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' };
  app.get('/.well-known/openid-configuration', async (c) => c.body(await document(), 200, json));
  app.get('/.well-known/oauth-authorization-server', async (c) => c.body(await document(), 200, json));
  app.get('/jwks', async (c) =>
    c.body(await deps.keys.jwks(), 200, {
      'content-type': 'application/jwk-set+json',
      'cache-control': 'public, max-age=300',
    }),
  );
  app.get('/healthz', async (c) => {
    const ok = await deps.store.ping().catch(() => false);
    // A probe must see the database as it is now, never a cached answer.
    c.header('Cache-Control', 'no-store');
    return c.json(ok ? { status: 'ok' } : { status: 'unavailable' }, ok ? 200 : 503);
  });
  // Readiness, apart from liveness: a server whose database turned read-only is alive (restarting it does not
  // help) but should get no traffic, since every sign-in and token writes.
  app.get('/readyz', async (c) => {
    c.header('Cache-Control', 'no-store');
    const reason =
      (await deps.store.unwritable().catch(() => 'database does not answer')) ??
      ((await deps.keys.loaded()) ? undefined : 'signing keys are not loaded');
    return reason ? c.json({ status: 'unavailable', reason }, 503) : c.json({ status: 'ok' }, 200);
  });
  return app;
}
