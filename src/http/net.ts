import { BlockList, isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** The client's address as resolved through trusted proxies (set by `trustedProxies()`). */
    clientIp: string;
  }
}

function peerAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/**
 * A request header (`name` in lower case) read from Node's own parsed headers when the request came through
 * @hono/node-server, else through Hono. The first `c.req.header()` of a request builds a Web `Headers` from
 * all of the request's headers (~2 µs); the middlewares every request passes (the request id, the body
 * limit) read one header each, and need not pay for that on requests whose handler reads none (discovery).
 * Repeated headers come joined by `, `, as `Headers.get()` joins them.
 */
export function headerOf(c: Context, name: string): string | undefined {
  const incoming = (
    c.env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined
  )?.incoming;
  if (!incoming?.headers) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Sets a response header that every response of its kind carries (the security headers, the request id),
 * before the handler runs. Through @hono/node-server it goes on Node's response itself: Node adds it to what
 * the handler answers, and a header of the same name in that answer wins (a page's own CSP). Set through
 * `c.header()` it would make every response carry a Web `Headers` (~0.5 µs a header, and the response taken
 * off @hono/node-server's plain-object path). Elsewhere (`app.request()` in tests) it is `c.header()`.
 */
export function presetHeader(c: Context, name: string, value: string): void {
  const outgoing = (
    c.env as
      | { outgoing?: { setHeader?: (n: string, v: string) => unknown; headersSent?: boolean } }
      | undefined
  )?.outgoing;
  if (outgoing?.setHeader && !outgoing.headersSent) outgoing.setHeader(name, value);
  else c.header(name, value);
}

/** The client's address: the peer, or what a trusted proxy says the client was. */
export function clientIp(c: Context): string {
  return c.get('clientIp') ?? peerAddress(c);
}

/** Longer User-Agent headers are cut to this many characters before they reach an audit row. */
export const USER_AGENT_MAX = 512;

/**
 * The request's User-Agent as an audit row keeps it: cut to `USER_AGENT_MAX`, control characters dropped (it
 * is printed by `latchkey events`), null when absent or empty.
 */
export function userAgentOf(c: Context): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is dropped
  const ua = (c.req.header('user-agent') ?? '').replace(/[\x00-\x1f\x7f]/g, '').slice(0, USER_AGENT_MAX);
  return ua || null;
}

/** Who sent the request, as every audit row written while serving it records (issue 12). */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

/** The address (through trusted proxies) and User-Agent of the request: spread into each audit event. */
export function requestMeta(c: Context): RequestMeta {
  return { ip: clientIp(c), userAgent: userAgentOf(c) };
}

/** Strips an IPv4-mapped IPv6 prefix, so one client has one address. */
const unmap = (ip: string) =>
  ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;

function blockListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/**
 * The addresses an `X-Forwarded-For` or, without one, a `Forwarded` (RFC 7239) header lists, nearest hop last.
 * `X-Forwarded-For` first: it is what nginx, Caddy, HAProxy and Traefik append to, while most of them pass a
 * `Forwarded` header the browser sent through untouched, which would let it name any address.
 */
function forwardedChain(c: Context): string[] {
  const xff = c.req.header('x-forwarded-for');
  if (xff !== undefined) return xff.split(',').map((v) => v.trim());
  const forwarded = c.req.header('forwarded');
  if (forwarded) {
    return forwarded
      .split(',')
      .map((element) => /(?:^|;)\s*for="?\[?([^\]";,]+)\]?(?::\d+)?"?/i.exec(element.trim())?.[1] ?? '')
      .map((v) => (isIP(v) ? v : (/^([\d.]+):\d+$/.exec(v)?.[1] ?? v)));
  }
  return [];
}

/**
 * Believes forwarding headers only from the configured proxies (`LATCHKEY_TRUSTED_PROXIES`): walking back
 * from the peer, the first address that is not a trusted proxy is the client. Without configuration the
 * peer address is the client and no header is read.
 */
export function trustedProxies(entries: readonly string[]): MiddlewareHandler {
  const trusted = blockListOf(entries);
  const isTrusted = (ip: string) => {
    const bare = unmap(ip);
    const family = isIP(bare);
    return family !== 0 && trusted.check(bare, family === 6 ? 'ipv6' : 'ipv4');
  };
  return async function trustedProxies(c, next) {
    let ip = unmap(peerAddress(c));
    if (isTrusted(ip)) {
      for (const hop of forwardedChain(c).reverse()) {
        if (!isIP(unmap(hop))) break;
        ip = unmap(hop);
        if (!isTrusted(ip)) break;
      }
    }
    c.set('clientIp', ip);
    await next();
  };
}

/**
 * The address a throttle counts under: IPv4 as is, IPv6 by its /64 (one subscriber's whole prefix, which
 * they can rotate through at will).
 */
export function addressGroup(ip: string): string {
  const bare = unmap(ip);
  if (isIP(bare) !== 6) return bare;
  const [head = '', tail = ''] = bare.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = bare.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = bare.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
