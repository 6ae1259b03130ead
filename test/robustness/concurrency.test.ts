/**
 * Concurrency: the same refresh token and the same authorization code fired 20 times at once, both in
 * process (`app.request`) and over HTTP against the real server.
 *
 * - Refresh inside the reuse grace window (default 10 s): every answer is the same successor (an
 *   idempotent retry), and exactly one successor row is written (SPEC §3).
 * - Refresh with `refreshReuseGraceSeconds: 0`: at most one success, and the family ends revoked (RFC 9700 §4.14.2).
 * - Authorization code: exactly one 200, every other answer `invalid_grant`, and the tokens of the one
 *   success are revoked (RFC 6749 §4.1.2, SPEC §3).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import type { Deps } from '../../src/deps.js';
import { Agent, authorizeThroughPages, pkce } from '../helpers/agent.js';
import { basic, form, startTestServer, type TestApp, type TestServer, testApp } from '../helpers/server.js';

const N = 20;
const REDIRECT_URI = 'https://app.example/cb';
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

interface Target {
  issuer: string;
  deps: Deps;
  send(path: string, init: RequestInit): Promise<Response>;
  addClient: TestApp['addClient'];
  addUser: TestApp['addUser'];
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const raw = (deps: Deps) => (deps.store as unknown as { raw: Database.Database }).raw;

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function suite(name: string, open: () => Promise<Target & { close(): Promise<void> | void }>) {
  describe(name, { timeout: 120_000 }, () => {
    let target: Target & { close(): Promise<void> | void };
    let user: { id: string; email: string; password: string };

    before(async () => {
      target = await open();
      user = await target.addUser({});
    });
    after(async () => {
      await target.close();
    });

    const token = (client: { id: string; secret?: string }, fields: Record<string, string>) =>
      target.send('/token', form(fields, { authorization: basic(client.id, client.secret!) })).then(answer);

    const signIn = async (client: { id: string; secret?: string }) => {
      const res = await token(client, {
        grant_type: 'password',
        username: user.email,
        password: user.password,
        scope: 'openid offline_access',
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as { access_token: string; refresh_token: string };
    };

    const familyOf = (refreshToken: string) => {
      const row = raw(target.deps)
        .prepare('select grant_id as grantId from refresh_tokens where hash = ?')
        .get(sha256(refreshToken)) as { grantId: string } | undefined;
      assert.ok(row, 'the refresh token is stored');
      return row.grantId;
    };
    const familyRows = (grantId: string) =>
      raw(target.deps)
        .prepare(
          'select hash, rotated_at as rotatedAt from refresh_tokens where grant_id = ? order by created_at, rowid',
        )
        .all(grantId) as { hash: string; rotatedAt: number | null }[];
    const revokedAt = (grantId: string) =>
      (
        raw(target.deps).prepare('select revoked_at as revokedAt from grants where id = ?').get(grantId) as {
          revokedAt: number | null;
        }
      ).revokedAt;
    const introspect = async (client: { id: string; secret?: string }, t: string) =>
      (
        await answer(
          await target.send(
            '/introspect',
            form({ token: t }, { authorization: basic(client.id, client.secret!) }),
          ),
        )
      ).body['active'];

    it(`the same refresh token ${N} times at once, inside the grace window: one successor, answered to all`, async (t) => {
      const client = await target.addClient({ grants: ['refresh_token', 'password'], firstParty: true });
      const { refresh_token } = await signIn(client);
      const grantId = familyOf(refresh_token);

      // How many of the requests got as far as the rotation itself (the rest saw the token rotated).
      const tokens = target.deps.store.tokens;
      const rotate = tokens.rotateRefresh;
      const outcomes: string[] = [];
      tokens.rotateRefresh = async (...args) => {
        const outcome = await rotate.apply(tokens, args);
        outcomes.push(outcome);
        return outcome;
      };
      let answers: Answer[];
      try {
        answers = await Promise.all(
          Array.from({ length: N }, () => token(client, { grant_type: 'refresh_token', refresh_token })),
        );
      } finally {
        tokens.rotateRefresh = rotate;
      }
      t.diagnostic(`${outcomes.length} of ${N} requests raced to the rotation: ${outcomes.join(' ')}`);
      assert.equal(outcomes.filter((o) => o === 'rotated').length, 1, 'one rotation won');
      const ok = answers.filter((a) => a.status === 200);
      assert.equal(
        ok.length,
        N,
        `every retry inside the grace window succeeds: ${JSON.stringify(answers.map((a) => a.status))}`,
      );
      const successors = new Set(ok.map((a) => a.body['refresh_token']));
      assert.equal(successors.size, 1, `all answers carry the same successor, got ${successors.size}`);
      const accessTokens = new Set(ok.map((a) => a.body['access_token']));
      assert.equal(accessTokens.size, 1, 'and the same access token');
      const successor = [...successors][0] as string;
      assert.notEqual(successor, refresh_token);

      const rows = familyRows(grantId);
      assert.equal(rows.length, 2, `exactly one successor row: ${rows.length - 1}`);
      assert.equal(rows.filter((r) => r.rotatedAt === null).length, 1, 'one unrotated head');
      assert.equal(
        rows.find((r) => r.rotatedAt === null)!.hash,
        sha256(successor),
        'the head is the successor answered',
      );
      assert.equal(revokedAt(grantId), null, 'the family is not revoked');

      // The successor works, once more, and the family goes on.
      assert.equal(await introspect(client, [...accessTokens][0] as string), true);
      const next = await token(client, { grant_type: 'refresh_token', refresh_token: successor });
      assert.equal(next.status, 200, JSON.stringify(next.body));
      assert.equal(familyRows(grantId).length, 3);
    });

    it(`the same refresh token ${N} times at once with refreshReuseGraceSeconds 0: at most one success, the family revoked`, async () => {
      const client = await target.addClient({
        grants: ['refresh_token', 'password'],
        firstParty: true,
        refreshReuseGraceSeconds: 0,
      });
      const first = await signIn(client);
      const grantId = familyOf(first.refresh_token);

      const answers = await Promise.all(
        Array.from({ length: N }, () =>
          token(client, { grant_type: 'refresh_token', refresh_token: first.refresh_token }),
        ),
      );
      const ok = answers.filter((a) => a.status === 200);
      assert.ok(ok.length <= 1, `at most one success, got ${ok.length}`);
      for (const a of answers.filter((x) => x.status !== 200)) {
        assert.equal(a.status, 400);
        assert.equal(a.body['error'], 'invalid_grant');
      }
      assert.equal(
        familyRows(grantId).filter((r) => r.rotatedAt === null).length,
        ok.length,
        'no more than the one successor answered',
      );
      assert.notEqual(revokedAt(grantId), null, 'reuse revoked the family');

      // Everything the family issued is dead: the first access token, and the successor of the winner.
      assert.equal(await introspect(client, first.access_token), false);
      for (const a of ok) {
        assert.equal(await introspect(client, a.body['access_token'] as string), false);
        const again = await token(client, {
          grant_type: 'refresh_token',
          refresh_token: a.body['refresh_token'] as string,
        });
        assert.equal(again.status, 400);
        assert.equal(again.body['error'], 'invalid_grant');
      }
    });

    it(`the same authorization code ${N} times at once: one 200, the rest invalid_grant, its tokens revoked`, async () => {
      const client = await target.addClient({
        grants: ['authorization_code', 'refresh_token'],
        redirectUris: [REDIRECT_URI],
        firstParty: true,
      });
      const agent = new Agent((u, i) => target.send(u, i ?? {}), target.issuer);
      const { verifier, challenge } = pkce();
      const callback = await authorizeThroughPages(agent, {
        clientId: client.id,
        redirectUri: REDIRECT_URI,
        scope: 'openid offline_access',
        challenge,
        email: user.email,
        password: user.password,
      });
      const code = callback.searchParams.get('code');
      assert.ok(code, `a code: ${callback}`);

      const answers = await Promise.all(
        Array.from({ length: N }, () =>
          token(client, {
            grant_type: 'authorization_code',
            code,
            redirect_uri: REDIRECT_URI,
            code_verifier: verifier,
          }),
        ),
      );
      const ok = answers.filter((a) => a.status === 200);
      assert.equal(ok.length, 1, `exactly one redemption: ${JSON.stringify(answers.map((a) => a.status))}`);
      for (const a of answers.filter((x) => x.status !== 200)) {
        assert.equal(a.status, 400, JSON.stringify(a.body));
        assert.equal(a.body['error'], 'invalid_grant');
      }

      // SPEC §3: the replays revoked every token issued from the code.
      const won = ok[0]!.body as { access_token: string; refresh_token: string };
      assert.ok(won.refresh_token, 'the client has the refresh_token grant');
      assert.notEqual(revokedAt(familyOf(won.refresh_token)), null, 'the family of the code is revoked');
      assert.equal(await introspect(client, won.access_token), false, 'the access token is revoked');
      assert.equal(await introspect(client, won.refresh_token), false, 'the refresh token is revoked');
      const refresh = await token(client, { grant_type: 'refresh_token', refresh_token: won.refresh_token });
      assert.equal(refresh.status, 400);
      assert.equal(refresh.body['error'], 'invalid_grant');
      const userinfo = await target.send('/userinfo', {
        headers: { authorization: `Bearer ${won.access_token}` },
      });
      assert.equal(userinfo.status, 401);
    });
  });
}

suite('concurrency in process (app.request)', async () => {
  const t = await testApp({ LATCHKEY_THROTTLE: 'off' });
  return {
    issuer: t.issuer,
    deps: t.deps,
    send: async (path, init) => t.app.request(new URL(path, t.issuer).toString(), init),
    addClient: t.addClient,
    addUser: t.addUser,
    close: () => t.close(),
  };
});

suite('concurrency over HTTP (real server)', async () => {
  const s: TestServer = await startTestServer({ LATCHKEY_THROTTLE: 'off' });
  return {
    issuer: s.issuer,
    deps: s.server.deps,
    send: (path, init) => fetch(new URL(path, s.url), { ...init, redirect: 'manual' }),
    addClient: s.addClient,
    addUser: s.addUser,
    close: () => s.close(),
  };
});
