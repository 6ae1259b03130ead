import { describeKey, listKeys, rotateKeys } from '../../admin/keys.js';
import { type Command, withDeps } from '../command.js';
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
      const keys = (await withDeps((deps) => listKeys(deps))).map(describeKey);
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
};
