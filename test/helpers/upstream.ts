import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import type { Deps } from '../../src/deps.js';
import type { Provider as ProviderRow } from '../../src/store/types.js';
import { freePort } from './net.js';

/** What the upstream says about one of its users; the dev login form's "login" field is the `sub`. */
export interface UpstreamAccount {
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
  /** Entra ID style: the tenant (defaults to the instance's tenant) and "email domain owner verified". */
  tid?: string;
  xms_edov?: boolean;
}

export interface Upstream {
  /** The issuer latchkey's provider entry names (for the multi-tenant one: its `/organizations/v2.0`). */
  issuer: string;
  /** oidc-provider's own issuer (for the multi-tenant one: the tenant's, `…/<tenant>/v2.0`). */
  tokenIssuer: string;
  clientId: string;
  clientSecret: string;
  /** sub → claims; tests add and change accounts as they go. */
  accounts: Map<string, UpstreamAccount>;
  stop(): Promise<void>;
}

/**
 * A real OpenID provider on loopback (node-oidc-provider with its dev login pages, which accept any login and
 * password) as the stand-in for Google or Microsoft. With `tenant`, it is multi-tenant style: its issuer is
 * `http://127.0.0.1:P/<tenant>/v2.0`, its ID tokens carry `tid`, and `/organizations/v2.0` serves its discovery
 * document with the issuer replaced by the template `http://127.0.0.1:P/{tenantid}/v2.0` (the one shim).
 */
export async function startUpstream(options: { redirectUris: string[]; tenant?: string }): Promise<Upstream> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const prefix = options.tenant ? `/${options.tenant}/v2.0` : '';
  const tokenIssuer = `${origin}${prefix}`;
  const clientId = `client-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const accounts = new Map<string, UpstreamAccount>();
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  const provider = new Provider(tokenIssuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: options.redirectUris,
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...jwk, kid: 'upstream-1', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    // `tid` and `xms_edov` ride with `openid`, so they are in the ID token; email and names come from userinfo.
    claims: {
      openid: ['sub', 'tid', 'xms_edov'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    scopes: ['openid', 'email', 'profile'],
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600 },
    // No consent page: the grant is made as the user signs in (the dev login form is the only step).
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { oidc } = ctx;
      const clientId = oidc.client?.clientId ?? '';
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId, accountId: oidc.session?.accountId ?? '' });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    async findAccount(_ctx: unknown, sub: string) {
      return {
        accountId: sub,
        async claims() {
          const account = accounts.get(sub) ?? {};
          return { sub, ...(options.tenant ? { tid: options.tenant } : {}), ...account };
        },
      };
    },
  });
  const callback = provider.callback();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (!options.tenant) return callback(req, res);
    // The multi-tenant words, and (a misconfigured stand-in) any GUID: a template document.
    if (/^\/(organizations|common|[0-9a-f-]{36})\/v2\.0\/\.well-known\/openid-configuration$/.test(url)) {
      fetch(`${tokenIssuer}/.well-known/openid-configuration`)
        .then((r) => r.json() as Promise<Record<string, unknown>>)
        .then((doc) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ ...doc, issuer: `${origin}/{tenantid}/v2.0` }));
        })
        .catch(() => {
          res.statusCode = 502;
          res.end();
        });
      return;
    }
    if (!url.startsWith(`${prefix}/`)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    // Mounted under the issuer's path, as Express would: oidc-provider reads the prefix from `originalUrl`.
    Object.assign(req, { originalUrl: url });
    req.url = url.slice(prefix.length);
    callback(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    issuer: options.tenant ? `${origin}/organizations/v2.0` : tokenIssuer,
    tokenIssuer,
    clientId,
    clientSecret,
    accounts,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Registers an upstream at latchkey as the admin command would (src/admin/providers.ts builds the same row). */
export async function addProvider(
  deps: Deps,
  upstream: Pick<Upstream, 'issuer' | 'clientId' | 'clientSecret'>,
  fields: Partial<ProviderRow> & { slug: string; name: string },
): Promise<ProviderRow> {
  const now = deps.clock.now();
  const row: ProviderRow = {
    kind: 'oidc',
    issuer: upstream.issuer,
    tenant: null,
    clientId: upstream.clientId,
    clientSecretSealed: deps.sealer.seal(upstream.clientSecret),
    tokenAuth: 'client_secret_basic',
    trustedTenants: [],
    enabled: true,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
  if (!(await deps.store.providers.create(row))) throw new Error(`provider ${fields.slug} exists`);
  return row;
}
