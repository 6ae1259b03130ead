/**
 * Issue 18: the hosted pages', account's, admin API's and console's HTTP tests, run again in `npm test` with every
 * test app on a real PostgreSQL (`LATCHKEY_TEST_PG=1`, test/helpers/server.ts). Left out here: the files that
 * read the SQLite file itself (tokens at rest, counters across a restart): password-reset, email-verification,
 * set-password, sign-in-throttle.
 */
process.env['LATCHKEY_TEST_PG'] = '1';

const { onPostgresCheck } = await import('./postgres-check.js');
onPostgresCheck();

await import('./authorize.test.js');
await import('./login.test.js');
await import('./login-mfa.test.js');
await import('./device-page.test.js');
await import('./session-lifetimes.test.js');
await import('./backchannel-logout.test.js');
await import('./federation.test.js');
await import('./require-verified-email.test.js');
await import('./password-change.test.js');
await import('./account-api.test.js');
await import('./account-mfa.test.js');
await import('./account-sessions.test.js');
await import('./audit-trail.test.js');
await import('./admin-api.test.js');
await import('./admin-permissions.test.js');
await import('./admin-escalation.test.js');
await import('./console-access.test.js');
await import('./console-users.test.js');
await import('./console-apps.test.js');
await import('./console-sections.test.js');
await import('./console-step-up.test.js');
