import { rotateKeys } from '../../admin/keys.js';
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
    summary: 'list signing keys',
    options: {},
    async run(_v, _p, out) {
      const keys = (await withDeps((deps) => deps.store.keys.list())).map((k) => ({
        kid: k.kid,
        alg: k.alg,
        active: k.active,
        created_at: k.createdAt,
        publish_until: k.publishUntil,
      }));
      out.result(keys, () => table(keys, ['kid', 'alg', 'active', 'created_at', 'publish_until']));
    },
  },
};
