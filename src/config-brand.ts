import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { isLoopbackHost } from './admin/validate.js';
import { ConfigError, type Env, parseOnOff } from './config-values.js';

/** `LATCHKEY_BRAND_*` and `LATCHKEY_CLIENT_LOGOS`: what the hosted pages show (issue 14), read and checked at start. */

/** A logo from the web (`https://…`, or `http://` to loopback), or a local file read once at start. */
export type BrandLogo =
  | { readonly url: string }
  | { readonly file: string; readonly type: BrandImageType; readonly body: Uint8Array };
export type BrandImageType = 'image/png' | 'image/svg+xml' | 'image/webp';

export interface BrandConfig {
  /** `LATCHKEY_BRAND_NAME`: the product name on every page (default `latchkey`). */
  readonly name: string;
  readonly logo?: BrandLogo;
  /** `LATCHKEY_BRAND_COLOR`: a `#rrggbb` accent that white text reads on (WCAG AA, 4.5:1). */
  readonly color?: string;
  /** `LATCHKEY_BRAND_CSS`: an extra stylesheet, read once at start. */
  readonly css?: string;
  /**
   * `LATCHKEY_CLIENT_LOGOS=on`: the consent page shows a client's registered `logo_uri`, loaded from the client's
   * server (the admin's opt-in to a third party; off, the page shows the client's initial).
   */
  readonly clientLogos?: boolean;
}

export const DEFAULT_BRAND_NAME = 'latchkey';
/** The most a logo file may weigh: it is held in memory and sent with every first page view. */
export const MAX_BRAND_LOGO_BYTES = 512 * 1024;
export const MAX_BRAND_CSS_BYTES = 256 * 1024;
/** WCAG 2.x AA for normal text: white button labels on the accent. */
export const MIN_BRAND_CONTRAST = 4.5;

/** WCAG 2.x contrast ratio of a `#rrggbb` colour against white. */
export function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05);
}

/** The image types a logo file may be, by extension, and the first bytes that prove it. */
const LOGO_TYPES: Record<string, { type: BrandImageType; looksLike: (b: Buffer) => boolean }> = {
  '.png': {
    type: 'image/png',
    looksLike: (b) => b.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')),
  },
  '.webp': {
    type: 'image/webp',
    looksLike: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  '.svg': { type: 'image/svg+xml', looksLike: (b) => /<svg[\s>]/.test(b.toString('utf8')) },
};

/** A local file the brand names, read once: refused unless it is a readable file of at most `max` bytes. */
function readBrandFile(name: string, value: string, max: number): { file: string; body: Buffer } {
  const file = resolve(value);
  let body: Buffer;
  try {
    const size = statSync(file).size;
    if (size > max)
      throw new ConfigError(`${name}: ${file} is ${Math.ceil(size / 1024)} KB; at most ${max / 1024} KB`);
    body = readFileSync(file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(
      `${name}: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return { file, body };
}

function parseBrandLogo(value: string): BrandLogo {
  const name = 'LATCHKEY_BRAND_LOGO';
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value)) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {}
    const loopbackHttp = url?.protocol === 'http:' && isLoopbackHost(url);
    if (!url || (url.protocol !== 'https:' && !loopbackHttp) || url.username || url.password || url.hash)
      throw new ConfigError(
        `${name} must be an https URL (plain http only to loopback) without credentials or fragment, or a path to a PNG, SVG or WebP file; got "${value.slice(0, 200)}"`,
      );
    // A CSP host source cannot name an IPv6 literal: the pages could not load it.
    if (url.hostname.startsWith('['))
      throw new ConfigError(`${name}: name the logo's host by name, not by an IPv6 address`);
    // Its origin goes into the pages' CSP (img-src): only letters, digits, dots, hyphens and a port, so a host
    // such as `a;script-src` (which URL parsing allows) cannot add a directive.
    if (!/^https?:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?$/.test(url.origin))
      throw new ConfigError(
        `${name}: the logo's host must be a plain host name, got "${url.host.slice(0, 100)}"`,
      );
    return { url: url.href };
  }
  const kind = LOGO_TYPES[extname(value).toLowerCase()];
  if (!kind)
    throw new ConfigError(`${name}: "${value}" must be a .png, .svg or .webp file (or an https URL)`);
  const { file, body } = readBrandFile(name, value, MAX_BRAND_LOGO_BYTES);
  if (!kind.looksLike(body)) throw new ConfigError(`${name}: the content of ${file} is not ${kind.type}`);
  return { file, type: kind.type, body: new Uint8Array(body) };
}

/** `LATCHKEY_BRAND_*`: each refused at start with one line that says what to change. */
export function parseBrand(env: Env): BrandConfig {
  const name = env['LATCHKEY_BRAND_NAME'] || DEFAULT_BRAND_NAME;
  if (name.length > 60 || /\p{Cc}/u.test(name) || !name.trim())
    throw new ConfigError('LATCHKEY_BRAND_NAME must be 1-60 characters, no control characters');
  const logo = env['LATCHKEY_BRAND_LOGO'] ? parseBrandLogo(env['LATCHKEY_BRAND_LOGO']) : undefined;
  const color = env['LATCHKEY_BRAND_COLOR'] || undefined;
  if (color !== undefined) {
    if (!/^#[0-9a-f]{6}$/i.test(color))
      throw new ConfigError(`LATCHKEY_BRAND_COLOR must be a colour as #rrggbb, got "${color.slice(0, 40)}"`);
    const ratio = contrastWithWhite(color);
    if (ratio < MIN_BRAND_CONTRAST)
      throw new ConfigError(
        `LATCHKEY_BRAND_COLOR ${color} has a contrast of ${ratio.toFixed(2)}:1 with white text; buttons need at least ${MIN_BRAND_CONTRAST}:1 (WCAG AA): choose a darker colour`,
      );
  }
  const cssPath = env['LATCHKEY_BRAND_CSS'] || undefined;
  let css: string | undefined;
  if (cssPath !== undefined) {
    if (extname(cssPath).toLowerCase() !== '.css')
      throw new ConfigError(`LATCHKEY_BRAND_CSS: "${cssPath}" must be a .css file`);
    const { file, body } = readBrandFile('LATCHKEY_BRAND_CSS', cssPath, MAX_BRAND_CSS_BYTES);
    try {
      css = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw new ConfigError(`LATCHKEY_BRAND_CSS: ${file} is not UTF-8 text`);
    }
  }
  const clientLogos = parseOnOff(env['LATCHKEY_CLIENT_LOGOS'], 'LATCHKEY_CLIENT_LOGOS', false);
  return Object.freeze({
    name: name.trim(),
    ...(clientLogos ? { clientLogos } : {}),
    ...(logo ? { logo } : {}),
    ...(color ? { color: color.toLowerCase() } : {}),
    ...(css !== undefined ? { css } : {}),
  });
}
