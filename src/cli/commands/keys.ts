import { createInterface } from 'node:readline/promises';
import { adminEvent, CLI } from '../../admin/context.js';
import { describeKey, listKeys, rotateKeys } from '../../admin/keys.js';
import { loadConfig } from '../../config.js';
import { buildDeps } from '../../deps.js';
import { jsonLog } from '../../log.js';
import { SEALED_DATA, secretName } from '../../secret.js';
import type { SealedDiscarded } from '../../store/types.js';
import { type Command, CommandFailed, none, READ_ONLY, withDeps } from '../command.js';
import { shownDatabase } from '../errors.js';
import { table } from '../output.js';

export const keyCommands: Record<string, Command> = {
  'keys rotate': {
    usage: 'keys rotate',
    summary: 'make new signing keys active; old keys stay in the JWKS until their tokens expire',
    options: {},
    async run(_v, _p, out) {
      const fresh = await withDeps((deps) => rotateKeys(deps));
      const primary = fresh.find((k) => k.alg === 'ES256') ?? fresh[0]!;
      const keys = fresh.map((k) => ({ kid: k.kid, alg: k.alg }));
      out.result({ kid: primary.kid, alg: primary.alg, keys }, () =>
        keys.map((k) => `${k.alg} ${k.kid}`).join('\n'),
      );
    },
  },
  'keys list': {
    usage: 'keys list',
    summary: 'list signing keys, newest first (never their private parts)',
    options: {},
    async run(_v, _p, out) {
      const keys = (await withDeps((deps) => listKeys(deps), READ_ONLY)).map(describeKey);
      const iso = (t: unknown) => (typeof t === 'number' ? new Date(t * 1000).toISOString() : t);
      out.result(keys, () =>
        table(
          keys.map((k) => ({
            ...k,
            created_at: iso(k['created_at']),
            publish_until: iso(k['publish_until']),
          })),
          ['kid', 'alg', 'active', 'created_at', 'publish_until'],
        ),
      );
    },
  },
  'keys reset': {
    usage: 'keys reset [--yes]',
    summary:
      'after losing the secret: discard what was sealed with it (signing keys, TOTP factors, upstream client secrets, queued mail) and go on with the current one; asks to type "reset" unless --yes',
    options: { yes: { type: 'boolean' } },
    async run(v, p, out) {
      none(p);
      const config = loadConfig();
      const deps = await buildDeps(config, { log: jsonLog('warn'), allowLocked: true, mustExist: true });
      try {
        if (!deps.store.sealed.locked) {
          out.result(
            { reset: false },
            `nothing to reset: ${secretName(config)} opens the sealed data of the database "${shownDatabase(config.dbPath)}"`,
          );
          return;
        }
        if (v['yes'] !== true) await confirm();
        const discarded = await deps.store.sealed.discard(
          adminEvent(CLI, 'sealed_data_discarded', deps.clock.now(), {}),
        );
        out.result({ reset: true, ...snake(discarded) }, () => resetReport(discarded));
      } finally {
        await deps.store.close();
      }
    },
  },
};

/** What `keys reset` costs, said before it is confirmed. */
const CONSEQUENCES = [
  `"latchkey keys reset" discards ${SEALED_DATA}, which the current secret cannot open. What stops working:`,
  '  - every token signed with the old keys (JWT access tokens, ID tokens); new keys are made at the next start',
  "  - users' TOTP and their recovery codes: they must enrol again",
  '  - upstream providers: they are disabled until they are given their client secret again',
  '  - queued mails are dropped',
].join('\n');

/** On a terminal, the operator types "reset"; anywhere else, --yes is the confirmation. */
async function confirm(): Promise<void> {
  if (!process.stdin.isTTY)
    throw new CommandFailed(
      'confirmation_required',
      `keys reset discards ${SEALED_DATA} for good: run "latchkey keys reset --yes" to confirm (nothing was changed)`,
    );
  process.stderr.write(`${CONSEQUENCES}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question('Type "reset" to discard them: ');
    if (answer.trim() !== 'reset')
      throw new CommandFailed('cancelled', 'keys reset cancelled: nothing was changed');
  } finally {
    rl.close();
  }
}

function snake(d: SealedDiscarded): Record<string, number> {
  return {
    signing_keys: d.signingKeys,
    totp_factors: d.totpFactors,
    recovery_codes: d.recoveryCodes,
    mfa_tokens: d.mfaTokens,
    providers: d.providers,
    queued_mails: d.queuedMails,
  };
}

function resetReport(d: SealedDiscarded): string {
  return [
    `discarded ${d.signingKeys} signing keys: tokens they signed no longer verify; new keys are made at the next start (or by "latchkey keys rotate")`,
    `discarded ${d.totpFactors} TOTP factors and ${d.recoveryCodes} recovery codes: those users must enrol again`,
    `disabled ${d.providers} upstream providers: give each its client secret again (provider remove + provider add, or LATCHKEY_CONFIG), then enable it`,
    `dropped ${d.queuedMails} queued mails`,
  ].join('\n');
}
