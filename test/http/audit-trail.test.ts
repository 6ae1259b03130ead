import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { USER_AGENT_MAX } from '../../src/http/net.js';
import type { AuditEvent } from '../../src/store/types.js';
import { Agent, actionOf, csrfOf, pkce } from '../helpers/agent.js';
import { json, type TestClient, tokenRequest } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';

const CB = 'https://app.example/cb';
/** The person's browser. */
const BROWSER = { ip: '203.0.113.7', ua: 'Mozilla/5.0 (AuditTrail) Firefox/140.0' };
/** The app's back end, which redeems the code. */
const BACKEND = { ip: '198.51.100.9', ua: 'app-backend/2.1' };

describe('the audit trail: every row written while serving a request has its ip and user agent (issue 12)', () => {
  let t: TestApp;
  let client: TestClient;
  before(async () => {
    t = await testApp();
    client = {
      ...(await t.addClient({ name: 'Partner', redirectUris: [CB] })),
      redirectUri: CB,
    };
  });
  after(() => t.close());

  /** A fetcher that sends requests from `from`: its address (the socket's peer) and its User-Agent. */
  const from =
    (who: { ip: string; ua: string }) =>
    (url: string, init: RequestInit = {}): Promise<Response> => {
      const headers = new Headers(init.headers);
      headers.set('user-agent', who.ua);
      return Promise.resolve(
        t.app.request(url, { ...init, headers }, { incoming: { socket: { remoteAddress: who.ip } } }),
      );
    };

  /** The rows about `userId` since `sinceId`, oldest first. */
  async function rowsOf(userId: string, sinceId = 0): Promise<AuditEvent[]> {
    return (await t.deps.store.events.list(500))
      .filter((e) => e.id > sinceId && e.userId === userId)
      .reverse();
  }

  const lastId = async () => (await t.deps.store.events.list(1))[0]?.id ?? 0;

  /** /authorize → login → consent: the consent page, for the browser to answer. */
  async function toConsent(agent: Agent, user: { email: string; password: string }, scope: string) {
    const { verifier, challenge } = pkce();
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: CB,
      scope,
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const login = await agent.go(`/authorize?${q}`);
    const consent = await agent.submit(login.html!, { email: user.email, password: user.password });
    assert.match(consent.html ?? '', /name="decision"/, 'the consent page');
    return { consent: consent.html!, verifier };
  }

  it('one sign-in through login, consent, code and token writes its rows in order, each with ip and user agent', async () => {
    const user = await t.addUser({});
    const agent = new Agent(from(BROWSER), t.issuer);
    const since = await lastId();
    const { consent, verifier } = await toConsent(agent, user, 'openid profile');
    const callback = await agent.post(actionOf(consent), { csrf: csrfOf(consent), decision: 'allow' });
    const code = callback.external?.searchParams.get('code');
    assert.ok(code, 'a code at the callback');
    const res = await from(BACKEND)(
      `${t.issuer}/token`,
      tokenRequest(client, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CB,
        code_verifier: verifier,
      }),
    );
    assert.equal(res.status, 200, JSON.stringify(await json(res.clone())));

    const rows = await rowsOf(user.id, since);
    assert.deepEqual(
      rows.map((e) => [e.type, e.clientId, e.ip, e.userAgent, e.actor]),
      [
        ['login', client.id, BROWSER.ip, BROWSER.ua, null],
        ['consent_granted', client.id, BROWSER.ip, BROWSER.ua, null],
        ['authorized', client.id, BROWSER.ip, BROWSER.ua, null],
        ['token_issued', client.id, BACKEND.ip, BACKEND.ua, null],
      ],
    );
    assert.deepEqual(rows[1]?.detail, { scopes: ['openid', 'profile'] }, 'Allow names what was approved');
    assert.equal(rows[3]?.detail?.['grant_type'], 'authorization_code');
    assert.ok(rows.every((e, i) => i === 0 || e.at >= rows[i - 1]!.at));
  });

  it('a failed sign-in, a denied consent and a logout carry ip and user agent too', async () => {
    const user = await t.addUser({});
    const agent = new Agent(from(BROWSER), t.issuer);
    const since = await lastId();
    const login = await agent.go('/login?return_to=/account');
    await agent.submit(login.html!, { email: user.email, password: 'not the password' });
    const { consent } = await toConsent(agent, user, 'openid');
    const denied = await agent.post(actionOf(consent), { csrf: csrfOf(consent), decision: 'deny' });
    assert.equal(denied.external?.searchParams.get('error'), 'access_denied');
    const confirm = await agent.go('/logout');
    await agent.submit(confirm.html!);

    const rows = await rowsOf(user.id, since);
    assert.deepEqual(
      rows.map((e) => e.type),
      ['login_failed', 'login', 'consent_denied', 'logout'],
    );
    for (const row of rows) {
      assert.equal(row.ip, BROWSER.ip, row.type);
      assert.equal(row.userAgent, BROWSER.ua, row.type);
    }
  });

  it('/revoke writes token_revoked when something was revoked, and nothing otherwise', async () => {
    const user = await t.addUser({});
    const agent = new Agent(from(BROWSER), t.issuer);
    const { consent, verifier } = await toConsent(agent, user, 'openid offline_access');
    const callback = await agent.post(actionOf(consent), { csrf: csrfOf(consent), decision: 'allow' });
    const code = callback.external!.searchParams.get('code')!;
    const backend = from(BACKEND);
    const tokens = await json(
      await backend(
        `${t.issuer}/token`,
        tokenRequest(client, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: CB,
          code_verifier: verifier,
        }),
      ),
    );
    const since = await lastId();
    const revoke = (token: string) => backend(`${t.issuer}/revoke`, tokenRequest(client, { token }));
    assert.equal((await revoke(tokens['access_token'])).status, 200);
    assert.equal((await revoke(tokens['refresh_token'])).status, 200);
    assert.equal((await revoke(tokens['refresh_token'])).status, 200, 'again: nothing left to revoke');
    assert.equal((await revoke('no-such-token')).status, 200);

    const rows = await rowsOf(user.id, since);
    assert.deepEqual(
      rows.map((e) => [e.type, e.detail?.['token_type'], e.clientId, e.ip, e.userAgent]),
      [
        ['token_revoked', 'access_token', client.id, BACKEND.ip, BACKEND.ua],
        ['token_revoked', 'refresh_token', client.id, BACKEND.ip, BACKEND.ua],
      ],
    );
    assert.equal((await t.deps.store.events.list(1))[0]?.id, rows[1]?.id, 'no row for the no-ops');
  });

  it('keeps at most 512 characters of the User-Agent, without control characters', async () => {
    const user = await t.addUser({});
    const long = `Bot\u0001/${'x'.repeat(2000)}`;
    const agent = new Agent(from({ ip: BROWSER.ip, ua: long }), t.issuer);
    const since = await lastId();
    const login = await agent.go('/login?return_to=/account');
    await agent.submit(login.html!, { email: user.email, password: user.password });
    const [row] = await rowsOf(user.id, since);
    assert.equal(row?.type, 'login');
    assert.equal(row?.userAgent?.length, USER_AGENT_MAX);
    assert.ok(row?.userAgent?.startsWith('Bot/xxx'));
  });
});
