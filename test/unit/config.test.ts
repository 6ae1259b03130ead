import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { sha256 } from '../../src/crypto/hash.js';
import { verifyPassword } from '../../src/crypto/password.js';
import { buildDeps } from '../../src/deps.js';
import { jsonLog } from '../../src/log.js';
import { start } from '../../src/start.js';
import { tempDir } from '../helpers/server.js';

const tmp = tempDir('latchkey-config-');
after(() => tmp.cleanup());
let n = 0;
const fresh = (name = 'dir') => {
  const dir = join(tmp.dir, `${name}-${++n}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const SECRET = 'config-test-secret-0123456789abcdef';

describe('loadConfig: environment', () => {
  it('has the defaults of SPEC §2', () => {
    const cwd = process.cwd();
    const dir = fresh('defaults');
    process.chdir(dir);
    try {
      const config = loadConfig({ LATCHKEY_SECRET: SECRET });
      assert.equal(config.port, 3000);
      assert.equal(config.host, '127.0.0.1');
      assert.equal(config.issuer, 'http://localhost:3000');
      assert.equal(config.dbPath, resolve(dir, 'data', 'latchkey.db'));
      assert.equal(existsSync(join(dir, 'data')), false, 'nothing is written until the store opens');
      assert.equal(config.throttle, true);
      assert.equal(config.secureCookies, false);
      assert.equal(config.secret, SECRET);
      assert.equal(config.configFile, undefined);
      assert.deepEqual(config.seed, { clients: [], users: [], scopes: [], providers: [], prune: false });
      assert.ok(Object.isFrozen(config));
    } finally {
      process.chdir(cwd);
    }
  });

  it('reads PORT, HOST, ISSUER and LATCHKEY_THROTTLE', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      ISSUER: 'https://id.example.test/',
      LATCHKEY_DB: ':memory:',
      LATCHKEY_THROTTLE: 'OFF',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.issuer, 'https://id.example.test', 'no trailing slash');
    assert.equal(config.secureCookies, true, 'Secure cookies under https');
    assert.equal(config.throttle, false);
    assert.equal(config.dbPath, ':memory:');
  });

  it('builds the default ISSUER from PORT', () => {
    assert.equal(loadConfig({ PORT: '4321', LATCHKEY_DB: ':memory:' }).issuer, 'http://localhost:4321');
  });

  it('refuses a bad PORT, naming it', () => {
    for (const port of ['abc', '70000', '-1', '80.5', '3000x']) {
      assert.throws(
        () => loadConfig({ PORT: port, LATCHKEY_DB: ':memory:' }),
        (err: Error) =>
          err instanceof ConfigError && err.message.includes('PORT') && err.message.includes(port),
        `PORT=${port}`,
      );
    }
  });

  it('refuses a bad ISSUER, naming it', () => {
    for (const issuer of [
      'not a url',
      'id.example.test',
      'ftp://id.example.test',
      'https://id.example.test/?a=1',
      'https://id.example.test/#f',
    ]) {
      assert.throws(
        () => loadConfig({ ISSUER: issuer, LATCHKEY_DB: ':memory:' }),
        (err: Error) => err instanceof ConfigError && err.message.includes('ISSUER'),
        `ISSUER=${issuer}`,
      );
    }
  });

  it('refuses a bad LATCHKEY_THROTTLE and a short LATCHKEY_SECRET', () => {
    assert.throws(
      () => loadConfig({ LATCHKEY_THROTTLE: 'maybe', LATCHKEY_DB: ':memory:' }),
      /LATCHKEY_THROTTLE/,
    );
    assert.throws(() => loadConfig({ LATCHKEY_SECRET: 'short', LATCHKEY_DB: ':memory:' }), /LATCHKEY_SECRET/);
  });

  it('wants a LATCHKEY_SECRET of at least 32 characters (issue 8 #16)', () => {
    for (const length of [16, 31])
      assert.throws(
        () => loadConfig({ LATCHKEY_SECRET: 'x'.repeat(length), LATCHKEY_DB: ':memory:' }),
        (err: Error) =>
          err instanceof ConfigError && /LATCHKEY_SECRET must be at least 32 characters/.test(err.message),
      );
    assert.equal(
      loadConfig({ LATCHKEY_SECRET: 'x'.repeat(32), LATCHKEY_DB: ':memory:' }).secret,
      'x'.repeat(32),
    );
  });

  it('keeps a PostgreSQL URL as given, creates no folder for it, and wants LATCHKEY_SECRET with it', () => {
    const cwd = process.cwd();
    const dir = fresh('postgres');
    process.chdir(dir);
    try {
      const url = 'postgres://latchkey:pw@db.example.test:5432/latchkey';
      assert.equal(loadConfig({ LATCHKEY_DB: url, LATCHKEY_SECRET: SECRET }).dbPath, url);
      assert.throws(
        () => loadConfig({ LATCHKEY_DB: url }),
        (err: Error) => err instanceof ConfigError && err.message.includes('LATCHKEY_SECRET'),
      );
      assert.deepEqual(readdirSync(dir), [], 'nothing is written beside a URL');
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('loadConfig: the secret file', () => {
  it('creates latchkey.secret with mode 0600 beside the database when the store opens, and reuses it', async () => {
    const dir = join(fresh('secret'), 'nested', 'data');
    const db = join(dir, 'latchkey.db');
    const first = loadConfig({ LATCHKEY_DB: db });
    const file = join(dir, 'latchkey.secret');
    assert.equal(existsSync(file), false, 'loadConfig writes nothing');
    await (await buildDeps(first, { log: jsonLog('silent') })).store.close();
    assert.ok(existsSync(file));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8').trim(), first.secret);
    assert.ok(first.secret.length >= 32);
    const second = loadConfig({ LATCHKEY_DB: db });
    assert.equal(second.secret, first.secret, 'the CLI and the server read the same secret');
  });

  it('LATCHKEY_SECRET wins and writes no file', () => {
    const dir = fresh('secret-env');
    const config = loadConfig({ LATCHKEY_DB: join(dir, 'latchkey.db'), LATCHKEY_SECRET: SECRET });
    assert.equal(config.secret, SECRET);
    assert.equal(existsSync(join(dir, 'latchkey.secret')), false);
  });
});

const SEED = {
  scopes: [{ name: 'api:read', description: 'Read the API' }],
  clients: [
    {
      client_id: 'seeded-api',
      client_secret: 'seeded-secret-0123456789abcdefghij',
      name: 'Seeded API',
      grants: ['client_credentials'],
      scopes: ['api:read'],
      resources: ['https://api.example.test/'],
      token_format: 'opaque',
      access_token_ttl: 120,
    },
    { name: 'Seeded SPA', public: true, redirect_uris: ['https://spa.example.test/cb'] },
  ],
  users: [
    { email: 'Seeded@Example.test', password: 'seeded-user-pass-1', given_name: 'Sid', roles: ['admin'] },
  ],
};

const YAML_SEED = `
scopes:
  - name: api:read
    description: Read the API
clients:
  - client_id: seeded-api
    client_secret: seeded-secret-0123456789abcdefghij
    name: Seeded API
    grants: [client_credentials]
    scopes: [api:read]
    resources: [https://api.example.test/]
    token_format: opaque
    access_token_ttl: 120
  - name: Seeded SPA
    public: true
    redirect_uris: [https://spa.example.test/cb]
users:
  - email: Seeded@Example.test
    password: seeded-user-pass-1
    given_name: Sid
    roles: [admin]
`;

describe('LATCHKEY_CONFIG seeding', () => {
  for (const [format, file, text] of [
    ['JSON', 'latchkey.json', JSON.stringify(SEED, null, 2)],
    ['YAML', 'latchkey.yaml', YAML_SEED],
  ] as const) {
    it(`seeds clients, users and scopes from ${format}, idempotently`, async () => {
      const dir = fresh(format);
      writeFileSync(join(dir, file), text);
      const env = {
        LATCHKEY_DB: join(dir, 'latchkey.db'),
        LATCHKEY_CONFIG: join(dir, file),
        LATCHKEY_SECRET: SECRET,
      };
      const config = loadConfig(env);
      assert.equal(config.configFile, join(dir, file));
      const clock = new FakeClock();

      // Twice on one connection, then again as a second start.
      const deps = await buildDeps(config, { clock, log: jsonLog('silent') });
      await start(deps);
      await start(deps);
      await deps.store.close();
      const again = await buildDeps(loadConfig(env), { clock, log: jsonLog('silent') });
      await start(again);
      try {
        const { store } = again;
        const clients = await store.clients.list();
        // With the admin console's own client, which the start-up ensures (issue 17).
        assert.deepEqual(clients.map((c) => c.id).sort(), ['latchkey-console', 'seeded-api', 'seeded-spa']);
        const api = clients.find((c) => c.id === 'seeded-api')!;
        assert.equal(
          api.secretHash,
          sha256('seeded-secret-0123456789abcdefghij'),
          'the secret is stored hashed',
        );
        assert.deepEqual(api.grants, ['client_credentials']);
        assert.deepEqual(api.scopes, ['api:read']);
        assert.deepEqual(api.resources, ['https://api.example.test/']);
        assert.equal(api.tokenFormat, 'opaque');
        assert.equal(api.accessTokenTtlSeconds, 120);
        const spa = clients.find((c) => c.id === 'seeded-spa')!;
        assert.equal(spa.isPublic, true);
        assert.equal(spa.secretHash, null);
        assert.deepEqual(spa.redirectUris, ['https://spa.example.test/cb']);
        assert.deepEqual(spa.resources, []);

        const users = await store.users.list();
        assert.equal(users.length, 1);
        assert.equal(users[0]!.email, 'seeded@example.test');
        assert.deepEqual(users[0]!.roles, ['admin']);
        assert.equal(await verifyPassword(users[0]!.passwordHash!, 'seeded-user-pass-1'), true);

        const scopes = (await store.scopes.list()).map((s) => s.name).sort();
        assert.deepEqual(scopes, [
          'admin',
          'api:read',
          'email',
          'groups',
          'offline_access',
          'openid',
          'profile',
        ]);
        assert.equal((await store.keys.list()).length, 2, 'no extra signing keys on a second start');
      } finally {
        await again.store.close();
      }
    });
  }

  it('seeds providers once, through the presets, the client secret sealed; a second start changes nothing', async () => {
    const dir = fresh('providers');
    const path = join(dir, 'providers.yaml');
    writeFileSync(
      path,
      [
        'providers:',
        '  - { slug: google, client_id: g-id, client_secret: g-upstream-secret }',
        '  - slug: azure',
        '    tenant: organizations',
        '    client_id: a-id',
        '    client_secret: a-upstream-secret',
        '    trusted_tenants: ["72F988BF-86F1-41AF-91AB-2D7CD011DB47"]',
        '  - slug: acme',
        '    name: Acme SSO',
        '    issuer: http://127.0.0.1:9/',
        '    client_id: acme-id',
        '    client_secret: acme-upstream-secret',
        '    token_auth: client_secret_post',
        '    enabled: false',
        '',
      ].join('\n'),
    );
    const env = { LATCHKEY_DB: join(dir, 'latchkey.db'), LATCHKEY_CONFIG: path, LATCHKEY_SECRET: SECRET };
    const clock = new FakeClock();
    const first = await buildDeps(loadConfig(env), { clock, log: jsonLog('silent') });
    await start(first);
    const seeded = await first.store.providers.list();
    assert.deepEqual(
      seeded.map((p) => [p.slug, p.kind, p.name, p.issuer, p.tenant, p.tokenAuth, p.enabled]),
      [
        ['acme', 'oidc', 'Acme SSO', 'http://127.0.0.1:9/', null, 'client_secret_post', false],
        [
          'azure',
          'azure',
          'Microsoft',
          'https://login.microsoftonline.com/organizations/v2.0',
          'organizations',
          'client_secret_basic',
          true,
        ],
        ['google', 'google', 'Google', 'https://accounts.google.com', null, 'client_secret_basic', true],
      ],
    );
    assert.deepEqual(seeded[1]!.trustedTenants, ['72f988bf-86f1-41af-91ab-2d7cd011db47']);
    assert.equal(first.sealer.open(seeded[2]!.clientSecretSealed), 'g-upstream-secret');
    assert.equal(seeded[2]!.clientSecretSealed.includes('g-upstream-secret'), false);
    // An admin change since the first start survives the next one.
    await first.store.providers.setEnabled('google', false, clock.now() + 5);
    const changed = await first.store.providers.list();
    await first.store.close();

    clock.advance(60);
    const again = await buildDeps(loadConfig(env), { clock, log: jsonLog('silent') });
    try {
      await start(again);
      assert.deepEqual(await again.store.providers.list(), changed);
    } finally {
      await again.store.close();
    }
  });

  const badConfigs: [string, string, string, RegExp][] = [
    ['not-json.json', '{"clients": [', '(top level)', /not valid JSON/],
    ['not-yaml.yaml', 'clients: [a, b\nusers: {', '(top level)', /not valid YAML/],
    ['list.yaml', 'clients:\n  name: x\n', 'clients', /must be a list/],
    ['unknown-section.json', '{"client": []}', 'client', /not a known section/],
    ['prune.yaml', 'prune: "yes"\n', 'prune', /must be true or false/],
    ['client-roles.yaml', 'clients:\n  - name: x\n    roles: admin\n', 'clients[0].roles', /list of strings/],
    [
      'user-groups.yaml',
      'users:\n  - email: a@example.test\n    groups: ops\n',
      'users[0].groups',
      /list of strings/,
    ],
    [
      'user-disabled.yaml',
      'users:\n  - email: a@example.test\n    disabled: "no"\n',
      'users[0].disabled',
      /true or false/,
    ],
    [
      'user-key.yaml',
      'users:\n  - email: a@example.test\n    group: [ops]\n',
      'users[0].group',
      /not a known user field/,
    ],
    [
      'scope-key.yaml',
      'scopes:\n  - { name: a, description: d, builtin: true }\n',
      'scopes[0].builtin',
      /not a known scope field/,
    ],
    ['no-name.json', '{"clients": [{"client_id": "x"}]}', 'clients[0].name', /is required/],
    [
      'grants.json',
      '{"clients": [{"name": "x", "grants": "client_credentials"}]}',
      'clients[0].grants',
      /list of strings/,
    ],
    [
      'ttl.yaml',
      'clients:\n  - name: x\n    access_token_ttl: ten\n',
      'clients[0].access_token_ttl',
      /whole number/,
    ],
    [
      'format.yaml',
      'clients:\n  - name: x\n    token_format: paseto\n',
      'clients[0].token_format',
      /one of jwt, opaque/,
    ],
    [
      'typo.yaml',
      'clients:\n  - name: x\n    redirect_uri: https://a.test/cb\n',
      'clients[0].redirect_uri',
      /not a known client field/,
    ],
    ['scope.yaml', 'scopes:\n  - name: "has space"\n    description: d\n', 'scopes[0].name', /scope token/],
    ['user.yaml', 'users:\n  - password: x\n', 'users[0].email', /is required/],
    ['flag.yaml', 'clients:\n  - name: x\n    public: "yes"\n', 'clients[0].public', /true or false/],
    [
      'resources.yaml',
      'clients:\n  - name: x\n    resources: https://a.test/\n',
      'clients[0].resources',
      /list of strings/,
    ],
    [
      'provider-key.yaml',
      'providers:\n  - { slug: google, client_id: a, client_secret: b, secret: c }\n',
      'providers[0].secret',
      /not a known provider field/,
    ],
    [
      'provider-secret.yaml',
      'providers:\n  - { slug: google, client_id: a }\n',
      'providers[0].client_secret',
      /is required/,
    ],
    [
      'provider-auth.yaml',
      'providers:\n  - { slug: google, client_id: a, client_secret: b, token_auth: private_key_jwt }\n',
      'providers[0].token_auth',
      /one of client_secret_basic, client_secret_post/,
    ],
    // Two entries for one thing would undo each other on every start (security review of issue 12).
    [
      'repeated-client-id.yaml',
      'clients:\n  - { client_id: shop, name: A }\n  - { client_id: blog, name: B }\n  - { client_id: shop, name: C }\n',
      'clients[2].client_id',
      /repeats "shop" \(clients\[0\]\)/,
    ],
    [
      'repeated-derived-id.yaml',
      'clients:\n  - { client_id: partner-app, name: A }\n  - { name: Partner App }\n',
      'clients[1].name',
      /repeats the client id "partner-app" \(clients\[0\]\)/,
    ],
    [
      'repeated-names.json',
      '{"clients": [{"name": "Partner App"}, {"name": "PARTNER  app"}]}',
      'clients[1].name',
      /repeats the client id "partner-app" \(clients\[0\]\)/,
    ],
    [
      'repeated-email.yaml',
      'users:\n  - email: ada@example.test\n  - email: grace@example.test\n  - email: " Ada@Example.TEST"\n',
      'users[2].email',
      /repeats "ada@example.test" \(users\[0\]\)/,
    ],
    [
      'repeated-scope.yaml',
      'scopes:\n  - { name: "api:read", description: a }\n  - { name: "api:read", description: b }\n',
      'scopes[1].name',
      /repeats "api:read" \(scopes\[0\]\)/,
    ],
    [
      'repeated-provider.yaml',
      'providers:\n  - { slug: google, client_id: a, client_secret: b }\n  - { slug: google, client_id: c, client_secret: d }\n',
      'providers[1].slug',
      /repeats "google" \(providers\[0\]\)/,
    ],
    [
      'prune-without-id.yaml',
      'prune: true\nclients:\n  - { client_id: a, name: A }\n  - { name: B }\n',
      'clients[1].client_id',
      /is required with prune: true/,
    ],
  ];
  for (const [file, text, field, problem] of badConfigs) {
    it(`a bad file (${file}) fails with the file, the field "${field}" and the problem`, () => {
      const dir = fresh('bad');
      const path = join(dir, file);
      writeFileSync(path, text);
      assert.throws(
        () => loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_CONFIG: path }),
        (err: Error) => {
          assert.ok(err instanceof ConfigError, `a ConfigError, got ${err.name}`);
          assert.ok(err.message.includes(path), `names the file: ${err.message}`);
          if (field !== '(top level)')
            assert.ok(err.message.includes(`"${field}"`), `names the field: ${err.message}`);
          assert.match(err.message, problem);
          return true;
        },
      );
    });
  }

  it('without prune, a client may go without client_id (its name makes it)', () => {
    const path = join(fresh('no-prune'), 'latchkey.yaml');
    writeFileSync(path, 'prune: false\nclients:\n  - { name: Partner App, public: true }\n');
    const { seed } = loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_CONFIG: path });
    assert.equal(seed.clients[0]?.client_id, undefined);
  });

  // A syntax error must not quote the file: the offending line may be a secret (security review of issue 12).
  const SECRET_VALUE = 's3cr3t-never-in-a-message-0123456789';
  const unparsable: [string, string, RegExp][] = [
    [
      'unclosed.yaml',
      `clients:\n  - name: x\n    client_secret: "${SECRET_VALUE}\n  users: [\n`,
      /: is not valid YAML \(line 5, column 1\)$/,
    ],
    [
      'repeated-key.yaml',
      `clients:\n  - name: x\n    client_secret: ${SECRET_VALUE}\n    client_secret: ${SECRET_VALUE}\n`,
      /: is not valid YAML \(line 4, column 5\)$/,
    ],
    [
      'missing-comma.json',
      `{"clients": [{"name": "x",\n  "client_secret": "${SECRET_VALUE}" "y"}]}`,
      /: is not valid JSON \(line 2, column 59\)$/,
    ],
    // V8 quotes the input around a stray token, and gives no position: none is reported.
    ['bare-word.json', `{"clients": [{"client_secret": ${SECRET_VALUE}}]}`, /: is not valid JSON$/],
    [
      'truncated.json',
      `{"clients": [{"client_secret": "${SECRET_VALUE}"`,
      /: is not valid JSON \(line 1, column 70\)$/,
    ],
  ];
  for (const [file, text, wording] of unparsable) {
    it(`a syntax error (${file}) gives the file, the line and the column, never the text`, () => {
      const path = join(fresh('unparsable'), file);
      writeFileSync(path, text);
      assert.throws(
        () => loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_CONFIG: path }),
        (err: Error) => {
          assert.ok(err instanceof ConfigError, `a ConfigError, got ${err.name}`);
          assert.ok(err.message.startsWith(`${path}: `), err.message);
          assert.match(err.message, wording);
          assert.equal(err.message.includes('s3cr3t'), false, err.message);
          return true;
        },
      );
    });
  }

  it('a YAML warning is not printed: it would quote the line', () => {
    const path = join(fresh('warning'), 'latchkey.yaml');
    writeFileSync(path, `clients:\n  - name: x\n    client_secret: !vault ${SECRET_VALUE}\n`);
    const warnings: unknown[] = [];
    const emitWarning = process.emitWarning;
    process.emitWarning = ((warning: unknown) => void warnings.push(warning)) as typeof process.emitWarning;
    try {
      const { seed } = loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_CONFIG: path });
      assert.equal(seed.clients[0]?.client_secret, SECRET_VALUE);
    } finally {
      process.emitWarning = emitWarning;
    }
    assert.deepEqual(warnings, []);
  });

  it('a missing file fails with its name', () => {
    const path = join(tmp.dir, 'no-such-file.yaml');
    assert.throws(
      () => loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_CONFIG: path }),
      (err: Error) => {
        return err instanceof ConfigError && err.message.includes(path) && /cannot be read/.test(err.message);
      },
    );
  });

  const badSeeds: [string, string, string, RegExp][] = [
    [
      'grant.yaml',
      'clients:\n  - name: x\n    client_secret: 0123456789abcdef0123456789abcdef\n    grants: [bogus]\n',
      'clients[0].grants',
      /bogus/,
    ],
    [
      'scope.yaml',
      'clients:\n  - name: x\n    client_secret: 0123456789abcdef0123456789abcdef\n    scopes: [undeclared]\n',
      'clients[0].scopes',
      /unknown scope "undeclared"/,
    ],
    ['secret.yaml', 'clients:\n  - name: x\n', 'clients[0].client_secret', /required/],
    [
      'short-secret.yaml',
      `clients:\n  - name: x\n    client_secret: ${'s'.repeat(31)}\n`,
      'clients[0].client_secret',
      /must be at least 32 characters/,
    ],
    [
      'resource.yaml',
      'clients:\n  - name: x\n    client_secret: 0123456789abcdef0123456789abcdef\n    resources: ["https://a.test/#f"]\n',
      'clients[0].resources',
      /fragment/,
    ],
    [
      'wildcard.yaml',
      'clients:\n  - name: x\n    public: true\n    redirect_uris: ["https://rp.test/*"]\n',
      'clients[0].redirect_uris',
      /must not contain "\*"/,
    ],
    [
      'logout-wildcard.yaml',
      'clients:\n  - name: x\n    public: true\n    post_logout_redirect_uris: ["https://rp.test/*"]\n',
      'clients[0].post_logout_redirect_uris',
      /must not contain "\*"/,
    ],
    [
      'public-password.yaml',
      'clients:\n  - name: x\n    public: true\n    grants: [password]\n',
      'clients[0].public',
      /password grant/,
    ],
    [
      'client-role.yaml',
      'clients:\n  - name: x\n    client_secret: 0123456789abcdef0123456789abcdef\n    roles: [overlord]\n',
      'clients[0].roles',
      /overlord/,
    ],
    ['email.yaml', 'users:\n  - email: not-an-email\n', 'users[0].email', /not an email/],
    [
      'username.yaml',
      'users:\n  - email: a@example.test\n    username: "has space"\n',
      'users[0].username',
      /./,
    ],
    [
      'password.yaml',
      'users:\n  - email: a@example.test\n    password: password\n',
      'users[0].password',
      /common/,
    ],
    [
      'provider-issuer.yaml',
      'providers:\n  - { slug: acme, issuer: "http://idp.example.test", client_id: a, client_secret: b }\n',
      'providers[0].issuer',
      /must be https/,
    ],
    [
      'provider-tenant.yaml',
      'providers:\n  - { slug: azure, client_id: a, client_secret: b }\n',
      'providers[0].tenant',
      /required for azure/,
    ],
  ];
  for (const [file, text, field, problem] of badSeeds) {
    it(`a file whose content cannot be seeded (${file}) stops start-up naming the file and "${field}"`, async () => {
      const dir = fresh('bad-seed');
      const path = join(dir, file);
      writeFileSync(path, text);
      const config = loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_CONFIG: path, LATCHKEY_SECRET: SECRET });
      const deps = await buildDeps(config, { log: jsonLog('silent') });
      await assert.rejects(start(deps), (err: Error) => {
        assert.ok(err.message.includes(path), `names the file: ${err.message}`);
        assert.ok(err.message.includes(`"${field}"`), `names the field: ${err.message}`);
        assert.match(err.message, problem);
        return true;
      });
    });
  }

  it('logs a warning, and seeds the client, for a plain-http redirect URI off loopback (issue 8 #9)', async () => {
    const dir = fresh('http-seed');
    const path = join(dir, 'http.yaml');
    writeFileSync(
      path,
      [
        'clients:',
        '  - name: Loopback',
        '    public: true',
        '    redirect_uris: ["http://localhost:8080/cb", "http://127.0.0.1/cb", "http://[::1]/cb"]',
        '  - name: Plain',
        '    public: true',
        '    redirect_uris: ["https://rp.example.test/cb", "http://rp.example.test/cb"]',
        '',
      ].join('\n'),
    );
    const warned: string[] = [];
    const log = { ...jsonLog('silent'), warn: (msg: string) => void warned.push(msg) };
    const deps = await buildDeps(
      loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_CONFIG: path, LATCHKEY_SECRET: SECRET }),
      { log },
    );
    try {
      await start(deps);
      assert.deepEqual((await deps.store.clients.find('plain'))?.redirectUris.sort(), [
        'http://rp.example.test/cb',
        'https://rp.example.test/cb',
      ]);
      assert.equal(warned.length, 1, warned.join('\n'));
      assert.ok(
        warned[0]!.includes(`${path}: "clients[1].redirect_uris" "http://rp.example.test/cb"`),
        warned[0],
      );
      assert.match(warned[0]!, /plain http off loopback/);
    } finally {
      await deps.store.close();
    }
  });
});
