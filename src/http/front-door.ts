import { Hono } from 'hono';
import { HomePage } from '../../views/home.js';
import type { Deps } from '../deps.js';
import { htmlPage } from './render.js';

/**
 * `GET /` (issue 14): a browser gets a small branded page that leads to the account; anything else (an API
 * client, a health check) a pointer to the discovery document, never a 404 at the root.
 */
export function frontDoorRoutes(deps: Pick<Deps, 'config'>): Hono {
  const app = new Hono();
  const { issuer, brand } = deps.config;
  const pointer = JSON.stringify({ issuer, discovery: `${issuer}/.well-known/openid-configuration` });
  app.get('/', (c) => {
    c.header('Vary', 'Accept');
    if ((c.req.header('accept') ?? '').includes('text/html'))
      return htmlPage(c, HomePage, { name: brand.name });
    return c.body(pointer, 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  });
  return app;
}
