import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { generateSync } from 'otplib';
import { verifySecondFactor } from '../../src/auth/second-factor.js';
import { loadConfig } from '../../src/config.js';
import { randomToken, sha256 } from '../../src/crypto/hash.js';
import { verifyPassword } from '../../src/crypto/password.js';
import { buildDeps } from '../../src/deps.js';
import { jsonLog } from '../../src/log.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { linkUpstream } from '../helpers/identity.js';
import { basic, form, startTestServer, type TestServer, tempDir } from '../helpers/server.js';
import { fails, type Json, json, run } from './run.js';

const SECRET = 'cli-test-secret-0123456789abcdef';

describe('latchkey CLI', () => {
  const tmp = tempDir('latchkey-cli-');
  const dbPath = join(tmp.dir, 'latchkey.db');
  const env = { LATCHKEY_DB: dbPath, LATCHKEY_SECRET: SECRET };
  const withStore = async <T>(
    fn: (store: ReturnType<typeof createSqliteStore>) => Promise<T>,
  ): Promise<T> => {
    const store = createSqliteStore(dbPath);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };
  after(() => tmp.cleanup());
  /** The newest `limit` events: `events --json` prints one page, `{items, next_cursor}`. */
  const events = async (limit: number) =>
    (await json<{ items: Json[] }>(['events', '--limit', String(limit)], env)).items;

  describe('usage', () => {
    it('--help lists every command and exits 0', async () => {
      const r = await run(['--help'], env);
      assert.equal(r.code, 0);
      for (const cmd of [
        'serve',
        'migrate',
        'user add',
        'user list',
        'user remove',
        'user set-password',
        'user mfa-enroll',
        'user mfa-reset',
        'user unlink',
        'client add',
        'client list',
        'client remove',
        'client rotate-secret',
        'scope add',
        'provider add',
        'provider list',
        'provider enable',
        'provider disable',
        'provider remove',
        'keys rotate',
        'events',
        'seed',
      ])
        assert.ok(r.stdout.includes(`latchkey ${cmd}`), cmd);
      assert.match(r.stdout, /--json/);
    });

    it('<command> --help shows its options', async () => {
      const r = await run(['client', 'add', '--help'], env);
      assert.equal(r.code, 0);
      for (const opt of [
        '--redirect-uri',
        '--public',
        '--grant',
        '--scope',
        '--token-format',
        '--signing-alg',
        '--introspect-any',
        '--resource',
      ])
        assert.ok(r.stdout.includes(opt), opt);
    });

    it('an unknown command exits 2', async () => {
      const r = await run(['frobnicate'], env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown command "frobnicate"/);
      assert.equal((await fails(['user', 'frobnicate'], env, 2)).error, 'usage');
    });

    it('no command at all prints the help and exits 2', async () => {
      const r = await run([], env);
      assert.equal(r.code, 2);
      assert.match(r.stdout, /Usage:/);
    });

    it('an unknown option or a missing value exits 2 with the usage', async () => {
      const r = await run(['user', 'list', '--bogus'], env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /usage: latchkey user list/);
      await fails(['user', 'add'], env, 2);
      await fails(['client', 'add', '--name', 'x', '--access-token-ttl', 'ten'], env, 2);
    });

    it('user list and keys list against a folder without a database say so and create nothing (issue 16)', async () => {
      const folder = join(tmp.dir, 'no-database-here');
      const fresh = join(folder, 'latchkey.db');
      for (const args of [['user', 'list'], ['keys', 'list'], ['events'], ['client', 'list']]) {
        const r = await run(args, { LATCHKEY_DB: fresh });
        assert.equal(r.code, 1, args.join(' '));
        assert.equal(r.stdout, '');
        assert.equal(
          r.stderr,
          `latchkey: no database at "${fresh}": set LATCHKEY_DB to the database file (or run "latchkey migrate" to create one there)\n`,
        );
      }
      assert.equal((await fails(['user', 'list'], { LATCHKEY_DB: fresh })).error, 'no_database');
      assert.equal(existsSync(folder), false, 'no folder, no database, no latchkey.secret');
    });

    it('migrate creates the database', async () => {
      const out = await json(['migrate'], env);
      assert.deepEqual(out, { migrated: true, db: dbPath });
    });
  });

  describe('users', () => {
    let ada: Json;
    it('user add prints the user', async () => {
      ada = await json(
        [
          'user',
          'add',
          '--email',
          'Ada@Example.test',
          '--password',
          'analytical-engine-1843',
          '--name',
          'Ada Lovelace',
          '--given-name',
          'Ada',
          '--family-name',
          'Lovelace',
          '--role',
          'admin',
          '--role',
          'ops',
        ],
        env,
      );
      assert.equal(typeof ada['id'], 'string');
      assert.equal(ada['email'], 'ada@example.test');
      assert.equal(ada['name'], 'Ada Lovelace');
      assert.equal(ada['given_name'], 'Ada');
      assert.equal(ada['family_name'], 'Lovelace');
      assert.deepEqual(ada['roles'], ['admin', 'ops']);
      assert.equal(ada['has_password'], true);
      assert.equal(JSON.stringify(ada).includes('analytical-engine'), false, 'never the password');
      const stored = await withStore((s) => s.users.find(ada['id'] as string));
      assert.equal(await verifyPassword(stored!.passwordHash!, 'analytical-engine-1843'), true);
    });

    it('user add without a password makes a provider-only user', async () => {
      const grace = await json(['user', 'add', '--email', 'grace@example.test'], env);
      assert.equal(grace['has_password'], false);
    });

    it('user add refuses a duplicate email, a weak password and a bad email', async () => {
      assert.equal((await fails(['user', 'add', '--email', 'ADA@example.test'], env)).error, 'exists');
      assert.match(
        (await fails(['user', 'add', '--email', 'weak@example.test', '--password', 'password'], env)).message,
        /common/,
      );
      assert.match(
        (await fails(['user', 'add', '--email', 'weak@example.test', '--password', 'short'], env)).message,
        /at least 8/,
      );
      await fails(['user', 'add', '--email', 'not-an-email'], env);
    });

    it('user list prints every user', async () => {
      const users = await json<Json[]>(['user', 'list'], env);
      assert.deepEqual(users.map((u) => u['email']).sort(), ['ada@example.test', 'grace@example.test']);
      assert.equal(JSON.stringify(users).includes('argon2'), false, 'never the hash');
    });

    it('user set-password by email or id', async () => {
      await json(['user', 'set-password', 'ada@example.test', '--password', 'difference-engine-1822'], env);
      let stored = await withStore((s) => s.users.find(ada['id'] as string));
      assert.equal(await verifyPassword(stored!.passwordHash!, 'difference-engine-1822'), true);
      const out = await json(
        ['user', 'set-password', ada['id'] as string, '--password', 'note-g-bernoulli'],
        env,
      );
      assert.equal(out['email'], 'ada@example.test');
      stored = await withStore((s) => s.users.find(ada['id'] as string));
      assert.equal(await verifyPassword(stored!.passwordHash!, 'note-g-bernoulli'), true);
      await fails(['user', 'set-password', 'ada@example.test', '--password', '12345678'], env);
      assert.equal(
        (await fails(['user', 'set-password', 'nobody@example.test', '--password', 'whatever-it-is'], env))
          .error,
        'not_found',
      );
      await fails(['user', 'set-password', 'ada@example.test'], env, 2);
    });

    it('user remove by email; then it is gone', async () => {
      const out = await json(['user', 'remove', 'GRACE@example.test'], env);
      assert.equal(out['removed'], true);
      const users = await json<Json[]>(['user', 'list'], env);
      assert.deepEqual(
        users.map((u) => u['email']),
        ['ada@example.test'],
      );
      const [event] = await events(1);
      assert.equal(event?.['type'], 'user_removed');
      assert.equal(event?.['user_id'], out['id']);
      assert.equal((await fails(['user', 'remove', 'grace@example.test'], env)).error, 'not_found');
    });
  });

  describe('provider links', () => {
    /** A user added by the CLI and linked to an upstream identity on the same database file. */
    async function linkedUser(email: string): Promise<Json> {
      const user = await json(['user', 'add', '--email', email, '--password', 'a-long-passphrase'], env);
      await withStore((s) => linkUpstream(s, user['id'] as string, Math.floor(Date.now() / 1000)));
      return user;
    }

    it('user unlink prints a set-password link that works once, for 24 hours, and audits it', async () => {
      const user = await linkedUser('linked@example.test');
      const before = Math.floor(Date.now() / 1000);
      const out = await json(['user', 'unlink', 'Linked@example.test'], env);
      assert.deepEqual(Object.keys(out).sort(), ['email', 'expires_at', 'id', 'set_password_url']);
      assert.equal(out['id'], user['id']);
      assert.equal(out['email'], 'linked@example.test');
      const url = new URL(out['set_password_url'] as string);
      assert.equal(url.pathname, '/password/set');
      const token = url.searchParams.get('token')!;
      assert.ok((out['expires_at'] as number) >= before + 24 * 3600);
      await withStore(async (s) => {
        assert.equal(await s.identities.findByUser(user['id'] as string), undefined, 'the link is gone');
        assert.equal((await s.passwordTokens.find(sha256(token)))?.userId, user['id'], 'stored hashed');
      });
      const [event] = await events(1);
      assert.equal(event?.['type'], 'user_unlinked');
      assert.equal(event?.['user_id'], user['id']);

      const other = await linkedUser('linked-too@example.test');
      const human = await run(['user', 'unlink', other['id'] as string], env);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^http:\/\/\S+\/password\/set\?token=[\w-]{43}$/m);
      assert.match(human.stdout, /works once, for 24 hours/);
    });

    it('user unlink of a user without a link fails in one line', async () => {
      const r = await run(['user', 'unlink', 'linked@example.test'], env);
      assert.notEqual(r.code, 0);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'latchkey: user "linked@example.test" has no linked provider\n');
      assert.equal((await fails(['user', 'unlink', 'nobody@example.test'], env)).error, 'not_found');
      await fails(['user', 'unlink'], env, 2);
    });
  });

  describe('two-factor authentication', () => {
    type Enrolment = { secret: string; otpauth_uri: string; recovery_codes: string[] };
    let ada: Json;
    before(async () => {
      ada = await json(
        ['user', 'add', '--email', 'mfa@example.test', '--password', 'a-long-passphrase'],
        env,
      );
    });

    /** Checks a code the way the server does, on the same database and secret. */
    async function accepted(code: string): Promise<string | undefined> {
      const deps = await buildDeps(loadConfig(env), { log: jsonLog('silent') });
      try {
        const user = (await deps.store.users.find(ada['id'] as string))!;
        const check = await verifySecondFactor(deps, user, code, { ip: '192.0.2.1', clientId: null });
        return check.ok ? check.method : undefined;
      } finally {
        await deps.store.close();
      }
    }

    it('user mfa-enroll prints the secret, its otpauth URI and ten recovery codes, all of which work', async () => {
      const out = await json<Enrolment>(['user', 'mfa-enroll', 'MFA@example.test'], env);
      assert.deepEqual(Object.keys(out).sort(), ['otpauth_uri', 'recovery_codes', 'secret']);
      assert.match(out.otpauth_uri, /^otpauth:\/\/totp\//);
      assert.ok(out.otpauth_uri.includes(`secret=${out.secret}`));
      // The key URI label is "issuer:account" with one colon: the issuer name carries no port.
      const label = decodeURIComponent(out.otpauth_uri.split('?')[0]!.slice('otpauth://totp/'.length));
      assert.equal(label.split(':').length, 2, label);
      assert.equal(out.recovery_codes.length, 10);
      assert.equal(new Set(out.recovery_codes).size, 10);
      const [event] = await events(1);
      assert.equal(event?.['type'], 'mfa_enrolled');
      assert.equal(event?.['user_id'], ada['id']);
      assert.equal(await accepted(generateSync({ secret: out.secret })), 'totp');
      assert.equal(await accepted(out.recovery_codes[0]!), 'recovery_code');
      assert.equal(await accepted(out.recovery_codes[0]!), undefined, 'each recovery code works once');
    });

    it('user mfa-reset removes the factor and the codes and nothing else; mfa-enroll works again', async () => {
      const sessionHash = sha256(randomToken());
      await withStore(async (s) => {
        const now = Math.floor(Date.now() / 1000);
        await s.sessions.create({
          idHash: sessionHash,
          userId: ada['id'] as string,
          authTime: now,
          amr: ['pwd', 'otp'],
          userAgent: null,
          ip: null,
          createdAt: now,
          lastSeenAt: now,
          expiresAt: now + 3600,
          endedAt: null,
        });
      });
      const out = await json(['user', 'mfa-reset', ada['id'] as string], env);
      assert.deepEqual(out, { reset: true, id: ada['id'], email: 'mfa@example.test' });
      await withStore(async (s) => {
        assert.equal(await s.mfa.findTotp(ada['id'] as string), undefined);
        assert.deepEqual(await s.mfa.unusedRecoveryCodes(ada['id'] as string), []);
        assert.equal((await s.sessions.find(sessionHash))?.endedAt, null, 'the session goes on');
      });
      const [event] = await events(1);
      assert.equal(event?.['type'], 'mfa_reset');

      const nothing = await fails(['user', 'mfa-reset', 'mfa@example.test'], env);
      assert.equal(nothing.error, 'not_found');
      assert.match(nothing.message, /no two-factor authentication to reset/);
      assert.equal((await fails(['user', 'mfa-reset', 'nobody@example.test'], env)).error, 'not_found');
      assert.equal((await fails(['user', 'mfa-enroll', 'nobody@example.test'], env)).error, 'not_found');
      await fails(['user', 'mfa-enroll'], env, 2);

      const again = await run(['user', 'mfa-enroll', 'mfa@example.test'], env);
      assert.equal(again.code, 0, again.stderr);
      const secret = /secret: +(\S+)/.exec(again.stdout)?.[1] ?? '';
      assert.equal(await accepted(generateSync({ secret })), 'totp');
      assert.match(again.stdout, /shown only once/);
      const types = (await events(3)).map((e) => e['type']);
      assert.deepEqual(types, ['mfa_succeeded', 'mfa_enrolled', 'mfa_reset']);
    });
  });

  describe('scopes and clients', () => {
    it('scope add prints {name, description}', async () => {
      const out = await json(['scope', 'add', 'api:read', '--description', 'Read the API'], env);
      assert.deepEqual(out, { name: 'api:read', description: 'Read the API' });
      await fails(['scope', 'add', 'api:write'], env, 2);
      await fails(['scope', 'add', 'has"quote', '--description', 'x'], env);
    });

    it('client add with every option stores and prints them', async () => {
      const out = await json(
        [
          'client',
          'add',
          '--name',
          'Everything',
          '--redirect-uri',
          'https://app.example.test/cb',
          '--redirect-uri',
          'com.example.app:/oauth2redirect',
          '--post-logout-redirect-uri',
          'https://app.example.test/bye',
          '--resource',
          'https://api.example.test/v1',
          '--resource',
          'urn:example:ledger',
          '--grant',
          'authorization_code',
          '--grant',
          'refresh_token',
          '--grant',
          'client_credentials',
          '--grant',
          'password',
          '--scope',
          'openid',
          '--scope',
          'api:read',
          '--first-party',
          '--implicit',
          '--introspect-any',
          '--require-pkce',
          '--token-format',
          'opaque',
          '--signing-alg',
          'RS256',
          '--access-token-ttl',
          '120',
          '--refresh-token-ttl',
          '3600',
          '--refresh-reuse-grace',
          '0',
        ],
        env,
      );
      assert.equal(typeof out['client_id'], 'string');
      assert.equal(typeof out['client_secret'], 'string');
      assert.ok((out['client_secret'] as string).length >= 32);
      assert.equal(out['name'], 'Everything');
      assert.deepEqual(out['redirect_uris'], [
        'https://app.example.test/cb',
        'com.example.app:/oauth2redirect',
      ]);
      assert.deepEqual(out['post_logout_redirect_uris'], ['https://app.example.test/bye']);
      assert.deepEqual(out['resources'], ['https://api.example.test/v1', 'urn:example:ledger']);
      assert.deepEqual(out['grants'], [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'password',
      ]);
      assert.deepEqual(out['scopes'], ['openid', 'api:read']);
      assert.equal(out['public'], false);
      assert.equal(out['first_party'], true);
      assert.equal(out['implicit'], true);
      assert.equal(out['introspect_any'], true);
      assert.equal(out['require_pkce'], true);
      assert.equal(out['token_format'], 'opaque');
      assert.equal(out['signing_alg'], 'RS256');
      assert.equal(out['access_token_ttl'], 120);
      assert.equal(out['refresh_token_ttl'], 3600);
      assert.equal(out['refresh_reuse_grace'], 0);

      const stored = await withStore((s) => s.clients.find(out['client_id'] as string));
      assert.equal(stored?.secretHash, sha256(out['client_secret'] as string), 'stored hashed');
      assert.equal(stored?.tokenFormat, 'opaque');
      assert.equal(stored?.signingAlg, 'RS256');
      assert.equal(stored?.introspectAny, true);
      assert.equal(stored?.allowImplicit, true);
      assert.equal(stored?.firstParty, true);
      assert.equal(stored?.refreshReuseGraceSeconds, 0);
      assert.deepEqual(stored?.resources.sort(), ['https://api.example.test/v1', 'urn:example:ledger']);
    });

    it('client add defaults: confidential, code + refresh, the built-in scopes, JWT, ES256, 600 s', async () => {
      const out = await json(
        ['client', 'add', '--name', 'Defaults', '--redirect-uri', 'https://d.example.test/cb'],
        env,
      );
      assert.equal(typeof out['client_secret'], 'string');
      assert.deepEqual(out['grants'], ['authorization_code', 'refresh_token']);
      assert.deepEqual(out['scopes'], ['openid', 'profile', 'email', 'offline_access']);
      assert.equal(out['token_format'], 'jwt');
      assert.equal(out['signing_alg'], 'ES256');
      assert.equal(out['access_token_ttl'], 600);
      assert.equal(out['refresh_reuse_grace'], 10);
      assert.equal(out['require_pkce'], false);
      assert.equal(out['implicit'], false);
      assert.deepEqual(out['resources'], [], 'no resource: no "resource" parameter is accepted');
    });

    it('client add --public gets no secret and must use PKCE', async () => {
      const out = await json(
        ['client', 'add', '--name', 'SPA', '--public', '--redirect-uri', 'https://spa.example.test/cb'],
        env,
      );
      assert.equal('client_secret' in out, false);
      assert.equal(out['public'], true);
      assert.equal(out['require_pkce'], true);
      assert.equal((await withStore((s) => s.clients.find(out['client_id'] as string)))?.secretHash, null);
    });

    it('client add refuses what it cannot honour', async () => {
      const base = ['client', 'add', '--name', 'Bad'];
      const cases: [string[], RegExp][] = [
        [['--scope', 'never-added'], /unknown scope "never-added"/],
        [['--grant', 'bogus'], /grant "bogus"/],
        [['--public', '--grant', 'client_credentials'], /public/],
        // Issue 8 #9: no wildcard in any redirect URI; no password grant for a public client.
        [
          ['--redirect-uri', 'https://rp.test/*'],
          /--redirect-uri "https:\/\/rp.test\/\*" must not contain "\*"/,
        ],
        [['--redirect-uri', 'https://*.rp.test/cb'], /--redirect-uri .* must not contain "\*"/],
        [
          ['--post-logout-redirect-uri', 'https://rp.test/bye*'],
          /--post-logout-redirect-uri .* must not contain "\*"/,
        ],
        [['--public', '--grant', 'password'], /--public cannot be combined with the password grant/],
        [['--public', '--grant', 'authorization_code', '--grant', 'password'], /--public/],
        [['--token-format', 'paseto'], /--token-format/],
        [['--signing-alg', 'HS256'], /--signing-alg/],
        [['--implicit'], /--redirect-uri/],
        [['--redirect-uri', 'https://a.example.test/cb#frag'], /fragment/],
        [['--redirect-uri', 'javascript:alert(1)'], /scheme/],
        [['--access-token-ttl', '0'], /--access-token-ttl/],
        [
          ['--resource', 'https://api.example.test/#x'],
          /--resource "https:\/\/api.example.test\/#x" must not contain a fragment/,
        ],
        [['--resource', 'api'], /--resource "api" must be an absolute URI/],
      ];
      for (const [args, message] of cases)
        assert.match((await fails([...base, ...args], env)).message, message);
      await fails(['client', 'add'], env, 2);
      const names = (await json<Json[]>(['client', 'list'], env)).map((c) => c['name']);
      assert.equal(names.includes('Bad'), false, 'nothing was created');
    });

    it('client add warns on stderr, outside the JSON document, for plain http off loopback (issue 8 #9)', async () => {
      const r = await run(
        [
          'client',
          'add',
          '--name',
          'Plain HTTP',
          '--redirect-uri',
          'http://rp.example.test/cb',
          '--post-logout-redirect-uri',
          'http://rp.example.test/bye',
          '--json',
        ],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Json;
      assert.deepEqual(out['redirect_uris'], ['http://rp.example.test/cb'], 'accepted');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 2, r.stderr);
      const warnings = lines.map((l) => (JSON.parse(l) as { warning: string }).warning);
      assert.match(warnings[0]!, /^--redirect-uri "http:\/\/rp.example.test\/cb" is plain http off loopback/);
      assert.match(warnings[1]!, /^--post-logout-redirect-uri "http:\/\/rp.example.test\/bye" is plain http/);
      const text = await run(
        ['client', 'add', '--name', 'Plain HTTP 2', '--redirect-uri', 'http://rp.example.test/cb'],
        env,
      );
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stderr,
        /^latchkey: warning: --redirect-uri "http:\/\/rp.example.test\/cb" is plain http/,
      );
      assert.doesNotMatch(text.stdout, /warning/);

      const loopback = await run(
        [
          'client',
          'add',
          '--name',
          'Loopback',
          '--redirect-uri',
          'http://localhost:8080/cb',
          '--redirect-uri',
          'http://127.0.0.1/cb',
          '--redirect-uri',
          'http://[::1]:9000/cb',
          '--redirect-uri',
          'https://rp.example.test/cb',
          '--json',
        ],
        env,
      );
      assert.equal(loopback.code, 0, loopback.stderr);
      assert.equal(loopback.stderr, '', 'no warning for loopback or https');
      for (const name of ['Plain HTTP', 'Plain HTTP 2', 'Loopback']) {
        const c = (await json<Json[]>(['client', 'list'], env)).find((x) => x['name'] === name)!;
        await json(['client', 'remove', c['client_id'] as string], env);
      }
    });

    it('client list prints every client, never a secret', async () => {
      const clients = await json<Json[]>(['client', 'list'], env);
      assert.deepEqual(clients.map((c) => c['name']).sort(), ['Defaults', 'Everything', 'SPA']);
      for (const c of clients)
        assert.equal(
          Object.keys(c).some((k) => /secret/.test(k)),
          false,
        );
    });

    it('client rotate-secret prints a new secret; the old one stops matching', async () => {
      const added = await json(['client', 'add', '--name', 'Rotating', '--grant', 'client_credentials'], env);
      const id = added['client_id'] as string;
      const out = await json(['client', 'rotate-secret', id], env);
      assert.equal(out['client_id'], id);
      assert.notEqual(out['client_secret'], added['client_secret']);
      const stored = await withStore((s) => s.clients.find(id));
      assert.equal(stored?.secretHash, sha256(out['client_secret'] as string));
      assert.notEqual(stored?.secretHash, sha256(added['client_secret'] as string));
      const spa = (await json<Json[]>(['client', 'list'], env)).find((c) => c['name'] === 'SPA')!;
      await fails(['client', 'rotate-secret', spa['client_id'] as string], env);
      assert.equal((await fails(['client', 'rotate-secret', 'no-such-client'], env)).error, 'not_found');
    });

    it('client remove deletes it', async () => {
      const spa = (await json<Json[]>(['client', 'list'], env)).find((c) => c['name'] === 'SPA')!;
      const out = await json(['client', 'remove', spa['client_id'] as string], env);
      assert.deepEqual(out, { removed: true, client_id: spa['client_id'] });
      assert.equal(
        (await json<Json[]>(['client', 'list'], env)).some((c) => c['name'] === 'SPA'),
        false,
      );
      assert.equal((await fails(['client', 'remove', spa['client_id'] as string], env)).error, 'not_found');
    });
  });

  describe('upstream providers', () => {
    const SECRETS = ['google-upstream-secret-42', 'azure-upstream-secret-42', 'acme-upstream-secret-42'];
    const outputs: string[] = [];
    /** Like `json`, keeping what was printed for the secret check at the end. */
    const provider = async (args: string[]): Promise<Json> => {
      const r = await run(['provider', ...args, '--json'], env);
      outputs.push(r.stdout, r.stderr);
      assert.equal(r.code, 0, `latchkey provider ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout) as Json;
    };
    const refused = async (args: string[], code = 1) => {
      const r = await run(['provider', ...args], env);
      outputs.push(r.stdout, r.stderr);
      assert.equal(r.code, code, r.stderr);
      assert.equal(r.stdout, '');
      // A usage error adds the usage line; a refused value is one line.
      if (code === 1) assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      return r.stderr;
    };

    it('provider add --slug google needs only the client id and secret', async () => {
      const out = await provider([
        'add',
        '--slug',
        'google',
        '--client-id',
        'g-id',
        '--client-secret',
        SECRETS[0]!,
      ]);
      assert.deepEqual(out, {
        slug: 'google',
        issuer: 'https://accounts.google.com',
        name: 'Google',
        enabled: true,
        kind: 'google',
        client_id: 'g-id',
        token_auth: 'client_secret_basic',
        trusted_tenants: [],
      });
      const stored = await withStore((s) => s.providers.find('google'));
      const deps = await buildDeps(loadConfig(env), { log: jsonLog('silent') });
      try {
        assert.equal(deps.sealer.open(stored!.clientSecretSealed), SECRETS[0], 'sealed with LATCHKEY_SECRET');
      } finally {
        await deps.store.close();
      }
    });

    it('provider add --slug azure needs --tenant and builds the Entra ID issuer', async () => {
      assert.match(
        await refused(['add', '--slug', 'azure', '--client-id', 'a-id', '--client-secret', SECRETS[1]!]),
        /^latchkey: --tenant is required for azure/,
      );
      assert.match(
        await refused([
          'add',
          '--slug',
          'azure',
          '--tenant',
          'contoso',
          '--client-id',
          'a',
          '--client-secret',
          'b',
        ]),
        /--tenant "contoso" must be a tenant id \(a GUID\), organizations or common/,
      );
      const out = await provider([
        'add',
        '--slug',
        'azure',
        '--tenant',
        'organizations',
        '--client-id',
        'a-id',
        '--client-secret',
        SECRETS[1]!,
        '--trusted-tenant',
        '72F988BF-86F1-41AF-91AB-2D7CD011DB47',
        '--disabled',
      ]);
      assert.equal(out['issuer'], 'https://login.microsoftonline.com/organizations/v2.0');
      assert.equal(out['name'], 'Microsoft');
      assert.equal(out['kind'], 'azure');
      assert.equal(out['tenant'], 'organizations');
      assert.equal(out['enabled'], false);
      assert.deepEqual(out['trusted_tenants'], ['72f988bf-86f1-41af-91ab-2d7cd011db47']);
    });

    it('provider add for any other slug wants an https issuer (http only on loopback)', async () => {
      const base = ['add', '--slug', 'acme', '--client-id', 'acme-id', '--client-secret', SECRETS[2]!];
      assert.match(await refused(base), /^latchkey: --issuer is required\n$/);
      assert.match(
        await refused([...base, '--issuer', 'http://idp.example.test']),
        /^latchkey: --issuer "http:\/\/idp.example.test" must be https/,
      );
      assert.match(
        await refused([...base, '--issuer', 'https://idp.example.test/?x=1']),
        /query or fragment/,
      );
      assert.match(await refused([...base, '--issuer', 'idp.example.test']), /absolute URL/);
      assert.match(
        await refused([...base, '--issuer', 'https://idp.example.test', '--tenant', 'common']),
        /--tenant is only for the azure provider/,
      );
      assert.match(
        await refused([...base, '--issuer', 'https://idp.example.test', '--token-auth', 'private_key_jwt']),
        /--token-auth must be one of client_secret_basic, client_secret_post/,
      );
      assert.match(
        await refused([
          'add',
          '--slug',
          'Acme!',
          '--issuer',
          'https://a.test',
          '--client-id',
          'a',
          '--client-secret',
          'b',
        ]),
        /--slug "Acme!" must be/,
      );
      assert.match(
        await refused(['add', '--slug', 'acme', '--issuer', 'https://a.test'], 2),
        /--client-id is required/,
      );
      const out = await provider([
        ...base,
        '--issuer',
        'http://127.0.0.1:4444/',
        '--name',
        'Acme SSO',
        '--token-auth',
        'client_secret_post',
      ]);
      assert.equal(out['issuer'], 'http://127.0.0.1:4444/', 'kept as given, trailing slash included');
      assert.equal(out['name'], 'Acme SSO');
      assert.equal(out['kind'], 'oidc');
      assert.equal(out['token_auth'], 'client_secret_post');
    });

    it('provider add refuses a slug that is taken', async () => {
      const err = await fails(
        ['provider', 'add', '--slug', 'google', '--client-id', 'x', '--client-secret', 'y'],
        env,
      );
      assert.equal(err.error, 'exists');
      assert.match(err.message, /--slug "google" is taken/);
    });

    it('provider list, disable, enable and remove', async () => {
      const listed = await json<Json[]>(['provider', 'list'], env);
      assert.deepEqual(
        listed.map((p) => [p['slug'], p['enabled']]),
        [
          ['acme', true],
          ['azure', false],
          ['google', true],
        ],
      );
      const text = await run(['provider', 'list'], env);
      assert.deepEqual(text.stdout.trim().split('\n'), [
        'acme: Acme SSO, http://127.0.0.1:4444/ (enabled)',
        'azure: Microsoft, https://login.microsoftonline.com/organizations/v2.0 (disabled)',
        'google: Google, https://accounts.google.com (enabled)',
      ]);
      outputs.push(text.stdout);

      assert.equal((await provider(['disable', 'google']))['enabled'], false);
      assert.equal((await withStore((s) => s.providers.find('google')))?.enabled, false);
      const enabled = await provider(['enable', 'azure']);
      assert.equal(enabled['slug'], 'azure');
      assert.equal(enabled['enabled'], true);
      assert.equal((await fails(['provider', 'enable', 'nope'], env)).error, 'not_found');

      assert.deepEqual(await provider(['remove', 'acme']), { removed: true, slug: 'acme' });
      assert.equal((await fails(['provider', 'remove', 'acme'], env)).error, 'not_found');
      await fails(['provider', 'disable'], env, 2);
      assert.deepEqual(
        (await json<Json[]>(['provider', 'list'], env)).map((p) => p['slug']),
        ['azure', 'google'],
      );
    });

    it('the upstream secret is never printed, nor stored in the clear', async () => {
      for (const secret of SECRETS)
        for (const printed of outputs) assert.equal(printed.includes(secret), false, `${secret} printed`);
      await withStore(async (s) => s.raw.pragma('wal_checkpoint(TRUNCATE)'));
      const bytes = Buffer.concat(
        [dbPath, `${dbPath}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)),
      );
      for (const secret of SECRETS)
        assert.equal(bytes.includes(secret), false, `${secret} in the database file`);
      assert.ok(bytes.includes('g-id'), 'the check reads the real file');
    });
  });

  describe('keys, events, seed', () => {
    it('keys rotate prints the new kid and alg and keeps the old keys published', async () => {
      const before = await withStore((s) => s.keys.list());
      const out = await json(['keys', 'rotate'], env);
      assert.equal(typeof out['kid'], 'string');
      assert.equal(out['alg'], 'ES256');
      const keys = out['keys'] as { kid: string; alg: string }[];
      assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      const after = await withStore((s) => s.keys.list());
      assert.equal(after.length, before.length + 2);
      const active = after.filter((k) => k.active);
      assert.deepEqual(active.map((k) => k.kid).sort(), keys.map((k) => k.kid).sort());
      for (const old of before) {
        const row = after.find((k) => k.kid === old.kid)!;
        assert.equal(row.active, false);
        assert.ok((row.publishUntil ?? 0) > (row.retiredAt ?? 0), 'published for a while after retirement');
      }
    });

    it('events prints the audit log, newest first, up to --limit', async () => {
      await withStore(async (s) => {
        for (const type of ['cli_test_1', 'cli_test_2', 'cli_test_3'])
          await s.events.add({
            at: 1_700_000_000,
            type,
            userId: null,
            clientId: null,
            ip: null,
            detail: null,
          });
      });
      assert.deepEqual(
        (await events(2)).map((e) => e['type']),
        ['cli_test_3', 'cli_test_2'],
      );
      assert.ok((await json<{ items: Json[] }>(['events'], env)).items.length >= 3);
      await fails(['events', '--limit', 'many'], env, 2);
    });

    it('seed --users 50 --tokens 50 writes them through the store and prints the counts', async () => {
      const before = await withStore((s) => s.users.count());
      const out = await json(['seed', '--users', '50', '--tokens', '50'], env);
      assert.equal(out['users'], 50);
      assert.equal(out['tokens'], 50);
      const users = await json<Json[]>(['user', 'list'], env);
      assert.equal(users.length, before + 50);
      for (const u of users) assert.ok(Array.isArray(u['roles']), `roles of ${u['email']} is a list`);
      const refreshRows = await withStore(
        async (s) => (s.raw.prepare('select count(*) as n from refresh_tokens').get() as { n: number }).n,
      );
      assert.equal(refreshRows, 50);
    });
  });

  it('a bad LATCHKEY_CONFIG fails with the file and the field', async () => {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(file, 'clients:\n  - name: x\n    grants: client_credentials\n');
    const err = await fails(['user', 'list'], { ...env, LATCHKEY_CONFIG: file });
    assert.equal(err.error, 'config');
    assert.ok(err.message.includes(file));
    assert.ok(err.message.includes('"clients[0].grants"'));
  });

  it('a YAML syntax error names the line and column, never the line itself (it may hold a secret)', async () => {
    const file = join(tmp.dir, 'broken.yaml');
    writeFileSync(file, 'clients:\n  - name: x\n    client_secret: "s3cr3t-do-not-print\n  users: [\n');
    const r = await run(['user', 'list'], { ...env, LATCHKEY_CONFIG: file });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `latchkey: ${file}: is not valid YAML (line 5, column 1)\n`);
  });

  describe('an unexpected failure is one line on stderr, not a stack trace', () => {
    const lines = (text: string) => text.split('\n').filter(Boolean);

    it('a database that cannot be opened (LATCHKEY_DB=/tmp, a directory)', async () => {
      const r = await run(['user', 'list'], { ...env, LATCHKEY_DB: '/tmp' });
      assert.notEqual(r.code, 0);
      assert.equal(r.stdout, '');
      assert.deepEqual(lines(r.stderr), [
        'latchkey: cannot open the database "/tmp" (unable to open database file): set LATCHKEY_DB to a file in a folder this user can write',
      ]);
      const failure = await fails(['user', 'list'], { ...env, LATCHKEY_DB: '/tmp' });
      assert.equal(failure.error, 'database');
      assert.equal('stack' in failure, false);
    });

    it('a file that is not a database', async () => {
      const file = join(tmp.dir, 'not-a-database.db');
      writeFileSync(file, 'this is not SQLite, and it is long enough to hold a header: '.repeat(20));
      const r = await run(['user', 'list'], { ...env, LATCHKEY_DB: file });
      assert.equal(r.code, 1);
      assert.deepEqual(lines(r.stderr), [
        `latchkey: the database "${file}" is damaged or not a database (file is not a database): set LATCHKEY_DB to the database file, or restore it from a backup`,
      ]);
    });

    it("a folder that cannot be made: Node's one-line wording, the path in it", async () => {
      const file = join(tmp.dir, 'a-file');
      writeFileSync(file, '');
      const r = await run(['migrate'], { ...env, LATCHKEY_DB: join(file, 'sub', 'latchkey.db') });
      assert.equal(r.code, 1);
      assert.deepEqual(lines(r.stderr), [
        `latchkey: cannot create the folder "${join(file, 'sub')}": "${file}" is a file, not a folder; set LATCHKEY_DB to another place, or move the file away`,
      ]);
      assert.equal(
        (
          await fails(['user', 'add', '--email', 'x@example.test'], {
            ...env,
            LATCHKEY_DB: join(file, 'x.db'),
          })
        ).error,
        'system',
      );
    });

    it('LATCHKEY_LOG_LEVEL=debug adds the stack trace', async () => {
      const r = await run(['user', 'list'], { ...env, LATCHKEY_DB: '/tmp', LATCHKEY_LOG_LEVEL: 'debug' });
      assert.equal(r.code, 1);
      const [line, ...stack] = lines(r.stderr);
      assert.equal(
        line,
        'latchkey: cannot open the database "/tmp" (unable to open database file): set LATCHKEY_DB to a file in a folder this user can write',
      );
      assert.ok(
        stack.some((l) => l.startsWith('    at ')),
        r.stderr,
      );
    });
  });
});

describe('latchkey CLI against a running server: changes are seen at once', () => {
  let s: TestServer;
  let env: Record<string, string>;
  before(async () => {
    s = await startTestServer();
    env = { LATCHKEY_DB: s.dbPath, LATCHKEY_SECRET: s.server.deps.config.secret };
  });
  after(() => s.close());

  const post = (path: string, body: Record<string, string>, id: string, secret: string) =>
    fetch(`${s.url}${path}`, { ...form(body, { authorization: basic(id, secret) }) });
  const tokenFor = async (id: string, secret: string) => {
    const res = await post('/token', { grant_type: 'client_credentials' }, id, secret);
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const jwks = async () => (await (await fetch(`${s.url}/jwks`)).json()) as JSONWebKeySet;

  it('a client added by the CLI gets tokens at once; rotate-secret and remove take effect at once', async () => {
    const missing = await post(
      '/token',
      { grant_type: 'client_credentials' },
      'cli-made',
      'cli-made-secret-0123456789',
    );
    assert.equal(missing.status, 401, 'unknown before');
    const added = await json(['client', 'add', '--name', 'CLI made', '--grant', 'client_credentials'], env);
    const id = added['client_id'] as string;
    const secret = added['client_secret'] as string;
    const token = await tokenFor(id, secret);
    const { payload } = await jwtVerify(token, createLocalJWKSet(await jwks()), {
      issuer: s.issuer,
      typ: 'at+jwt',
    });
    assert.equal(payload['client_id'], id);

    const rotated = await json(['client', 'rotate-secret', id], env);
    assert.equal(
      (await post('/token', { grant_type: 'client_credentials' }, id, secret)).status,
      401,
      'the old secret stops working',
    );
    await tokenFor(id, rotated['client_secret'] as string);

    await json(['client', 'remove', id], env);
    assert.equal(
      (await post('/token', { grant_type: 'client_credentials' }, id, rotated['client_secret'] as string))
        .status,
      401,
    );
  });

  it('keys rotated by the CLI are published and used at once; older tokens stay valid', async () => {
    const { id, secret } = await s.addClient({ grants: ['client_credentials'] });
    const before = await tokenFor(id, secret!);
    const oldKids = (await jwks()).keys.map((k) => k.kid);

    const out = await json(['keys', 'rotate'], env);
    const kids = (await jwks()).keys.map((k) => k.kid);
    assert.ok(kids.includes(out['kid'] as string), 'the new kid is in /jwks at once');
    for (const kid of oldKids) assert.ok(kids.includes(kid), 'old keys stay published');

    const after = await tokenFor(id, secret!);
    assert.equal(decodeProtectedHeader(after).kid, out['kid'], 'new tokens are signed with the new key');
    const set = createLocalJWKSet(await jwks());
    await jwtVerify(before, set, { issuer: s.issuer, typ: 'at+jwt' });
    await jwtVerify(after, set, { issuer: s.issuer, typ: 'at+jwt' });
    const introspected = await post('/introspect', { token: before }, id, secret!);
    assert.equal(((await introspected.json()) as Json)['active'], true);
  });

  it('a scope added by the CLI is in discovery at once and can be given to a client', async () => {
    await json(['scope', 'add', 'reports:read', '--description', 'Read reports'], env);
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Json;
    assert.ok((doc['scopes_supported'] as string[]).includes('reports:read'));
    const added = await json(
      ['client', 'add', '--name', 'Reports', '--grant', 'client_credentials', '--scope', 'reports:read'],
      env,
    );
    const res = await post(
      '/token',
      { grant_type: 'client_credentials', scope: 'reports:read' },
      added['client_id'] as string,
      added['client_secret'] as string,
    );
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Json)['scope'], 'reports:read');
  });
});
