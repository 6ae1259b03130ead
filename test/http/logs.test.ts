import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { unlinkUser } from '../../src/admin/users.js';
import { ACCOUNT_ACTIONS } from '../../src/interaction/account.js';
import { jsonLog } from '../../src/log.js';
import { Agent, authorizeThroughPages, csrfOf, decodeEntities, pkce } from '../helpers/agent.js';
import { linkUpstream } from '../helpers/identity.js';
import { type Json, tokenRequest } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CB = 'https://app.example/cb';

/**
 * Issue 16: the log of a whole run through the real server (every line pino writes, at debug level) holds
 * none of the secrets the run created or was sent: client secrets, passwords, codes, PKCE verifiers, access,
 * refresh and ID tokens, cookies, CSRF tokens, TOTP secrets and codes, recovery codes, set-password links.
 */
describe('structured logs (issue 16)', () => {
  const lines: string[] = [];
  const secrets = new Set<string>();
  let t: TestServer;

  const keep = (...values: (string | undefined | null)[]) => {
    for (const v of values) if (v) secrets.add(v);
  };

  /** A browser on the real server whose every cookie and CSRF token is noted as a secret. */
  const browserAgent = () =>
    new Agent(async (url, init) => {
      const res = await fetch(url, init);
      for (const line of res.headers.getSetCookie()) keep(line.split(';')[0]!.split('=').slice(1).join('='));
      if ((res.headers.get('content-type') ?? '').startsWith('text/html')) {
        const html = await res.clone().text();
        for (const m of html.matchAll(/name="csrf" value="([^"]*)"/g)) keep(decodeEntities(m[1]!));
      }
      return res;
    }, t.url);

  const post = (path: string, init: RequestInit) => fetch(new URL(path, t.url), init);
  const token = async (client: { id: string; secret?: string }, body: Record<string, string>) => {
    const res = await post('/token', tokenRequest(client, body));
    const json = (await res.json()) as Json;
    assert.equal(res.status, 200, JSON.stringify(json));
    keep(json['access_token'], json['refresh_token'], json['id_token']);
    return json;
  };

  const entries = () => lines.map((line) => JSON.parse(line) as Json);

  before(async () => {
    t = await startTestServer(
      {},
      { log: jsonLog('debug', { write: (line: string) => void lines.push(line) }) },
    );
  });
  after(() => t.close());

  it('a whole run through the server logs no secret it created', async () => {
    const client = await t.addClient({
      redirectUris: [CB],
      firstParty: true,
      grants: ['authorization_code', 'refresh_token', 'password', 'client_credentials'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
    });
    keep(client.secret);
    const user = await t.addUser({});
    keep(user.password);

    // Password grant, a wrong password, then the code flow with PKCE through the pages.
    const direct = await token(client, {
      grant_type: 'password',
      username: user.email,
      password: user.password,
      scope: 'openid offline_access',
    });
    const wrong = `wrong-${user.password}-x`;
    keep(wrong);
    const refused = await post(
      '/token',
      tokenRequest(client, { grant_type: 'password', username: user.email, password: wrong }),
    );
    assert.equal(refused.status, 400);

    const agent = browserAgent();
    const { verifier, challenge } = pkce();
    const state = `state-${verifier.slice(0, 12)}`;
    keep(verifier, challenge, state);
    const callback = await authorizeThroughPages(agent, {
      clientId: client.id,
      redirectUri: CB,
      scope: 'openid offline_access',
      challenge,
      state,
      nonce: `nonce-${verifier.slice(12, 24)}`,
      email: user.email,
      password: user.password,
    });
    const code = callback.searchParams.get('code')!;
    keep(code);
    const flow = await token(client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CB,
      code_verifier: verifier,
    });
    // Refresh, client credentials, introspection, userinfo, revocation.
    const refreshed = await token(client, {
      grant_type: 'refresh_token',
      refresh_token: flow['refresh_token'],
    });
    await token(client, { grant_type: 'client_credentials' });
    const seen = await post('/introspect', tokenRequest(client, { token: refreshed['access_token'] }));
    assert.equal(((await seen.json()) as Json)['active'], true);
    const info = await fetch(new URL('/userinfo', t.url), {
      headers: { authorization: `Bearer ${refreshed['access_token']}` },
    });
    assert.equal(info.status, 200);
    const revoked = await post('/revoke', tokenRequest(client, { token: direct['refresh_token'] }));
    assert.equal(revoked.status, 200);
    // A code redeemed twice (an error with a detail) and an unknown client's secret.
    const again = await post(
      '/token',
      tokenRequest(client, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CB,
        code_verifier: verifier,
      }),
    );
    assert.equal(again.status, 400);
    const stranger = { id: 'no-such-client', secret: `stranger-secret-${verifier.slice(0, 10)}` };
    keep(stranger.secret);
    assert.equal(
      (await post('/token', tokenRequest(stranger, { grant_type: 'client_credentials' }))).status,
      401,
    );

    // TOTP enrolment on the account page (the browser is signed in from the code flow).
    const accountPost = async (path: string, fields: Record<string, string> = {}) => {
      const page = await (await agent.request('/account')).text();
      return agent.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: csrfOf(page), ...fields }).toString(),
      });
    };
    assert.equal((await accountPost(ACCOUNT_ACTIONS.mfaSetup)).status, 303);
    const page = await (await agent.request('/account')).text();
    const totpSecret = decodeEntities(/<output id="mfa-secret"[^>]*>([^<]*)<\/output>/.exec(page)?.[1] ?? '');
    assert.match(totpSecret, /^[A-Z2-7]{32}$/);
    const totpCode = generateSync({ secret: totpSecret, epoch: Math.floor(Date.now() / 1000) });
    keep(totpSecret, totpCode);
    const enabled = await accountPost(ACCOUNT_ACTIONS.mfaEnable, { code: totpCode });
    const enabledHtml = await enabled.text();
    assert.equal(enabled.status, 200, enabledHtml);
    const recoveryCodes = [...enabledHtml.matchAll(/<li><code>([^<]*)<\/code><\/li>/g)].map((m) => m[1]!);
    assert.ok(recoveryCodes.length > 0);
    keep(...recoveryCodes);

    // A set-password link (an admin unlink), opened and used.
    const linked = await t.addUser({});
    keep(linked.password);
    await linkUpstream(t.deps.store, linked.id, Math.floor(Date.now() / 1000));
    const { url } = await unlinkUser(t.deps, linked.email);
    keep(url, new URL(url).searchParams.get('token'));
    const other = browserAgent();
    const form = await other.go(url);
    assert.equal(form.res?.status, 200, form.html);
    const newPassword = `fresh-passphrase-${verifier.slice(0, 8)}`;
    keep(newPassword);
    const done = await other.submit(form.html!, { password: newPassword }, url);
    assert.ok((done.res?.status ?? 0) < 400, done.html);

    // Mail queued on the way (the enrolment notice) is written to the log without SMTP: drain it now.
    await t.server.mailSender.drainNow();

    const log = lines.join('');
    assert.ok(lines.length > 20, `only ${lines.length} lines`);
    for (const secret of secrets) {
      // A short one (a TOTP code) as a whole word, so a digit run in a timestamp or an id cannot match it.
      const found =
        secret.length >= 12
          ? log.includes(secret)
          : new RegExp(
              `(?<![A-Za-z0-9])${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`,
            ).test(log);
      assert.ok(!found, `a secret is in the log: ${secret.slice(0, 4)}…`);
    }
    // No query string, no Cookie or Authorization header, no form body.
    assert.doesNotMatch(log, /\?|code_challenge|code_verifier|[Cc]ookie|[Aa]uthorization|Bearer|Basic /);
  });

  it('one JSON line per request: method, route pattern, status, duration, request id, client and user', async () => {
    const before = lines.length;
    const res = await fetch(new URL('/.well-known/openid-configuration?x=1', t.url), {
      headers: { 'x-request-id': 'req-abc.123' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), 'req-abc.123', 'a sane incoming id is kept and echoed');
    const generated = await fetch(new URL('/nowhere/at/all', t.url), {
      headers: { 'x-request-id': 'no spaces "please"' },
    });
    assert.equal(generated.status, 404);
    const id = generated.headers.get('x-request-id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/, 'an insane one is replaced by a fresh id');

    const client = await t.addClient({ grants: ['client_credentials'] });
    const issued = await post('/token', tokenRequest(client, { grant_type: 'client_credentials' }));
    assert.equal(issued.status, 200);

    const requests = entries().filter((e) => e['msg'] === 'request');
    const fresh = entries()
      .slice(before)
      .filter((e) => e['msg'] === 'request');
    assert.equal(fresh.length, 3);
    const [discovery, missing, tokenLine] = fresh as [Json, Json, Json];
    assert.deepEqual(
      { ...discovery, time: undefined, duration_ms: undefined },
      {
        level: 'info',
        time: undefined,
        msg: 'request',
        request_id: 'req-abc.123',
        method: 'GET',
        route: '/.well-known/openid-configuration',
        status: 200,
        duration_ms: undefined,
      },
    );
    assert.equal(typeof discovery['duration_ms'], 'number');
    assert.match(discovery['time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(missing['route'], 'unmatched', 'an unknown path is one label, never the path');
    assert.equal(missing['status'], 404);
    assert.equal(missing['request_id'], id);
    assert.equal(tokenLine['route'], '/token');
    assert.equal(tokenLine['method'], 'POST');
    assert.equal(tokenLine['client_id'], client.id);

    // A parameterised path is logged by its pattern; a known path with the wrong method by that path.
    const mark = lines.length;
    assert.equal((await fetch(new URL('/admin/v1/users/someone-s-id', t.url))).status, 401);
    assert.equal((await fetch(new URL('/token', t.url))).status, 405);
    const [admin, wrongMethod] = entries()
      .slice(mark)
      .filter((e) => e['msg'] === 'request') as [Json, Json];
    assert.equal(admin['route'], '/admin/v1/users/:id');
    assert.equal(wrongMethod['route'], '/token');
    assert.equal(wrongMethod['status'], 405);
    assert.ok(!lines.slice(mark).join('').includes('someone-s-id'), 'never the path asked for');

    // A request for a user names the user: the code flow's lines (pages and token) carry its id.
    assert.ok(
      requests.some((e) => e['route'] === '/userinfo' && typeof e['user_id'] === 'string' && e['client_id']),
      'userinfo names its user and client',
    );
  });

  it('censors secret-named fields a caller passes by mistake; headers, bodies and queries go whole', () => {
    const sink: string[] = [];
    const log = jsonLog('info', { write: (line: string) => void sink.push(line) });
    log.warn('oops', {
      password: 'p4ss',
      access_token: 'tok',
      'set-cookie': 'c',
      headers: { cookie: 'lk_session=abc' },
      client_id: 'app',
    });
    log.debug?.('not at info');
    assert.equal(sink.length, 1);
    const entry = JSON.parse(sink[0]!) as Json;
    for (const key of ['password', 'access_token', 'set-cookie', 'headers'])
      assert.equal(entry[key], '[redacted]', key);
    assert.equal(entry['client_id'], 'app');
    assert.equal(entry['level'], 'warn');
    assert.equal(entry['msg'], 'oops');
    assert.equal(log.enabled?.('debug'), false);
    assert.equal(log.enabled?.('info'), true);
    assert.equal(jsonLog('silent').enabled?.('error'), false, 'nothing, and no request line is built');
  });
});
