import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { MFA_OTP_GRANT } from '../../src/oauth/token/index.js';
import { type Json, tokenRequest } from '../helpers/oauth.js';
import { freePort, startTestServer, type TestServer, testApp } from '../helpers/server.js';

/** The value of one sample (`name{labels} value`) in the text format, or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const scrape = async (url: string) => {
  const res = await fetch(url);
  return { res, text: await res.text() };
};

describe('/metrics (issue 16)', () => {
  it('is a 404 unless turned on', async () => {
    const t = await testApp();
    try {
      const res = await t.request('/metrics');
      assert.equal(res.status, 404);
      assert.equal(t.deps.metrics, undefined, 'nothing is counted either');
    } finally {
      await t.close();
    }
  });

  describe('LATCHKEY_METRICS=on: on the main port', () => {
    let t: TestServer;
    let client: { id: string; secret?: string };
    before(async () => {
      t = await startTestServer({ LATCHKEY_METRICS: 'on' });
      client = await t.addClient({ grants: ['client_credentials', 'password'], scopes: ['openid'] });
    });
    after(() => t.close());

    const token = (body: Record<string, string>) => fetch(`${t.url}/token`, tokenRequest(client, body));

    it('lists every family after some traffic; a token issued increments its counter', async () => {
      const user = await t.addUser({});
      assert.equal((await token({ grant_type: 'client_credentials' })).status, 200);
      assert.equal(
        (await token({ grant_type: 'password', username: user.email, password: user.password })).status,
        200,
      );
      assert.equal(
        (await token({ grant_type: 'password', username: user.email, password: 'wrong!' })).status,
        400,
      );
      // A second factor: the password step asks for it, then a wrong code.
      const mfaUser = await t.addUser({});
      await enrollTotpNow(t.deps, (await t.deps.store.users.find(mfaUser.id))!, { ip: null, clientId: null });
      const step = await token({
        grant_type: 'password',
        username: mfaUser.email,
        password: mfaUser.password,
      });
      assert.equal(step.status, 403);
      const asked = (await step.json()) as Json;
      const otp = await token({
        grant_type: MFA_OTP_GRANT,
        mfa_token: asked['mfa_token'],
        method_id: asked['mfa_methods'][0].id,
        otp: '000000',
      });
      assert.equal(otp.status, 400, await otp.text());
      assert.equal((await fetch(`${t.url}/no/such/path?secret=abc`)).status, 404);

      const { res, text } = await scrape(`${t.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      for (const family of [
        'latchkey_http_requests_total',
        'latchkey_http_request_duration_seconds',
        'latchkey_tokens_issued_total',
        'latchkey_sign_ins_total',
        'latchkey_mfa_verifications_total',
        'latchkey_argon2_queue_depth',
        'latchkey_argon2_busy_workers',
        'latchkey_db_size_bytes',
        'latchkey_db_wal_size_bytes',
        'nodejs_eventloop_lag_seconds',
        'process_cpu_seconds_total',
      ])
        assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), family);

      assert.equal(sample(text, 'latchkey_tokens_issued_total', 'grant_type="client_credentials"'), 1);
      assert.equal(sample(text, 'latchkey_tokens_issued_total', 'grant_type="password"'), 1);
      assert.equal(
        sample(text, 'latchkey_http_requests_total', 'method="POST",route="/token",status="200"'),
        2,
      );
      assert.equal(
        sample(text, 'latchkey_http_requests_total', 'method="POST",route="/token",status="400"'),
        2,
      );
      assert.equal(
        sample(text, 'latchkey_http_requests_total', 'method="GET",route="unmatched",status="404"'),
        1,
      );
      assert.equal(
        sample(text, 'latchkey_http_request_duration_seconds_count', 'method="POST",route="/token"'),
        5,
      );
      assert.equal(sample(text, 'latchkey_sign_ins_total', 'result="success"'), 1);
      assert.equal(sample(text, 'latchkey_sign_ins_total', 'result="failure"'), 1);
      assert.equal(sample(text, 'latchkey_sign_ins_total', 'result="mfa_required"'), 1);
      assert.equal(sample(text, 'latchkey_mfa_verifications_total', 'result="failure"'), 1);
      assert.equal(sample(text, 'latchkey_argon2_queue_depth'), 0);
      assert.ok((sample(text, 'latchkey_db_size_bytes') ?? 0) > 0, 'the database file has a size');
      assert.ok(sample(text, 'latchkey_db_wal_size_bytes') !== undefined);
      assert.ok(!text.includes('/no/such/path') && !text.includes('secret=abc'), 'never the raw path');

      assert.equal((await token({ grant_type: 'client_credentials' })).status, 200);
      const again = await scrape(`${t.url}/metrics`);
      assert.equal(sample(again.text, 'latchkey_tokens_issued_total', 'grant_type="client_credentials"'), 2);
    });
  });

  describe('LATCHKEY_METRICS_PORT: on 127.0.0.1 at that port only', () => {
    let t: TestServer;
    let port: number;
    before(async () => {
      port = await freePort();
      t = await startTestServer({ LATCHKEY_METRICS_PORT: String(port) });
    });
    after(() => t.close());

    it('serves /metrics there and not on the main port; its counters are its own', async () => {
      assert.equal(t.server.metricsPort, port);
      assert.equal((await fetch(`${t.url}/metrics`)).status, 404);
      const client = await t.addClient({ grants: ['client_credentials'] });
      assert.equal(
        (await fetch(`${t.url}/token`, tokenRequest(client, { grant_type: 'client_credentials' }))).status,
        200,
      );
      const { res, text } = await scrape(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      // One registry per server: the other suite's server in this process counted its own tokens.
      assert.equal(sample(text, 'latchkey_tokens_issued_total', 'grant_type="client_credentials"'), 1);
      assert.equal(
        sample(text, 'latchkey_http_requests_total', 'method="GET",route="unmatched",status="404"'),
        1,
      );
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 404, 'nothing else on that port');
    });

    it('closes the metrics port with the server', async () => {
      const other = await startTestServer({ LATCHKEY_METRICS_PORT: String(await freePort()) });
      const metricsPort = other.server.metricsPort!;
      await other.close();
      await assert.rejects(fetch(`http://127.0.0.1:${metricsPort}/metrics`));
    });
  });

  it('settings: on/off, a port number, a known log level', () => {
    const base = { LATCHKEY_DB: ':memory:', LATCHKEY_SECRET: 'test-secret-test-secret-test-secret' };
    assert.deepEqual(loadConfig(base).metrics, { mode: 'off' });
    assert.deepEqual(loadConfig({ ...base, LATCHKEY_METRICS: 'ON' }).metrics, { mode: 'main' });
    assert.deepEqual(loadConfig({ ...base, LATCHKEY_METRICS: 'on', LATCHKEY_METRICS_PORT: '9464' }).metrics, {
      mode: 'port',
      port: 9464,
    });
    assert.throws(() => loadConfig({ ...base, LATCHKEY_METRICS: 'yes' }), ConfigError);
    assert.throws(
      () => loadConfig({ ...base, LATCHKEY_METRICS_PORT: 'http' }),
      /LATCHKEY_METRICS_PORT must be/,
    );
    assert.equal(loadConfig(base).logLevel, 'info');
    assert.equal(loadConfig({ ...base, LATCHKEY_LOG_LEVEL: 'DEBUG' }).logLevel, 'debug');
    assert.equal(
      loadConfig({ ...base, LATCHKEY_LOG: 'warn' }).logLevel,
      'warn',
      'the older name still works',
    );
    assert.throws(
      () => loadConfig({ ...base, LATCHKEY_LOG_LEVEL: 'loud' }),
      /LATCHKEY_LOG_LEVEL must be one of/,
    );
  });
});
