import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLIENT_BUCKETS, clientAuthFailed } from '../../src/auth/throttle.js';
import { expectOAuthError } from '../helpers/oauth.js';
import { basic, form, type TestApp, testApp } from '../helpers/server.js';

type Body = Record<string, unknown>;
const cc = { grant_type: 'client_credentials' };
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function assertBasicChallenge(res: Response): void {
  assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="[^"]+"/);
}

// RFC 6749 §2.3.1: both the id and the secret are form-urlencoded before the Basic encoding.
const SPECIAL_ID = 'svc:a+b%c/d?e&f=g';
const SPECIAL_SECRET = 'a+b:c%d é&=/?#~x "quoted" with-32-chars';

describe('client authentication (RFC 6749 §2.3)', () => {
  let t: TestApp;
  let special: { id: string; secret?: string };
  let plain: { id: string; secret?: string };
  let pub: { id: string; secret?: string };
  before(async () => {
    t = await testApp({ LATCHKEY_THROTTLE: 'off' });
    special = await t.addClient({
      clientId: SPECIAL_ID,
      clientSecret: SPECIAL_SECRET,
      grants: ['client_credentials'],
    });
    plain = await t.addClient({ grants: ['client_credentials'] });
    pub = await t.addClient({ isPublic: true, redirectUris: ['https://spa.example.test/cb'] });
  });
  after(() => t.close());

  for (const endpoint of ['/token', '/introspect', '/revoke']) {
    it(`${endpoint}: client_secret_basic with form-urlencoded special characters in id and secret`, async () => {
      const params = endpoint === '/token' ? cc : { token: 'unknown-token' };
      const res = await t.request(
        endpoint,
        form(params, { authorization: basic(SPECIAL_ID, SPECIAL_SECRET) }),
      );
      assert.equal(res.status, 200, await res.clone().text());
    });

    it(`${endpoint}: client_secret_post with the same characters`, async () => {
      const params = endpoint === '/token' ? cc : { token: 'unknown-token' };
      const res = await t.request(
        endpoint,
        form({ ...params, client_id: SPECIAL_ID, client_secret: SPECIAL_SECRET }),
      );
      assert.equal(res.status, 200, await res.clone().text());
    });
  }

  it('the token says who the client is', async () => {
    const res = await t.request('/token', form(cc, { authorization: basic(SPECIAL_ID, SPECIAL_SECRET) }));
    const { access_token } = (await res.json()) as { access_token: string };
    const payload = JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()) as Body;
    assert.equal(payload['client_id'], SPECIAL_ID);
    assert.equal(payload['sub'], SPECIAL_ID);
  });

  it('accepts the Basic scheme name in any case', async () => {
    const header = basic(plain.id, plain.secret!).replace(/^Basic/, 'bAsIc');
    const res = await t.request('/token', form(cc, { authorization: header }));
    assert.equal(res.status, 200);
  });

  it('a client id in the body that matches the Basic one is fine; a different one is invalid_request', async () => {
    const ok = await t.request(
      '/token',
      form({ ...cc, client_id: plain.id }, { authorization: basic(plain.id, plain.secret!) }),
    );
    assert.equal(ok.status, 200);
    const res = await t.request(
      '/token',
      form({ ...cc, client_id: special.id }, { authorization: basic(plain.id, plain.secret!) }),
    );
    await expectOAuthError(res, 'invalid_request');
  });

  it('both methods at once is invalid_request', async () => {
    const res = await t.request(
      '/token',
      form(
        { ...cc, client_id: plain.id, client_secret: plain.secret! },
        { authorization: basic(plain.id, plain.secret!) },
      ),
    );
    await expectOAuthError(res, 'invalid_request');
  });

  it('a wrong secret with Basic: 401 invalid_client with a Basic challenge', async () => {
    const res = await t.request('/token', form(cc, { authorization: basic(plain.id, `${plain.secret}x`) }));
    await expectOAuthError(res, 'invalid_client', 401);
    assertBasicChallenge(res);
  });

  it('a wrong secret in the body: 401 invalid_client', async () => {
    const res = await t.request(
      '/token',
      form({ ...cc, client_id: plain.id, client_secret: 'wrong-secret' }),
    );
    await expectOAuthError(res, 'invalid_client', 401);
  });

  it('the secret Basic-encoded without the form-urlencoding does not match', async () => {
    const raw = `Basic ${b64(`${SPECIAL_ID}:${SPECIAL_SECRET}`)}`;
    const res = await t.request('/token', form(cc, { authorization: raw }));
    await expectOAuthError(res, 'invalid_client', 401);
  });

  it('a confidential client without any secret: 401 invalid_client', async () => {
    for (const body of [
      { ...cc, client_id: plain.id },
      { ...cc, client_id: plain.id, client_secret: '' },
    ]) {
      const res = await t.request('/token', form(body));
      await expectOAuthError(res, 'invalid_client', 401);
    }
  });

  it('no client at all: 401 invalid_client with a Basic challenge', async () => {
    const res = await t.request('/token', form(cc));
    await expectOAuthError(res, 'invalid_client', 401);
    assertBasicChallenge(res);
  });

  it('an unknown client answers exactly as a wrong secret does', async () => {
    const unknown = await t.request(
      '/token',
      form(cc, { authorization: basic('no-such-client', 'whatever-secret') }),
    );
    const wrong = await t.request('/token', form(cc, { authorization: basic(plain.id, 'whatever-secret') }));
    const a = await expectOAuthError(unknown, 'invalid_client', 401);
    const b = await expectOAuthError(wrong, 'invalid_client', 401);
    assert.deepEqual(a, b);
    assert.equal(unknown.headers.get('www-authenticate'), wrong.headers.get('www-authenticate'));
  });

  it('a public client that sends a secret: 401 invalid_client', async () => {
    const viaBasic = await t.request(
      '/token',
      form(cc, { authorization: basic(pub.id, 'some-secret-value') }),
    );
    await expectOAuthError(viaBasic, 'invalid_client', 401);
    assertBasicChallenge(viaBasic);
    const viaPost = await t.request(
      '/token',
      form({ ...cc, client_id: pub.id, client_secret: 'some-secret-value' }),
    );
    await expectOAuthError(viaPost, 'invalid_client', 401);
  });

  it('a public client authenticates with its id alone, but may not use client_credentials', async () => {
    const res = await t.request('/token', form({ ...cc, client_id: pub.id }));
    await expectOAuthError(res, 'unauthorized_client');
  });

  for (const [name, header] of [
    ['not base64', 'Basic !!!not-base64***'],
    ['no colon', `Basic ${b64('just-an-id')}`],
    ['empty', 'Basic '],
    ['bad percent-encoding', `Basic ${b64('%zz:%zz')}`],
    ['bad UTF-8 in the percent-encoding', `Basic ${b64('%FF:%FE')}`],
  ]) {
    it(`a malformed Basic header (${name}): 401 invalid_client with a Basic challenge (RFC 6749 §5.2)`, async () => {
      const res = await t.request('/token', form(cc, { authorization: header! }));
      await expectOAuthError(res, 'invalid_client', 401);
      assertBasicChallenge(res);
    });
  }

  it('another Authorization scheme is refused, never a 500', async () => {
    const res = await t.request('/token', form(cc, { authorization: 'Bearer abc.def.ghi' }));
    const body = (await res.json()) as Body;
    assert.ok(res.status === 400 || res.status === 401, String(res.status));
    assert.ok(body['error'] === 'invalid_request' || body['error'] === 'invalid_client');
  });

  it('failures are written to the audit log', async () => {
    await t.request('/token', form(cc, { authorization: basic(plain.id, 'audited-wrong-secret') }));
    // Repeated failures are counted in one row (issue 8 #14): the client's row may be an earlier one.
    const events = await t.deps.store.events.list(100);
    const event = events.find((e) => e.type === 'client_auth_failed' && e.clientId === plain.id);
    assert.equal(event?.type, 'client_auth_failed');
    assert.equal(event?.clientId, plain.id);
    assert.equal(JSON.stringify(event).includes('audited-wrong-secret'), false, 'never the secret');
  });
});

describe('client authentication: failure throttling', () => {
  let t: TestApp;
  let client: { id: string; secret?: string };
  before(async () => {
    t = await testApp({ LATCHKEY_THROTTLE: 'on' });
    client = await t.addClient({ grants: ['client_credentials'] });
  });
  after(() => t.close());

  it('delays repeated failures, never a correct secret', async () => {
    const wrong = () =>
      t.request('/token', form(cc, { authorization: basic(client.id, 'wrong-secret-value') }));
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      assert.equal((await wrong()).status, 401);
      assert.ok(Date.now() - started < 500, `failure ${i + 1} is not delayed`);
    }
    let started = Date.now();
    const fifth = await wrong();
    assert.equal(fifth.status, 401);
    assert.ok(Date.now() - started >= 900, 'the fifth failure in a row is delayed');

    started = Date.now();
    const ok = await t.request('/token', form(cc, { authorization: basic(client.id, client.secret!) }));
    assert.equal(ok.status, 200);
    assert.ok(Date.now() - started < 500, 'successful traffic is never throttled');
  });

  it('holds a failed answer alike for a known and an unknown client id: the hold tells nothing of existence', async () => {
    t.clock.advance(2 * 3600); // the failures above are forgotten
    // Five failures for each id from one address, then one from a fresh address: only the id's count can hold it.
    const holds: Record<string, number> = {};
    for (const id of [client.id, 'no-such-client']) {
      for (let i = 0; i < 5; i++) await clientAuthFailed(t.deps, `192.0.2.${i + 1}`, id);
      holds[id] = await clientAuthFailed(t.deps, '198.51.100.7', id);
    }
    assert.equal(holds[client.id], 2000, 'the sixth failure of a known id is held 2 s');
    assert.equal(holds['no-such-client'], holds[client.id], 'and so is an unknown one’s');
  });

  it('counts client ids in a bounded number of buckets: request input cannot grow the table', async () => {
    t.clock.advance(2 * 3600);
    await t.deps.store.throttle.prune(Number.MAX_SAFE_INTEGER, 1_000_000);
    for (let i = 0; i < 3; i++) {
      const res = await t.request('/token', form(cc, { authorization: basic(`nobody-${i}`, 'some-secret') }));
      await expectOAuthError(res, 'invalid_client', 401);
    }
    const rows = await t.deps.store.throttle.prune(Number.MAX_SAFE_INTEGER, 1_000_000);
    assert.ok(rows >= 2 && rows <= 4, `three ids' buckets (at most) and the address: ${rows} rows`);
    // 1,000 made-up ids from one address: never more rows than buckets, plus the address.
    for (let i = 0; i < 1_000; i++) await clientAuthFailed(t.deps, '203.0.113.9', `made-up-${i}`);
    const many = await t.deps.store.throttle.prune(Number.MAX_SAFE_INTEGER, 1_000_000);
    assert.ok(many <= Math.min(1_000, CLIENT_BUCKETS) + 1, `${many} rows`);
    assert.ok(many > 950, `ids spread over the buckets: ${many} rows`);
  });

  it('an over-long client_id is refused before any lookup and leaves no per-client state (issue 8 #1)', async () => {
    // Every throttle row forgotten first, so what is left after is what these requests made.
    await t.deps.store.throttle.prune(Number.MAX_SAFE_INTEGER, 1_000_000);
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 5_000; i++) {
      const id = `${i}-${'a'.repeat(60_000)}`;
      const res = await t.request(
        '/token',
        form({ grant_type: 'client_credentials', client_id: id, client_secret: 'x' }),
      );
      if (i % 1000 === 0) await expectOAuthError(res, 'invalid_client', 401);
      else await res.arrayBuffer();
    }
    // The one per-address key: nothing keyed by the 5,000 ids.
    const rows = await t.deps.store.throttle.prune(Number.MAX_SAFE_INTEGER, 1_000_000);
    assert.equal(rows, 1, `throttle rows after 5,000 over-long ids: ${rows}`);
    const grownMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    assert.ok(grownMiB < 100, `RSS grew ${grownMiB.toFixed(0)} MiB for 5,000 × 60 KB ids`);
  });
});
