// A small keep-alive HTTP client and a "browser" that walks the hosted pages the way a person would: follows
// redirects, keeps cookies, fills the form that has a password field, clicks "Allow" on consent. It knows
// no page URLs, only what SPEC §5 fixes (plain HTML forms), so it drives latchkey's pages and
// oidc-provider's dev interactions alike.
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { pkce } from '../helpers/agent.js';

export interface Resp {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  url: string;
}

/**
 * Kept-alive sockets, dropped after 4 s idle: before the servers' 5 s keep-alive timeout closes them, so a request
 * after a pause in the set-up never goes out on a socket the server is closing (`socket hang up`).
 */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: 4_000 });
}

const defaultAgent = keepAliveAgent(64);

export function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {},
): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: init.method ?? 'GET',
        headers,
        agent: init.agent ?? defaultAgent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            url,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${init.method ?? 'GET'} ${url}`)));
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

export function basicAuth(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}

export function formBody(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export const FORM = 'application/x-www-form-urlencoded';

/** A request the harness cannot make because the server does not have the endpoint (yet). */
export class NotAvailable extends Error {}

/** POST a form with client_secret_basic; JSON back. */
export async function postForm(
  url: string,
  params: Record<string, string>,
  auth?: { id: string; secret: string },
  agent?: Agent,
): Promise<{ status: number; json: Record<string, unknown>; body: string }> {
  const headers: Record<string, string> = { 'content-type': FORM, accept: 'application/json' };
  if (auth) headers['authorization'] = basicAuth(auth.id, auth.secret);
  const res = await send(url, {
    method: 'POST',
    headers,
    body: formBody(params),
    ...(agent ? { agent } : {}),
  });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.status, json, body: res.body };
}

// --- HTML forms --------------------------------------------------------------------------------------------

const decodeEntities = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([^\s=<>/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  const inner = tag.replace(/^<\s*[a-z]+/i, '').replace(/\/?>$/, '');
  for (let m = re.exec(inner); m; m = re.exec(inner)) {
    out[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

export interface HtmlForm {
  action: string;
  method: string;
  inputs: Record<string, string>[];
  buttons: { attrs: Record<string, string>; text: string }[];
}

export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  const re = /<form\b[^>]*>([\s\S]*?)<\/form>/gi;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const open = /^<form\b[^>]*>/i.exec(m[0])![0];
    const a = attrs(open);
    const inner = m[1]!;
    const inputs = [...inner.matchAll(/<input\b[^>]*>/gi)].map((x) => attrs(x[0]));
    const buttons = [...inner.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)].map((x) => ({
      attrs: attrs(`<button ${x[1]}>`),
      text: decodeEntities(
        x[2]!
          .replace(/<[^>]*>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      ),
    }));
    forms.push({ action: a['action'] ?? '', method: (a['method'] ?? 'get').toLowerCase(), inputs, buttons });
  }
  return forms;
}

function pageLabel(html: string): string {
  const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1] ?? /<title>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  return (h1 ?? html.slice(0, 120))
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

// --- The browser -------------------------------------------------------------------------------------------

export interface Credentials {
  username: string;
  password: string;
}

export class Browser {
  private readonly jar = new Map<string, string>();
  constructor(private readonly agent?: Agent) {}

  private cookieHeader(): Record<string, string> {
    if (!this.jar.size) return {};
    return { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  private keepCookies(res: Resp): void {
    const set = res.headers['set-cookie'];
    if (!set) return;
    for (const line of set) {
      const [pair, ...rest] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq < 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = rest.some((r) => /^\s*max-age\s*=\s*0\s*$/i.test(r)) || value === '';
      if (expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async request(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) {
    const res = await send(url, {
      ...init,
      headers: { accept: 'text/html', ...this.cookieHeader(), ...init.headers },
      ...(this.agent ? { agent: this.agent } : {}),
    });
    this.keepCookies(res);
    return res;
  }

  /**
   * Follow redirects from `res` until a page (non-3xx) or a redirect to `stopAt` (returned as is, not
   * fetched).
   */
  async follow(res: Resp, stopAt: string): Promise<Resp> {
    for (let hops = 0; hops < 12; hops++) {
      if (res.status < 300 || res.status >= 400) return res;
      const location = res.headers['location'];
      if (!location) return res;
      const next = new URL(location, res.url).toString();
      if (next.startsWith(stopAt)) return { ...res, url: next };
      res = await this.request(next);
    }
    throw new Error(`too many redirects at ${res.url}`);
  }

  /** Submit `form` as found on the page at `pageUrl`, with `fields` set and `button` clicked. */
  async submit(
    pageUrl: string,
    form: HtmlForm,
    fields: Record<string, string>,
    button?: Record<string, string>,
  ) {
    const params = new URLSearchParams();
    for (const input of form.inputs) {
      const name = input['name'];
      if (!name) continue;
      const type = (input['type'] ?? 'text').toLowerCase();
      if (type === 'submit' || type === 'button' || type === 'image') continue;
      if ((type === 'checkbox' || type === 'radio') && !('checked' in input)) continue;
      params.append(name, fields[name] ?? input['value'] ?? '');
    }
    if (button?.['name']) params.append(button['name'], button['value'] ?? '');
    const action = new URL(form.action || pageUrl, pageUrl).toString();
    if (form.method === 'post') {
      return this.request(action, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: params.toString(),
      });
    }
    const target = new URL(action);
    for (const [k, v] of params) target.searchParams.append(k, v);
    return this.request(target.toString());
  }
}

/** The sign-in form on a page (the form with a password field), filled with `creds`, or undefined. */
export function loginForm(html: string, creds: Credentials) {
  const form = parseForms(html).find((f) =>
    f.inputs.some((i) => (i['type'] ?? '').toLowerCase() === 'password'),
  );
  if (!form) return undefined;
  const fields: Record<string, string> = {};
  for (const input of form.inputs) {
    const type = (input['type'] ?? 'text').toLowerCase();
    const name = input['name'];
    if (!name) continue;
    if (type === 'password') fields[name] = creds.password;
    else if (type === 'email' || (type === 'text' && /mail|login|user/i.test(name)))
      fields[name] = creds.username;
  }
  const button = form.buttons.find((b) => (b.attrs['type'] ?? 'submit') === 'submit');
  return { form, fields, button: button?.attrs };
}

/** The consent form's "Allow" (or "Continue") button, or undefined. */
export function consentForm(html: string) {
  for (const form of parseForms(html)) {
    const button = form.buttons.find((b) => /^(allow|continue|authorize|accept|yes)\b/i.test(b.text));
    if (button) return { form, button: button.attrs };
  }
  return undefined;
}

export interface AuthorizeSpec {
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  /** Extra authorization parameters (e.g. oidc-provider needs prompt=consent for offline_access). */
  extra?: Record<string, string>;
}

export type CodeResult = { code: string; verifier: string } | { error: string };

/**
 * Walk /authorize → sign-in page → (consent) → redirect back with a code. With `stopAfterLogin`, stop once
 * the sign-in form was accepted (a redirect rather than the form again) and return 'signed-in'.
 */
export async function authorizeInBrowser(
  browser: Browser,
  spec: AuthorizeSpec,
  creds: Credentials,
  stopAfterLogin = false,
): Promise<CodeResult | 'signed-in'> {
  const { verifier, challenge } = pkce();
  const url = new URL(spec.authorizeUrl);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: spec.clientId,
    redirect_uri: spec.redirectUri,
    scope: spec.scope,
    state: randomBytes(8).toString('base64url'),
    nonce: randomBytes(8).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...spec.extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  let res = await browser.follow(await browser.request(url.toString()), spec.redirectUri);
  let loggedIn = false;
  for (let step = 0; step < 8; step++) {
    if (res.url.startsWith(spec.redirectUri)) {
      const back = new URL(res.url).searchParams;
      const code = back.get('code');
      if (code) return { code, verifier };
      return { error: `${back.get('error') ?? 'no code'}: ${back.get('error_description') ?? ''}` };
    }
    if (res.status === 404) throw new NotAvailable(`${new URL(res.url).pathname} answered 404`);
    const login = loginForm(res.body, creds);
    if (login) {
      if (loggedIn) throw new Error(`sign-in refused (${res.status}): ${pageLabel(res.body)}`);
      const posted = await browser.submit(res.url, login.form, login.fields, login.button);
      if (posted.status === 404) throw new NotAvailable(`POST ${new URL(posted.url).pathname} answered 404`);
      loggedIn = true;
      if (stopAfterLogin) {
        if (posted.status >= 300 && posted.status < 400) return 'signed-in';
        throw new Error(`sign-in refused (${posted.status}): ${pageLabel(posted.body)}`);
      }
      res = await browser.follow(posted, spec.redirectUri);
      continue;
    }
    const consent = consentForm(res.body);
    if (consent) {
      res = await browser.follow(
        await browser.submit(res.url, consent.form, {}, consent.button),
        spec.redirectUri,
      );
      continue;
    }
    throw new Error(
      `unexpected page (${res.status}) at ${new URL(res.url).pathname}: ${pageLabel(res.body)}`,
    );
  }
  throw new Error('authorization did not finish in 8 pages');
}
