/**
 * Issue 18: the HTTP tests of the protocol's core flows, run again in `npm test` with every test app on a real
 * PostgreSQL (`LATCHKEY_TEST_PG=1`, test/helpers/server.ts): the same requests and assertions as on SQLite,
 * through the PostgreSQL store. `LATCHKEY_TEST_PG=1 npm test` runs every HTTP test there.
 */
process.env['LATCHKEY_TEST_PG'] = '1';

const { onPostgresCheck } = await import('./postgres-check.js');
onPostgresCheck();

await import('./token-authorization-code.test.js');
await import('./token-refresh.test.js');
await import('./token-client-credentials.test.js');
await import('./token-password.test.js');
await import('./token-mfa.test.js');
await import('./introspect.test.js');
await import('./revoke.test.js');
await import('./userinfo.test.js');
await import('./device.test.js');
await import('./logout.test.js');
await import('./client-auth.test.js');
