import type { Context, MiddlewareHandler } from 'hono';
import type { BrandConfig } from '../config.js';
import { brandingOf } from './branding.js';
import { presetHeader } from './net.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Image origins the CSP names besides `'self'`: a remote brand logo the admin configured. */
    imageSources: readonly string[];
  }
}

/**
 * The Content-Security-Policy of every response. `form-action` limits where a form may send what is typed
 * into it; `formTargets` are the origins (of a client's redirect URI) one page's forms may lead to as well.
 * `imageSources`: the origin of a remote brand logo, the one third party a page loads from, by the admin's choice.
 */
export function contentSecurityPolicy(
  formTargets: readonly string[] = [],
  imageSources: readonly string[] = [],
): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    ["img-src 'self' data:", ...imageSources].join(' '),
    "script-src 'self'",
    ["form-action 'self'", ...formTargets].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export const CSP = contentSecurityPolicy();

/** RFC 6797: one year, sent only when the issuer is https (a browser ignores it over plain HTTP anyway). */
export const HSTS = 'max-age=31536000';

/** Headers every response carries: no framing (clickjacking), no sniffing, no referrer leaks, HSTS under https. */
export function securityHeadersFor(
  https: boolean,
  imageSources: readonly string[] = [],
): Readonly<Record<string, string>> {
  return {
    'Content-Security-Policy': imageSources.length ? contentSecurityPolicy([], imageSources) : CSP,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // Not `no-referrer`: under it a browser sends `Origin: null` with the pages' own form posts, and the CSRF
    // check refuses `null` (a sandboxed frame's origin). `same-origin` sends no referrer to any other site.
    'Referrer-Policy': 'same-origin',
    ...(https ? { 'Strict-Transport-Security': HSTS } : {}),
  };
}

export const isHttps = (config: { issuer: string }): boolean => config.issuer.startsWith('https:');

/**
 * Sets the headers before the handler runs, so that they are part of the response it builds: changing
 * `c.res.headers` afterwards would turn @hono/node-server's light response into a full Web Response and
 * cost more than the rest of a token request. A handler returning its own `Response` includes them itself.
 * A step of the one middleware every request goes through (see requestLog()), or a middleware of its own.
 */
export function securityHeadersStep(config: { issuer: string; brand?: BrandConfig }): (c: Context) => void {
  const origin = config.brand && brandingOf(config.brand).imageOrigin;
  const imageSources = origin ? [origin] : [];
  const headers = Object.entries(securityHeadersFor(isHttps(config), imageSources));
  return function securityHeaders(c) {
    for (const [k, v] of headers) presetHeader(c, k, v);
    if (imageSources.length) c.set('imageSources', imageSources);
  };
}

export function securityHeaders(config: { issuer: string; brand?: BrandConfig }): MiddlewareHandler {
  const step = securityHeadersStep(config);
  return async function securityHeaders(c, next) {
    step(c);
    await next();
  };
}

const HOST_SOURCE = /^https?:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?$/;
const SCHEME_SOURCE = /^[A-Za-z][A-Za-z0-9+.-]*:$/;

/**
 * The CSP source that lets a form lead to `target`: its origin, or its scheme for a custom-scheme URI
 * (`com.example.app:`) or an IPv6 literal, which CSP host sources cannot name. Anything that would not be
 * one clean source (a registered URI is not ours to trust inside a header) gives none: the form is blocked.
 */
export function formSource(target: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  const special = url.protocol === 'http:' || url.protocol === 'https:';
  if (special && HOST_SOURCE.test(url.origin)) return url.origin;
  if (special && !url.hostname.startsWith('[')) return undefined;
  return SCHEME_SOURCE.test(url.protocol) ? url.protocol : undefined;
}

/**
 * Lets this page's forms lead to `targets` too (a client's redirect URI). Chromium applies `form-action` to
 * every redirect a form submission follows, so a sign-in, consent or logout form whose answer ends at the
 * client needs the client's origin here, not only the page that receives the form.
 */
export function allowFormTargets(c: Context, targets: readonly (string | undefined)[]): void {
  const sources = [...new Set(targets.flatMap((t) => (t === undefined ? [] : (formSource(t) ?? []))))];
  if (sources.length > 0)
    c.header('Content-Security-Policy', contentSecurityPolicy(sources, c.get('imageSources') ?? []));
}

/**
 * Lets this page load images from `uri`'s origin too (a client's logo the admin opted in to): call it before
 * `allowFormTargets`, which keeps these. A URI that is no clean CSP host source adds nothing.
 * @returns whether the image may be shown.
 */
export function allowImageSource(c: Context, uri: string): boolean {
  const source = formSource(uri);
  if (!source?.includes('//')) return false;
  const sources = [...new Set([...(c.get('imageSources') ?? []), source])];
  c.set('imageSources', sources);
  c.header('Content-Security-Policy', contentSecurityPolicy([], sources));
  return true;
}

/** RFC 6749 §5.1: token responses must not be cached. */
export function noStore(): MiddlewareHandler {
  return async function noStore(c, next) {
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    await next();
  };
}
