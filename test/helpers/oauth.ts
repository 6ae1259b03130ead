import assert from 'node:assert/strict';
import { createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { Agent, authorizeThroughPages, pkce } from './agent.js';
import { basic, form, type TestApp } from './server.js';

/** A parsed JSON body whose fields tests read directly. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON fields
export type Json = Record<string, any>;

export const json = async (res: Response): Promise<Json> => (await res.json()) as Json;

/**
 * An RFC 6749 §5.2 error answer: the status, a JSON body with `error` and a string `error_description`,
 * never cached. Returns the body for further checks.
 */
export async function expectOAuthError(res: Response, code: string, status = 400): Promise<Json> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, text);
  const body = JSON.parse(text) as Json;
  assert.equal(body['error'], code, text);
  assert.equal(typeof body['error_description'], 'string', text);
  assert.equal(res.headers.get('cache-control'), 'no-store', text);
  return body;
}

export interface TestClient {
  id: string;
  secret?: string;
  redirectUri: string;
}

/** A browser on the in-process app. */
export const browser = (t: TestApp): Agent => new Agent(async (u, i) => t.app.request(u, i), t.issuer);

/** Signs the agent in through `/login` without an authorization request. */
export async function signIn(agent: Agent, user: { email: string; password: string }): Promise<void> {
  const page = await agent.go('/login?return_to=/');
  await agent.submit(page.html!, { email: user.email, password: user.password }, `${agent.issuer}/login`);
  if (!agent.cookies.has('lk_session')) throw new Error('sign-in failed');
}

/** The client's authentication at /token: Basic for confidential clients, `client_id` for public ones. */
export function tokenRequest(
  client: { id: string; secret?: string },
  body: Record<string, string>,
): RequestInit {
  return client.secret
    ? form(body, { authorization: basic(client.id, client.secret) })
    : form({ ...body, client_id: client.id });
}

export interface CodeResult {
  code: string;
  verifier: string;
  callback: URL;
  agent: Agent;
}

/** Runs /authorize through the pages with PKCE and returns the code. */
export async function getCode(
  t: TestApp,
  client: TestClient,
  user: { email: string; password: string },
  o: {
    scope?: string;
    nonce?: string;
    extra?: Record<string, string>;
    agent?: Agent;
    otp?: () => string;
  } = {},
): Promise<CodeResult> {
  const agent = o.agent ?? browser(t);
  const { verifier, challenge } = pkce();
  const callback = await authorizeThroughPages(agent, {
    clientId: client.id,
    redirectUri: client.redirectUri,
    scope: o.scope ?? 'openid',
    challenge,
    email: user.email,
    password: user.password,
    ...(o.nonce ? { nonce: o.nonce } : {}),
    ...(o.extra ? { extra: o.extra } : {}),
    ...(o.otp ? { otp: o.otp } : {}),
  });
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback}`);
  return { code, verifier, callback, agent };
}

export function redeem(t: TestApp, client: TestClient, code: string, verifier: string): Promise<Response> {
  return t.request(
    '/token',
    tokenRequest(client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
    }),
  );
}

/** The whole code flow: the token response body (status checked). */
export async function tokensFor(
  t: TestApp,
  client: TestClient,
  user: { email: string; password: string },
  o: Parameters<typeof getCode>[3] = {},
): Promise<Json> {
  const { code, verifier } = await getCode(t, client, user, o);
  const res = await redeem(t, client, code, verifier);
  const body = await json(res);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export function refresh(t: TestApp, client: TestClient, token: string, extra: Record<string, string> = {}) {
  return t.request(
    '/token',
    tokenRequest(client, { grant_type: 'refresh_token', refresh_token: token, ...extra }),
  );
}

export async function introspect(t: TestApp, client: TestClient, token: string): Promise<Json> {
  return json(await t.request('/introspect', tokenRequest(client, { token })));
}

/** Verifies a JWT against the server's `/jwks` at the fake clock's time. */
export async function verifyJwt(t: TestApp, jwt: string, audience?: string): Promise<JWTPayload> {
  const jwks = createLocalJWKSet((await json(await t.request('/jwks'))) as { keys: [] });
  const { payload } = await jwtVerify(jwt, jwks, {
    issuer: t.issuer,
    ...(audience ? { audience } : {}),
    currentDate: new Date(t.clock.nowMs()),
  });
  return payload;
}

/** The base64url-decoded JSON of a JWT's payload (no verification). */
export function claimsOf(jwt: string): Json {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Json;
}

export function headerOf(jwt: string): Json {
  return JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Json;
}
