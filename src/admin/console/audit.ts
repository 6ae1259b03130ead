import type { Context } from 'hono';
import { Hono } from 'hono';
import { type AuditFilter, ConsoleAuditPage } from '../../../views/index.js';
import type { Deps } from '../../deps.js';
import { htmlPage } from '../../http/render.js';
import type { AuditEvent } from '../../store/types.js';
import { type EventFilter, queryEvents } from '../events.js';
import { AdminError } from '../validate.js';
import { consolePage, refusal } from './common.js';
import { requireConsole } from './guard.js';

const DAY = 86_400;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` from the form as epoch seconds at 00:00 UTC. */
function dayStart(value: string, label: string): number {
  const ms = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms)) throw new AdminError(`${label} must be a date (YYYY-MM-DD)`);
  return ms / 1000;
}

const FILTER_KEYS = ['user', 'app', 'type', 'from', 'to'] as const;

function filterOf(c: Context): AuditFilter {
  const q = (k: string) => (c.req.query(k) ?? '').trim().slice(0, 256);
  return Object.fromEntries(FILTER_KEYS.map((k) => [k, q(k)])) as unknown as AuditFilter;
}

/** The use case's filter: empty fields left out; "to" is inclusive, so until the next day's start. */
function eventFilter(f: AuditFilter, cursor: string | undefined): EventFilter {
  return {
    ...(f.user ? { userId: f.user } : {}),
    ...(f.app ? { clientId: f.app } : {}),
    ...(f.type ? { type: f.type } : {}),
    ...(f.from ? { since: dayStart(f.from, 'From') } : {}),
    ...(f.to ? { until: dayStart(f.to, 'To') + DAY } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

/** `/admin/audit`: the audit trail through `queryEvents`, as `latchkey events` and `/admin/v1/events` read it. */
export function auditSection(deps: Deps): Hono {
  const app = new Hono();
  app.get('/', requireConsole(deps, 'events:read'), async (c) => {
    const filter = filterOf(c);
    let events: AuditEvent[] = [];
    let olderHref: string | undefined;
    let error: string | undefined;
    try {
      const page = await queryEvents(deps, eventFilter(filter, c.req.query('cursor') || undefined));
      events = page.items;
      if (page.nextCursor) {
        const kept = FILTER_KEYS.filter((k) => filter[k]).map((k): [string, string] => [k, filter[k]]);
        olderHref = `/admin/audit?${new URLSearchParams([...kept, ['cursor', page.nextCursor]])}`;
      }
    } catch (err) {
      error = refusal(err);
    }
    return htmlPage(c, ConsoleAuditPage, { ...consolePage(c, deps), filter, events, olderHref, error });
  });
  return app;
}
