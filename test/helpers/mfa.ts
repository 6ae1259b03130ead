import type { TestApp } from './server.js';

/** Replaces the user's sealed TOTP secret with one no `LATCHKEY_SECRET` opens (a database moved between servers). */
export async function breakTotpSecret(t: TestApp, userId: string): Promise<void> {
  const factor = await t.deps.store.mfa.findTotp(userId);
  if (!factor) throw new Error('the user has no TOTP factor');
  await t.deps.store.mfa.enrollTotp({ ...factor, secretSealed: 'v1.AAAA.BBBB.CCCC' }, [], {
    at: t.clock.now(),
    type: 'test',
    userId,
    clientId: null,
    ip: null,
    detail: null,
  });
}
