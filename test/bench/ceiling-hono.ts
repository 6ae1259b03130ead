// The ceiling for `npm run bench`: a bare Hono app on @hono/node-server answering static JSON, the most a
// Hono server on this machine can do for a response of that size. run.ts hands it the exact bytes latchkey
// serves for discovery and the JWKS (CEILING_DOCS, a JSON file { "/path": "body" }), so sizes match.
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const port = Number(process.env['PORT']);
const hostname = process.env['HOST'] ?? '127.0.0.1';
const docsFile = process.env['CEILING_DOCS'];
const docs: Record<string, string> = docsFile
  ? (JSON.parse(readFileSync(docsFile, 'utf8')) as Record<string, string>)
  : { '/': '{"status":"ok"}' };

const app = new Hono();
for (const [path, body] of Object.entries(docs)) {
  app.get(path, (c) => c.body(body, 200, { 'content-type': 'application/json' }));
}

const server = serve({ fetch: app.fetch, port, hostname });
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
