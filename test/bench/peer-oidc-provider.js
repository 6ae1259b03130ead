// The peer for `npm run bench`: node-oidc-provider 9 (the certified reference) with its default in-memory
// adapter and a client equivalent to latchkey's bench clients. Plain JavaScript run by `node` directly, so
// its cold start is not charged for a TypeScript loader.
//
// Environment: PORT, HOST (127.0.0.1), ISSUER, PEER_CONFIG (a JSON file written by run.ts:
// { client_id, client_secret, redirect_uri, jwks: { keys: [private JWKs, ES256 first] }, cookie_keys: [...] }).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const host = process.env.HOST || '127.0.0.1';
const issuer = process.env.ISSUER || `http://${host}:${port}`;
const config = JSON.parse(readFileSync(process.env.PEER_CONFIG, 'utf8'));

// A client sees (introspects, revokes) its own tokens only: latchkey's default rule.
const ownTokenOnly = async (_ctx, client, token) => token.clientId === client.clientId;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.client_id,
      client_secret: config.client_secret,
      client_name: 'bench',
      grant_types: ['client_credentials', 'refresh_token', 'authorization_code'],
      response_types: ['code'],
      redirect_uris: [config.redirect_uri],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: config.jwks,
  cookies: { keys: config.cookie_keys },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  scopes: ['openid', 'offline_access', 'email', 'profile'],
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: ownTokenOnly },
    revocation: { enabled: true, allowedPolicy: ownTokenOnly },
    // Its built-in login/consent pages (any login, any password): the only interactions it ships.
    devInteractions: { enabled: true },
  },
  // latchkey rotates every refresh token on use.
  rotateRefreshToken: true,
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: 'Bench User' };
      },
    };
  },
});

const server = createServer(provider.callback());
server.listen(port, host);
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
