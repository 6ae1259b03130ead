import { addScope, listScopes, removeScope } from '../../admin/scopes.js';
import { type Command, one, READ_ONLY, str, UsageError, withDeps } from '../command.js';
import { table } from '../output.js';

export const scopeCommands: Record<string, Command> = {
  'scope add': {
    usage: 'scope add <name> --description "shown on the consent page"',
    summary: 'add a scope (or change its description)',
    options: { description: { type: 'string' } },
    async run(v, p, out) {
      const name = one(p, 'scope name');
      const description = str(v, 'description');
      if (!description) throw new UsageError('--description is required');
      const scope = await withDeps((deps) => addScope(deps, name, description));
      out.result(
        { name: scope.name, description: scope.description },
        `scope ${scope.name}: ${scope.description}`,
      );
    },
  },
  'scope remove': {
    usage: 'scope remove <name>',
    summary: 'remove a custom scope (refused while a client lists it: change the client first)',
    options: {},
    async run(_v, p, out) {
      const name = one(p, 'scope name');
      const scope = await withDeps((deps) => removeScope(deps, name));
      out.result({ removed: true, name: scope.name }, `removed scope ${scope.name}`);
    },
  },
  'scope list': {
    usage: 'scope list',
    summary: 'list scopes',
    options: {},
    async run(_v, _p, out) {
      const scopes = await withDeps((deps) => listScopes(deps), READ_ONLY);
      out.result(scopes, () =>
        table(scopes as unknown as Record<string, unknown>[], ['name', 'description', 'builtin']),
      );
    },
  },
};
