import { type Command, int, withDeps } from '../command.js';
import { table } from '../output.js';

export const eventCommands: Record<string, Command> = {
  events: {
    usage: 'events [--limit N]',
    summary: 'the audit log, newest first',
    options: { limit: { type: 'string' } },
    async run(v, _p, out) {
      const limit = int(v, 'limit') ?? 50;
      const events = await withDeps((deps) => deps.store.events.list(Math.min(limit, 10_000)));
      out.result(events, () =>
        table(
          events.map((e) => ({
            ...e,
            at: new Date(e.at * 1000).toISOString(),
            detail: e.detail ? JSON.stringify(e.detail) : null,
          })),
          ['at', 'type', 'userId', 'clientId', 'ip', 'detail'],
        ),
      );
    },
  },
};
