import { createHash } from 'node:crypto';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { BrandConfig } from '../config.js';

/**
 * What every hosted page shows of the deployment (issue 14), ready to render: the Layout writes `name` in
 * the header and the title, `<img src={logoUrl} alt={name}>` when there is a logo, and one
 * `<link rel="stylesheet" href=…>` per entry of `stylesheets` after `/assets/latchkey.css`.
 */
export interface Branding {
  readonly name: string;
  /** The https URL the admin gave, or `/assets/brand-logo?v=…` for a file latchkey serves. */
  readonly logoUrl?: string;
  /** `/assets/brand-vars.css?v=…` (the accent) and `/assets/brand.css?v=…` (the extra stylesheet), when set. */
  readonly stylesheets: readonly string[];
  /** The origin of a remote logo: the one image source the pages' CSP names besides their own. */
  readonly imageOrigin?: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The deployment's branding, for the pages (set for every request by `brandingContext`). */
    branding: Branding;
  }
}

export const BRAND_LOGO_PATH = '/assets/brand-logo';
export const BRAND_VARS_PATH = '/assets/brand-vars.css';
export const BRAND_CSS_PATH = '/assets/brand.css';

/** A year: each asset's URL carries a hash of its content, so a changed file is a new URL. */
const LONG_CACHE = 'public, max-age=31536000, immutable';

const hashOf = (body: string | Uint8Array): string =>
  createHash('sha256').update(body).digest('base64url').slice(0, 16);

interface Asset {
  body: string | Uint8Array;
  type: string;
  etag: string;
}

interface BrandAssets {
  branding: Branding;
  assets: ReadonlyMap<string, Asset>;
}

const asset = (body: string | Uint8Array, type: string): Asset => ({
  body,
  type,
  etag: `"${hashOf(body)}"`,
});

/** Mixes `hex` with black: the accent's hover shade, darker still so it keeps its contrast with white. */
function darker(hex: string, by: number): string {
  const channels = [1, 3, 5].map((i) => Math.round(Number.parseInt(hex.slice(i, i + 2), 16) * (1 - by)));
  return `#${channels.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The generated stylesheet of the accent: it sets the variables views/styles.css already uses for buttons and
 * the brand mark, in the light and the dark scheme alike (white text on it passes 4.5:1, checked at start).
 */
export function brandVarsCss(color: string): string {
  return `:root {\n  --primary: ${color};\n  --primary-hover: ${darker(color, 0.15)};\n}\n`;
}

const built = new WeakMap<BrandConfig, BrandAssets>();

function build(brand: BrandConfig): BrandAssets {
  const cached = built.get(brand);
  if (cached) return cached;
  const assets = new Map<string, Asset>();
  const stylesheets: string[] = [];
  let logoUrl: string | undefined;
  let imageOrigin: string | undefined;
  if (brand.logo && 'url' in brand.logo) {
    logoUrl = brand.logo.url;
    imageOrigin = new URL(brand.logo.url).origin;
  } else if (brand.logo) {
    const logo = asset(brand.logo.body, brand.logo.type);
    assets.set(BRAND_LOGO_PATH, logo);
    logoUrl = `${BRAND_LOGO_PATH}?v=${logo.etag.slice(1, -1)}`;
  }
  if (brand.color) {
    const vars = asset(brandVarsCss(brand.color), 'text/css; charset=utf-8');
    assets.set(BRAND_VARS_PATH, vars);
    stylesheets.push(`${BRAND_VARS_PATH}?v=${vars.etag.slice(1, -1)}`);
  }
  if (brand.css !== undefined) {
    const css = asset(brand.css, 'text/css; charset=utf-8');
    assets.set(BRAND_CSS_PATH, css);
    stylesheets.push(`${BRAND_CSS_PATH}?v=${css.etag.slice(1, -1)}`);
  }
  const branding: Branding = Object.freeze({
    name: brand.name,
    ...(logoUrl !== undefined ? { logoUrl } : {}),
    stylesheets: Object.freeze(stylesheets),
    ...(imageOrigin !== undefined ? { imageOrigin } : {}),
  });
  const result = { branding, assets };
  built.set(brand, result);
  return result;
}

/** The deployment's `Branding`, made once per configuration. */
export const brandingOf = (brand: BrandConfig): Branding => build(brand).branding;

/** Sets `c.var.branding` for every request, so a page reads it without each handler passing it on. */
export function brandingStep(brand: BrandConfig): (c: Context) => void {
  const branding = brandingOf(brand);
  return function setBranding(c) {
    c.set('branding', branding);
  };
}

export function brandingContext(brand: BrandConfig): MiddlewareHandler {
  const step = brandingStep(brand);
  return async function brandingContext(c, next) {
    step(c);
    await next();
  };
}

/**
 * The brand's assets, only those configured (the others are 404s): held in memory since start, each with a
 * strong ETag (304 on a match) and a year's cache. The logo's own CSP is the strictest there is, with
 * `sandbox`: an SVG opened on its own runs nothing.
 */
export function brandingRoutes(brand: BrandConfig): Hono {
  const app = new Hono();
  for (const [path, a] of build(brand).assets) {
    app.get(path, (c: Context) => {
      c.header('ETag', a.etag);
      c.header('Cache-Control', LONG_CACHE);
      if (path === BRAND_LOGO_PATH) c.header('Content-Security-Policy', "default-src 'none'; sandbox");
      const match = c.req.header('if-none-match');
      if (match?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === a.etag))
        return c.body(null, 304);
      c.header('Content-Type', a.type);
      return c.body(typeof a.body === 'string' ? a.body : new Uint8Array(a.body), 200);
    });
  }
  return app;
}
