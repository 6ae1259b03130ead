import { bulkSeed } from '../../admin/bulk.js';
import { type Command, int, withDeps } from '../command.js';

export const seedCommands: Record<string, Command> = {
  seed: {
    usage: 'seed --users N --tokens N',
    summary: 'bulk test data for benchmarks (N users, N refresh-token rows)',
    options: { users: { type: 'string' }, tokens: { type: 'string' } },
    async run(v, _p, out) {
      const users = int(v, 'users') ?? 0;
      const tokens = int(v, 'tokens') ?? 0;
      const result = await withDeps((deps) => bulkSeed(deps, users, tokens), { scopes: true });
      out.result(result, `seeded ${result.users} users and ${result.tokens} tokens`);
    },
  },
};
