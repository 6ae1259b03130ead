import { createHash, randomBytes } from 'node:crypto';

type Fetch = (url: string, init?: RequestInit) => Response | Promise<Response>;

/**
 * A scripted browser for protocol tests: keeps cookies, follows redirects on the issuer, fills the
 * hosted forms (CSRF token included) and stops at the first URL outside the issuer (the client's callback).
 */
export class Agent {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly fetcher: Fetch,
    readonly issuer: string,
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (!value || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line))
        this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookieHeader());
    const res = await this.fetcher(new URL(url, this.issuer).toString(), {
      ...init,
      headers,
      redirect: 'manual',
    });
    this.keep(res);
    return res;
  }

  /** GET, following redirects while they stay on the issuer. Returns the final response or the outside URL. */
  async go(url: string): Promise<{ res?: Response; html?: string; external?: URL }> {
    let next = new URL(url, this.issuer);
    for (let i = 0; i < 10; i++) {
      if (next.origin !== new URL(this.issuer).origin) return { external: next };
      const res = await this.request(next.toString());
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        next = new URL(location, next);
        continue;
      }
      return { res, html: await res.text() };
    }
    throw new Error('too many redirects');
  }

  /** Posts a form on the issuer, then follows redirects like `go`. */
  async post(
    url: string,
    fields: Record<string, string>,
  ): Promise<{ res?: Response; html?: string; external?: URL }> {
    const res = await this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location)
      return this.go(new URL(location, new URL(url, this.issuer)).toString());
    return { res, html: await res.text() };
  }

  /** Submits the first form of a page with its hidden fields plus `fields`. */
  async submit(
    html: string,
    fields: Record<string, string> = {},
    pageUrl = this.issuer,
  ): Promise<{ res?: Response; html?: string; external?: URL }> {
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    if (!form) throw new Error('no form on the page');
    const action = decodeEntities(form[1]!);
    const hidden: Record<string, string> = {};
    for (const m of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(m[0])?.[1];
      const value = /value="([^"]*)"/.exec(m[0])?.[1] ?? '';
      if (name) hidden[name] = decodeEntities(value);
    }
    return this.post(new URL(action, pageUrl).toString(), { ...hidden, ...fields });
  }
}

export function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface FlowOptions {
  clientId: string;
  redirectUri: string;
  scope?: string;
  state?: string;
  nonce?: string;
  challenge?: string;
  extra?: Record<string, string>;
  email: string;
  password: string;
  /** Approve the consent page when it is shown (default true). */
  allow?: boolean;
  /** The code for the MFA page, when it is shown (a TOTP or a recovery code). */
  otp?: () => string;
}

/** /authorize → login (if asked) → consent (if asked) → the callback URL. */
export async function authorizeThroughPages(agent: Agent, o: FlowOptions): Promise<URL> {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: o.clientId,
    redirect_uri: o.redirectUri,
    scope: o.scope ?? 'openid',
    state: o.state ?? 'st-' + randomBytes(4).toString('hex'),
    ...(o.nonce ? { nonce: o.nonce } : {}),
    ...(o.challenge ? { code_challenge: o.challenge, code_challenge_method: 'S256' } : {}),
    ...o.extra,
  });
  let step = await agent.go(`/authorize?${q}`);
  for (let i = 0; i < 5 && !step.external; i++) {
    const html = step.html ?? '';
    const page = step.res?.url || agent.issuer;
    if (html.includes('name="password"'))
      step = await agent.submit(html, { email: o.email, password: o.password }, page);
    else if (html.includes('name="code"') && o.otp) step = await agent.submit(html, { code: o.otp() }, page);
    else if (html.includes('name="decision"'))
      step = await agent.post(actionOf(html), {
        csrf: csrfOf(html),
        decision: o.allow === false ? 'deny' : 'allow',
      });
    else throw new Error(`unexpected page (${step.res?.status}): ${html.slice(0, 500)}`);
  }
  if (!step.external) throw new Error('the flow did not reach the callback');
  return step.external;
}

export const csrfOf = (html: string) => decodeEntities(/name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? '');
export const actionOf = (html: string) => decodeEntities(/<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? '');

/** Posts the sign-in form of `path` (with the CSRF token of its page) and returns the raw response. */
export async function attemptSignIn(
  agent: Agent,
  email: string,
  password: string,
  path = '/login',
): Promise<Response> {
  const html = await (await agent.request(path)).text();
  return agent.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: csrfOf(html), email, password }).toString(),
  });
}
