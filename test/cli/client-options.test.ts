import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/server.js';
import { fails, type Json, json, run } from './run.js';

const SECRET = 'cli-test-secret-0123456789abcdef';

/** Issue 13: the client options of the ID token, back-channel logout and CORS, from the command line. */
describe('latchkey CLI: client options of issue 13', () => {
  const tmp = tempDir('latchkey-cli-i13-');
  const dbPath = join(tmp.dir, 'latchkey.db');
  const env = { LATCHKEY_DB: dbPath, LATCHKEY_SECRET: SECRET };
  after(() => tmp.cleanup());
  const stored = async (id: string) => {
    const store = createSqliteStore(dbPath);
    try {
      return await store.clients.find(id);
    } finally {
      await store.close();
    }
  };
  const add = (...args: string[]) =>
    json(['client', 'add', '--name', 'App', '--redirect-uri', 'https://app.example.test/cb', ...args], env);

  it('a new client: ID tokens RS256, access tokens ES256, full ID token, no back-channel logout, no origins', async () => {
    const out = await add();
    assert.equal(out['id_token_alg'], 'RS256');
    assert.equal(out['access_token_alg'], 'ES256');
    assert.equal(out['signing_alg'], 'ES256', 'signing_alg keeps naming the access tokens’ algorithm');
    assert.equal(out['id_token_claims'], 'full');
    assert.equal(out['backchannel_logout_uri'], null);
    assert.equal(out['backchannel_logout_session_required'], true);
    assert.deepEqual(out['web_origins'], []);
    const c = await stored(out['client_id'] as string);
    assert.equal(c?.idTokenAlg, 'RS256');
    assert.equal(c?.signingAlg, 'ES256');
  });

  it('client add takes every option, and --signing-alg sets both algorithms', async () => {
    const out = await add(
      '--id-token-alg',
      'ES256',
      '--access-token-alg',
      'RS256',
      '--id-token-claims',
      'minimal',
      '--backchannel-logout-uri',
      'https://app.example.test/backchannel',
      '--no-backchannel-logout-session-required',
      '--web-origin',
      'https://spa.example.test',
      '--web-origin',
      'http://localhost:5173',
    );
    assert.equal(out['id_token_alg'], 'ES256');
    assert.equal(out['access_token_alg'], 'RS256');
    assert.equal(out['id_token_claims'], 'minimal');
    assert.equal(out['backchannel_logout_uri'], 'https://app.example.test/backchannel');
    assert.equal(out['backchannel_logout_session_required'], false);
    assert.deepEqual((out['web_origins'] as string[]).sort(), [
      'http://localhost:5173',
      'https://spa.example.test',
    ]);
    const c = await stored(out['client_id'] as string);
    assert.equal(c?.idTokenClaims, 'minimal');
    assert.equal(c?.backchannelLogoutSessionRequired, false);

    const both = await add('--signing-alg', 'RS256');
    assert.equal(both['id_token_alg'], 'RS256');
    assert.equal(both['access_token_alg'], 'RS256');
    const es = await add('--signing-alg', 'ES256');
    assert.equal(
      es['id_token_alg'],
      'ES256',
      '--signing-alg ES256 keeps ID tokens ES256, as before issue 13',
    );
    const mixed = await add('--signing-alg', 'RS256', '--id-token-alg', 'ES256');
    assert.equal(mixed['id_token_alg'], 'ES256', 'the specific option wins');
    assert.equal(mixed['access_token_alg'], 'RS256');
  });

  it('client update changes each option, --signing-alg both, and the --no- forms clear', async () => {
    const id = (await add())['client_id'] as string;
    const upd = (...args: string[]) =>
      json<Json & { changed: string[] }>(['client', 'update', id, ...args], env);
    let out = await upd('--id-token-alg', 'ES256');
    assert.deepEqual(out.changed, ['id_token_alg']);
    assert.equal(out['access_token_alg'], 'ES256');
    out = await upd('--signing-alg', 'RS256');
    assert.deepEqual(out.changed.sort(), ['access_token_alg', 'id_token_alg']);
    assert.equal(out['id_token_alg'], 'RS256');
    out = await upd('--access-token-alg', 'ES256');
    assert.deepEqual(out.changed, ['access_token_alg']);
    assert.equal(out['id_token_alg'], 'RS256', 'the other algorithm stays');
    out = await upd(
      '--backchannel-logout-uri',
      'http://127.0.0.1:9000/bc',
      '--web-origin',
      'https://spa.example.test',
      '--id-token-claims',
      'minimal',
    );
    assert.deepEqual(out.changed.sort(), ['backchannel_logout_uri', 'id_token_claims', 'web_origins']);
    out = await upd('--no-backchannel-logout-session-required');
    assert.deepEqual(out.changed, ['backchannel_logout_session_required']);
    out = await upd('--no-backchannel-logout-uri', '--no-web-origins');
    assert.deepEqual(out.changed.sort(), ['backchannel_logout_uri', 'web_origins']);
    assert.equal(out['backchannel_logout_uri'], null);
    assert.deepEqual(out['web_origins'], []);
    const text = await run(['client', 'update', id, '--id-token-alg', 'ES256'], env);
    assert.match(text.stdout, /--id-token-alg/);
  });

  it('refuses bad values with a clear message naming the flag, and writes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--id-token-alg', 'HS256'], /--id-token-alg must be ES256 or RS256/],
      [['--access-token-alg', 'none'], /--access-token-alg must be ES256 or RS256/],
      [['--id-token-claims', 'some'], /--id-token-claims must be full or minimal/],
      [['--backchannel-logout-uri', 'http://app.example.test/bc'], /--backchannel-logout-uri .*https/],
      [['--backchannel-logout-uri', 'https://app.example.test/bc#x'], /fragment/],
      [['--backchannel-logout-uri', 'bc'], /absolute URI/],
      [['--backchannel-logout-uri', 'https://u:p@app.example.test/bc'], /user name or password/],
      [['--web-origin', 'https://spa.example.test/'], /--web-origin .*"https:\/\/spa.example.test"\?/],
      [['--web-origin', 'https://spa.example.test/app'], /no path/],
      [['--web-origin', 'https://SPA.example.test'], /origin/],
      [['--web-origin', 'https://spa.example.test:443'], /"https:\/\/spa.example.test"\?/],
      [['--web-origin', 'ftp://spa.example.test'], /http or https/],
      [['--web-origin', '*'], /must be an origin/],
    ];
    for (const [args, message] of cases) {
      const err = await fails(['client', 'add', '--name', 'Bad', ...args], env);
      assert.match(err.message, message, args.join(' '));
    }
    const id = (await add())['client_id'] as string;
    const err = await fails(
      [
        'client',
        'update',
        id,
        '--backchannel-logout-uri',
        'https://a.test/bc',
        '--no-backchannel-logout-uri',
      ],
      env,
      2,
    );
    assert.match(err.message, /contradict/);
    assert.equal((await stored(id))?.backchannelLogoutUri, null);
  });

  it('plain http web origin off loopback is accepted with a warning', async () => {
    const r = await run(
      ['client', 'add', '--name', 'Warn', '--web-origin', 'http://spa.example.test', '--json'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const warning = JSON.parse(r.stderr) as { warning: string };
    assert.match(warning.warning, /^--web-origin "http:\/\/spa.example.test" is plain http off loopback/);
  });
});
