import { decodeJwt } from 'jose';
import type * as Oidc from 'openid-client';
import type { Deps } from '../deps.js';
import type { Provider } from '../store/types.js';

let loaded: Promise<typeof Oidc> | undefined;
/** openid-client is loaded on the first upstream sign-in, not at start-up: many servers never use one. */
const openidClient = (): Promise<typeof Oidc> => {
  loaded ??= import('openid-client');
  return loaded;
};

/** Discovery and every later request to an upstream give up after this: `provider_error`, never a hang. */
export const UPSTREAM_TIMEOUT_SECONDS = 10;

export const UPSTREAM_SCOPE = 'openid email profile';

/** Microsoft's multi-tenant discovery documents (`/organizations/v2.0`, `/common/v2.0`) name a template issuer. */
const TENANT_PLACEHOLDER = '{tenantid}';

/** A `tid` put into an issuer URL must be a plain identifier (Entra tenant ids are GUIDs). */
const TENANT_ID = /^[A-Za-z0-9-]{1,64}$/;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why discovery failed, coarsely: what an admin may be told (the console's "Test"). Finer than this (a refused
 * port, a reset, a TLS failure) would let the Test button scan ports; it stays in `message`, for the log.
 */
export type DiscoveryFailure = 'unreachable' | 'invalid' | 'issuer_mismatch';

/** An upstream that failed or answered badly: the route turns it into `provider_error`; `message` is only logged. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(message: string, options?: ErrorOptions & { discovery?: DiscoveryFailure }) {
    super(message, options);
    this.discovery = options?.discovery;
  }
  /** Set when discovery failed: why, coarsely. */
  readonly discovery: DiscoveryFailure | undefined;
}

/** openid-client's (oauth4webapi's) error codes: a document was read but is no discovery document of this issuer. */
function discoveryFailure(err: unknown): DiscoveryFailure {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') return 'issuer_mismatch';
  // A timeout, a refused connection, a reset, DNS, TLS: all alike "not reachable".
  if (typeof code === 'string' && code.startsWith('OAUTH_') && code !== 'OAUTH_TIMEOUT') return 'invalid';
  return 'unreachable';
}

/** What the callback learnt about the user: the ID token's claims completed by userinfo. */
export interface UpstreamIdentity {
  /** The ID token's `iss`, as validated (for a multi-tenant issuer, the template completed with `tid`). */
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

interface Entry {
  key: string;
  config?: Oidc.Configuration;
  /** A failed discovery, answered from here until `retryAt` (epoch ms) so a down upstream is not hammered. */
  failure?: { error: UpstreamError; retryAt: number };
}

/** How long a failed discovery is remembered. */
const FAILED_DISCOVERY_MS = 15_000;

/** Entra ID's multi-tenant endpoints: the only entries whose discovered issuer may be a `{tenantid}` template. */
const MULTI_TENANT = new Set(['organizations', 'common']);

/**
 * One openid-client `Configuration` per provider, discovered on first use and kept while the provider's row
 * is unchanged. Only providers that exist reach here (the slug comes from the URL), so the cache holds at most
 * one entry per provider; a failed discovery is not kept, so the next sign-in tries again.
 */
export class Upstreams {
  private readonly cache = new Map<string, Entry>();

  constructor(private readonly deps: Pick<Deps, 'sealer'>) {}

  async configuration(provider: Provider): Promise<Oidc.Configuration> {
    // Everything discovery and client authentication depend on: a provider removed and added again within
    // the same second with another secret is a new entry.
    const key = [
      provider.issuer,
      provider.clientId,
      provider.clientSecretSealed,
      provider.tokenAuth,
      provider.createdAt,
      provider.updatedAt,
    ].join('\n');
    const cached = this.cache.get(provider.slug);
    if (cached?.key === key) {
      if (cached.config) return cached.config;
      if (cached.failure && Date.now() < cached.failure.retryAt) throw cached.failure.error;
    }
    try {
      const config = await this.discover(provider);
      this.cache.set(provider.slug, { key, config });
      return config;
    } catch (err) {
      const error = err instanceof UpstreamError ? err : new UpstreamError(describe(err), { cause: err });
      this.cache.set(provider.slug, { key, failure: { error, retryAt: Date.now() + FAILED_DISCOVERY_MS } });
      throw error;
    }
  }

  /** The authorization request (authorization code, PKCE S256, `state`, `nonce`). */
  async authorizationUrl(
    provider: Provider,
    request: { redirectUri: string; state: string; nonce: string; verifier: string },
  ): Promise<URL> {
    const oidc = await openidClient();
    const config = await this.configuration(provider);
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: request.redirectUri,
      scope: UPSTREAM_SCOPE,
      response_type: 'code',
      state: request.state,
      nonce: request.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(request.verifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Redeems the code at the callback and lets openid-client validate the answer: the authorization response
   * (`state`, `iss`), the ID token's signature, `iss`, `aud`, `nonce` and expiry; then userinfo for the same
   * `sub` when the provider has it.
   */
  async exchange(
    provider: Provider,
    callbackUrl: URL,
    checks: { state: string; nonce: string; verifier: string },
  ): Promise<UpstreamIdentity> {
    const oidc = await openidClient();
    try {
      let config = await this.configuration(provider);
      const metadata = config.serverMetadata();
      if (metadata.issuer.includes(TENANT_PLACEHOLDER))
        config = await this.completedIssuer(provider, config, callbackUrl, checks.verifier);
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: checks.verifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new UpstreamError('no ID token');
      const userinfo = metadata.userinfo_endpoint
        ? await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub)
        : {};
      // The ID token is what openid-client verified: its claims win over userinfo's.
      return {
        issuer: idClaims.iss,
        subject: idClaims.sub,
        claims: { ...userinfo, ...idClaims },
      };
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      throw new UpstreamError(describe(err), { cause: err });
    }
  }

  private async discover(provider: Provider): Promise<Oidc.Configuration> {
    const oidc = await openidClient();
    const secret = this.deps.sealer.open(provider.clientSecretSealed);
    const options: Oidc.DiscoveryRequestOptions = {
      timeout: UPSTREAM_TIMEOUT_SECONDS,
      ...(isLoopbackHttp(provider.issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
    };
    // Entra ID's multi-tenant documents name `{tenantid}` as their issuer, which can never equal the URL
    // discovery starts from: they are fetched by their full URL (openid-client then skips its equality check)
    // and checked here instead. openid-client's own Entra handling only covers login.microsoftonline.com;
    // this is the one path, tested on loopback.
    const server =
      provider.kind === 'azure'
        ? new URL(`${provider.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)
        : new URL(provider.issuer);
    let config: Oidc.Configuration;
    try {
      config = await oidc.discovery(
        server,
        provider.clientId,
        secret,
        clientAuth(oidc, provider, secret),
        options,
      );
    } catch (err) {
      throw new UpstreamError(`discovery of ${provider.issuer} failed: ${describe(err)}`, {
        cause: err,
        discovery: discoveryFailure(err),
      });
    }
    if (provider.kind === 'azure') {
      const { issuer } = config.serverMetadata();
      // Only a multi-tenant entry may accept a template (then any tenant's `tid` completes it); a single
      // tenant's document must name that tenant's issuer, or tokens of every tenant would pass.
      const template = issuer.includes(TENANT_PLACEHOLDER);
      if (template && !MULTI_TENANT.has(provider.tenant ?? ''))
        throw new UpstreamError(`discovery of ${provider.issuer} names a template issuer for one tenant`, {
          discovery: 'issuer_mismatch',
        });
      const expected = template ? issuer.replace(TENANT_PLACEHOLDER, provider.tenant ?? '') : issuer;
      if (expected !== provider.issuer)
        throw new UpstreamError(`discovery of ${provider.issuer} names the issuer ${issuer}`, {
          discovery: 'issuer_mismatch',
        });
    }
    return config;
  }

  /**
   * A multi-tenant issuer is a template: each ID token's `iss` must be the template completed with the token's
   * own `tid`. openid-client checks `iss` against its Configuration's issuer (its public API has no hook for a
   * per-token issuer), and a code is single use. So the token response is fetched once and kept (a), the
   * still unverified ID token gives `tid` (b), a Configuration is made for the completed issuer (c), and
   * `authorizationCodeGrant` then runs on the kept response instead of the network (d): openid-client checks
   * the signature, `iss`, `aud`, `nonce` and expiry against the completed issuer, skipping nothing.
   */
  private async completedIssuer(
    provider: Provider,
    template: Oidc.Configuration,
    callbackUrl: URL,
    verifier: string,
  ): Promise<Oidc.Configuration> {
    const oidc = await openidClient();
    const metadata = template.serverMetadata();
    // Compared as openid-client passes it (a normalised href).
    const tokenEndpoint = metadata.token_endpoint ? new URL(metadata.token_endpoint).href : undefined;
    // (a) the token request as openid-client makes it, the answer kept as it came.
    let kept: { status: number; headers: [string, string][]; body: string } | undefined;
    const capture = this.copy(oidc, provider, metadata, metadata.issuer);
    capture[oidc.customFetch] = async (url, options) => {
      const response = await fetch(url, options as RequestInit);
      kept = { status: response.status, headers: [...response.headers], body: await response.text() };
      // Nothing is processed here: the answer is validated below, against the completed issuer.
      throw new UpstreamError('kept');
    };
    const code = callbackUrl.searchParams.get('code') ?? '';
    await oidc
      .genericGrantRequest(capture, 'authorization_code', {
        code,
        redirect_uri: `${callbackUrl.origin}${callbackUrl.pathname}`,
        code_verifier: verifier,
      })
      .catch((err: unknown) => {
        if (!kept) throw err;
      });
    if (!kept) throw new UpstreamError('the token endpoint gave no answer');
    // (b) `tid` from the unverified token: it only chooses the issuer the token is then verified against.
    let tid: unknown;
    try {
      const body = JSON.parse(kept.body) as { id_token?: unknown };
      tid = typeof body.id_token === 'string' ? decodeJwt(body.id_token)['tid'] : undefined;
    } catch {
      // Not a token response: the replay below lets openid-client report what it is.
    }
    if (tid !== undefined && (typeof tid !== 'string' || !TENANT_ID.test(tid)))
      throw new UpstreamError('the ID token has a "tid" that is not a tenant id');
    // (c) No `tid`: the template stays the issuer, which no token can match, so (d) refuses it.
    const completed = this.copy(
      oidc,
      provider,
      metadata,
      typeof tid === 'string' ? metadata.issuer.replace(TENANT_PLACEHOLDER, tid) : metadata.issuer,
    );
    // (d) the token endpoint answers from what was kept, once; the keys (jwks_uri) and userinfo are fetched.
    const replay = kept;
    let replayed = false;
    completed[oidc.customFetch] = async (url, options) => {
      if (url !== tokenEndpoint) return fetch(url, options as RequestInit);
      if (replayed) throw new UpstreamError('the token response was replayed twice');
      replayed = true;
      return new Response(replay.body, { status: replay.status, headers: replay.headers });
    };
    return completed;
  }

  /** A Configuration made from discovered metadata, with the issuer given, set up like a discovered one. */
  private copy(
    oidc: typeof Oidc,
    provider: Provider,
    metadata: Oidc.ServerMetadata,
    issuer: string,
  ): Oidc.Configuration {
    const secret = this.deps.sealer.open(provider.clientSecretSealed);
    const config = new oidc.Configuration(
      { ...metadata, issuer },
      provider.clientId,
      secret,
      clientAuth(oidc, provider, secret),
    );
    config.timeout = UPSTREAM_TIMEOUT_SECONDS;
    if (isLoopbackHttp(provider.issuer)) oidc.allowInsecureRequests(config);
    return config;
  }
}

function clientAuth(oidc: typeof Oidc, provider: Provider, secret: string): Oidc.ClientAuth {
  return provider.tokenAuth === 'client_secret_post'
    ? oidc.ClientSecretPost(secret)
    : oidc.ClientSecretBasic(secret);
}

/** Plain http is allowed only to a loopback issuer (tests, local development). */
function isLoopbackHttp(issuer: string): boolean {
  try {
    const url = new URL(issuer);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/** For the log: the error and its cause chain, without the response body (which may carry tokens). */
function describe(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(`${current.message}${typeof code === 'string' ? ` (${code})` : ''}`);
    current = current.cause;
  }
  return parts.length ? parts.join(': ') : String(err);
}
