import type { Context } from 'hono';
import { Hono } from 'hono';
import { errorPage } from '../http/render.js';
import type { Ending, InteractionFlow, SignInState } from './flow.js';

/** Every page returns here after success: the policy picks the next page or the interaction ends. */
export function resumeRoutes(flow: InteractionFlow): Hono {
  const app = new Hono();
  app.get('/authorize/resume', async (c) => {
    const interaction = await flow.load(c, c.req.query('interaction'));
    flow.errorsEnd(c, interaction);
    return flow.resume(c, interaction);
  });
  return app;
}

/** How a plain sign-in (no app behind it) ends: back to the local page that asked for it. */
export const signInEnding: Ending<SignInState> = {
  complete: async (c: Context, { state }) => c.redirect(state.returnTo, 303),
  fail: (c, _interaction, err) => errorPage(c, err),
};
