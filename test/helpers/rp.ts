import { createServer, type Server } from 'node:http';
import * as oidc from 'openid-client';
import { freePort } from './server.js';

/** A loopback "partner app" callback: records every request it receives and answers 200. */
export interface Callback {
  url: string;
  received: URL[];
  /** Body of form_post responses. */
  posted: URLSearchParams[];
  next(timeoutMs?: number): Promise<URL | URLSearchParams>;
  close(): Promise<void>;
}

export async function startCallback(path = '/callback'): Promise<Callback> {
  const port = await freePort();
  const received: URL[] = [];
  const posted: URLSearchParams[] = [];
  const waiters: ((v: URL | URLSearchParams) => void)[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== path) {
      res.statusCode = 404;
      res.end();
      return;
    }
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const params = new URLSearchParams(body);
        posted.push(params);
        waiters.shift()?.(params);
        res.end('<!doctype html><title>App</title><h1>App received the response</h1>');
      });
      return;
    }
    received.push(url);
    waiters.shift()?.(url);
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>App</title><h1>App received the response</h1>');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    posted,
    next: (timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const waiter = (v: URL | URLSearchParams) => {
          clearTimeout(timer);
          resolve(v);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no request reached the callback within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What an app keeps from its authorization request (PKCE verifier, `state`, `nonce`) and where it sends the browser. */
export interface AuthorizationStart {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** The app's authorization request, as openid-client builds it: code flow, PKCE S256, `state` and `nonce`. */
export async function startAuthorization(
  config: oidc.Configuration,
  redirectUri: string,
  scope: string,
  extra: Record<string, string> = {},
): Promise<AuthorizationStart> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}
