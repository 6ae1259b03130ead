import { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { authenticateClient } from '../../http/client-auth.js';
import { readForm } from '../../http/params.js';
import type { Client } from '../../store/types.js';
import { unauthorizedClient, unsupportedGrantType } from '../errors.js';
import type { GrantHandler } from './grant.js';

export const MFA_OTP_GRANT = 'urn:latchkey:grant-type:mfa-otp';
/** RFC 8628 §3.4. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** A client allowed `password` is also allowed the mfa-otp grant (SPEC §3). */
export function clientAllowsGrant(client: Client, type: string): boolean {
  if (client.grants.includes(type)) return true;
  return type === MFA_OTP_GRANT && client.grants.includes('password');
}

/** RFC 6749 §3.2: the token endpoint, dispatching over the grants it is given (`createApp` picks them). */
export function tokenRoutes(deps: Deps, grants: readonly GrantHandler[]): Hono {
  const handlers = new Map(grants.map((g) => [g.type, g]));
  const app = new Hono();
  app.post('/token', async (c) => {
    const params = await readForm(c);
    const auth = await authenticateClient(c, deps, params);
    const type = params.require('grant_type');
    const handler = handlers.get(type);
    if (!handler) throw unsupportedGrantType(`grant_type "${type.slice(0, 100)}" is not supported`);
    if (!clientAllowsGrant(auth.client, type))
      throw unauthorizedClient(`the client is not allowed the "${type}" grant`);
    const response = await handler.handle({ c, deps, params, auth });
    deps.metrics?.tokenIssued(type);
    return c.json(response);
  });
  return app;
}
