import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { browser } from '../helpers/oauth.js';
import { type TestApp, testApp } from '../helpers/server.js';
import { addProvider } from '../helpers/upstream.js';

describe('/federation/:slug (in process)', () => {
  let t: TestApp;
  let silent: Server;
  const sockets = new Set<Socket>();
  let silentPort = 0;

  before(async () => {
    t = await testApp();
    // Accepts connections and never answers: the upstream that would hang a sign-in without a timeout.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    silentPort = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await t.close();
  });

  it('answers provider_error (502) within about 10 s when the upstream never answers', async () => {
    await addProvider(
      t.deps,
      { issuer: `http://127.0.0.1:${silentPort}`, clientId: 'c', clientSecret: 's' },
      { slug: 'silent', name: 'Silent' },
    );
    const started = Date.now();
    const { res, html } = await browser(t).go('/federation/silent/start?return_to=%2Faccount');
    const elapsed = Date.now() - started;
    assert.equal(res?.status, 502);
    assert.match(html ?? '', /provider_error/);
    assert.ok(elapsed >= 9_000 && elapsed < 12_000, `${elapsed} ms`);
  });

  it('answers state_mismatch to a callback without a state, with a malformed one, or for no interaction', async () => {
    const agent = browser(t);
    for (const query of ['', '?code=x', '?state=nodot', `?state=${'a'.repeat(40)}.${'b'.repeat(43)}`]) {
      const { res, html } = await agent.go(`/federation/silent/callback${query}`);
      assert.equal(res?.status, 400, query);
      assert.match(html ?? '', /state_mismatch/, query);
    }
  });

  it('refuses an idp= hint longer than a slug (a redirect error, the redirect URI being verified)', async () => {
    const client = await t.addClient({ redirectUris: ['http://127.0.0.1:9/cb'], isPublic: true });
    const res = await browser(t).request(
      `/authorize?client_id=${client.id}&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&idp=${'x'.repeat(33)}`,
    );
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('error'), 'invalid_request');
  });
});
