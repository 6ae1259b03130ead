import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { enrollTotpNow } from '../../src/auth/second-factor.js';
import { expectOAuthError, tokenRequest } from '../helpers/oauth.js';
import { type TestApp, tempDir, testApp } from '../helpers/server.js';

/** The database file and its write-ahead log, as bytes anyone with a copy of them could read. */
function databaseBytes(dbPath: string): Buffer {
  return Buffer.concat([dbPath, `${dbPath}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

// SPEC §3: every secret-like value is stored only as a hash (or sealed, for the TOTP secret).
describe('MFA secrets at rest', () => {
  const tmp = tempDir();
  const dbPath = join(tmp.dir, 'latchkey.db');
  let t: TestApp;
  let secrets: { label: string; value: string }[];
  /** Stored in the clear on purpose: shows the scan reads the rows at all. */
  let email: string;

  before(async () => {
    t = await testApp({ LATCHKEY_DB: dbPath });
    const client = await t.addClient({ grants: ['password'], firstParty: true });
    const created = await t.addUser({});
    const user = (await t.deps.store.users.find(created.id))!;
    const { secret, recoveryCodes } = await enrollTotpNow(t.deps, user, { ip: '127.0.0.1', clientId: null });
    const res = await t.request(
      '/token',
      tokenRequest(client, { grant_type: 'password', username: created.email, password: created.password }),
    );
    const body = await expectOAuthError(res, 'mfa_required', 403);
    email = created.email;
    secrets = [
      { label: 'the TOTP secret', value: secret },
      ...recoveryCodes.flatMap((code) => [
        { label: `recovery code ${code}`, value: code },
        { label: `recovery code ${code} without dashes`, value: code.replace(/-/g, '') },
        { label: `recovery code ${code} upper case`, value: code.replace(/-/g, '').toUpperCase() },
      ]),
      { label: 'the mfa_token', value: body['mfa_token'] as string },
      { label: 'the password', value: created.password },
    ];
  });
  after(async () => {
    await t.close();
    tmp.cleanup();
  });

  const assertNoneIn = (bytes: Buffer) => {
    assert.ok(bytes.includes(Buffer.from(email, 'utf8')), 'the scan sees the user row');
    for (const { label, value } of secrets) {
      assert.ok(value.length >= 12, label);
      assert.equal(bytes.includes(Buffer.from(value, 'utf8')), false, `${label} is in the database`);
    }
  };

  it('keeps no TOTP secret, recovery code or mfa_token in the clear, in the file or its WAL', () => {
    assertNoneIn(databaseBytes(dbPath));
  });

  it('nor after the WAL is checkpointed into the file', async () => {
    await t.close();
    assertNoneIn(readFileSync(dbPath));
  });
});
