import type { Context } from 'hono';
import { FormPostPage, renderPage } from '../../../views/index.js';
import { pageLang } from '../../http/render.js';
import { allowFormTargets } from '../../http/security.js';
import { describable, type OAuthError } from '../errors.js';
import type { ResponseMode } from './request.js';

export interface RedirectTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | null;
  issuer: string;
}

/**
 * Sends authorization response parameters to the verified redirect URI, with `state` and `iss`
 * (RFC 9207) always, in the response mode asked for.
 */
export function respond(c: Context, target: RedirectTarget, params: Record<string, string>): Response {
  const all: Record<string, string> = { ...params };
  if (target.state !== null) all['state'] = target.state;
  all['iss'] = target.issuer;
  if (target.responseMode === 'form_post') {
    // OAuth 2.0 Form Post Response Mode §2: an auto-submitting form (external script; a button without JS).
    allowFormTargets(c, [target.redirectUri]);
    return c.html(renderPage(pageLang(c), FormPostPage, { action: target.redirectUri, fields: all }), 200, {
      'Cache-Control': 'no-store',
    });
  }
  const url = new URL(target.redirectUri);
  if (target.responseMode === 'fragment') {
    url.hash = new URLSearchParams(all).toString();
  } else {
    // RFC 6749 §3.1.2: keep the registered query component.
    for (const [k, v] of Object.entries(all)) url.searchParams.append(k, v);
  }
  c.header('Cache-Control', 'no-store');
  return c.redirect(url.toString(), 303);
}

export function respondError(c: Context, target: RedirectTarget, err: OAuthError): Response {
  return respond(c, target, { error: err.error, error_description: describable(err.description) });
}
