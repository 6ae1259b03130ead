import { Hono } from 'hono';
import { ConsoleKeysPage } from '../../../views/index.js';
import type { Deps } from '../../deps.js';
import { htmlPage } from '../../http/render.js';
import { listKeys, rotateKeys } from '../keys.js';
import {
  backTo,
  type Confirmation,
  confirmationPage,
  confirmDestructive,
  consoleContext,
  consolePage,
} from './common.js';
import { requireConsole } from './guard.js';

const HREF = '/admin/keys';
const NOTICES: Record<string, string> = {
  rotated: 'Keys rotated: new tokens are signed with the new keys; the old ones stay in the JWKS.',
};

/** `/admin/keys`: the signing keys (`listKeys`) and their rotation (`rotateKeys`), as `latchkey keys` does. */
export function keysSection(deps: Deps): Hono {
  const app = new Hono();
  app.get('/', requireConsole(deps, 'keys:read'), async (c) =>
    htmlPage(c, ConsoleKeysPage, {
      ...consolePage(c, deps),
      keys: await listKeys(deps),
      now: deps.clock.now(),
      canRotate: c.get('console').permissions.has('keys:rotate'),
      notice: NOTICES[c.req.query('done') ?? ''],
    }),
  );
  const confirmation: Confirmation = {
    title: 'Rotate the signing keys',
    consequences: [
      'New keys are made and sign every token from now on.',
      'The current keys stay in the JWKS until every token they signed has expired, so nothing issued stops working.',
      'Apps that cache the JWKS pick the new keys up when they next fetch it.',
    ],
    action: `${HREF}/rotate`,
    button: 'Rotate keys',
    cancel: HREF,
  };
  app.get('/rotate', requireConsole(deps, 'keys:rotate'), (c) => confirmationPage(c, deps, confirmation));
  app.post('/rotate', requireConsole(deps, 'keys:rotate'), async (c) => {
    const refusal = await confirmDestructive(c, deps);
    if (refusal) return confirmationPage(c, deps, { ...confirmation, error: refusal.error }, refusal.status);
    await rotateKeys(deps, consoleContext(c));
    return backTo(c, HREF, 'rotated');
  });
  return app;
}
