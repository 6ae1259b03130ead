import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ACCOUNT_ADDRESS_RULE, CLIENT_RULE } from '../../src/auth/throttle.js';
import { CHANGE_REACHES_EVERY_NODE_SECONDS } from '../../src/store/dialect.js';
import { json as cli } from '../cli/run.js';
import { Agent, attemptSignIn, authorizeThroughPages, pkce } from '../helpers/agent.js';
import { freePort } from '../helpers/net.js';
import { expectOAuthError, headerOf, type Json, tokenRequest } from '../helpers/oauth.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { type ServedProcess, serve } from '../helpers/served.js';

/**
 * Issue 18: two stateless latchkey processes (`dist/latchkey.mjs serve`) on one PostgreSQL, sharing the
 * secret and the issuer, as behind a load balancer. Each request below names the node it goes to.
 */

/** The public origin both nodes answer for; a request "through" a node is sent to that node's own port. */
const ISSUER = 'http://latchkey.test';
const REDIRECT = 'http://127.0.0.1/cb';
/**
 * How long a node may take to see another process's write (its LISTEN/NOTIFY), at most: usually a few ms (the
 * test reports it), generous for a loaded machine running two nodes, PostgreSQL and the tests on two cores.
 */
const PROPAGATION_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Node {
  name: string;
  served: ServedProcess;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A browser whose requests to the issuer this node answers. */
  browser(): Agent;
}

function node(name: string, served: ServedProcess): Node {
  // The answer is re-wrapped without the node's own URL, so that pages resolve their links on the issuer. Its body
  // is read first: a stream handed on from a response nothing refers to any more can be cancelled when that
  // response is garbage-collected (undici), and the test would then read a body that is already gone.
  const fetchOn = async (url: string, init?: RequestInit) => {
    const res = await fetch(url.startsWith(ISSUER) ? served.url + url.slice(ISSUER.length) : url, init);
    const bytes = await res.arrayBuffer();
    const empty = [101, 204, 205, 304].includes(res.status);
    return new Response(empty ? null : bytes, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
  return {
    name,
    served,
    fetch: (path, init) => fetchOn(ISSUER + path, init),
    browser: () => new Agent(fetchOn, ISSUER),
  };
}

interface CliClient {
  client_id: string;
  client_secret: string;
  refresh_reuse_grace: number;
}

const body = async (res: Response): Promise<Json> => {
  const text = await res.text();
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 300)}`);
  }
};

/**
 * Calls `attempt` until it yields a value, for at most PROPAGATION_MS (another process's write reaches a node's
 * caches by NOTIFY); returns it, how long it took and how many calls it needed.
 */
async function within<T>(
  attempt: () => Promise<T | undefined>,
): Promise<{ value: T; ms: number; tries: number }> {
  const start = Date.now();
  for (let tries = 1; ; tries++) {
    const value = await attempt();
    const ms = Date.now() - start;
    if (value !== undefined) return { value, ms, tries };
    if (ms > PROPAGATION_MS) throw new Error(`not seen within ${PROPAGATION_MS} ms (${tries} tries)`);
    await sleep(10);
  }
}

describe('two latchkey nodes on one PostgreSQL (issue 18)', () => {
  let pg: TestPostgres;
  let env: Record<string, string>;
  let a: Node;
  let b: Node;
  const started: ServedProcess[] = [];
  let user: { id: string; email: string; password: string };
  let app: CliClient;

  before(async () => {
    pg = await startPostgres();
    env = {
      LATCHKEY_DB: pg.newDatabase(),
      LATCHKEY_SECRET: randomBytes(32).toString('base64url'),
      ISSUER,
      LATCHKEY_LOG: 'error',
    };
    const [portA, portB] = [await freePort(), await freePort()];
    // Started together on an empty database: the migration runs once, under the advisory lock.
    const [sa, sb] = await Promise.all(
      [portA, portB].map(async (port) => {
        const s = await serve({ ...env, PORT: String(port) });
        started.push(s);
        return s;
      }),
    );
    a = node('A', sa!);
    b = node('B', sb!);
    const password = `Pw-${randomBytes(9).toString('base64url')}`;
    const made = await cli<{ id: string; email: string }>(
      ['user', 'add', '--email', 'ada@example.test', '--password', password],
      env,
    );
    user = { id: made.id, email: made.email, password };
    app = await cli<CliClient>(['client', 'add', '--name', 'App', '--redirect-uri', REDIRECT], env);
  });
  after(async () => {
    await Promise.all(started.map((s) => s.kill()));
    pg?.stop();
  });

  /** The code flow's pages through `pages`; the code is returned, not redeemed. */
  async function code(pages: Node, client: CliClient) {
    const { verifier, challenge } = pkce();
    const callback = await authorizeThroughPages(pages.browser(), {
      clientId: client.client_id,
      redirectUri: REDIRECT,
      scope: 'openid offline_access',
      challenge,
      email: user.email,
      password: user.password,
    });
    const value = callback.searchParams.get('code');
    assert.ok(value, `a code in ${callback}`);
    return { code: value, verifier };
  }

  const redeem = (at: Node, client: CliClient, c: { code: string; verifier: string }) =>
    at.fetch(
      '/token',
      tokenRequest(
        { id: client.client_id, secret: client.client_secret },
        { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier },
      ),
    );

  const refresh = (at: Node, client: CliClient, token: string) =>
    at.fetch(
      '/token',
      tokenRequest(
        { id: client.client_id, secret: client.client_secret },
        { grant_type: 'refresh_token', refresh_token: token },
      ),
    );

  const clientCredentials = (at: Node, client: CliClient) =>
    at.fetch(
      '/token',
      tokenRequest(
        { id: client.client_id, secret: client.client_secret },
        { grant_type: 'client_credentials' },
      ),
    );

  /** Tokens for `client` by the code flow: pages on A, code redeemed on B. */
  async function tokens(client: CliClient): Promise<Json> {
    const res = await redeem(b, client, await code(a, client));
    const tokens = await body(res);
    assert.equal(res.status, 200, JSON.stringify(tokens));
    return tokens;
  }

  it('both nodes answer for one issuer and publish the same keys', async () => {
    for (const n of [a, b]) {
      const discovery = await body(await n.fetch('/.well-known/openid-configuration'));
      assert.equal(discovery['issuer'], ISSUER, `node ${n.name}`);
    }
    const ja = await body(await a.fetch('/jwks'));
    const jb = await body(await b.fetch('/jwks'));
    assert.deepEqual(ja, jb);
    const algs = (ja['keys'] as { alg: string }[]).map((k) => k.alg);
    // Both nodes started together on an empty database: the first keys are made once (`keys.addFirst`).
    assert.deepEqual(algs.sort(), ['ES256', 'RS256'], 'one first key per algorithm');
  });

  it('a code issued through node A is redeemed at node B, once', async () => {
    const c = await code(a, app);
    const res = await redeem(b, app, c);
    const t = await body(res);
    assert.equal(res.status, 200, JSON.stringify(t));
    assert.equal(t['token_type'], 'Bearer');
    assert.equal(typeof t['refresh_token'], 'string');
    // The ID token B signed verifies with A's JWKS: one key set, one issuer.
    const jwks = createLocalJWKSet((await body(await a.fetch('/jwks'))) as { keys: [] });
    const { payload } = await jwtVerify(t['id_token'], jwks, { issuer: ISSUER, audience: app.client_id });
    assert.equal(payload.sub, user.id);
    // And B's access token is good at A.
    const info = await a.fetch('/userinfo', { headers: { authorization: `Bearer ${t['access_token']}` } });
    assert.equal(info.status, 200);
    assert.equal((await body(info))['sub'], user.id);
    // Single use across nodes: A refuses the code B redeemed.
    await expectOAuthError(await redeem(a, app, c), 'invalid_grant');
  });

  it('20 concurrent refreshes split over both nodes, reuse grace on: one successor, the same for all', async () => {
    assert.equal(app.refresh_reuse_grace, 10, 'the client keeps the default grace window');
    const first = await tokens(app);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refresh(i % 2 ? b : a, app, first['refresh_token'])),
    );
    const bodies = await Promise.all(answers.map(body));
    // The rule (src/oauth/token/refresh-token.ts): inside the grace window every loser is answered the
    // winner's own response, so all 20 succeed with one and the same successor.
    assert.deepEqual(
      answers.map((r) => r.status),
      Array(20).fill(200),
      JSON.stringify(bodies.filter((x) => !x['access_token'])),
    );
    const successors = new Set(bodies.map((x) => x['refresh_token'] as string));
    assert.equal(successors.size, 1, 'never two different successors');
    assert.equal(new Set(bodies.map((x) => x['access_token'])).size, 1, 'and one access token');
    const [successor] = [...successors];
    assert.notEqual(successor, first['refresh_token']);
    // The family is alive: the successor refreshes, at either node.
    const next = await refresh(a, app, successor!);
    assert.equal(next.status, 200, await next.clone().text());
  });

  it('20 concurrent refreshes split over both nodes, no grace: exactly one winner, reuse revokes the family', async () => {
    const strict = await cli<CliClient>(
      ['client', 'add', '--name', 'Strict', '--redirect-uri', REDIRECT, '--refresh-reuse-grace', '0'],
      env,
    );
    const start = await tokens(strict);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refresh(i % 2 ? b : a, strict, start['refresh_token'])),
    );
    const bodies = await Promise.all(answers.map(body));
    const winners = bodies.filter((_, i) => answers[i]!.status === 200);
    assert.equal(winners.length, 1, `statuses ${answers.map((r) => r.status).join(',')}`);
    for (const [i, x] of bodies.entries())
      if (answers[i]!.status !== 200) {
        assert.equal(answers[i]!.status, 400);
        assert.equal(x['error'], 'invalid_grant', JSON.stringify(x));
      }
    // Every loser presented a spent token outside any grace window: the family is gone, successor included.
    await expectOAuthError(await refresh(b, strict, winners[0]!['refresh_token']), 'invalid_grant');
  });

  it('a client added through the CLI is usable on both nodes at once', async () => {
    const added = await cli<CliClient>(
      ['client', 'add', '--name', 'Service', '--grant', 'client_credentials'],
      env,
    );
    // No retry: a node reads clients from the database on each request, so the CLI's commit is enough.
    const answers = await Promise.all([a, b].map((n) => clientCredentials(n, added)));
    for (const [i, res] of answers.entries()) {
      const t = await body(res);
      assert.equal(res.status, 200, `node ${i ? 'B' : 'A'}: ${JSON.stringify(t)}`);
      assert.equal(t['token_type'], 'Bearer');
      assert.equal(typeof t['access_token'], 'string');
    }
  });

  it('keys rotate on node A’s env: both nodes publish the new kids at once, and sign with them only after the delay', async (t) => {
    const service = await cli<CliClient>(
      ['client', 'add', '--name', 'Rotation', '--grant', 'client_credentials'],
      env,
    );
    const before = await tokens(app);
    const previous = ((await body(await a.fetch('/jwks')))['keys'] as { kid: string }[]).map((k) => k.kid);
    const kidOf = async (n: Node) => {
      const res = await clientCredentials(n, service);
      const t = await body(res);
      assert.equal(res.status, 200, JSON.stringify(t));
      return headerOf(t['access_token'])['kid'] as string;
    };
    const oldEs256 = await kidOf(a);
    const rotatedAt = Date.now();
    const rotated = await cli<{ kid: string; keys: { kid: string; alg: string }[] }>(['keys', 'rotate'], env);
    const fresh = rotated.keys.map((k) => k.kid).sort();
    assert.equal(fresh.length, 2);
    const es256 = rotated.keys.find((k) => k.alg === 'ES256')!.kid;
    const waited: string[] = [];
    // Published by every node at once (its NOTIFY), while every node keeps signing with the old key.
    for (const n of [a, b]) {
      const published = await within(async () => {
        const kids = ((await body(await n.fetch('/jwks')))['keys'] as { kid: string }[]).map((k) => k.kid);
        return fresh.every((k) => kids.includes(k)) ? kids : undefined;
      });
      waited.push(`${n.name}: JWKS ${published.ms} ms/${published.tries} tries`);
      assert.equal(await kidOf(n), oldEs256, `node ${n.name} still signs with the old key`);
    }
    assert.ok(
      Date.now() - rotatedAt < (CHANGE_REACHES_EVERY_NODE_SECONDS - 2) * 1000,
      'checked well inside the delay',
    );
    // Once the delay has passed, both sign with the new key.
    await sleep(Math.max(0, rotatedAt + CHANGE_REACHES_EVERY_NODE_SECONDS * 1000 + 1000 - Date.now()));
    for (const n of [a, b]) {
      const signing = await within(async () => ((await kidOf(n)) === es256 ? es256 : undefined));
      waited.push(`${n.name}: signing after the delay ${signing.ms} ms/${signing.tries} tries`);
      assert.equal(signing.value, es256, `node ${n.name} signs with the new key`);
    }
    t.diagnostic(`keys rotate → new kids seen: ${waited.join('; ')}`);
    // The old keys stay published (tokens signed before the rotation keep verifying), on both.
    for (const n of [a, b]) {
      const kids = ((await body(await n.fetch('/jwks')))['keys'] as { kid: string }[]).map((k) => k.kid);
      assert.deepEqual(kids.sort(), [...previous, ...fresh].sort(), `node ${n.name} publishes old and new`);
    }
    const old = await b.fetch('/userinfo', {
      headers: { authorization: `Bearer ${before['access_token']}` },
    });
    assert.equal(old.status, 200, 'a token signed before the rotation still verifies');

    // A user's token signed by A with the new key verifies at B: userinfo and introspection.
    const res = await refresh(a, app, before['refresh_token']);
    const signedByA = await body(res);
    assert.equal(res.status, 200, JSON.stringify(signedByA));
    assert.equal(headerOf(signedByA['access_token'])['kid'], es256);
    const info = await b.fetch('/userinfo', {
      headers: { authorization: `Bearer ${signedByA['access_token']}` },
    });
    const claims = await body(info);
    assert.equal(info.status, 200, JSON.stringify(claims));
    assert.equal(claims['sub'], user.id);
    const introspected = await body(
      await b.fetch(
        '/introspect',
        tokenRequest({ id: app.client_id, secret: app.client_secret }, { token: signedByA['access_token'] }),
      ),
    );
    assert.equal(introspected['active'], true);
    assert.equal(introspected['sub'], user.id);
    assert.equal(introspected['client_id'], app.client_id);
    // And the ID token A signed with the new RS256 key verifies with B's JWKS.
    const jwks = createLocalJWKSet((await body(await b.fetch('/jwks'))) as { keys: [] });
    const { protectedHeader } = await jwtVerify(signedByA['id_token'], jwks, {
      issuer: ISSUER,
      audience: app.client_id,
    });
    assert.equal(protectedHeader.kid, rotated.keys.find((k) => k.alg === 'RS256')!.kid);
  });

  it('the sign-in throttle counts wrong passwords made on both nodes together', async () => {
    const password = `Pw-${randomBytes(9).toString('base64url')}`;
    const victim = await cli<{ email: string }>(
      ['user', 'add', '--email', 'grace@example.test', '--password', password],
      env,
    );
    const free = ACCOUNT_ADDRESS_RULE.free;
    const browsers = new Map([a, b].map((n) => [n, n.browser()]));
    const statuses: string[] = [];
    // Alternately at A and B, all from 127.0.0.1: the free attempts are spent by the two nodes together.
    for (let i = 0; i < free; i++) {
      const n = i % 2 ? b : a;
      const res = await attemptSignIn(browsers.get(n)!, victim.email, `wrong-${i}`);
      await res.body?.cancel();
      statuses.push(`${n.name}:${res.status}`);
      assert.equal(res.status, 401, `attempt ${i + 1} at ${n.name} is evaluated: ${statuses.join(' ')}`);
    }
    // Per node, neither has had `free` failures yet; together they have: both now refuse, even the password.
    for (const [n, pw] of [
      [b, 'wrong-again'],
      [a, 'wrong-again'],
      [a, password],
      [b, password],
    ] as const) {
      const res = await attemptSignIn(browsers.get(n)!, victim.email, pw);
      await res.body?.cancel();
      statuses.push(`${n.name}:${res.status}`);
      assert.equal(
        res.status,
        429,
        `after ${free} failures in all, ${n.name} refuses: ${statuses.join(' ')}`,
      );
      assert.ok(Number(res.headers.get('retry-after')) >= 1, 'with a Retry-After');
    }
  });
  it('the client authentication throttle counts wrong secrets sent to both nodes together', async () => {
    const service = await cli<CliClient>(
      ['client', 'add', '--name', 'Guessed', '--grant', 'client_credentials'],
      env,
    );
    const guess = { ...service, client_secret: `wrong-${randomBytes(12).toString('base64url')}` };
    const timings: string[] = [];
    const timed = async (n: Node, client: CliClient) => {
      const started = Date.now();
      const res = await clientCredentials(n, client);
      await res.body?.cancel();
      const ms = Date.now() - started;
      timings.push(`${n.name}:${res.status}:${ms}ms`);
      return { status: res.status, ms };
    };
    // Alternately at A and B: the failures before the rule's `free`-th are answered at once on both nodes.
    for (let i = 1; i < CLIENT_RULE.free; i++) {
      const { status, ms } = await timed(i % 2 ? a : b, guess);
      assert.equal(status, 401);
      assert.ok(ms < CLIENT_RULE.baseMs - 100, `failure ${i} is not held: ${timings.join(' ')}`);
    }
    // Neither node has seen `free` failures; together they have: the next failed answer is held, on either.
    const held = await timed(CLIENT_RULE.free % 2 ? a : b, guess);
    assert.equal(held.status, 401);
    assert.ok(
      held.ms >= CLIENT_RULE.baseMs - 100,
      `the ${CLIENT_RULE.free}th failure is held: ${timings.join(' ')}`,
    );
    // The right secret is never held, on either node.
    for (const n of [a, b]) {
      const right = await timed(n, service);
      assert.equal(right.status, 200);
      assert.ok(
        right.ms < CLIENT_RULE.baseMs - 100,
        `the right secret is answered at once: ${timings.join(' ')}`,
      );
    }
  });
});
